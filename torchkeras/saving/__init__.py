"""``keras.saving``: model files, configs and the object registry."""
from .object_registry import (CustomObjectScope, custom_object_scope, get_custom_objects,
                              get_registered_name, get_registered_object,
                              register_keras_serializable)


def __getattr__(name):  # file-format functions load lazily (they import h5py)
    import importlib
    for mod in ("torchkeras.saving.api", "torchkeras.saving.serialization"):
        try:
            m = importlib.import_module(mod)
        except ImportError:
            continue
        if hasattr(m, name):
            return getattr(m, name)
    raise AttributeError(f"module 'torchkeras.saving' has no attribute {name!r}")
