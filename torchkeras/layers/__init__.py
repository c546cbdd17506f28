"""``keras.layers``: every layer, re-exported from its family module.

Each family module (``core``, ``convolutional``, ``recurrent``...) lists its public names in
``__all__`` (or, without one, every public ``Layer`` subclass and function it defines is
exported).
"""
from __future__ import annotations

import importlib as _importlib
import inspect as _inspect

from ..engine.base_layer import Layer
from ..engine.input_layer import Input, InputLayer
from ..engine.input_spec import InputSpec

_FAMILIES = (
    "core", "activation", "convolutional", "pooling", "normalization", "regularization",
    "reshaping", "merging", "embedding", "masking", "recurrent", "attention", "preprocessing",
    "wrappers", "locally_connected",
)


def _export(module) -> None:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, v in vars(module).items()
                 if not n.startswith("_") and getattr(v, "__module__", None) == module.__name__
                 and (_inspect.isclass(v) and issubclass(v, Layer) or _inspect.isfunction(v))]
    for n in names:
        globals()[n] = getattr(module, n)


for _fam in _FAMILIES:
    try:
        _mod = _importlib.import_module(f"{__name__}.{_fam}")
    except ModuleNotFoundError as _e:
        if _e.name != f"{__name__}.{_fam}":
            raise
        continue
    _export(_mod)

# Keras 1 layers (Merge / merge, MaxoutDense, Highway, Deconvolution2D, AtrousConvolution1D/2D),
# exported by keras.layers up to Keras 2.1: see torchkeras.legacy.
from ..legacy.layers import Highway, MaxoutDense, Merge, merge  # noqa: E402,F401
from ..legacy.classes import (AtrousConvolution1D, AtrousConvolution2D,  # noqa: E402,F401
                              Deconvolution2D, Deconvolution3D)


def serialize(layer):
    from ..saving.serialization import serialize_layer
    return serialize_layer(layer)


def deserialize(config, custom_objects=None):
    from ..saving.serialization import deserialize_layer
    return deserialize_layer(config, custom_objects=custom_objects)
