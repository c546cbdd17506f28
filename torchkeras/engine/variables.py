"""Keras weights on top of torch parameters.

Every Keras weight of a layer is described by a ``WeightSpec``: its Keras name and shape, the
torch tensor that stores it, and the two functions mapping between the Keras layout and the
torch layout (identity for weights made with ``add_weight``; e.g. a transpose for Dense's kernel
stored in ``nn.Linear.weight``). ``get_weights`` / ``set_weights`` / every file format go through
these specs, so a layer defines its mapping exactly once.

``KerasVariable`` is the view ``layer.weights`` hands out: ``.name``, ``.path``, ``.shape`` (Keras
layout), ``.numpy()``, ``.assign()``, ``.value`` (a differentiable tensor in Keras layout).
"""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np
import torch


class WeightSpec:
    __slots__ = ("name", "_tensor", "_holder", "_key", "to_keras", "from_keras", "keras_shape",
                 "trainable", "regularizer", "constraint", "initializer", "owner")

    def __init__(self, name: str, tensor: torch.Tensor, keras_shape, trainable: bool = True,
                 to_keras: Optional[Callable] = None, from_keras: Optional[Callable] = None,
                 regularizer=None, constraint=None, initializer=None, owner=None):
        self.name = name
        self._tensor = tensor
        self._holder = None  # (module, "_parameters" | "_buffers"), resolved on bind()
        self._key = None
        self.keras_shape = tuple(int(d) for d in keras_shape)
        self.trainable = trainable
        self.to_keras = to_keras
        self.from_keras = from_keras
        self.regularizer = regularizer
        self.constraint = constraint
        self.initializer = initializer
        self.owner = owner

    def bind(self, root: torch.nn.Module) -> None:
        """Remember which module slot holds the tensor, so that ``module.to(...)`` (which
        replaces buffers, and parameters too when torch is told to) never leaves the spec
        pointing at a stale tensor."""
        t = self._tensor
        for module in root.modules():
            for kind in ("_parameters", "_buffers"):
                for key, value in module.__dict__[kind].items():
                    if value is t:
                        self._holder = (module, kind)
                        self._key = key
                        return

    @property
    def tensor(self) -> torch.Tensor:
        if self._holder is not None:
            module, kind = self._holder
            t = module.__dict__[kind].get(self._key)
            if t is not None:
                self._tensor = t
                return t
        return self._tensor

    @tensor.setter
    def tensor(self, value: torch.Tensor) -> None:
        self._tensor = value
        self._holder = None

    def keras_value(self) -> torch.Tensor:
        """The weight in Keras layout (differentiable view where possible)."""
        t = self.tensor
        return self.to_keras(t) if self.to_keras is not None else t

    @torch.no_grad()
    def assign(self, value) -> None:
        """Set the weight from a value in Keras layout (numpy / tensor / list)."""
        t = self.tensor
        if not isinstance(value, torch.Tensor):
            value = torch.as_tensor(np.asarray(value))
        if tuple(value.shape) != self.keras_shape:
            if value.numel() == int(np.prod(self.keras_shape)) and value.dim() == 0:
                value = value.reshape(self.keras_shape)
            else:
                owner = getattr(self.owner, "name", "?")
                raise ValueError(
                    f"Layer '{owner}' weight '{self.name}' has shape {self.keras_shape}, but the "
                    f"value provided has shape {tuple(value.shape)}.")
        value = value.to(device=t.device)
        if self.from_keras is not None:
            value = self.from_keras(value)
        t.copy_(value.to(dtype=t.dtype).reshape(t.shape))

    def numpy(self) -> np.ndarray:
        with torch.no_grad():
            v = self.keras_value().detach()
        if v.dtype == torch.bfloat16:
            v = v.float()
        return v.cpu().numpy().copy()


class KerasVariable:
    """What ``layer.weights`` returns: a Keras-layout view of one weight."""

    def __init__(self, spec: WeightSpec, layer):
        self._spec = spec
        self._layer = layer

    @property
    def name(self) -> str:
        return self._spec.name

    @property
    def path(self) -> str:
        return f"{self._layer.name}/{self._spec.name}"

    @property
    def shape(self):
        return self._spec.keras_shape

    @property
    def dtype(self):
        from ..backend.config import dtype_name
        return dtype_name(self._spec.tensor.dtype)

    @property
    def trainable(self) -> bool:
        return self._spec.trainable and self._layer.trainable

    @property
    def value(self) -> torch.Tensor:
        return self._spec.keras_value()

    @property
    def tensor(self) -> torch.Tensor:
        """The torch tensor that stores the weight (torch layout)."""
        return self._spec.tensor

    def numpy(self) -> np.ndarray:
        return self._spec.numpy()

    def assign(self, value) -> None:
        self._spec.assign(value)

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()
        return a.astype(dtype) if dtype is not None else a

    def __repr__(self):
        return f"<KerasVariable path={self.path}, shape={self.shape}, dtype={self.dtype}>"

    # behave like a tensor in arithmetic (K.* code on layer.weights)
    def __torch_function__(self, func, types, args=(), kwargs=None):
        def unwrap(a):
            if isinstance(a, KerasVariable):
                return a.value
            if isinstance(a, (list, tuple)):
                return type(a)(unwrap(x) for x in a)
            return a
        return func(*unwrap(args), **{k: unwrap(v) for k, v in (kwargs or {}).items()})

    def __add__(self, o): return self.value + o
    def __radd__(self, o): return o + self.value
    def __sub__(self, o): return self.value - o
    def __rsub__(self, o): return o - self.value
    def __mul__(self, o): return self.value * o
    def __rmul__(self, o): return o * self.value
    def __truediv__(self, o): return self.value / o
    def __neg__(self): return -self.value
    def __pow__(self, o): return self.value ** o
    def __getitem__(self, k): return self.value[k]
