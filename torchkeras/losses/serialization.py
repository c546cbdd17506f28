"""``keras.losses.get`` / ``serialize`` / ``deserialize`` and the name table they use.

Strings resolve through the union of Keras 3's and tf-keras's names (``'mse'``, ``'MSE'``,
``'kld'``, ``'kullback_leibler_divergence'``, ``'logcosh'``, ``'huber_loss'``, ``'bce'``, class
names, ...), plus Keras 1's ``'cosine_proximity'`` / ``'cosine'``. Function names give the
function, class names an instance with default arguments. Custom objects come from
``custom_objects=``, ``keras.saving`` scopes and registrations.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable, Dict, Optional, Union

_KERAS_MODULE = "keras.losses"


def _table() -> Dict[str, Any]:
    from . import ALL_OBJECTS_DICT
    return ALL_OBJECTS_DICT


def _lookup(name: str, custom_objects: Optional[Dict[str, Any]] = None):
    try:
        from torchkeras.saving.object_registry import get_registered_object
    except ImportError:  # pragma: no cover - registry not available
        get_registered_object = None
    if get_registered_object is not None:
        obj = get_registered_object(name, custom_objects, _table())
        if obj is not None:
            return obj
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    return _table().get(name)


def serialize_function(fn: Callable) -> Union[str, Dict[str, Any]]:
    """A function -> Keras 3's ``{'class_name': 'function', 'config': name, ...}`` dict."""
    if hasattr(fn, "get_config") and not inspect.isfunction(fn):
        return serialize(fn)
    name = getattr(fn, "__name__", None)
    if name is None:
        raise ValueError(f"Cannot serialize {fn!r}: it has no `__name__`.")
    try:
        from torchkeras.saving.object_registry import get_registered_name
        registered = get_registered_name(fn)
    except ImportError:  # pragma: no cover
        registered = name
    return {"module": _KERAS_MODULE, "class_name": "function", "config": name,
            "registered_name": registered}


def deserialize_function(config, custom_objects=None) -> Callable:
    """Inverse of ``serialize_function`` (a plain name string is accepted too)."""
    if callable(config):
        return config
    if isinstance(config, dict):
        name = config.get("registered_name") or config.get("config")
        if config.get("class_name") != "function":
            return deserialize(config, custom_objects=custom_objects)
    else:
        name = config
    obj = _lookup(name, custom_objects)
    if obj is None and isinstance(config, dict):
        obj = _lookup(config.get("config"), custom_objects)
    if obj is None:
        raise ValueError(f"Could not interpret loss function identifier: {name!r}")
    return obj


def serialize(loss) -> Union[str, Dict[str, Any], None]:
    """A ``Loss`` instance or loss function -> a Keras 3 config dict."""
    if loss is None:
        return None
    if inspect.isfunction(loss) or (callable(loss) and not hasattr(loss, "get_config")):
        return serialize_function(loss)
    if not hasattr(loss, "get_config"):
        raise ValueError(f"Cannot serialize {loss!r}: it has no `get_config()`.")
    try:
        from torchkeras.saving.object_registry import get_registered_name
        registered = get_registered_name(type(loss))
    except ImportError:  # pragma: no cover
        registered = type(loss).__name__
    cls_name = type(loss).__name__
    return {"module": _KERAS_MODULE, "class_name": cls_name, "config": loss.get_config(),
            "registered_name": None if registered == cls_name else registered}


def deserialize(config, custom_objects: Optional[Dict[str, Any]] = None):
    """A config dict (Keras 3 or tf-keras form) or name -> ``Loss`` instance or function."""
    from torchkeras.saving.serialization import deserialize_registered
    return deserialize_registered(config, "loss", _lookup, deserialize_function,
                                  custom_objects)


def get(identifier):
    """Retrieve a loss: ``None``, a name, a config dict, a function, a class or an instance."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = _lookup(identifier)
    else:
        obj = identifier
    if callable(obj):
        if inspect.isclass(obj):
            obj = obj()
        return obj
    raise ValueError(f"Could not interpret loss identifier: {identifier}")


def resolve_loss_alias(identifier, y_true_shape=None, y_pred_shape=None):
    """``compile(loss='crossentropy' | 'ce')`` (Keras 3): pick the crossentropy by shapes.

    Last dim of y_pred 1 -> BinaryCrossentropy; labels of lower rank, or last dims 1 vs > 1 ->
    SparseCategoricalCrossentropy; otherwise CategoricalCrossentropy. Other identifiers go
    through ``get``.
    """
    if isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
        from . import (BinaryCrossentropy, CategoricalCrossentropy,
                       SparseCategoricalCrossentropy)
        kind = crossentropy_kind(y_true_shape, y_pred_shape)
        return {"binary": BinaryCrossentropy, "sparse": SparseCategoricalCrossentropy,
                "categorical": CategoricalCrossentropy}[kind]()
    return get(identifier)


def crossentropy_kind(y_true_shape, y_pred_shape) -> str:
    """'binary' / 'sparse' / 'categorical' from the label and prediction shapes (Keras rule)."""
    if y_pred_shape is None:
        raise ValueError("Cannot resolve 'crossentropy' without the shape of y_pred.")
    y_pred_shape = tuple(y_pred_shape)
    if len(y_pred_shape) <= 1 or y_pred_shape[-1] == 1:
        return "binary"
    if y_true_shape is not None:
        y_true_shape = tuple(y_true_shape)
        if len(y_true_shape) < len(y_pred_shape) or (
                len(y_true_shape) > 0 and y_true_shape[-1] == 1 and y_pred_shape[-1] != 1):
            return "sparse"
    return "categorical"
