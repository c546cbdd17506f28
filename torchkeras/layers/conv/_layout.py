"""Channels-last without copies: the NHWC <-> NCHW-view plumbing shared by convolutions,
pooling and resizing, and the Keras <-> torch kernel layouts.

Keras tensors are channels-last (``(N, *spatial, C)``). A contiguous NHWC tensor permuted to
``(N, C, H, W)`` is a *view* whose strides are exactly ``torch.channels_last``; torch's conv,
pooling and interpolation kernels keep that memory format, so permuting the result back gives
a contiguous NHWC tensor again. No layout copy is made between layers. 1-D layers run as 2-D
ops on an ``(N, C, 1, L)`` view (also channels_last); 3-D layers use ``channels_last_3d``.
Kernels of channels-last layers are stored in the matching memory format (``copy_`` from
``set_weights`` and the optimizers' in-place updates preserve strides).
"""
from __future__ import annotations

import torch


def to_torch(x: torch.Tensor, rank: int, channels_last: bool) -> torch.Tensor:
    """Keras-layout input -> the ``(N, C, *spatial)`` view torch ops take (rank 1 -> 2-D)."""
    if channels_last:
        if rank == 1:
            return x.unsqueeze(1).permute(0, 3, 1, 2)
        if rank == 2:
            return x.permute(0, 3, 1, 2)
        return x.permute(0, 4, 1, 2, 3)
    if rank == 1:
        return x.unsqueeze(2)
    return x


def from_torch(y: torch.Tensor, rank: int, channels_last: bool) -> torch.Tensor:
    """Inverse of :func:`to_torch` on an op's output."""
    if channels_last:
        if rank == 1:
            return y.squeeze(2).permute(0, 2, 1)
        if rank == 2:
            return y.permute(0, 2, 3, 1)
        return y.permute(0, 2, 3, 4, 1)
    if rank == 1:
        return y.squeeze(2)
    return y


def torch_rank(rank: int) -> int:
    """Spatial rank of the torch op actually run (1-D layers run 2-D ops)."""
    return 2 if rank == 1 else rank


def as_op_weight(w: torch.Tensor, rank: int) -> torch.Tensor:
    """A module's weight ``(O, I, *k)`` as the op's weight (rank 1: ``(O, I, 1, k)`` view)."""
    return w.unsqueeze(2) if rank == 1 else w


def op_tuple(values, rank: int, fill: int):
    """Per-axis arguments for the op (rank 1 gets a leading ``fill`` for the dummy H axis)."""
    return (fill,) + tuple(values) if rank == 1 else tuple(values)


def set_channels_last(param: torch.Tensor, rank: int) -> None:
    """Store a conv weight ``(O, I, *k)`` so that the op sees a channels_last kernel."""
    with torch.no_grad():
        if rank == 1:
            data = param.data.permute(0, 2, 1).contiguous().permute(0, 2, 1)
        elif rank == 2:
            data = param.data.contiguous(memory_format=torch.channels_last)
        else:
            data = param.data.contiguous(memory_format=torch.channels_last_3d)
        param.data = data


def memory_format(rank: int):
    return torch.channels_last_3d if rank == 3 else torch.channels_last


# ------------------------------------------------------------------------------------------
# Keras <-> torch kernel layouts (module-level so that layers stay picklable / deep-copyable)
# ------------------------------------------------------------------------------------------
def kernel_to_keras(w: torch.Tensor) -> torch.Tensor:
    """torch ``(O, I, *k)`` -> Keras ``(*k, I, O)`` (Conv) and torch ``(I, O, *k)`` -> Keras
    ``(*k, O, I)`` (ConvTranspose): the same permutation."""
    r = w.dim() - 2
    return w.permute(*range(2, r + 2), 1, 0)


def kernel_from_keras(k: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`kernel_to_keras`."""
    r = k.dim() - 2
    return k.permute(r + 1, r, *range(r))


class DepthwiseLayout:
    """Depthwise kernel: torch ``(C * m, 1, *k)`` (output channel ``c * m + j``) <-> Keras
    ``(*k, C, m)``."""

    def __init__(self, channels: int, multiplier: int):
        self.channels = int(channels)
        self.multiplier = int(multiplier)

    def to_keras(self, w: torch.Tensor) -> torch.Tensor:
        r = w.dim() - 2
        w = w.reshape((self.channels, self.multiplier) + tuple(w.shape[2:]))
        return w.permute(*range(2, r + 2), 0, 1)

    def from_keras(self, k: torch.Tensor) -> torch.Tensor:
        r = k.dim() - 2
        k = k.permute(r, r + 1, *range(r))
        return k.reshape((self.channels * self.multiplier, 1) + tuple(k.shape[2:]))
