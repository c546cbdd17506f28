"""``keras.metrics.get`` / ``serialize`` / ``deserialize`` and ``resolve_metric_alias``.

``get`` always returns a ``Metric`` object (what ``compile`` needs): class names and their
snake-case forms (Keras 3: ``'AUC'``, ``'auc'``, ``'MeanIoU'``, ``'mean_io_u'``, ``'precision'``,
``'binary_accuracy'``), Keras 3 / tf-keras short names (``'mae'``, ``'mse'``, ``'acc'``, ``'kld'``,
``'logcosh'``, ...) give an instance with default arguments; names of metric *functions* without
a class (``'huber'``, ``'binary_focal_crossentropy'``, ...) and callables give a
``MeanMetricWrapper`` named after the function; instances are returned as they are.
"""
from __future__ import annotations

import inspect
from typing import Any, Dict, Optional, Tuple, Union

from torchkeras.backend import config as _config
from torchkeras.losses._utils import to_snake_case
from .base import Metric

_KERAS_MODULE = "keras.metrics"


def _tables():
    from . import ALL_OBJECTS_DICT, METRIC_FUNCTIONS
    return ALL_OBJECTS_DICT, METRIC_FUNCTIONS


def _lookup(name: str, custom_objects: Optional[Dict[str, Any]] = None):
    classes, functions = _tables()
    try:
        from torchkeras.saving.object_registry import get_registered_object
    except ImportError:  # pragma: no cover
        get_registered_object = None
    if get_registered_object is not None:
        obj = get_registered_object(name, custom_objects, None)
        if obj is not None:
            return obj
    elif custom_objects and name in custom_objects:
        return custom_objects[name]
    if name in classes:
        return classes[name]
    return functions.get(name)


def serialize_function(fn) -> Union[str, Dict[str, Any]]:
    """A metric function -> Keras 3's ``{'class_name': 'function', 'config': name}`` dict."""
    if hasattr(fn, "get_config") and not inspect.isfunction(fn):
        try:
            from torchkeras.losses import serialize as _serialize_loss
            from torchkeras.losses import Loss
            if isinstance(fn, Loss):
                return _serialize_loss(fn)
        except ImportError:  # pragma: no cover
            pass
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


def deserialize_function(config, custom_objects=None):
    if callable(config):
        return config
    if isinstance(config, dict):
        if config.get("class_name") != "function":
            module = str(config.get("module", ""))
            if "losses" in module:
                from torchkeras.losses import deserialize as _deserialize_loss
                return _deserialize_loss(config, custom_objects)
            return deserialize(config, custom_objects)
        names = [config.get("registered_name"), config.get("config")]
    else:
        names = [config]
    _, functions = _tables()
    for name in names:
        if not name:
            continue
        obj = functions.get(name)
        if obj is None:
            obj = _lookup(name, custom_objects)
        if obj is not None:
            return obj
    raise ValueError(f"Could not interpret metric function identifier: {config!r}")


def serialize(metric) -> Union[Dict[str, Any], None]:
    """A ``Metric`` (or metric function) -> a Keras 3 config dict."""
    if metric is None:
        return None
    if not isinstance(metric, Metric) and callable(metric) and not inspect.isclass(metric):
        return serialize_function(metric)
    if not hasattr(metric, "get_config"):
        raise ValueError(f"Cannot serialize {metric!r}: it has no `get_config()`.")
    cls_name = type(metric).__name__
    try:
        from torchkeras.saving.object_registry import get_registered_name
        registered = get_registered_name(type(metric))
    except ImportError:  # pragma: no cover
        registered = cls_name
    return {"module": _KERAS_MODULE, "class_name": cls_name, "config": metric.get_config(),
            "registered_name": None if registered == cls_name else registered}


def deserialize(config, custom_objects: Optional[Dict[str, Any]] = None):
    """A config dict (Keras 3 or tf-keras form) or a name -> ``Metric`` instance or function."""
    from torchkeras.saving.serialization import deserialize_registered
    return deserialize_registered(config, "metric", _lookup, deserialize_function,
                                  custom_objects)


def _wrap_callable(fn, name: Optional[str] = None) -> Metric:
    from .reduction import MeanMetricWrapper
    if name is None:
        name = getattr(fn, "name", None) if not inspect.isfunction(fn) else None
        name = name or getattr(fn, "__name__", None) or to_snake_case(type(fn).__name__)
    return MeanMetricWrapper(fn, name=name)


def get(identifier) -> Optional[Metric]:
    """Retrieve a metric object: ``None``, a name, a config dict, a class, a callable or an
    instance. Unknown names raise ``ValueError`` naming the identifier."""
    if identifier is None:
        return None
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = _lookup(identifier)
        if obj is None:
            raise ValueError(f"Could not interpret metric identifier: {identifier}")
    else:
        obj = identifier
    if inspect.isclass(obj):
        obj = obj()
    if isinstance(obj, Metric):
        return obj
    if callable(obj):
        return _wrap_callable(obj)
    raise ValueError(f"Could not interpret metric identifier: {identifier}")


# ---------------------------------------------------------------------------------------------
# compile's 'accuracy' / 'acc' / 'crossentropy' / 'ce' rule
# ---------------------------------------------------------------------------------------------
def _shape(x):
    if x is None:
        return None
    if hasattr(x, "shape") and not isinstance(x, (tuple, list)):
        x = x.shape
    try:
        return tuple(None if d is None else int(d) for d in x)
    except TypeError:
        return None


def _kind_from_loss(loss) -> Optional[str]:
    if loss is None:
        return None
    name = loss if isinstance(loss, str) else (
        getattr(loss, "__name__", None) or type(loss).__name__)
    name = to_snake_case(str(name)) if not isinstance(loss, str) else name
    fn = getattr(loss, "fn", None)
    if fn is not None and getattr(fn, "__name__", None):
        name = fn.__name__
    name = name.lower()
    if "sparse_categorical" in name or name == "scce":
        return "sparse"
    if "binary" in name or name in ("bce",):
        return "binary"
    if "categorical" in name or name == "cce":
        return "categorical"
    return None


def accuracy_kind(y_true_shape, y_pred_shape, loss=None) -> str:
    """'binary' / 'sparse' / 'categorical' by Keras's rule (shapes first, the loss only when
    shapes are unknown): last dim of y_pred 1 -> binary; labels of lower rank, or last dims
    1 vs > 1 -> sparse; otherwise categorical. A rank-1 y_pred counts as binary."""
    yt, yp = _shape(y_true_shape), _shape(y_pred_shape)
    if yp is None:
        kind = _kind_from_loss(loss)
        if kind is None:
            raise ValueError("Cannot resolve the metric alias without the shape of y_pred or "
                             "a crossentropy loss.")
        return kind
    if len(yp) <= 1 or yp[-1] == 1:
        return "binary"
    if yt is not None and (len(yt) < len(yp) or (len(yt) > 0 and yt[-1] == 1)):
        return "sparse"
    if yt is None:
        kind = _kind_from_loss(loss)
        if kind == "sparse":
            return kind
    return "categorical"


def resolve_metric_alias(name, y_true_shape=None, y_pred_shape=None, loss_fn_or_name=None
                         ) -> Tuple[Metric, str]:
    """Turn a ``compile(metrics=[...])`` entry into ``(metric object, log name)``.

    ``'accuracy'`` / ``'acc'`` -> BinaryAccuracy / SparseCategoricalAccuracy /
    CategoricalAccuracy by shapes (see :func:`accuracy_kind`), ``'crossentropy'`` / ``'ce'`` ->
    the matching crossentropy metric; the log name is the string as given. Other strings go
    through :func:`get` and are logged under the string as given (Keras 3, and tf-keras for
    function names); under Keras 2 semantics (``backend.config.keras_era() == 2``) a class
    name such as ``'MeanSquaredError'`` is logged under the metric's default name
    (``'mean_squared_error'``), as tf-keras does. Objects keep their own ``name``.
    """
    from .accuracy import BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy
    from .probabilistic import (BinaryCrossentropy, CategoricalCrossentropy,
                                SparseCategoricalCrossentropy)
    if isinstance(name, str) and name.lower() in ("accuracy", "acc", "crossentropy", "ce"):
        kind = accuracy_kind(y_true_shape, y_pred_shape, loss_fn_or_name)
        if name.lower() in ("accuracy", "acc"):
            cls = {"binary": BinaryAccuracy, "sparse": SparseCategoricalAccuracy,
                   "categorical": CategoricalAccuracy}[kind]
        else:
            cls = {"binary": BinaryCrossentropy, "sparse": SparseCategoricalCrossentropy,
                   "categorical": CategoricalCrossentropy}[kind]
        return cls(name=name), name
    metric = get(name)
    if isinstance(name, str):
        classes, _ = _tables()
        is_class_name = name in classes and inspect.isclass(classes[name]) and \
            classes[name].__name__ == name
        log_name = metric.name if (_config.keras_era() == 2 and is_class_name) else name
        metric.name = log_name
        return metric, log_name
    return metric, metric.name
