"""`keras.constraints`: weight projections applied after each optimizer step.

A constraint maps a weight **in the Keras layout** (Dense kernel ``(in, out)``, Conv2D kernel
``(kh, kw, in, out)``) to its projection; the caller writes the result back into the
parameter. Formulas and epsilon placement follow Keras 2/3 exactly (``epsilon()`` is read at
call time, default 1e-7), verified against the oracle cases ``constraint_max_norm_nonneg`` and
``constraint_unit_minmax``:

* MaxNorm:    ``w * clip(n, 0, max_value) / (epsilon + n)``
* MinMaxNorm: ``w * (rate * clip(n, min, max) + (1 - rate) * n) / (epsilon + n)``
* UnitNorm:   ``w / (epsilon + n)``
* NonNeg:     ``max(w, 0)``

with ``n = sqrt(sum(w**2, axis, keepdims=True))``. ``RadialConstraint`` is tf.keras 2 only.
Pure tensor ops: no host synchronisation, works on any device.
"""
from __future__ import annotations

import inspect
import sys
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np
import torch

from torchkeras.backend import config as _config

__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "RadialConstraint",
           "max_norm", "maxnorm", "min_max_norm", "non_neg", "nonneg", "unit_norm", "unitnorm",
           "radial_constraint", "get", "serialize", "deserialize"]

Axis = Union[int, Sequence[int]]


def _tensor(w: Any) -> torch.Tensor:
    if isinstance(w, torch.Tensor):
        return w
    arr = np.asarray(w)
    if arr.dtype.kind == "f":
        return torch.from_numpy(np.ascontiguousarray(arr))
    return torch.as_tensor(arr, dtype=_config.standardize_dtype(None))


def _dims(axis: Axis):
    return tuple(int(a) for a in axis) if isinstance(axis, (list, tuple)) else int(axis)


def _norms(w: torch.Tensor, axis: Axis) -> torch.Tensor:
    return torch.sqrt(torch.sum(torch.square(w), dim=_dims(axis), keepdim=True))


class Constraint:
    """Base class (``keras.constraints.Constraint``): ``__call__(w)`` returns the projected
    weight (identity here); ``get_config`` / ``from_config`` round-trip it."""

    def __call__(self, w: Any) -> torch.Tensor:
        return _tensor(w)

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Constraint":
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{self.__class__.__name__}({args})"


class MaxNorm(Constraint):
    """Caps the L2 norm of the weights along ``axis`` at ``max_value``
    (``keras.constraints.MaxNorm(max_value=2, axis=0)``; Keras 1's ``m=`` is accepted).

    ``axis=0`` on a Dense kernel ``(in, out)`` constrains each unit's incoming weights; on a
    Conv2D kernel use ``axis=[0, 1, 2]``.
    """

    def __init__(self, max_value: float = 2, axis: Axis = 0, **kwargs):
        if "m" in kwargs:
            max_value = kwargs.pop("m")
        if kwargs:
            raise TypeError(f"MaxNorm got unexpected keyword arguments: {sorted(kwargs)}")
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w: Any) -> torch.Tensor:
        w = _tensor(w)
        norms = _norms(w, self.axis)
        desired = torch.clamp(norms, 0.0, float(self.max_value))
        return w * (desired / (_config.epsilon() + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to zero (``keras.constraints.NonNeg``)."""

    def __call__(self, w: Any) -> torch.Tensor:
        return torch.clamp(_tensor(w), min=0.0)


class UnitNorm(Constraint):
    """Scales the weights along ``axis`` to unit L2 norm: ``w / (epsilon + ||w||)``
    (``keras.constraints.UnitNorm(axis=0)``)."""

    def __init__(self, axis: Axis = 0):
        self.axis = axis

    def __call__(self, w: Any) -> torch.Tensor:
        w = _tensor(w)
        return w / (_config.epsilon() + _norms(w, self.axis))

    def get_config(self) -> dict:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Keeps the L2 norm along ``axis`` within ``[min_value, max_value]``, moving a fraction
    ``rate`` of the way there at each application
    (``keras.constraints.MinMaxNorm(min_value=0.0, max_value=1.0, rate=1.0, axis=0)``;
    Keras 1's ``low=`` / ``high=`` are accepted)."""

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0,
                 axis: Axis = 0, **kwargs):
        if "low" in kwargs:
            min_value = kwargs.pop("low")
        if "high" in kwargs:
            max_value = kwargs.pop("high")
        if kwargs:
            raise TypeError(f"MinMaxNorm got unexpected keyword arguments: {sorted(kwargs)}")
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w: Any) -> torch.Tensor:
        w = _tensor(w)
        norms = _norms(w, self.axis)
        desired = (self.rate * torch.clamp(norms, float(self.min_value), float(self.max_value))
                   + (1 - self.rate) * norms)
        return w * (desired / (_config.epsilon() + norms))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


class RadialConstraint(Constraint):
    """tf.keras 2's ``RadialConstraint`` for square Conv2D kernels ``(k, k, in, out)``: every
    2-D slice ``(k, k)`` becomes constant on concentric square rings.

    Matches what tf.keras *computes* (its docstring example shows the rings the other way
    round). With ``s = k // 2``, ring 0 is the centre (1x1 for odd k, 2x2 for even k), ring r
    the r-th square around it; tf.keras fills ring 0 with ``kernel[s-1, s-1]`` and ring
    ``r >= 1`` with ``kernel[s+r-1, s+r-1]`` (odd k) or ``kernel[s+r, s+r]`` (even k).
    Removed in Keras 3.
    """

    def __call__(self, w: Any) -> torch.Tensor:
        w = _tensor(w)
        if w.ndim != 4:
            raise ValueError("The weight tensor must have rank 4. "
                             f"Received weight tensor with shape: {tuple(w.shape)}")
        height, width = int(w.shape[0]), int(w.shape[1])
        if height != width:
            raise ValueError("RadialConstraint needs square kernels (rows == cols). "
                             f"Received weight tensor with shape: {tuple(w.shape)}")
        k = height
        s = k // 2
        idx = torch.arange(k, device=w.device)
        if k % 2:  # ring of (i, j) around the centre s
            ring = torch.maximum((idx[:, None] - s).abs(), (idx[None, :] - s).abs())
            source = torch.where(ring == 0, s - 1, s + ring - 1)
        else:  # centre 2x2 block is rows/cols s-1, s
            dist = torch.where(idx < s, s - 1 - idx, idx - s)
            ring = torch.maximum(dist[:, None], dist[None, :])
            source = torch.where(ring == 0, s - 1, s + ring)
        if k == 1:  # tf.keras slices kernel[-1:0] here, an empty tensor: shape error
            raise ValueError("RadialConstraint cannot be applied to 1x1 kernels.")
        src = source.reshape(-1)
        values = w[src, src]  # (k*k, in, out): the diagonal element each position copies
        return values.reshape(w.shape)


# lowercase / legacy aliases (the classes, as in Keras)
max_norm = maxnorm = MaxNorm
non_neg = nonneg = NonNeg
unit_norm = unitnorm = UnitNorm
min_max_norm = MinMaxNorm
radial_constraint = RadialConstraint

ALL_OBJECTS_DICT: dict = {
    "Constraint": Constraint, "constraint": Constraint,
    "MaxNorm": MaxNorm, "max_norm": MaxNorm, "maxnorm": MaxNorm,
    "NonNeg": NonNeg, "non_neg": NonNeg, "nonneg": NonNeg,
    "UnitNorm": UnitNorm, "unit_norm": UnitNorm, "unitnorm": UnitNorm,
    "MinMaxNorm": MinMaxNorm, "min_max_norm": MinMaxNorm,
    "RadialConstraint": RadialConstraint, "radial_constraint": RadialConstraint,
}
_CANONICAL = {MaxNorm, NonNeg, UnitNorm, MinMaxNorm, RadialConstraint, Constraint}


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


def _from_name(name: str, inner: dict, custom_objects: Optional[dict]):
    custom = _custom_objects(custom_objects)
    obj = None
    for key in (name, name.split(">")[-1]):
        if key in custom:
            obj = custom[key]
            break
    if obj is None:
        obj = ALL_OBJECTS_DICT.get(name)
    if obj is None:
        raise ValueError(
            f"Unknown constraint: '{name}'. Please ensure you are using a "
            "`keras.utils.custom_object_scope` and that this object is included in the scope, "
            "or use one of 'max_norm', 'non_neg', 'unit_norm', 'min_max_norm'.")
    if inspect.isclass(obj):
        return obj.from_config(inner) if hasattr(obj, "from_config") else obj(**inner)
    return obj


def deserialize(config: Union[str, dict], custom_objects: Optional[dict] = None) -> Any:
    """A name or a Keras 1/2/3 serialized constraint -> a constraint instance.

    Keras 1's ``{"name": "MaxNorm", "m": 2, "axis": 0}`` is read too.
    """
    from .saving.serialization import deserialize_small_object
    return deserialize_small_object(config, "constraint", Constraint, _from_name,
                                    _IdentifierError, custom_objects)


def serialize(constraint: Any, use_legacy_format: bool = False) -> Optional[dict]:
    """Constraint -> Keras 3 / tf.keras 2.13+ config dict
    (``{"module", "class_name", "config", "registered_name"}``); ``use_legacy_format=True``
    gives Keras 2's ``{"class_name", "config"}``."""
    from .saving.serialization import serialize_small_object
    builtin = type(constraint) in _CANONICAL
    return serialize_small_object(constraint, "constraint", "keras.constraints", builtin,
                                  use_legacy_format)


def get(identifier: Any) -> Optional[Callable]:
    """``keras.constraints.get``: None -> None; a name (``'max_norm'``, ``'maxnorm'``,
    ``'NonNeg'``...) or config -> an instance; a class -> ``cls()``; a callable as is."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if inspect.isclass(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise _IdentifierError(
        f"Could not interpret constraint identifier: {identifier!r}. Expected None, a string, "
        f"a config dict or a callable, received type {type(identifier).__name__}.")
