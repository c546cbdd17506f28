"""`keras.optimizers`: Keras optimizers as ``torch.optim.Optimizer`` subclasses, plus
``get`` / ``serialize`` / ``deserialize`` and ``schedules``.

``get`` resolves what ``model.compile(optimizer=...)`` accepts: a name (``'adam'``, ``'SGD'``,
case-insensitive), a serialised dict (Keras 3 ``{"module", "class_name", "config"}``, tf-keras
``{"class_name": "Custom>Adam", ...}``, Keras 1/2 configs with ``lr`` / ``decay``), an optimizer
instance (returned as is), or any ``torch.optim.Optimizer`` (returned as is).
"""
from __future__ import annotations

from typing import Any, Dict, Optional

import torch

from . import schedules
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .base import Optimizer
from .ftrl import Ftrl
from .lamb import Lamb
from .lion import Lion
from .nadam import Nadam
from .rmsprop import RMSprop
from .sgd import SGD
from .variables import StateVariable

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax",
           "Nadam", "Ftrl", "Lion", "Adafactor", "Lamb", "schedules", "get", "serialize",
           "deserialize", "StateVariable"]

_BUILTIN = {c.__name__: c for c in (SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta, Adamax, Nadam,
                                    Ftrl, Lion, Adafactor, Lamb)}
_BY_LOWER = {name.lower(): cls for name, cls in _BUILTIN.items()}
_BY_LOWER.update({"rms_prop": RMSprop, "adam_w": AdamW})

# Keras 1 / 2.2 module-level lowercase aliases (``keras.optimizers.adam(lr=...)``).
sgd = SGD
rmsprop = RMSprop
adagrad = Adagrad
adadelta = Adadelta
adam = Adam
adamax = Adamax
nadam = Nadam


def __getattr__(name):
    if name == "LossScaleOptimizer":  # Keras 3 also exports it here
        from ..mixed_precision import LossScaleOptimizer
        return LossScaleOptimizer
    raise AttributeError(f"module 'torchkeras.optimizers' has no attribute {name!r}")


def _lookup_class(name: str, custom_objects: Optional[Dict[str, Any]] = None):
    custom_objects = custom_objects or {}
    if name in custom_objects:
        return custom_objects[name]
    short = name.split(">")[-1].split(".")[-1]  # "Custom>Adam", "keras.optimizers.Adam"
    if short in custom_objects:
        return custom_objects[short]
    cls = _BUILTIN.get(short) or _BY_LOWER.get(short.lower())
    if cls is None:
        try:  # classes registered through the saving registry, when that module exists
            from ..saving import get_registered_object  # type: ignore
            cls = get_registered_object(name) or get_registered_object(short)
        except Exception:
            cls = None
    return cls


def serialize(optimizer: Optimizer) -> Dict[str, Any]:
    """Keras 3 form ``{"module": "keras.optimizers", "class_name", "config", "registered_name"}``."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError("`serialize` expects a torchkeras optimizer. Received: "
                        f"{optimizer!r} of type {type(optimizer).__name__}")
    cls = type(optimizer)
    builtin = _BUILTIN.get(cls.__name__) is cls
    return {"module": "keras.optimizers" if builtin else cls.__module__,
            "class_name": cls.__name__, "config": optimizer.get_config(),
            "registered_name": None if builtin else cls.__name__}


def deserialize(config: Dict[str, Any], custom_objects: Optional[Dict[str, Any]] = None,
                use_legacy_optimizer: bool = False, **kwargs) -> Optimizer:
    """An optimizer from a Keras 3 / tf-keras / Keras 1-2 serialised dict."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("Could not interpret optimizer config: expected a dict with keys "
                         f"'class_name' and 'config'. Received: {config!r}")
    name = str(config["class_name"])
    cls = None
    if config.get("registered_name"):
        cls = _lookup_class(str(config["registered_name"]), custom_objects)
    if cls is None:
        cls = _lookup_class(name, custom_objects)
    if cls is None:
        raise ValueError(f"Could not interpret optimizer identifier: {name!r} (unknown "
                         "optimizer class; pass custom classes in `custom_objects`).")
    inner = dict(config.get("config") or {})
    from_config = getattr(cls, "from_config", None)
    if from_config is not None:
        try:
            return from_config(inner, custom_objects=custom_objects)
        except TypeError as err:
            if "custom_objects" not in str(err):
                raise
            return from_config(inner)
    return cls(**inner)


def get(identifier, **kwargs):
    """Resolve ``identifier`` to an optimizer (see the module docstring); ``ValueError`` when
    it is not one."""
    if isinstance(identifier, torch.optim.Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier, **kwargs)
    if isinstance(identifier, str):
        cls = _lookup_class(identifier, kwargs.get("custom_objects"))
        if cls is None:
            raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")
        return cls()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")
