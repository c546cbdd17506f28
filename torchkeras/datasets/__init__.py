"""``keras.datasets``: loaders reading Keras's own cache files (``~/.keras/datasets``,
``$KERAS_HOME``), downloading them from Keras's URLs when online.

Offline with no cached file, ``load_data`` raises a ``DownloadError`` naming the file and the
path where to place it. Modules load on first use.
"""
from __future__ import annotations

import importlib

_MODULES = ("mnist", "fashion_mnist", "cifar10", "cifar100", "imdb", "reuters", "boston_housing",
            "cifar")

__all__ = list(_MODULES)


def __getattr__(name):
    if name in _MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'torchkeras.datasets' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_MODULES))
