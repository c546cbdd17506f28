"""Keras 1 layer class names.

* ``Convolution1D/2D/3D``, ``SeparableConvolution2D``, ``Deconvolution2D``,
  ``AtrousConvolution1D/2D``: the modern layers (``Conv2D``...) plus Keras 1's positional
  signature, so ``Convolution2D(32, 3, 3)`` is a 3x3 kernel (as in Keras 1 and Keras 2.0-2.3,
  whose ``Convolution2D`` alias kept that reading). They *are* the modern classes for every
  other purpose: ``isinstance(layer, Conv2D)``, ``type(layer).__name__ == 'Conv2D'``, configs
  and files say ``Conv2D`` (Keras 2 saved them that way too).
* ``resolve_layer_class(name)``: the class to build for a class name found in a Keras 1/2
  config that no longer exists (``Convolution2D``, ``Merge``, ``MaxoutDense``,
  ``TimeDistributedDense``...); ``torchkeras.saving.serialization`` asks it for unknown names.
  Keyword spellings in those configs are translated by the constructor edge
  (``torchkeras.legacy.arguments``).
"""
from __future__ import annotations

from typing import Optional

from ..layers.conv.conv import Conv1D, Conv2D, Conv3D
from ..layers.conv.depthwise import SeparableConv2D
from ..layers.conv.transpose import Conv2DTranspose, Conv3DTranspose

__all__ = ["Convolution1D", "Convolution2D", "Convolution3D", "SeparableConvolution2D",
           "Deconvolution2D", "Deconvolution3D", "AtrousConvolution1D", "AtrousConvolution2D",
           "resolve_layer_class"]


def _keras1_class(base, keras1_name: str, rank: int, doc: str):
    """A subclass of ``base`` that reads Keras 1 positional arguments, named like ``base``."""
    cls = type(f"_{keras1_name}", (base,), {
        "__doc__": doc, "__module__": __name__, "_keras1_name": keras1_name,
        "_keras1_rank": rank})
    # Keras 2's Convolution2D *is* Conv2D: same name in summaries, configs and files.
    cls.__name__ = base.__name__
    cls.__qualname__ = base.__qualname__
    return cls


Convolution1D = _keras1_class(
    Conv1D, "Convolution1D", 1,
    "Keras 1 ``Convolution1D(nb_filter, filter_length, init, activation, ...)`` = ``Conv1D``.")
Convolution2D = _keras1_class(
    Conv2D, "Convolution2D", 2,
    "Keras 1 ``Convolution2D(nb_filter, nb_row, nb_col, ...)`` = ``Conv2D(filters, (nb_row, "
    "nb_col))``.")
Convolution3D = _keras1_class(
    Conv3D, "Convolution3D", 3,
    "Keras 1 ``Convolution3D(nb_filter, kernel_dim1, kernel_dim2, kernel_dim3, ...)``.")
SeparableConvolution2D = _keras1_class(
    SeparableConv2D, "SeparableConvolution2D", 2,
    "Keras 1 ``SeparableConvolution2D(nb_filter, nb_row, nb_col, ...)``.")
Deconvolution2D = _keras1_class(
    Conv2DTranspose, "Deconvolution2D", 2,
    "Keras 1 ``Deconvolution2D(nb_filter, nb_row, nb_col, output_shape, ...)`` = "
    "``Conv2DTranspose`` (``output_shape`` is computed, as in Keras 2).")
Deconvolution3D = Conv3DTranspose  # Keras 2.0-2.3 alias (no Keras 1 layer of that name)
AtrousConvolution1D = _keras1_class(
    Conv1D, "AtrousConvolution1D", 1,
    "Keras 1 ``AtrousConvolution1D(nb_filter, filter_length, ..., atrous_rate=1)`` = "
    "``Conv1D(dilation_rate=atrous_rate)``.")
AtrousConvolution2D = _keras1_class(
    Conv2D, "AtrousConvolution2D", 2,
    "Keras 1 ``AtrousConvolution2D(nb_filter, nb_row, nb_col, atrous_rate=(1, 1))`` = "
    "``Conv2D(dilation_rate=atrous_rate)``.")


def _time_distributed_dense():
    from ..layers import Dense, TimeDistributed

    class TimeDistributedDense:
        """Keras 1's ``TimeDistributedDense(output_dim, ...)`` = ``TimeDistributed(Dense(...))``
        (same weights ``W``, ``b``); built from a config only."""

        @classmethod
        def from_config(cls, config):
            cfg = dict(config)
            outer = {k: cfg.pop(k) for k in ("name", "trainable", "batch_input_shape",
                                             "input_dtype", "dtype", "input_shape")
                     if k in cfg}
            length = cfg.pop("input_length", None)
            dim = cfg.pop("input_dim", None)
            if dim is not None and "batch_input_shape" not in outer:
                outer["batch_input_shape"] = (None, length, dim)
            return TimeDistributed(Dense(**cfg), **outer)

    return TimeDistributedDense


_REMOVED = {
    "ParametricSoftplus": "Keras 2 removed it (it moved to keras-contrib)",
    "SReLU": "Keras 2 removed it (it moved to keras-contrib)",
    "Recurrent": "it is an abstract base class, not a layer",
    "ConvRecurrent2D": "it is an abstract base class, not a layer",
}


def resolve_layer_class(name: str) -> Optional[type]:
    """The class to build for the Keras 1/2 class name ``name``; None when unknown."""
    table = {
        "Convolution1D": Conv1D, "Convolution2D": Conv2D, "Convolution3D": Conv3D,
        "AtrousConvolution1D": Conv1D, "AtrousConvolution2D": Conv2D,
        "SeparableConvolution2D": SeparableConv2D,
        "Deconvolution2D": Conv2DTranspose, "Deconvolution3D": Conv3DTranspose,
    }
    if name in table:
        return table[name]
    if name in ("Merge", "MaxoutDense", "Highway"):
        from . import layers as legacy_layers
        return getattr(legacy_layers, name)
    if name == "TimeDistributedDense":
        return _time_distributed_dense()
    if name == "Container":
        from ..engine.functional import Functional
        return Functional
    if name in _REMOVED:
        raise ValueError(f"Unknown layer: '{name}': {_REMOVED[name]}. torchkeras cannot rebuild "
                         "it; pass an equivalent class in `custom_objects`.")
    return None
