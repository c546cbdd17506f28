"""Optimizer scalar state (``iterations``, ``learning_rate``...) as tensors with Keras Variable manners.

Keras scripts read and write these through ``K.get_value`` / ``K.set_value`` /
``opt.lr.assign(...)`` / ``opt.iterations.numpy()``. ``StateVariable`` is a 0-d CPU tensor
(``torch.Tensor`` subclass, so every torch function and ``copy_`` / ``fill_`` work on it and
return plain tensors) with ``assign``, ``assign_add``, ``assign_sub``, ``value`` and ``name``.
Keeping it on the CPU lets the optimizer read it each step without a device sync.
"""
from __future__ import annotations

from typing import Optional

import numpy as np
import torch


def _rebuild_state_variable(data: torch.Tensor, name: Optional[str]):
    return StateVariable(data, dtype=data.dtype, name=name)


class StateVariable(torch.Tensor):
    """A 0-d CPU tensor that behaves like a (non-trainable) Keras variable."""

    __torch_function__ = torch._C._disabled_torch_function_impl

    def __new__(cls, value=0.0, dtype: torch.dtype = torch.float32, name: Optional[str] = None):
        if isinstance(value, torch.Tensor):
            data = value.detach().to(device="cpu", dtype=dtype).clone()
        else:
            data = torch.tensor(np.asarray(value).item() if np.ndim(value) == 0 else value,
                                dtype=dtype)
        obj = torch.Tensor._make_subclass(cls, data, False)
        obj._keras_name = name
        return obj

    # -- Keras Variable API --------------------------------------------------------------
    @property
    def name(self) -> Optional[str]:
        return self._keras_name

    @property
    def path(self) -> Optional[str]:
        return self._keras_name

    @property
    def value(self) -> torch.Tensor:
        return self.detach().clone()

    def _as_value(self, value) -> torch.Tensor:
        if isinstance(value, torch.Tensor):
            return value.detach().to(device="cpu", dtype=self.dtype).reshape(self.shape)
        return torch.as_tensor(np.asarray(value), dtype=self.dtype).reshape(self.shape)

    def assign(self, value):
        """``variable.assign(value)`` (in place)."""
        with torch.no_grad():
            self.copy_(self._as_value(value))
        return self

    def assign_add(self, value):
        with torch.no_grad():
            self.add_(self._as_value(value))
        return self

    def assign_sub(self, value):
        with torch.no_grad():
            self.sub_(self._as_value(value))
        return self

    # -- copying / pickling ----------------------------------------------------------------
    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = StateVariable(self.detach().as_subclass(torch.Tensor), dtype=self.dtype, name=self._keras_name)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto):
        plain = self.detach().as_subclass(torch.Tensor).clone()
        return (_rebuild_state_variable, (plain, self._keras_name))

    def __repr__(self, *, tensor_contents=None):
        return (f"<StateVariable name={self._keras_name!r} dtype={str(self.dtype)[6:]} "
                f"value={self.detach().as_subclass(torch.Tensor).tolist()!r}>")
