"""Keras 2 backend: shape manipulation, indexing, padding and resizing.

``transpose`` reverses all axes (``tf.transpose``), ``repeat`` turns ``(n, d)`` into
``(n, k, d)``, ``arange`` treats a negative lone ``start`` as empty (Keras), ``slice`` takes
``size=-1`` as "to the end", ``one_hot`` gives all-zero rows for out-of-range indices (TF).
"""
from __future__ import annotations

import builtins
from typing import Any, Callable, List, Optional, Sequence

import torch
import torch.nn.functional as F

from ._common import (as_int, as_shape, default_device, floatx_dtype, legacy_kwargs,
                      norm_axes, norm_axis, norm_data_format, tensors, to_tensor, to_torch_dtype)

__all__ = [
    "transpose", "permute_dimensions", "reshape", "flatten", "batch_flatten", "expand_dims",
    "squeeze", "tile", "repeat", "repeat_elements", "arange", "concatenate", "stack", "unstack",
    "gather", "one_hot", "reverse", "slice", "temporal_padding", "spatial_2d_padding",
    "spatial_3d_padding", "resize_images", "resize_volumes", "map_fn", "foldl", "foldr",
]


def transpose(x) -> torch.Tensor:
    """Reverse the order of all axes (``(a, b, c) -> (c, b, a)``)."""
    t = to_tensor(x)
    return t.permute(*reversed(range(t.dim()))) if t.dim() > 1 else t


def permute_dimensions(x, pattern: Sequence[int]) -> torch.Tensor:
    t = to_tensor(x)
    return t.permute(*[int(p) for p in pattern])


def reshape(x, shape) -> torch.Tensor:
    return to_tensor(x).reshape(as_shape(shape))


def flatten(x) -> torch.Tensor:
    return to_tensor(x).reshape(-1)


def batch_flatten(x) -> torch.Tensor:
    """``(batch, d1, d2, ...) -> (batch, d1*d2*...)``."""
    t = to_tensor(x)
    return t.reshape(t.shape[0], -1) if t.dim() > 0 else t.reshape(1, 1)


def expand_dims(x, axis: int = -1) -> torch.Tensor:
    return to_tensor(x).unsqueeze(int(axis))


def squeeze(x, axis: int) -> torch.Tensor:
    t = to_tensor(x)
    return t.squeeze(norm_axis(axis, t.dim()))


def tile(x, n) -> torch.Tensor:
    """Tile ``x`` by ``n`` (an int or one int per axis)."""
    return torch.tile(to_tensor(x), as_shape(n))


def repeat(x, n: int) -> torch.Tensor:
    """Repeat a 2-D tensor ``(samples, dim)`` into ``(samples, n, dim)``."""
    t = to_tensor(x)
    if t.dim() != 2:
        raise ValueError(f"`repeat` expects a 2D tensor, got shape {tuple(t.shape)}.")
    return t.unsqueeze(1).repeat(1, as_int(n), 1)


def repeat_elements(x, rep: int, axis: int) -> torch.Tensor:
    """Repeat each element ``rep`` times along ``axis`` (``np.repeat``)."""
    t = to_tensor(x)
    return torch.repeat_interleave(t, as_int(rep), dim=norm_axis(axis, t.dim()))


def arange(start, stop=None, step=1, dtype="int32") -> torch.Tensor:
    """``K.arange``: like ``np.arange``; a single negative argument gives an empty tensor."""
    start, stop, step = (v.item() if torch.is_tensor(v) else v for v in (start, stop, step))
    if stop is None:
        start, stop = 0, builtins.max(start, 0)
    return torch.arange(start, stop, step, device=default_device()).to(to_torch_dtype(dtype))


def concatenate(tensors_: Sequence[Any], axis: int = -1) -> torch.Tensor:
    ts = tensors(tensors_)
    rank = ts[0].dim()
    if axis < 0:
        axis = axis % rank if rank else 0
    return torch.cat(ts, dim=axis)


def stack(x: Sequence[Any], axis: int = 0) -> torch.Tensor:
    return torch.stack(tensors(x), dim=int(axis))


def unstack(x, axis: int = 0) -> List[torch.Tensor]:
    t = to_tensor(x)
    return list(torch.unbind(t, dim=norm_axis(axis, t.dim())))


def gather(reference, indices) -> torch.Tensor:
    """Rows of ``reference`` picked by ``indices`` (shape ``indices.shape + reference.shape[1:]``)."""
    ref = to_tensor(reference)
    idx = to_tensor(indices, device=ref.device)
    return ref[idx.long()]


def one_hot(indices, num_classes: int) -> torch.Tensor:
    """One-hot encoding along a new last axis (``floatx``); invalid indices give zero rows."""
    idx = to_tensor(indices).long()
    classes = torch.arange(int(num_classes), device=idx.device)
    return (idx.unsqueeze(-1) == classes).to(floatx_dtype())


def reverse(x, axes) -> torch.Tensor:
    t = to_tensor(x)
    ax = norm_axes(axes, t.dim())
    return torch.flip(t, dims=ax) if ax else t


def slice(x, start, size) -> torch.Tensor:  # noqa: A001
    """``tf.slice``: ``size[i] == -1`` takes everything from ``start[i]`` on."""
    t = to_tensor(x)
    start, size = as_shape(start), as_shape(size)
    if len(start) != t.dim() or len(size) != t.dim():
        raise ValueError(f"`start` and `size` must have one entry per axis of the tensor "
                         f"(rank {t.dim()}); got start={start}, size={size}.")
    return t[tuple(builtins.slice(b, None if s == -1 else b + s) for b, s in zip(start, size))]


def _cf(data_format) -> bool:
    return norm_data_format(data_format) == "channels_first"


def _pairs(padding, n: int):
    """Keras 2 ``((a, b), ...)`` or Keras 1 symmetric ``(a, ...)`` / ``a`` padding -> pairs."""
    if isinstance(padding, int):
        padding = (padding,) * n
    out = [(int(p), int(p)) if isinstance(p, int) else (int(p[0]), int(p[1])) for p in padding]
    if len(out) != n:
        raise ValueError(f"`padding` should have {n} entries. Received: padding={padding}")
    return out


def temporal_padding(x, padding=(1, 1)) -> torch.Tensor:
    """Zero-pad the middle axis of a 3-D tensor ``(batch, steps, features)``.

    ``padding`` is ``(before, after)`` (Keras 1: one int for both sides)."""
    t = to_tensor(x)
    before, after = (padding, padding) if isinstance(padding, int) else padding
    return F.pad(t, (0, 0, int(before), int(after)))


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None, **kwargs) -> torch.Tensor:
    """Zero-pad rows and columns of a 4-D tensor (Keras 1 ``(rows, cols)`` = symmetric)."""
    if kwargs:
        data_format = legacy_kwargs("spatial_2d_padding", kwargs).get("data_format", data_format)
    t = to_tensor(x)
    (top, bottom), (left, right) = _pairs(padding, 2)
    if _cf(data_format):
        return F.pad(t, (left, right, top, bottom))
    return F.pad(t, (0, 0, left, right, top, bottom))


def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs
                       ) -> torch.Tensor:
    """Zero-pad depth, rows and columns of a 5-D tensor."""
    if kwargs:
        data_format = legacy_kwargs("spatial_3d_padding", kwargs).get("data_format", data_format)
    t = to_tensor(x)
    (d0, d1), (h0, h1), (w0, w1) = _pairs(padding, 3)
    pads = (w0, w1, h0, h1, d0, d1)
    if _cf(data_format):
        return F.pad(t, pads)
    return F.pad(t, (0, 0) + pads)


def resize_images(x, height_factor: int, width_factor: int, data_format=None,
                  interpolation: str = "nearest", **kwargs) -> torch.Tensor:
    """Upsample a 4-D tensor by integer factors (``'nearest'`` or ``'bilinear'``)."""
    if kwargs:
        data_format = legacy_kwargs("resize_images", kwargs).get("data_format", data_format)
    t = to_tensor(x)
    cf = _cf(data_format)
    if interpolation == "nearest":
        h_ax, w_ax = (2, 3) if cf else (1, 2)
        t = torch.repeat_interleave(t, int(height_factor), dim=h_ax)
        return torch.repeat_interleave(t, int(width_factor), dim=w_ax)
    if interpolation not in ("bilinear", "bicubic", "area"):
        raise ValueError("`interpolation` should be one of 'nearest', 'bilinear', 'bicubic', "
                         f"'area'. Received: {interpolation!r}")
    tc = t if cf else t.permute(0, 3, 1, 2)
    size = (tc.shape[2] * int(height_factor), tc.shape[3] * int(width_factor))
    kw = {} if interpolation == "area" else {"align_corners": False}
    out = F.interpolate(tc.float() if not tc.is_floating_point() else tc, size=size,
                        mode=interpolation, **kw)
    return out if cf else out.permute(0, 2, 3, 1)


def resize_volumes(x, depth_factor: int, height_factor: int, width_factor: int,
                   data_format=None, **kwargs) -> torch.Tensor:
    """Upsample a 5-D tensor by repeating voxels."""
    if kwargs:
        data_format = legacy_kwargs("resize_volumes", kwargs).get("data_format", data_format)
    t = to_tensor(x)
    axes = (2, 3, 4) if _cf(data_format) else (1, 2, 3)
    for ax, f in zip(axes, (depth_factor, height_factor, width_factor)):
        t = torch.repeat_interleave(t, int(f), dim=ax)
    return t


def map_fn(fn: Callable, elems, name: Optional[str] = None, dtype=None) -> torch.Tensor:
    """Apply ``fn`` to each slice along the first axis and stack the results."""
    t = to_tensor(elems)
    out = torch.stack([to_tensor(fn(e)) for e in torch.unbind(t, 0)])
    return out.to(to_torch_dtype(dtype)) if dtype is not None else out


def foldl(fn: Callable, elems, initializer=None, name: Optional[str] = None):
    """Reduce ``elems`` left to right with ``fn(acc, x)``."""
    items = list(torch.unbind(to_tensor(elems), 0))
    acc = initializer if initializer is not None else items.pop(0)
    for e in items:
        acc = fn(acc, e)
    return acc


def foldr(fn: Callable, elems, initializer=None, name: Optional[str] = None):
    """Reduce ``elems`` right to left with ``fn(acc, x)``."""
    items = list(torch.unbind(to_tensor(elems), 0))[::-1]
    acc = initializer if initializer is not None else items.pop(0)
    for e in items:
        acc = fn(acc, e)
    return acc
