"""`keras.regularizers`: weight / activity penalties as torch scalars (Keras scale).

``L1(l1)(w) = l1 * sum(|w|)``, ``L2(l2)(w) = l2 * sum(w**2)`` (no 1/2 factor, unlike
``torch.optim`` weight decay), ``L1L2`` both; ``OrthogonalRegularizer`` as Keras 3. Calls
return a 0-d tensor of ``w``'s dtype on ``w``'s device, differentiable, without host syncs.
The caller (the layer) adds weight penalties to the loss as they are and divides activity
penalties by the batch size, as Keras does.

Identifiers: ``'l1'``, ``'l2'``, ``'l1_l2'`` mean factor 0.01 (tf.keras 2; Keras 1's
``'l1l2'`` too); class names (``'L1'``, ``'L2'``, ``'L1L2'``) build the class with its own
defaults, as Keras 3's ``get`` does; configs of every era deserialize, including Keras 1's
``{"name": "L1L2Regularizer", "l1": 0.0, "l2": 0.01}``.
"""
from __future__ import annotations

import inspect
import math
import sys
from typing import Any, Callable, Optional, Union

import numpy as np
import torch

from torchkeras.backend import config as _config

__all__ = ["Regularizer", "L1", "L2", "L1L2", "OrthogonalRegularizer", "l1", "l2", "l1_l2",
           "l1l2", "orthogonal_regularizer", "activity_l1", "activity_l2", "activity_l1l2", "get",
           "serialize", "deserialize"]


def _tensor(x: Any) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x
    arr = np.asarray(x)
    if arr.dtype.kind == "f":
        return torch.from_numpy(np.ascontiguousarray(arr))
    return torch.as_tensor(arr, dtype=_config.standardize_dtype(None))


def _validate_factor(value: Any, name: str) -> float:
    """Keras 3: a finite, non-negative Python number."""
    if isinstance(value, np.generic):
        value = value.item()
    if (isinstance(value, bool) or not isinstance(value, (int, float))
            or math.isinf(value) or math.isnan(value) or value < 0):
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float. "
                         f"Received: {name}={value!r}")
    return float(value)


class Regularizer:
    """Base class (``keras.regularizers.Regularizer``): ``__call__(x)`` returns a scalar
    penalty; ``get_config`` / ``from_config`` round-trip it."""

    def __call__(self, x: Any) -> torch.Tensor:
        return torch.zeros((), dtype=_tensor(x).dtype)

    def get_config(self) -> dict:
        raise NotImplementedError(f"{self} does not implement get_config()")

    @classmethod
    def from_config(cls, config: dict) -> "Regularizer":
        return cls(**config)

    def __repr__(self) -> str:
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = ""
        return f"{self.__class__.__name__}({args})"


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x**2)`` (``keras.regularizers.L1L2``; defaults 0.0 and 0.0,
    whereas the string ``'l1_l2'`` / function ``l1_l2()`` mean 0.01 and 0.01)."""

    def __init__(self, l1: Optional[float] = 0.0, l2: Optional[float] = 0.0):
        self.l1 = _validate_factor(0.0 if l1 is None else l1, "l1")
        self.l2 = _validate_factor(0.0 if l2 is None else l2, "l2")

    def __call__(self, x: Any) -> torch.Tensor:
        x = _tensor(x)
        penalty = torch.zeros((), dtype=x.dtype, device=x.device)
        if self.l1:
            penalty = penalty + self.l1 * torch.sum(torch.abs(x))
        if self.l2:
            penalty = penalty + self.l2 * torch.sum(torch.square(x))
        return penalty

    def get_config(self) -> dict:
        return {"l1": float(self.l1), "l2": float(self.l2)}


class L1(Regularizer):
    """``l1 * sum(|x|)`` (``keras.regularizers.L1``, default 0.01; tf.keras's ``l=`` keyword
    is accepted)."""

    def __init__(self, l1: Optional[float] = 0.01, **kwargs):
        l1 = kwargs.pop("l", l1)
        if kwargs:
            raise TypeError(f"L1 got unexpected keyword arguments: {sorted(kwargs)}")
        self.l1 = _validate_factor(0.01 if l1 is None else l1, "l1")

    def __call__(self, x: Any) -> torch.Tensor:
        x = _tensor(x)
        return self.l1 * torch.sum(torch.abs(x))

    def get_config(self) -> dict:
        return {"l1": float(self.l1)}


class L2(Regularizer):
    """``l2 * sum(x**2)`` (``keras.regularizers.L2``, default 0.01; tf.keras's ``l=`` keyword
    is accepted)."""

    def __init__(self, l2: Optional[float] = 0.01, **kwargs):
        l2 = kwargs.pop("l", l2)
        if kwargs:
            raise TypeError(f"L2 got unexpected keyword arguments: {sorted(kwargs)}")
        self.l2 = _validate_factor(0.01 if l2 is None else l2, "l2")

    def __call__(self, x: Any) -> torch.Tensor:
        x = _tensor(x)
        return self.l2 * torch.sum(torch.square(x))

    def get_config(self) -> dict:
        return {"l2": float(self.l2)}


class OrthogonalRegularizer(Regularizer):
    """Penalises non-orthogonal rows (``mode='rows'``) or columns of a rank-2 weight
    (``keras.regularizers.OrthogonalRegularizer``).

    Rows/columns are L2-normalised (``x / max(||x||, epsilon)``, Keras 3's ``normalize``);
    penalty = ``factor * 0.5 * sum(|off-diagonal of the Gram matrix|) / (n (n - 1) / 2)``.
    """

    def __init__(self, factor: float = 0.01, mode: str = "rows"):
        self.factor = _validate_factor(factor, "factor")
        if mode not in ("rows", "columns"):
            raise ValueError("Invalid value for argument `mode`. Expected one of "
                             f"{{'rows', 'columns'}}. Received: mode={mode!r}")
        self.mode = mode

    def __call__(self, x: Any) -> torch.Tensor:
        x = _tensor(x)
        if x.ndim != 2:
            raise ValueError("Inputs to OrthogonalRegularizer must have rank 2. Received: "
                             f"inputs.shape={tuple(x.shape)}")
        axis = 1 if self.mode == "rows" else 0
        norm = torch.linalg.vector_norm(x, dim=axis, keepdim=True)
        x = x / torch.clamp(norm, min=_config.epsilon())
        product = x @ x.T if self.mode == "rows" else x.T @ x
        size = product.shape[0]
        off_diag = product * (1.0 - torch.eye(size, dtype=x.dtype, device=x.device))
        num_pairs = size * (size - 1.0) / 2.0
        return self.factor * 0.5 * torch.sum(torch.abs(off_diag)) / num_pairs

    def get_config(self) -> dict:
        return {"factor": float(self.factor), "mode": self.mode}


# ------------------------------------------------------------------------------------------
# Functions (tf.keras 2 / Keras 1 shortcuts)
# ------------------------------------------------------------------------------------------
def l1(l: float = 0.01, **kwargs) -> L1:  # noqa: E741 - Keras's keyword name
    """``L1(l)`` (Keras 1/2 ``regularizers.l1(l=0.01)``; ``l1=`` is accepted too)."""
    return L1(kwargs.pop("l1", l), **kwargs)


def l2(l: float = 0.01, **kwargs) -> L2:  # noqa: E741
    """``L2(l)`` (Keras 1/2 ``regularizers.l2(l=0.01)``; ``l2=`` is accepted too)."""
    return L2(kwargs.pop("l2", l), **kwargs)


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:  # noqa: F811 - shadows in scope only
    """``L1L2(l1, l2)`` with tf.keras 2's defaults 0.01, 0.01."""
    return L1L2(l1=l1, l2=l2)


l1l2 = l1_l2  # Keras 1 name
orthogonal_regularizer = OrthogonalRegularizer


# Keras 1 activity regularizer shortcuts (same penalties; the layer divides by batch size)
activity_l1 = l1
activity_l2 = l2
activity_l1l2 = l1_l2

# ------------------------------------------------------------------------------------------
# get / serialize / deserialize
# ------------------------------------------------------------------------------------------
ALL_OBJECTS_DICT: dict = {
    "Regularizer": Regularizer, "regularizer": Regularizer,
    "L1": L1, "L2": L2, "L1L2": L1L2, "OrthogonalRegularizer": OrthogonalRegularizer,
    "orthogonal_regularizer": OrthogonalRegularizer,
    # Keras 1 class names
    "L1L2Regularizer": L1L2, "WeightRegularizer": L1L2, "ActivityRegularizer": L1L2,
}
#: string identifiers meaning "default factor 0.01" (tf.keras's functions)
_SHORTCUTS = {"l1": lambda: L1(0.01), "l2": lambda: L2(0.01),
              "l1_l2": lambda: L1L2(0.01, 0.01), "l1l2": lambda: L1L2(0.01, 0.01),
              "activity_l1": lambda: L1(0.01), "activity_l2": lambda: L2(0.01),
              "activity_l1l2": lambda: L1L2(0.01, 0.01)}


class _IdentifierError(ValueError, TypeError):
    """Wrong kind of identifier: Keras 3 raises ValueError, tf.keras 2 TypeError."""


def _custom_objects(custom_objects: Optional[dict]) -> dict:
    found: dict = {}
    for mod_name in ("torchkeras.utils", "torchkeras.saving"):
        mod = sys.modules.get(mod_name)
        getter = getattr(mod, "get_custom_objects", None) if mod is not None else None
        if callable(getter):
            try:
                found.update(getter() or {})
            except Exception:  # pragma: no cover
                pass
    if custom_objects:
        found.update(custom_objects)
    return found


def _unknown(name: str) -> ValueError:
    return ValueError(
        f"Unknown regularizer: '{name}'. Please ensure you are using a "
        "`keras.utils.custom_object_scope` and that this object is included in the scope, "
        "or use one of 'l1', 'l2', 'l1_l2', 'L1', 'L2', 'L1L2', 'OrthogonalRegularizer'.")


def _from_name(name: str, inner: dict, custom_objects: Optional[dict]):
    custom = _custom_objects(custom_objects)
    for key in (name, name.split(">")[-1]):
        if key in custom:
            obj = custom[key]
            if inspect.isclass(obj):
                return obj.from_config(inner) if hasattr(obj, "from_config") else obj(**inner)
            return obj
    if name in _SHORTCUTS:
        return _SHORTCUTS[name]() if not inner else (
            {"l1": L1, "l2": L2}.get(name, L1L2).from_config(inner))
    if name in ALL_OBJECTS_DICT:
        cls = ALL_OBJECTS_DICT[name]
        if cls is Regularizer:
            return Regularizer()
        return cls.from_config(inner)
    raise _unknown(name)


def deserialize(config: Union[str, dict], custom_objects: Optional[dict] = None) -> Any:
    """A name or a Keras 1/2/3 serialized regularizer -> a regularizer instance."""
    from .saving.serialization import deserialize_small_object
    return deserialize_small_object(config, "regularizer", Regularizer, _from_name,
                                    _IdentifierError, custom_objects)


def serialize(regularizer: Any, use_legacy_format: bool = False) -> Optional[dict]:
    """Regularizer -> Keras 3 / tf.keras 2.13+ config dict
    (``{"module", "class_name", "config", "registered_name"}``); ``use_legacy_format=True``
    gives Keras 2's ``{"class_name", "config"}``."""
    from .saving.serialization import serialize_small_object
    builtin = ALL_OBJECTS_DICT.get(type(regularizer).__name__) is type(regularizer)
    return serialize_small_object(regularizer, "regularizer", "keras.regularizers", builtin,
                                  use_legacy_format)


def get(identifier: Any) -> Optional[Callable]:
    """``keras.regularizers.get``: None -> None; ``'l1'``/``'l2'``/``'l1_l2'`` -> factor 0.01;
    a class name or config -> an instance; a class -> ``cls()``; a callable as is."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if inspect.isclass(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise _IdentifierError(
        f"Could not interpret regularizer identifier: {identifier!r}. Expected None, a string, "
        f"a config dict or a callable, received type {type(identifier).__name__}.")
