"""Keras 1 -> Keras 2 weight conversions, applied while loading classic HDF5 files.

Matches Keras 2.x ``preprocess_weights_for_loading`` (``keras/engine/saving.py``, 2.0-2.3):
files written by Keras 1 (``keras_version`` "1.x", or no ``keras_version`` attribute at all,
as in Keras 1 weights-only files) store some layers' weights in Keras 1 layouts:

* ``Convolution1D``: W is 4-D ``(filter_length, 1, input_dim, nb_filter)`` -> ``(k, in, out)``
  (older files: ``(nb_filter, input_dim, filter_length, 1)``, transposed first);
* ``Convolution2D`` / ``Convolution3D`` with ``dim_ordering='th'`` (now
  ``data_format='channels_first'``): W is ``(out, in, rows, cols)`` -> ``(rows, cols, in, out)``;
* ``Deconvolution2D``: to ``(rows, cols, out, in)``;
* ``LSTM``: 12 arrays ``W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o, b_o`` -> fused
  ``kernel, recurrent_kernel, bias`` in gate order i, f, c, o (note c and f swap);
* ``GRU``: 9 arrays ``W_z, U_z, b_z, W_r, U_r, b_r, W_h, U_h, b_h`` -> fused (z, r, h);
* ``ConvLSTM2D``: as LSTM, plus the channels_first transpose;
* ``Bidirectional`` / ``TimeDistributed``: the wrapped layer's conversion (on each half).

``BatchNormalization`` needs none: Keras 1's ``running_std`` already holds the moving
*variance* (the name is misleading), exactly what ``moving_variance`` expects.

Kernels written by the Theano backend (root attribute ``backend == "theano"``) are flipped
along their spatial axes (Theano convolves, TensorFlow and torch cross-correlate), for any
Keras version, as Keras 2's ``_need_convert_kernel`` did.

Conversions are keyed by the Keras 1 class name (the class name in the file's config when
known); modern names are registered too, for weights-only files loaded into a model built
from a translated config.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence

import numpy as np

Converter = Callable[[object, List[np.ndarray]], List[np.ndarray]]
_CONVERTERS: Dict[str, Converter] = {}
# Layers whose first weight is a convolution kernel (flipped for Theano files).
_CONV_CLASSES = {"Convolution1D", "Convolution2D", "Convolution3D", "AtrousConvolution1D",
                 "AtrousConvolution2D", "Deconvolution2D", "Conv1D", "Conv2D", "Conv3D",
                 "Conv2DTranspose", "ConvLSTM2D"}


def register(*class_names: str):
    """Decorator: ``fn(layer, weights) -> weights`` converts Keras 1 weights of these classes."""
    def deco(fn: Converter) -> Converter:
        for name in class_names:
            _CONVERTERS[name] = fn
        return fn
    return deco


def is_keras1(keras_version) -> bool:
    """Keras 1 files say "1.x"; Keras 1 weights-only files carry no version at all."""
    if keras_version is None:
        return True
    if isinstance(keras_version, bytes):
        keras_version = keras_version.decode("utf-8")
    return str(keras_version).strip().startswith("1")


def _expected_shapes(layer) -> List[tuple]:
    return [tuple(s.keras_shape) for s in layer._all_specs()]


def _layer_name(layer) -> str:
    return getattr(layer, "name", type(layer).__name__)


# ------------------------------------------------------------------------------------------
# convolutions
# ------------------------------------------------------------------------------------------
@register("Convolution1D", "AtrousConvolution1D", "Conv1D")
def _conv1d(layer, weights):
    w = list(weights)
    if w and w[0].ndim == 4:
        want = _expected_shapes(layer)
        k = w[0]
        if want and len(want[0]) == 3:
            kernel_len, _, filters = want[0]
            if k.shape[:2] != (kernel_len, 1) or k.shape[3] != filters:
                # legacy layout (filters, input_dim, filter_length, 1)
                k = np.transpose(k, (2, 3, 1, 0))
        w[0] = k[:, 0, :, :]
    return w


def _channels_first(layer) -> bool:
    return getattr(layer, "data_format", None) == "channels_first"


@register("Convolution2D", "AtrousConvolution2D", "Conv2D")
def _conv2d(layer, weights):
    w = list(weights)
    if w and w[0].ndim == 4 and _channels_first(layer):
        # (filters, stack, rows, cols) -> (rows, cols, stack, filters)
        w[0] = np.transpose(w[0], (2, 3, 1, 0))
    return w


@register("Deconvolution2D", "Conv2DTranspose")
def _deconv2d(layer, weights):
    w = list(weights)
    if w and w[0].ndim == 4:
        if _channels_first(layer):
            w[0] = np.transpose(w[0], (2, 3, 0, 1))
        else:
            w[0] = np.transpose(w[0], (0, 1, 3, 2))
    return w


@register("Convolution3D", "Conv3D")
def _conv3d(layer, weights):
    w = list(weights)
    if w and w[0].ndim == 5 and _channels_first(layer):
        w[0] = np.transpose(w[0], (2, 3, 4, 1, 0))
    return w


# ------------------------------------------------------------------------------------------
# recurrent
# ------------------------------------------------------------------------------------------
def _fuse(weights: Sequence[np.ndarray], order: Sequence[int]) -> List[np.ndarray]:
    """Per-gate (W, U, b) triples -> [kernel, recurrent_kernel, bias] in gate ``order``."""
    kernel = np.concatenate([weights[3 * g] for g in order], axis=-1)
    recurrent = np.concatenate([weights[3 * g + 1] for g in order], axis=-1)
    bias = np.concatenate([weights[3 * g + 2] for g in order], axis=-1)
    return [kernel, recurrent, bias]


@register("LSTM")
def _lstm(layer, weights):
    if len(weights) == 12:
        # file gates: i, c, f, o ; Keras 2: i, f, c, o
        return _fuse(weights, (0, 2, 1, 3))
    return list(weights)


@register("GRU")
def _gru(layer, weights):
    if len(weights) == 9:
        fused = _fuse(weights, (0, 1, 2))
        want = _expected_shapes(layer)
        if len(want) == 3 and want[2] != fused[2].shape:
            raise ValueError(
                f"Layer '{_layer_name(layer)}' (GRU) expects a bias of shape {want[2]}, but the "
                f"Keras 1 file holds a GRU with bias shape {fused[2].shape} (Keras 1 GRUs are "
                "`reset_after=False`): build the layer with `reset_after=False`.")
        return fused
    return list(weights)


@register("ConvLSTM2D")
def _conv_lstm2d(layer, weights):
    if len(weights) != 12:
        return list(weights)
    kernel, recurrent, bias = _fuse(weights, (0, 2, 1, 3))
    if _channels_first(layer):
        kernel = np.transpose(kernel, (2, 3, 1, 0))
        recurrent = np.transpose(recurrent, (2, 3, 1, 0))
    return [kernel, recurrent, bias]


# ------------------------------------------------------------------------------------------
# wrappers
# ------------------------------------------------------------------------------------------
@register("Bidirectional")
def _bidirectional(layer, weights):
    forward = getattr(layer, "forward_layer", None)
    backward = getattr(layer, "backward_layer", None)
    if forward is None or backward is None or len(weights) % 2:
        return list(weights)
    half = len(weights) // 2
    inner = type(forward).__name__
    return (_convert_one(inner, forward, list(weights[:half])) +
            _convert_one(inner, backward, list(weights[half:])))


@register("TimeDistributed")
def _time_distributed(layer, weights):
    inner = getattr(layer, "layer", None)
    if inner is None:
        return list(weights)
    return _convert_one(type(inner).__name__, inner, list(weights))


def _convert_one(class_name: str, layer, weights: List[np.ndarray]) -> List[np.ndarray]:
    fn = _CONVERTERS.get(class_name)
    return fn(layer, weights) if fn is not None else weights


# ------------------------------------------------------------------------------------------
# Theano kernels
# ------------------------------------------------------------------------------------------
def convert_kernel(kernel: np.ndarray) -> np.ndarray:
    """Flip a kernel along its spatial axes (all but the last two): convolution <->
    cross-correlation (Keras's ``utils.conv_utils.convert_kernel``)."""
    kernel = np.asarray(kernel)
    index = tuple([slice(None, None, -1)] * (kernel.ndim - 2) + [slice(None), slice(None)])
    return np.ascontiguousarray(kernel[index])


def _flip_theano(class_name: str, layer, weights: List[np.ndarray]) -> List[np.ndarray]:
    modern = type(layer).__name__
    if class_name in _CONV_CLASSES or modern in _CONV_CLASSES:
        w = list(weights)
        if w:
            w[0] = convert_kernel(w[0])
            if "LSTM" in class_name or "LSTM" in modern:
                if len(w) > 1:
                    w[1] = convert_kernel(w[1])
        return w
    if modern in ("Bidirectional", "TimeDistributed"):
        inner = getattr(layer, "layer", None)
        if inner is not None and type(inner).__name__ in _CONV_CLASSES:
            return [convert_kernel(v) if i == 0 else v for i, v in enumerate(weights)]
    return weights


# ------------------------------------------------------------------------------------------
# entry point
# ------------------------------------------------------------------------------------------
def preprocess_weights_for_loading(layer, weights: Sequence[np.ndarray],
                                   original_keras_version=None,
                                   original_backend: Optional[str] = None,
                                   class_name: Optional[str] = None) -> List[np.ndarray]:
    """Convert ``weights`` (as stored in the file, in order) for ``layer``.

    ``class_name``: the layer's class name in the file's config (Keras 1 name such as
    ``Convolution2D``) when known; otherwise ``type(layer).__name__``.
    """
    weights = [np.asarray(w) for w in weights]
    name = class_name or type(layer).__name__
    if is_keras1(original_keras_version):
        fn = _CONVERTERS.get(name) or _CONVERTERS.get(type(layer).__name__)
        if fn is not None:
            weights = fn(layer, weights)
    if isinstance(original_backend, bytes):
        original_backend = original_backend.decode("utf-8")
    if original_backend == "theano":
        weights = _flip_theano(name, layer, weights)
    return weights


def registered_classes() -> List[str]:
    return sorted(_CONVERTERS)
