"""torchkeras: the Keras API on PyTorch.

``import torchkeras as keras`` gives Keras's public namespace (``keras.layers``,
``keras.models``, ``keras.optimizers``, ...). Submodules load on first use.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = (
    "activations", "applications", "backend", "callbacks", "constraints", "datasets", "distribute",
    "distribution", "engine", "initializers", "layers", "legacy", "losses", "metrics",
    "mixed_precision", "models", "ops", "optimizers", "preprocessing", "regularizers", "saving",
    "utils", "wrappers", "config", "objectives", "random",
)

_TOP_LEVEL = {
    "Input": ("torchkeras.engine.input_layer", "Input"),
    "InputLayer": ("torchkeras.engine.input_layer", "InputLayer"),
    "Model": ("torchkeras.engine.model", "Model"),
    "Sequential": ("torchkeras.engine.sequential", "Sequential"),
    "Layer": ("torchkeras.engine.base_layer", "Layer"),
    "KerasTensor": ("torchkeras.engine.keras_tensor", "KerasTensor"),
    "install_as_keras": ("torchkeras.legacy.modules", "install_as_keras"),
}


def __getattr__(name):
    if name in _TOP_LEVEL:
        mod, attr = _TOP_LEVEL[name]
        value = getattr(importlib.import_module(mod), attr)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module 'torchkeras' has no attribute {name!r}") from None
        globals()[name] = module
        return module
    raise AttributeError(f"module 'torchkeras' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES) + list(_TOP_LEVEL))
