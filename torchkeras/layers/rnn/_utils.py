"""Shared helpers of the recurrent layers: argument checks (Keras wording), weight layout
maps between Keras and torch, dropout masks and mask utilities."""
from __future__ import annotations

from typing import Optional

import numpy as np
import torch


# -- argument checks --------------------------------------------------------------------------
def positive_int(owner: str, arg: str, value) -> int:
    """A positive integer argument (``units``, ``filters``...), or Keras's ``ValueError``."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"Received an invalid value for argument `{arg}`, expected a positive "
                         f"integer, got {value!r} (in {owner}).")
    return int(value)


def clip_rate(owner: str, arg: str, value) -> float:
    """Keras clips dropout rates of recurrent cells into [0, 1]; a non-number is an error."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"Received an invalid value for argument `{arg}` of {owner}: expected "
                         f"a float between 0 and 1, got {value!r}.")
    return float(min(1.0, max(0.0, float(value))))


def as_bool(owner: str, arg: str, value) -> bool:
    if isinstance(value, (bool, np.bool_)) or value in (0, 1):
        return bool(value)
    raise ValueError(f"Argument `{arg}` of {owner} must be a boolean. Received: {arg}={value!r}")


# -- weight layouts (module-level functions: they are stored in weight specs) ------------------
def transpose(w: torch.Tensor) -> torch.Tensor:
    """Keras ``(in, n)`` <-> torch ``(n, in)``."""
    return w.t()


def swap_first_two_blocks(t: torch.Tensor) -> torch.Tensor:
    """Exchange the first two of three equal blocks of the last axis: GRU gate order
    Keras ``z, r, h`` <-> torch ``r, z, n`` (the map is its own inverse)."""
    u = t.shape[-1] // 3
    return torch.cat([t[..., u:2 * u], t[..., :u], t[..., 2 * u:]], dim=-1)


def gru_kernel_to_keras(w: torch.Tensor) -> torch.Tensor:
    """torch ``(3u, in)`` in r, z, n order -> Keras ``(in, 3u)`` in z, r, h order."""
    return swap_first_two_blocks(w.t())


def gru_kernel_from_keras(k: torch.Tensor) -> torch.Tensor:
    return swap_first_two_blocks(k).t()


# -- dropout -----------------------------------------------------------------------------------
def dropout_mask(like: torch.Tensor, rate: float, generator: Optional[torch.Generator] = None,
                 count: Optional[int] = None) -> torch.Tensor:
    """Keras's ``dropout(ones_like(x), rate)``: 0 or ``1 / (1 - rate)``; ``count`` masks
    stacked on a new leading axis when given."""
    shape = tuple(like.shape) if count is None else (count,) + tuple(like.shape)
    dtype = like.dtype if like.is_floating_point() else torch.float32
    if rate >= 1.0:
        return torch.zeros(shape, dtype=dtype, device=like.device)
    keep = torch.rand(shape, device=like.device, generator=generator) >= rate
    return keep.to(dtype) / (1.0 - rate)


class SeedGenerator:
    """A per-layer ``torch.Generator`` seeded from the layer's ``seed`` (lazy, per device);
    ``None`` (the global RNG) when no seed was given."""

    def __init__(self, seed):
        self.seed = seed
        self._gen = None

    def get(self, device) -> Optional[torch.Generator]:
        if self.seed is None:
            return None
        device = torch.device(device)
        if self._gen is None or self._gen.device != device:
            self._gen = torch.Generator(device=device)
            self._gen.manual_seed(int(self.seed))
        return self._gen


# -- masks -------------------------------------------------------------------------------------
def standardize_mask(owner: str, mask, batch: int, steps: int, device) -> Optional[torch.Tensor]:
    """A ``(batch, timesteps)`` boolean mask (numpy/int/float accepted, a trailing 1 axis too),
    or Keras-style ``ValueError`` naming the layer and both shapes."""
    if mask is None:
        return None
    if isinstance(mask, (list, tuple)):
        mask = mask[0] if mask else None
        if mask is None:
            return None
    if not isinstance(mask, torch.Tensor):
        mask = torch.as_tensor(np.asarray(mask))
    if mask.dim() == 3 and mask.shape[-1] == 1:
        mask = mask[..., 0]
    if mask.dim() != 2 or mask.shape[0] != batch or mask.shape[1] != steps:
        raise ValueError(f"The mask passed to layer '{owner}' must have shape (batch_size, "
                         f"timesteps) = ({batch}, {steps}); received a mask of shape "
                         f"{tuple(mask.shape)}.")
    if mask.dtype != torch.bool:
        mask = mask > 0.5 if mask.is_floating_point() else mask != 0
    return mask.to(device)
