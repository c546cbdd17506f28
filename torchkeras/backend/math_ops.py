"""Keras 2 backend: reductions, element-wise math, comparisons, ``dot`` and ``batch_dot``.

Reductions take Keras's ``axis`` (None, int or list of ints, negatives allowed) and
``keepdims``; ``std``/``var`` are population statistics (``tf.math.reduce_variance``);
``sqrt`` clips negatives to 0 first and ``clip`` swaps a ``max_value`` below ``min_value`` as
tf-keras does; ``dot``/``batch_dot`` follow tf-keras's N-D semantics.
"""
from __future__ import annotations

from typing import Any

import torch

from ._common import (AxisLike, coerce_pair, floatx_dtype, norm_axes, norm_axis, to_tensor)

__all__ = [
    "sum", "mean", "max", "min", "prod", "std", "var", "any", "all", "argmax", "argmin",
    "logsumexp", "cumsum", "cumprod", "square", "abs", "sqrt", "exp", "log", "pow", "round",
    "sign", "clip", "maximum", "minimum", "sin", "cos", "equal", "not_equal", "greater",
    "greater_equal", "less", "less_equal", "dot", "batch_dot", "log1p", "expm1", "neg",
]

_builtin_sum, _builtin_max, _builtin_min, _builtin_abs = sum, max, min, abs
_builtin_all, _builtin_any, _builtin_round, _builtin_pow = all, any, round, pow


def _reduce(x, axis: AxisLike, keepdims: bool, fn):
    """Apply ``fn(t, dim, keepdim)`` over ``axis`` (one axis at a time, last first)."""
    t = to_tensor(x)
    axes = norm_axes(axis, t.dim())
    if axes is None:
        axes = tuple(range(t.dim()))
    if len(axes) == 0:
        return t if t.dim() else fn(t, None, keepdims)
    for a in sorted(axes, reverse=True):
        t = fn(t, a, True)
    if not keepdims:
        for a in sorted(axes, reverse=True):
            t = t.squeeze(a)
    return t


def _multi(x, axis: AxisLike):
    t = to_tensor(x)
    axes = norm_axes(axis, t.dim())
    return t, (tuple(range(t.dim())) if axes is None else axes)


def sum(x, axis: AxisLike = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    t, axes = _multi(x, axis)
    if t.dim() == 0 or not axes:
        return t.clone() if t.dim() == 0 else t
    return torch.sum(t, dim=axes, keepdim=keepdims)


def mean(x, axis: AxisLike = None, keepdims: bool = False) -> torch.Tensor:
    """Mean; bool input is cast to ``floatx()``; integer input gives an integer mean (as TF)."""
    t, axes = _multi(x, axis)
    if t.dtype == torch.bool:
        t = t.to(floatx_dtype())
    if t.dim() == 0 or not axes:
        return t
    if not (t.is_floating_point() or t.is_complex()):
        s = torch.sum(t, dim=axes, keepdim=keepdims)
        n = 1
        for a in axes:
            n *= t.shape[a]
        return torch.div(s, n, rounding_mode="trunc").to(t.dtype)
    return torch.mean(t, dim=axes, keepdim=keepdims)


def max(x, axis: AxisLike = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    t, axes = _multi(x, axis)
    if t.dim() == 0 or not axes:
        return t
    return torch.amax(t, dim=axes, keepdim=keepdims)


def min(x, axis: AxisLike = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    t, axes = _multi(x, axis)
    if t.dim() == 0 or not axes:
        return t
    return torch.amin(t, dim=axes, keepdim=keepdims)


def prod(x, axis: AxisLike = None, keepdims: bool = False) -> torch.Tensor:
    return _reduce(x, axis, keepdims,
                   lambda t, d, k: torch.prod(t) if d is None else torch.prod(t, dim=d, keepdim=k))


def var(x, axis: AxisLike = None, keepdims: bool = False) -> torch.Tensor:
    """Population variance (divides by N, like ``tf.math.reduce_variance``)."""
    t, axes = _multi(x, axis)
    if not t.is_floating_point():
        t = t.to(floatx_dtype())
    if t.dim() == 0 or not axes:
        return torch.zeros_like(t)
    return torch.var(t, dim=axes, keepdim=keepdims, correction=0)


def std(x, axis: AxisLike = None, keepdims: bool = False) -> torch.Tensor:
    """Population standard deviation (``sqrt(var)``)."""
    return torch.sqrt(var(x, axis, keepdims))


def any(x, axis: AxisLike = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    t = to_tensor(x).to(torch.bool)
    return _reduce(t, axis, keepdims,
                   lambda t, d, k: torch.any(t) if d is None else torch.any(t, dim=d, keepdim=k))


def all(x, axis: AxisLike = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    t = to_tensor(x).to(torch.bool)
    return _reduce(t, axis, keepdims,
                   lambda t, d, k: torch.all(t) if d is None else torch.all(t, dim=d, keepdim=k))


def argmax(x, axis: int = -1) -> torch.Tensor:
    t = to_tensor(x)
    return torch.argmax(t, dim=norm_axis(axis, t.dim()))


def argmin(x, axis: int = -1) -> torch.Tensor:
    t = to_tensor(x)
    return torch.argmin(t, dim=norm_axis(axis, t.dim()))


def logsumexp(x, axis: AxisLike = None, keepdims: bool = False) -> torch.Tensor:
    """``log(sum(exp(x)))``, computed stably."""
    t, axes = _multi(x, axis)
    if not t.is_floating_point():
        t = t.to(floatx_dtype())
    if t.dim() == 0 or not axes:
        return t
    return torch.logsumexp(t, dim=axes, keepdim=keepdims)


def cumsum(x, axis: int = 0) -> torch.Tensor:
    t = to_tensor(x)
    return torch.cumsum(t, dim=norm_axis(axis, t.dim()))


def cumprod(x, axis: int = 0) -> torch.Tensor:
    t = to_tensor(x)
    return torch.cumprod(t, dim=norm_axis(axis, t.dim()))


# ------------------------------------------------------------------------------------------
# element-wise
# ------------------------------------------------------------------------------------------
def _float(x) -> torch.Tensor:
    t = to_tensor(x)
    return t if (t.is_floating_point() or t.is_complex()) else t.to(floatx_dtype())


def square(x) -> torch.Tensor:
    t = to_tensor(x)
    return t * t


def abs(x) -> torch.Tensor:  # noqa: A001
    return torch.abs(to_tensor(x))


def neg(x) -> torch.Tensor:
    return torch.neg(to_tensor(x))


def sqrt(x) -> torch.Tensor:
    """Square root; negative inputs are clipped to 0 first (tf-keras ``K.sqrt``)."""
    t = _float(x)
    return torch.sqrt(torch.clamp(t, min=0.0))


def exp(x) -> torch.Tensor:
    return torch.exp(_float(x))


def expm1(x) -> torch.Tensor:
    return torch.expm1(_float(x))


def log(x) -> torch.Tensor:
    return torch.log(_float(x))


def log1p(x) -> torch.Tensor:
    return torch.log1p(_float(x))


def pow(x, a) -> torch.Tensor:  # noqa: A001
    t = to_tensor(x)
    if torch.is_tensor(a):
        t, a = coerce_pair(t, a)
    return torch.pow(t, a)


def round(x) -> torch.Tensor:  # noqa: A001
    """Round half to even (``tf.round``)."""
    t = to_tensor(x)
    return torch.round(t) if t.is_floating_point() else t


def sign(x) -> torch.Tensor:
    return torch.sign(to_tensor(x))


def clip(x, min_value=None, max_value=None) -> torch.Tensor:
    """Clip to ``[min_value, max_value]``; ``None`` bounds are open, and a ``max_value`` below
    ``min_value`` is raised to ``min_value`` (tf-keras)."""
    t = to_tensor(x)
    if isinstance(min_value, (int, float)) and isinstance(max_value, (int, float)):
        if max_value < min_value:
            max_value = min_value
    if min_value is None and max_value is None:
        return t
    lo = min_value if not torch.is_tensor(min_value) else min_value.to(t.dtype)
    hi = max_value if not torch.is_tensor(max_value) else max_value.to(t.dtype)
    if lo is not None and hasattr(lo, "__array__") and not torch.is_tensor(lo):
        lo = to_tensor(lo, dtype=t.dtype, device=t.device)
    if hi is not None and hasattr(hi, "__array__") and not torch.is_tensor(hi):
        hi = to_tensor(hi, dtype=t.dtype, device=t.device)
    if torch.is_tensor(lo) and torch.is_tensor(hi):
        hi = torch.maximum(hi, lo)
    return torch.clamp(t, min=lo, max=hi)


def maximum(x, y) -> torch.Tensor:
    a, b = coerce_pair(x, y)
    return torch.maximum(a, b)


def minimum(x, y) -> torch.Tensor:
    a, b = coerce_pair(x, y)
    return torch.minimum(a, b)


def sin(x) -> torch.Tensor:
    return torch.sin(_float(x))


def cos(x) -> torch.Tensor:
    return torch.cos(_float(x))


def equal(x, y) -> torch.Tensor:
    a, b = coerce_pair(x, y)
    return torch.eq(a, b)


def not_equal(x, y) -> torch.Tensor:
    a, b = coerce_pair(x, y)
    return torch.ne(a, b)


def greater(x, y) -> torch.Tensor:
    a, b = coerce_pair(x, y)
    return torch.gt(a, b)


def greater_equal(x, y) -> torch.Tensor:
    a, b = coerce_pair(x, y)
    return torch.ge(a, b)


def less(x, y) -> torch.Tensor:
    a, b = coerce_pair(x, y)
    return torch.lt(a, b)


def less_equal(x, y) -> torch.Tensor:
    a, b = coerce_pair(x, y)
    return torch.le(a, b)


# ------------------------------------------------------------------------------------------
# products
# ------------------------------------------------------------------------------------------
def dot(x, y) -> torch.Tensor:
    """Keras ``K.dot``: matrix product, extended to N-D the Theano way.

    With N-D operands the last axis of ``x`` is contracted with the second-to-last axis of
    ``y``: ``(2, 3) . (4, 3, 5) -> (2, 4, 5)``; ``(32, 28, 3) . (3,) -> (32, 28)``.
    """
    a, b = coerce_pair(x, y)
    if a.dim() <= 2 and b.dim() <= 2:
        if a.dim() == 2 and b.dim() == 2:
            return torch.matmul(a, b)
        return torch.tensordot(a, b, dims=([a.dim() - 1], [0]))
    if b.dim() == 1:
        return torch.tensordot(a, b, dims=([a.dim() - 1], [0]))
    return torch.tensordot(a, b, dims=([a.dim() - 1], [b.dim() - 2]))


def batch_dot(x, y, axes: Any = None) -> torch.Tensor:
    """Keras ``K.batch_dot`` (tf-keras 2.x semantics).

    Contracts ``x.shape[axes[0]]`` with ``y.shape[axes[1]]`` per sample. The result has ``x``'s
    remaining dims followed by ``y``'s (less the batch dim); a rank-1 result becomes
    ``(batch, 1)``. Default axes: last of ``x`` with the last (2-D ``y``) or second-to-last of ``y``.
    E.g. ``(32, 20, 1) . (32, 30, 20)`` with ``axes=(1, 2)`` -> ``(32, 1, 30)``.
    """
    a, b = coerce_pair(x, y)
    xs, ys = tuple(a.shape), tuple(b.shape)
    xn, yn = len(xs), len(ys)
    if xn < 2 or yn < 2:
        raise ValueError("Cannot do batch_dot on inputs with rank < 2. Received inputs with "
                         f"shapes {xs} and {ys}.")
    if xs[0] != ys[0]:
        raise ValueError("Cannot do batch_dot on inputs with different batch sizes. Received "
                         f"inputs with shapes {xs} and {ys}.")
    if isinstance(axes, int):
        axes = [axes, axes]
    if axes is None:
        axes = [xn - 1, yn - 1] if yn == 2 else [xn - 1, yn - 2]
    if _builtin_any(isinstance(v, (list, tuple)) for v in axes):
        raise ValueError("Multiple target dimensions are not supported. Expected: None, int, "
                         f"(int, int), Provided: {axes}")
    a0, a1 = (int(v) for v in axes)
    a0 = a0 + xn if a0 < 0 else a0
    a1 = a1 + yn if a1 < 0 else a1
    if a0 == 0 or a1 == 0:
        raise ValueError("Cannot perform batch_dot over axis 0. If your inputs are not batched, "
                         "add a dummy batch dimension to your inputs using K.expand_dims(x, 0)")
    if xs[a0] != ys[a1]:
        raise ValueError(f"Cannot do batch_dot on inputs with shapes {xs} and {ys} with "
                         f"axes={[a0, a1]}. x.shape[{a0}] != y.shape[{a1}] ({xs[a0]} != {ys[a1]}).")
    xm = a.movedim(a0, -1)                     # (B, x_rest..., k)
    ym = b.movedim(a1, 1)                      # (B, k, y_rest...)
    x_rest, y_rest = xm.shape[1:-1], ym.shape[2:]
    batch, k = xs[0], xs[a0]
    out = torch.bmm(xm.reshape(batch, -1, k), ym.reshape(batch, k, -1))
    out = out.reshape((batch,) + tuple(x_rest) + tuple(y_rest))
    if out.dim() == 1:
        out = out.unsqueeze(1)
    return out
