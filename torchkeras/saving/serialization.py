"""Layer and model (de)serialization: ``{"class_name": ..., "config": ...}`` in every dialect.

``deserialize_layer`` accepts Keras 1/2 entries (``class_name`` + ``config``) and Keras 3
entries (plus ``module`` / ``registered_name`` / ``build_config``); class names go through the
legacy edge (``Convolution2D`` -> ``Conv2D``...) and the object registry (custom objects,
``register_keras_serializable``, scopes).
"""
from __future__ import annotations

import json
import re
import warnings
from typing import Any, Dict, Optional

import numpy as np

from . import object_registry

# Keys Keras writes that carry no meaning for building the object here.
_IGNORED_KEYS = ("module", "registered_name", "shared_object_id")


def json_default(obj):
    """``json.dumps(default=...)`` for numpy scalars/arrays, tuples, dtypes."""
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if hasattr(obj, "get_config"):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    if isinstance(obj, bytes):
        return obj.decode("utf-8")
    import torch
    if isinstance(obj, torch.dtype):
        return str(obj).replace("torch.", "")
    raise TypeError(f"Not JSON Serializable: {obj!r}")


def serialize_layer(layer) -> Dict[str, Any]:
    cfg = layer.get_config()
    return {"class_name": _class_name_of(layer), "config": cfg}


def _class_name_of(obj) -> str:
    """The registered name of ``obj``'s class, or of its nearest built-in ancestor for private
    helper classes (e.g. operator layers are saved as ``Lambda``)."""
    for klass in type(obj).__mro__:
        if klass in object_registry._GLOBAL_CUSTOM_NAMES:
            return object_registry._GLOBAL_CUSTOM_NAMES[klass]
        if not klass.__name__.startswith("_"):
            return klass.__name__
    return type(obj).__name__


def serialize_keras_object(obj):
    """Keras's generic serializer: None, strings, plain values and objects with get_config."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(o) for o in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if hasattr(obj, "get_config"):
        return {"class_name": _class_name_of(obj), "config": obj.get_config()}
    if callable(obj):
        return object_registry.get_registered_name(obj)
    raise ValueError(f"Cannot serialize {obj!r}")


def _resolve_layer_class(class_name: str, custom_objects=None):
    from ..engine.base_layer import Layer  # noqa: F401  (registers the base classes)
    obj = object_registry.get_registered_object(class_name, custom_objects,
                                                object_registry.builtin("layer"))
    if obj is None:
        # legacy class names (Keras 1/2): ask the legacy edge
        try:
            from ..legacy import classes as legacy_classes
            obj = legacy_classes.resolve_layer_class(class_name)
        except ImportError:
            obj = None
    if obj is None:
        import torchkeras.layers  # noqa: F401  (make sure every built-in layer is registered)
        obj = object_registry.get_registered_object(class_name, custom_objects,
                                                    object_registry.builtin("layer"))
    if obj is None:
        raise ValueError(
            f"Unknown layer: '{class_name}'. Please ensure you are using a `keras.utils."
            "custom_object_scope` and that this object is included in the scope, or pass it "
            "in `custom_objects`.")
    return obj


def deserialize_layer(config, custom_objects: Optional[Dict] = None):
    """``{"class_name": ..., "config": ...}`` (any Keras dialect) -> a layer instance."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Improper config format for a layer: {config!r}")
    class_name = config["class_name"]
    cfg = config.get("config", {})
    if class_name in ("Model", "Functional") and isinstance(cfg, dict) and "layers" in cfg:
        from ..engine.functional import Functional
        return Functional.from_config(cfg, custom_objects=custom_objects)
    cls = _resolve_layer_class(class_name, custom_objects)
    if class_name == "Sequential" or getattr(cls, "__name__", "") == "Sequential":
        return cls.from_config(cfg, custom_objects=custom_objects)
    if isinstance(cfg, dict):
        cfg = {k: v for k, v in cfg.items() if k not in _IGNORED_KEYS}
        if "name" in config and "name" not in cfg:
            cfg["name"] = config["name"]
    from_config = getattr(cls, "from_config")
    try:
        layer = _call_from_config(from_config, cfg, custom_objects)
    except TypeError as e:
        bad = _unrecognized_keys(str(e))
        if not bad:
            raise
        # keys newer Keras versions write with their "off" value carry no meaning here
        meaningful = sorted(k for k in bad if cfg.get(k) not in (None, False, 0, {}, []))
        if meaningful:
            warnings.warn(f"Layer '{cfg.get('name', class_name)}' ({class_name}): ignoring config "
                          f"keys this implementation does not use: {meaningful}", stacklevel=2)
        cfg = {k: v for k, v in cfg.items() if k not in bad}
        layer = _call_from_config(from_config, cfg, custom_objects)
    build_config = config.get("build_config")
    if build_config and hasattr(layer, "build_from_config") and not layer.built:
        try:
            layer.build_from_config(build_config)
        except Exception:  # building early is an optimisation; the first call builds anyway
            pass
    return layer


def _call_from_config(from_config, cfg, custom_objects):
    import inspect
    try:
        params = inspect.signature(from_config).parameters
    except (TypeError, ValueError):
        params = {}
    if "custom_objects" in params:
        return from_config(cfg, custom_objects=custom_objects)
    with object_registry.CustomObjectScope(custom_objects or {}):
        return from_config(cfg)


def _unrecognized_keys(message: str):
    m = re.search(r"Unrecognized keyword arguments passed to \w+: (\{.*\})", message)
    if not m:
        return set()
    return set(re.findall(r"'([^']+)':", m.group(1)))


def model_to_config(model) -> Dict[str, Any]:
    from .. import __version__
    return {"class_name": _class_name_of(model), "config": model.get_config(),
            "keras_version": "2.15.0", "backend": "torch", "torchkeras_version": __version__}


def model_from_config(config, custom_objects: Optional[Dict] = None):
    """Rebuild a model (or layer) from ``{"class_name", "config"}`` of any Keras era."""
    from ..backend import config as _bconfig
    if isinstance(config, dict) and "class_name" not in config and "layers" in config:
        config = {"class_name": "Functional", "config": config}
    era = _bconfig.era_from_version(config.get("keras_version", "3")) \
        if isinstance(config, dict) and config.get("keras_version") else _guess_era(config)
    from .node_indices import to_zero_based  # tf-keras numbers nested models' nodes from 1
    with _bconfig.era_scope(era):
        return deserialize_layer(to_zero_based(config), custom_objects=custom_objects)


def _guess_era(config) -> int:
    text = json.dumps(config, default=str)
    if '"module": "keras' in text or '"registered_name"' in text or '"DTypePolicy"' in text:
        return 3
    if isinstance(config, dict) and isinstance(config.get("config"), list):
        return 1
    if '"output_dim"' in text or '"init"' in text or '"border_mode"' in text:
        return 1
    return 2


def model_from_json(json_string: str, custom_objects: Optional[Dict] = None):
    """``keras.models.model_from_json``."""
    return model_from_config(json.loads(json_string), custom_objects=custom_objects)


def deserialize_keras_object(config, module_objects=None, custom_objects=None,
                             printable_module_name="object"):
    """Generic deserializer for ``{"class_name", "config"}`` dicts or names."""
    if config is None:
        return None
    if isinstance(config, str):
        obj = object_registry.get_registered_object(config, custom_objects, module_objects)
        if obj is None:
            raise ValueError(f"Unknown {printable_module_name}: '{config}'. Please ensure you are "
                             "using a `keras.utils.custom_object_scope` and that this object is "
                             "included in the scope.")
        return obj
    if isinstance(config, dict) and "class_name" in config:
        cls = object_registry.get_registered_object(config["class_name"], custom_objects,
                                                    module_objects)
        if cls is None:
            raise ValueError(f"Unknown {printable_module_name}: '{config['class_name']}'.")
        cfg = {k: v for k, v in config.get("config", {}).items() if k not in _IGNORED_KEYS}
        if hasattr(cls, "from_config"):
            return cls.from_config(cfg)
        return cls(**cfg)
    return config


# ------------------------------------------------------------------------------------------
# Small-object configs (initializers, regularizers, constraints): one reader, one writer
# ------------------------------------------------------------------------------------------
def deserialize_small_object(config, kind: str, base_cls, from_name, error_cls=ValueError,
                             custom_objects=None):
    """A name or a Keras 1/2/3 config dict -> an object, for the ``deserialize`` of
    initializers / regularizers / constraints.

    ``from_name(name, inner_config, custom_objects)`` builds the object; Keras 3's
    ``registered_name`` is tried first when it differs from ``class_name``; Keras 1's
    ``{"name": ..., **config}`` form is read too."""
    if isinstance(config, base_cls):
        return config
    if isinstance(config, str):
        return from_name(config, {}, custom_objects)
    if not isinstance(config, dict):
        raise error_cls(
            f"Could not interpret {kind} identifier: {config!r}. Expected a string or a "
            f"config dict, received type {type(config).__name__}.")
    if "class_name" in config:
        name = config["class_name"]
        inner = dict(config.get("config") or {})
        registered = config.get("registered_name")
        if registered and registered != name:
            try:
                return from_name(registered, inner, custom_objects)
            except ValueError:
                pass
    elif "name" in config:  # Keras 1
        name = config["name"]
        inner = {k: v for k, v in config.items() if k != "name"}
    else:
        raise ValueError(f"Invalid {kind} config: no 'class_name' in {config!r}.")
    return from_name(str(name), inner, custom_objects)


def serialize_small_object(obj, kind: str, module: str, builtin: bool,
                           use_legacy_format: bool = False):
    """Object -> Keras 3 / tf.keras 2.13+ config (``{"module", "class_name", "config",
    "registered_name"}``), or Keras 2's ``{"class_name", "config"}`` with
    ``use_legacy_format``; a plain function -> its name."""
    if obj is None:
        return None
    if not hasattr(obj, "get_config"):
        name = getattr(obj, "__name__", None)
        if name is None:
            raise ValueError(f"Cannot serialize {kind} {obj!r}: it has no `get_config()` and "
                             "no `__name__`.")
        return name
    cls = type(obj)
    cfg = {"class_name": cls.__name__, "config": obj.get_config()}
    if use_legacy_format:
        return cfg
    return {"module": module if builtin else cls.__module__, **cfg,
            "registered_name": None if builtin else cls.__name__}


def deserialize_registered(config, kind: str, lookup, load_function, custom_objects=None):
    """A name or a Keras 3 / tf-keras config dict -> object, for losses and metrics.

    ``lookup(name, custom_objects)`` resolves a name (class or function); Keras 3's
    ``{"class_name": "function", ...}`` entries go to ``load_function``; ``registered_name``
    is tried before ``class_name``."""
    import inspect
    if isinstance(config, str):
        obj = lookup(config, custom_objects)
        if obj is None:
            raise ValueError(f"Could not interpret {kind} identifier: {config}")
        return obj() if inspect.isclass(obj) else obj
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret serialized {kind}: {config!r}")
    class_name = config["class_name"]
    if class_name == "function":
        return load_function(config, custom_objects)
    cls = None
    for name in (config.get("registered_name"), class_name):
        if name:
            cls = lookup(name, custom_objects)
            if cls is not None:
                break
    if cls is None:
        raise ValueError(f"Unknown {kind} class: '{class_name}'. Pass it in `custom_objects` "
                         "or register it with `keras.saving.register_keras_serializable()`.")
    if not inspect.isclass(cls):
        return cls  # a function registered under that name
    inner = dict(config.get("config", {}) or {})
    if hasattr(cls, "from_config"):
        return cls.from_config(inner)
    return cls(**inner)
