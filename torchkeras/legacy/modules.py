"""Old import paths: ``import keras`` / ``tensorflow.keras`` / ``tf_keras`` -> torchkeras.

``install_as_keras()`` adds an import hook so that, for the rest of the process, ``keras`` and
every ``keras.*`` module an old script imports (``keras.layers.core``, ``keras.engine.topology``,
``keras.utils.np_utils``, ``keras.objectives``, ``keras.wrappers.scikit_learn`` ...) resolve to
torchkeras, and ``import tensorflow as tf`` gives a small stand-in whose ``tf.keras`` is
torchkeras. Any other ``tf.*`` name raises an error naming it: torchkeras runs Keras code, not
TensorFlow.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from typing import Dict, List, Optional

_LAYERS = ["torchkeras.layers"]

# old module path (relative to the keras package) -> modules whose names it re-exports
LEGACY_PATHS: Dict[str, List[str]] = {
    "layers.core": _LAYERS, "layers.convolutional": _LAYERS, "layers.recurrent": _LAYERS,
    "layers.pooling": _LAYERS, "layers.normalization": _LAYERS, "layers.embeddings": _LAYERS,
    "layers.advanced_activations": _LAYERS, "layers.wrappers": _LAYERS, "layers.merge": _LAYERS,
    "layers.merging": _LAYERS, "layers.noise": _LAYERS, "layers.local": _LAYERS,
    "layers.convolutional_recurrent": _LAYERS, "layers.cudnn_recurrent": _LAYERS,
    "layers.normalization_v2": _LAYERS, "layers.normalization.batch_normalization": _LAYERS,
    "layers.experimental": _LAYERS, "layers.experimental.preprocessing": _LAYERS,
    "layers.preprocessing": _LAYERS, "layers.rnn": _LAYERS, "layers.activation": _LAYERS,
    "layers.regularization": _LAYERS, "layers.reshaping": _LAYERS, "layers.attention": _LAYERS,
    "engine.topology": ["torchkeras.engine", "torchkeras.utils.layer_utils",
                        "torchkeras.legacy.layers"],
    "engine.training": ["torchkeras.engine"], "engine.base_layer": ["torchkeras.engine"],
    "engine.input_layer": ["torchkeras.engine"], "engine.sequential": ["torchkeras.engine"],
    "engine.functional": ["torchkeras.engine"], "engine.network": ["torchkeras.engine"],
    "engine.input_spec": ["torchkeras.engine"], "engine.keras_tensor": ["torchkeras.engine"],
    "utils.data_utils": ["torchkeras.utils"],
    "utils.generic_utils": ["torchkeras.utils", "torchkeras.saving"],
    "utils.vis_utils": ["torchkeras.utils"], "utils.layer_utils": ["torchkeras.utils"],
    "utils.io_utils": ["torchkeras.utils"], "utils.conv_utils": ["torchkeras.utils"],
    "utils.multi_gpu_utils": ["torchkeras.utils"], "utils.all_utils": ["torchkeras.utils"],
    "objectives": ["torchkeras.losses"],
    "initializations": ["torchkeras.initializers"],  # Keras 1 module name
    "utils.visualize_util": ["torchkeras.legacy.backend_compat", "torchkeras.utils"],
    "utils.np_utils": ["torchkeras.utils", "torchkeras.legacy.backend_compat"],
    "legacy": ["torchkeras.legacy"], "legacy.layers": _LAYERS,
    "legacy.interfaces": ["torchkeras.legacy"],
    "optimizers.legacy": ["torchkeras.optimizers"],
    "optimizers.optimizer_v2": ["torchkeras.optimizers"],
    "optimizers.schedules": ["torchkeras.optimizers.schedules"],
    "saving.hdf5_format": ["torchkeras.saving"], "saving.legacy": ["torchkeras.saving"],
    "models": ["torchkeras.models"],
    "wrappers": ["torchkeras.wrappers"],
    "wrappers.scikit_learn": ["torchkeras.wrappers"],
    "src": ["torchkeras"],
}

# Keras 1 names of top-level modules -> torchkeras modules
_TOP_LEVEL_ALIASES: Dict[str, str] = {"initializations": "torchkeras.initializers"}

_ALIAS_ROOTS = ("keras", "tensorflow.keras", "tf_keras", "tensorflow.python.keras")


class _ShimModule(types.ModuleType):
    """A module whose attributes come from one or more torchkeras modules."""

    def __init__(self, name: str, targets: List[str]):
        super().__init__(name)
        self.__targets = targets
        self.__path__ = []  # a package, so deeper old paths import too

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        for t in self.__targets:
            try:
                mod = importlib.import_module(t)
            except ImportError:
                continue
            if hasattr(mod, attr):
                return getattr(mod, attr)
        raise AttributeError(f"module '{self.__name__}' has no attribute '{attr}' (torchkeras "
                             f"maps it to {', '.join(self.__targets)})")


class _CallableShimModule(_ShimModule):
    """A shim module that is also a function: ``keras.layers.merge`` is both Keras 2's module
    path (``from keras.layers.merge import concatenate``) and Keras 1's ``merge(...)``
    function (``from keras.layers import merge`` after the module was imported)."""

    def __init__(self, name: str, targets: List[str], function: str):
        super().__init__(name, targets)
        self.__function = function

    def __call__(self, *args, **kwargs):
        mod, _, attr = self.__function.rpartition(".")
        return getattr(importlib.import_module(mod), attr)(*args, **kwargs)


# old module paths that are also callables in Keras 1
_CALLABLE_PATHS: Dict[str, str] = {"layers.merge": "torchkeras.legacy.layers.merge"}


class _TFStandIn(types.ModuleType):
    """``import tensorflow as tf`` for Keras scripts: ``tf.keras`` and a few helpers."""

    def __init__(self, name="tensorflow"):
        super().__init__(name)
        self.__path__ = []
        self.__version__ = "2.15.0"

    def __getattr__(self, attr):
        import torchkeras
        if attr == "keras":
            return torchkeras
        helpers = _tf_helpers()
        if attr in helpers:
            return helpers[attr]
        if attr.startswith("__"):
            raise AttributeError(attr)
        raise AttributeError(
            f"`tf.{attr}` is TensorFlow beyond the Keras API: torchkeras runs Keras code on "
            f"PyTorch and has no `tf.{attr}`. Rewrite that part with keras.ops / "
            f"keras.backend / torch.")


def _tf_helpers():
    import torchkeras

    class _NS(types.SimpleNamespace):
        _path = "tf"

        def __getattr__(self, attr):
            raise AttributeError(f"`{self._path}.{attr}` is TensorFlow beyond the Keras API: "
                                 "torchkeras has no equivalent; rewrite it with keras.ops / "
                                 "torch.")

    def set_seed(seed):
        torchkeras.utils.set_random_seed(seed)

    def list_physical_devices(device_type=None):
        import torch
        if device_type in (None, "GPU") and torch.cuda.is_available():
            return [f"/physical_device:GPU:{i}" for i in range(torch.cuda.device_count())]
        return ["/physical_device:CPU:0"] if device_type in (None, "CPU") else []

    random = _NS(set_seed=set_seed, _path="tf.random")
    experimental = _NS(set_memory_growth=lambda *a, **k: None,
                       list_physical_devices=list_physical_devices, _path="tf.config.experimental")
    config = _NS(list_physical_devices=list_physical_devices, experimental=experimental,
                 set_visible_devices=lambda *a, **k: None, _path="tf.config")
    from ..distribute import strategy
    distribute = _NS(MirroredStrategy=strategy.MirroredStrategy,
                     MultiWorkerMirroredStrategy=strategy.MultiWorkerMirroredStrategy,
                     _path="tf.distribute")
    return {"random": random, "config": config, "distribute": distribute,
            "float32": "float32", "float16": "float16", "int32": "int32", "int64": "int64"}


class KerasAliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves ``keras``, ``keras.*``, ``tensorflow``, ``tensorflow.keras.*``, ``tf_keras.*``."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname in ("keras", "tf_keras") or fullname.startswith(("keras.", "tf_keras.")) \
                or fullname == "tensorflow" or fullname.startswith("tensorflow."):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = _resolve(spec.name)
        # importlib overwrites __spec__ of the module we return; keep the real one
        self._saved_specs[spec.name] = getattr(module, "__spec__", None)
        return module

    def exec_module(self, module):
        name = getattr(getattr(module, "__spec__", None), "name", None)
        saved = self._saved_specs.pop(name, None)
        if saved is not None:
            module.__spec__ = saved

    _saved_specs: Dict[str, object] = {}


def _relative(fullname: str) -> Optional[str]:
    for root in sorted(_ALIAS_ROOTS, key=len, reverse=True):
        if fullname == root:
            return ""
        if fullname.startswith(root + "."):
            return fullname[len(root) + 1:]
    return None


def _resolve(fullname: str):
    import torchkeras
    rel = _relative(fullname)
    if rel is None:  # tensorflow or tensorflow.<not keras>
        if fullname == "tensorflow":
            return _TFStandIn()
        raise ImportError(f"`{fullname}` is TensorFlow beyond the Keras API: torchkeras runs "
                          "Keras code on PyTorch and provides only `tensorflow.keras`.")
    if rel == "":
        return torchkeras
    if rel in _CALLABLE_PATHS:
        return _CallableShimModule(fullname, LEGACY_PATHS[rel], _CALLABLE_PATHS[rel])
    if rel in LEGACY_PATHS:
        return _ShimModule(fullname, LEGACY_PATHS[rel])
    try:
        return importlib.import_module(f"torchkeras.{rel}")
    except ModuleNotFoundError:
        pass
    parent, _, leaf = rel.rpartition(".")
    targets = [f"torchkeras.{parent}"] if parent else ["torchkeras"]
    return _ShimModule(fullname, targets)


_FINDER = KerasAliasFinder()


def install_as_keras(tensorflow: bool = True) -> None:
    """Make ``import keras`` (and ``tensorflow.keras``, ``tf_keras``) give torchkeras."""
    import torchkeras
    for name in [n for n in sys.modules if n == "keras" or n.startswith("keras.")]:
        del sys.modules[name]
    if tensorflow:
        for name in [n for n in sys.modules if n == "tensorflow" or n.startswith("tensorflow.")
                     or n == "tf_keras" or n.startswith("tf_keras.")]:
            del sys.modules[name]
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    sys.modules["keras"] = torchkeras
    # Keras 1 top-level module names: ``from keras import initializations`` looks for an
    # attribute of the package first
    for old, new in _TOP_LEVEL_ALIASES.items():
        if not hasattr(torchkeras, old):
            setattr(torchkeras, old, importlib.import_module(new))


def uninstall_as_keras() -> None:
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    for name in [n for n in sys.modules if n in ("keras", "tensorflow", "tf_keras") or
                 n.startswith(("keras.", "tensorflow.", "tf_keras."))]:
        del sys.modules[name]
