"""`keras.initializers`: weight initializers with Keras semantics, producing torch tensors.

Classes: Initializer, Zeros, Ones, Constant, Identity, RandomNormal, RandomUniform,
TruncatedNormal, VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal,
LecunUniform, LecunNormal, Orthogonal. Every one is callable as ``init(shape, dtype=None)``
and returns a tensor in the **Keras weight layout** (the engine converts to torch's layout).
Lowercase aliases (``glorot_uniform``, ``he_normal``, ``zeros``, ``zero``, ``uniform``,
``normal``, ...) are the classes themselves, as in Keras 2/3.

``get`` / ``serialize`` / ``deserialize`` read every config spelling Keras has written:
Keras 1 strings (``'glorot_uniform'``, ``'zero'``, ``'one'``), Keras 2's
``{"class_name": "VarianceScaling", "config": {...}}`` and Keras 3's
``{"module": "keras.initializers", "class_name": ..., "config": ..., "registered_name": ...}``.
``serialize`` writes the Keras 3 / tf.keras 2.13+ form (``use_legacy_format=True`` gives the
bare ``{"class_name", "config"}`` form of older Keras 2).

Seeds: see ``torchkeras.initializers.random`` (None -> torch's global RNG; an int -> the same
values on every call of that instance, as Keras 3 documents).
"""
from __future__ import annotations

import inspect
import sys
from typing import Any, Callable, Optional, Union

from .base import Initializer, compute_fans
from .constant import Constant, Identity, Ones, Zeros
from .random import (GlorotNormal, GlorotUniform, HeNormal, HeUniform, LecunNormal,
                     LecunUniform, Orthogonal, RandomInitializer, RandomNormal, RandomUniform,
                     TruncatedNormal, VarianceScaling)

# Keras 3 export names
IdentityInitializer = Identity
OrthogonalInitializer = Orthogonal

# lowercase aliases (the classes, as in keras.initializers)
zeros = zero = Zeros
ones = one = Ones
constant = Constant
identity = Identity
orthogonal = Orthogonal
random_normal = normal = RandomNormal
random_uniform = uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_uniform = HeUniform
he_normal = HeNormal
lecun_uniform = LecunUniform
lecun_normal = LecunNormal

_CLASSES = (Initializer, Zeros, Ones, Constant, Identity, RandomNormal, RandomUniform,
            TruncatedNormal, VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal,
            LecunUniform, LecunNormal, Orthogonal)

ALL_OBJECTS_DICT: dict = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({
    # snake_case names (Keras 3 registers every class under its snake_case name too)
    "initializer": Initializer, "zeros": Zeros, "ones": Ones, "constant": Constant,
    "identity": Identity, "random_normal": RandomNormal, "random_uniform": RandomUniform,
    "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal, "he_uniform": HeUniform,
    "he_normal": HeNormal, "lecun_uniform": LecunUniform, "lecun_normal": LecunNormal,
    "orthogonal": Orthogonal,
    # Keras 3 class names, Keras 1/2 short names
    "IdentityInitializer": Identity, "identity_initializer": Identity,
    "OrthogonalInitializer": Orthogonal, "orthogonal_initializer": Orthogonal,
    "uniform": RandomUniform, "normal": RandomNormal, "zero": Zeros, "one": Ones,
})
# tf.keras 2 wrote some TF2 classes with a "V2" suffix
ALL_OBJECTS_DICT.update({cls.__name__ + "V2": cls for cls in _CLASSES if cls is not Initializer})

__all__ = [
    "Initializer", "Zeros", "Ones", "Constant", "Identity", "IdentityInitializer", "RandomNormal",
    "RandomUniform", "TruncatedNormal", "VarianceScaling", "GlorotUniform", "GlorotNormal",
    "HeUniform", "HeNormal", "LecunUniform", "LecunNormal", "Orthogonal", "OrthogonalInitializer",
    "zeros", "zero", "ones", "one", "constant", "identity", "orthogonal", "random_normal",
    "normal", "random_uniform", "uniform", "truncated_normal", "variance_scaling",
    "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform",
    "lecun_normal", "get", "serialize", "deserialize", "compute_fans",
]


class _IdentifierError(ValueError, TypeError):
    """Wrong kind of identifier: Keras 3 raises ValueError, tf.keras 2 TypeError."""


def _custom_objects(custom_objects: Optional[dict]) -> dict:
    """``custom_objects`` plus the registry of ``torchkeras.saving``/``utils`` if loaded."""
    found: dict = {}
    for mod_name in ("torchkeras.utils", "torchkeras.saving"):
        mod = sys.modules.get(mod_name)
        getter = getattr(mod, "get_custom_objects", None) if mod is not None else None
        if callable(getter):
            try:
                found.update(getter() or {})
            except Exception:  # pragma: no cover - registry not ready
                pass
    if custom_objects:
        found.update(custom_objects)
    return found


def _resolve_class(name: str, custom_objects: Optional[dict]):
    custom = _custom_objects(custom_objects)
    for key in (name, name.split(">")[-1]):
        if key in custom:
            return custom[key]
    if name in ALL_OBJECTS_DICT:
        return ALL_OBJECTS_DICT[name]
    raise ValueError(
        f"Unknown initializer: '{name}'. Please ensure you are using a "
        "`keras.utils.custom_object_scope` and that this object is included in the scope, "
        "or use a built-in initializer such as 'glorot_uniform', 'he_normal', 'zeros'.")


def deserialize(config: Union[str, dict], custom_objects: Optional[dict] = None) -> Any:
    """A name or a Keras 2/3 serialized initializer config -> an initializer instance."""
    if isinstance(config, Initializer):
        return config
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    if not isinstance(config, dict):
        raise _IdentifierError(
            f"Could not interpret initializer identifier: {config!r}. Expected a string or a "
            f"config dict, received type {type(config).__name__}.")
    class_name = config.get("class_name")
    if class_name is None and "name" in config:  # hypothetical Keras 1-style dict
        inner = {k: v for k, v in config.items() if k != "name"}
        class_name = config["name"]
    else:
        inner = config.get("config") or {}
    if not isinstance(class_name, str):
        raise ValueError(f"Invalid initializer config: missing 'class_name' in {config!r}.")
    registered = config.get("registered_name")
    cls = None
    if registered and registered != class_name:
        try:
            cls = _resolve_class(registered, custom_objects)
        except ValueError:
            cls = None
    if cls is None:
        cls = _resolve_class(class_name, custom_objects)
    if inspect.isclass(cls):
        if hasattr(cls, "from_config"):
            return cls.from_config(dict(inner))
        return cls(**inner)
    return cls  # a custom function initializer


def serialize(initializer: Any, use_legacy_format: bool = False) -> Optional[dict]:
    """Initializer -> Keras 3 / tf.keras 2.13+ config dict
    (``{"module", "class_name", "config", "registered_name"}``); ``use_legacy_format=True``
    gives the ``{"class_name", "config"}`` form older Keras 2 wrote."""
    from ..saving.serialization import serialize_small_object
    builtin = ALL_OBJECTS_DICT.get(type(initializer).__name__) is type(initializer)
    return serialize_small_object(initializer, "initializer", "keras.initializers", builtin,
                                  use_legacy_format)


def get(identifier: Any) -> Optional[Callable]:
    """``keras.initializers.get``: None -> None; a name (``'glorot_uniform'``, ``'Zeros'``)
    or config dict -> a new instance; a class -> an instance of it; a callable as is."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if inspect.isclass(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise _IdentifierError(
        f"Could not interpret initializer identifier: {identifier!r}. Expected None, a string, "
        f"a config dict or a callable, received type {type(identifier).__name__}.")
