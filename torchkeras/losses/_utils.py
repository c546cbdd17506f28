"""Tensor helpers shared by losses and metrics (conversion, rank matching, shape checks).

Everything here works on torch tensors (CPU or CUDA) and accepts numpy arrays / Python numbers.
Nothing reads values back to the host: shape logic uses static shapes only.
"""
from __future__ import annotations

import re
from typing import Optional, Sequence, Tuple

import numpy as np
import torch

from torchkeras.backend import config as _config

TensorLike = object  # torch.Tensor | np.ndarray | list | float | int


def floatx_dtype() -> torch.dtype:
    return _config.standardize_dtype(None)


def epsilon() -> float:
    return _config.epsilon()


def to_tensor(x, dtype: Optional[torch.dtype] = None, device=None) -> torch.Tensor:
    """numpy / list / scalar / tensor -> torch tensor (optionally cast and moved).

    Tensors are only copied when the dtype or device changes.
    """
    if isinstance(x, torch.Tensor):
        if (dtype is not None and x.dtype != dtype) or (device is not None and x.device != device):
            return x.to(device=device if device is not None else x.device,
                        dtype=dtype if dtype is not None else x.dtype)
        return x
    value = getattr(x, "value", None)  # a KerasVariable: use its tensor, no host round trip
    if isinstance(value, torch.Tensor):
        return to_tensor(value, dtype=dtype, device=device)
    if hasattr(x, "numpy") and not isinstance(x, np.ndarray):
        try:
            x = x.numpy()
        except Exception:  # pragma: no cover - unusual objects
            pass
    if isinstance(x, np.ndarray):
        if x.dtype.kind in "OUSV":
            raise TypeError(f"Expected a numeric array, received an array of dtype {x.dtype}.")
        if not x.flags.writeable:
            x = x.copy()
        t = torch.from_numpy(np.ascontiguousarray(x))
        return t.to(device=device, dtype=dtype) if (device is not None or dtype is not None) else t
    t = torch.as_tensor(x)
    return t.to(device=device, dtype=dtype) if (device is not None or dtype is not None) else t


def to_float_tensor(x, device=None) -> torch.Tensor:
    """Like ``ops.convert_to_tensor`` for predictions: floats keep their dtype, others -> floatx."""
    t = to_tensor(x, device=device)
    if not t.is_floating_point():
        t = t.to(floatx_dtype())
    return t


def as_pair(y_true, y_pred, dtype: Optional[torch.dtype] = None
            ) -> Tuple[torch.Tensor, torch.Tensor]:
    """y_pred -> float tensor (``dtype`` if given), y_true -> same dtype and device as y_pred."""
    if dtype is None:
        y_pred = to_float_tensor(y_pred)
    else:
        y_pred = to_tensor(y_pred, dtype=dtype)
    y_true = to_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device)
    return y_true, y_pred


def squeeze_or_expand_to_same_rank(x1: torch.Tensor, x2: torch.Tensor, expand_rank_1: bool = True
                                   ) -> Tuple[torch.Tensor, torch.Tensor]:
    """Keras's rank fix-up: when ranks differ by one and the longer ends in 1, squeeze it
    (or, for a rank-1 partner and ``expand_rank_1``, expand the partner instead)."""
    r1, r2 = x1.dim(), x2.dim()
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2.unsqueeze(-1)
        else:
            x1 = x1.squeeze(-1)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1.unsqueeze(-1)
        else:
            x2 = x2.squeeze(-1)
    return x1, x2


def broadcastable(a: Sequence[int], b: Sequence[int]) -> bool:
    """Whether two shapes broadcast (pure Python: ``torch.broadcast_shapes`` is slow)."""
    if a == b:
        return True
    for x, y in zip(reversed(a), reversed(b)):
        if x != y and x != 1 and y != 1:
            return False
    return True


def check_broadcastable(y_true: torch.Tensor, y_pred: torch.Tensor, what: str) -> None:
    """Raise a Keras-style ValueError when ``y_true`` and ``y_pred`` cannot be combined."""
    if not broadcastable(y_true.shape, y_pred.shape):
        raise ValueError(
            f"`y_true` and `y_pred` have incompatible shapes for {what}. "
            f"Received: y_true.shape={tuple(y_true.shape)}, "
            f"y_pred.shape={tuple(y_pred.shape)}")


def check_same_shape(y_true: torch.Tensor, y_pred: torch.Tensor, what: str) -> None:
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(
            f"`y_true` and `y_pred` must have the same shape for {what}. "
            f"Received: y_true.shape={tuple(y_true.shape)}, "
            f"y_pred.shape={tuple(y_pred.shape)}")


def check_sparse_labels(y_true: torch.Tensor, y_pred: torch.Tensor, what: str) -> torch.Tensor:
    """Sparse labels: shape ``y_pred.shape[:-1]`` or that plus a trailing 1 -> squeezed labels."""
    if y_true.dim() == y_pred.dim() and y_true.dim() > 0 and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    if tuple(y_true.shape) != tuple(y_pred.shape[:-1]):
        raise ValueError(
            f"{what} expects integer labels of shape y_pred.shape[:-1] (or with a trailing 1). "
            f"Received: y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}")
    return y_true


def l2_normalize(x: torch.Tensor, axis: int = -1) -> torch.Tensor:
    """``x / ||x||`` along ``axis`` with the norm floored (tf.math.l2_normalize, eps 1e-12)."""
    sq = torch.sum(x * x, dim=axis, keepdim=True)
    return x * torch.rsqrt(torch.clamp(sq, min=1e-12))


def divide_no_nan(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``a / b`` with 0 where ``b == 0`` (``tf.math.divide_no_nan``)."""
    safe = torch.where(b == 0, torch.ones_like(b), b)
    return torch.where(b == 0, torch.zeros_like(a * safe), a / safe)


def to_snake_case(name: str) -> str:
    """Keras's ``to_snake_case`` ('MeanIoU' -> 'mean_io_u', 'AUC' -> 'auc')."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def auto_name(prefix: str) -> str:
    """Keras's ``auto_name``: snake case, then ``name``, ``name_1``, ``name_2``... per session."""
    from torchkeras.backend.session import get_uid
    prefix = to_snake_case(prefix)
    uid = get_uid(prefix)
    return prefix if uid == 1 else f"{prefix}_{uid - 1}"


def shape_str(shape: Sequence[int]) -> str:
    return str(tuple(int(d) for d in shape))
