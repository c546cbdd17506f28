"""Deterministic initializers: Zeros, Ones, Constant, Identity (Keras 2/3 semantics)."""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from .base import Initializer, ShapeLike, float_dtype, standardize_shape


class Zeros(Initializer):
    """All zeros (``keras.initializers.Zeros``; aliases ``zeros``, ``zero``)."""

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> torch.Tensor:
        return torch.zeros(standardize_shape(shape), dtype=float_dtype(dtype))


class Ones(Initializer):
    """All ones (``keras.initializers.Ones``; aliases ``ones``, ``one``)."""

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> torch.Tensor:
        return torch.ones(standardize_shape(shape), dtype=float_dtype(dtype))


class Constant(Initializer):
    """A constant value (``keras.initializers.Constant(value=0.0)``).

    Keras takes a scalar; an array-like broadcastable to the shape is accepted too.
    """

    def __init__(self, value: Any = 0.0):
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().numpy()
        if isinstance(value, np.ndarray):
            value = value.item() if value.ndim == 0 else value.tolist()
        self.value = value

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> torch.Tensor:
        dtype = float_dtype(dtype)
        shape = standardize_shape(shape)
        return torch.as_tensor(self.value, dtype=dtype).expand(shape).clone()

    def get_config(self) -> dict:
        return {"value": self.value}

    @classmethod
    def from_config(cls, config: dict) -> "Constant":
        value = config.get("value", 0.0)
        if isinstance(value, dict):  # Keras 3 may serialize numpy values as a dict
            value = value.get("config", {}).get("value", value)
        return cls(value)


class Identity(Initializer):
    """``gain * eye(rows, cols)`` for 2-D shapes (``keras.initializers.Identity``; Keras 3
    also exports it as ``IdentityInitializer``)."""

    def __init__(self, gain: float = 1.0):
        self.gain = gain

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> torch.Tensor:
        shape = standardize_shape(shape)
        if len(shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        return self.gain * torch.eye(*shape, dtype=float_dtype(dtype))

    def get_config(self) -> dict:
        return {"gain": self.gain}
