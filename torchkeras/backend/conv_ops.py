"""Keras 2 backend: convolutions and pooling with Keras kernel layouts and TF padding.

Kernels use Keras's layout: ``(k..., in, out)`` for ``conv*d``, ``(kh, kw, out, in)`` for
``conv2d_transpose``, ``(kh, kw, in, multiplier)`` for depthwise kernels. ``padding='same'``
pads like TensorFlow (the extra pixel of an odd total goes after), ``'causal'`` (1-D) pads on
the left only. ``data_format`` defaults to ``image_data_format()`` ('channels_last').
Average pooling with ``'same'`` divides by the number of real (unpadded) values, as TF does.
Keras 1 keywords (``border_mode``, ``dim_ordering='th'|'tf'``, ``filter_dilation``) are accepted
with a DeprecationWarning; kernels are always in the Keras 2 layout above (Keras 1's Theano
``(out, in, rows, cols)`` kernels for ``'th'`` are not converted here).
"""
from __future__ import annotations

import math
from typing import Sequence, Tuple

import torch
import torch.nn.functional as F

from ._common import floatx_dtype, legacy_kwargs, norm_data_format, to_tensor

__all__ = [
    "conv1d", "conv2d", "conv3d", "conv2d_transpose", "conv3d_transpose", "depthwise_conv2d",
    "separable_conv1d", "separable_conv2d", "pool2d", "pool3d",
]

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def _tuple(v, n: int, name: str) -> Tuple[int, ...]:
    if isinstance(v, int):
        return (v,) * n
    v = tuple(int(e) for e in v)
    if len(v) == 1 and n > 1:
        v = v * n
    if len(v) != n:
        raise ValueError(f"The `{name}` argument must be an int or a tuple of {n} ints. "
                         f"Received: {name}={v}")
    return v


def _to_cf(t: torch.Tensor, df: str) -> torch.Tensor:
    return t.movedim(-1, 1) if df == "channels_last" else t


def _from_cf(t: torch.Tensor, df: str) -> torch.Tensor:
    return t.movedim(1, -1) if df == "channels_last" else t


def _same_pads(size: int, k: int, s: int, d: int) -> Tuple[int, int]:
    eff = (k - 1) * d + 1
    out = -(-size // s)
    total = max((out - 1) * s + eff - size, 0)
    return total // 2, total - total // 2


def _pad(x: torch.Tensor, padding: str, kernel: Sequence[int], strides: Sequence[int],
         dilation: Sequence[int], value: float = 0.0) -> torch.Tensor:
    """Pad the spatial dims of a channels-first ``x`` for TF ``'same'``/``'causal'``."""
    padding = padding.lower()
    if padding == "valid":
        return x
    n = len(kernel)
    pads = []
    for i in range(n):
        size = x.shape[2 + i]
        if padding == "causal":
            before, after = (kernel[i] - 1) * dilation[i], 0
        elif padding == "same":
            before, after = _same_pads(size, kernel[i], strides[i], dilation[i])
        else:
            raise ValueError("`padding` must be one of 'valid', 'same' or 'causal'. "
                             f"Received: padding={padding!r}")
        pads.append((before, after))
    flat = []
    for before, after in reversed(pads):
        flat += [before, after]
    if not any(flat):
        return x
    return F.pad(x, flat, value=value)


def _conv(x, kernel, strides, padding, data_format, dilation_rate, rank: int, groups: int = 1):
    t = to_tensor(x)
    if not t.is_floating_point():
        t = t.to(floatx_dtype())
    k = to_tensor(kernel, dtype=t.dtype, device=t.device)
    df = norm_data_format(data_format)
    strides = _tuple(strides, rank, "strides")
    dil = _tuple(dilation_rate, rank, "dilation_rate")
    ksize = tuple(k.shape[:rank])
    if padding == "causal" and rank != 1:
        raise ValueError("`padding='causal'` is only supported for 1D convolutions.")
    w = k.permute(rank + 1, rank, *range(rank))  # (out, in/groups, k...)
    xc = _pad(_to_cf(t, df), padding, ksize, strides, dil)
    out = _CONV[rank](xc, w, stride=strides, dilation=dil, groups=groups)
    return _from_cf(out, df)


def conv1d(x, kernel, strides=1, padding: str = "valid", data_format=None, dilation_rate=1,
           **kwargs):
    """1-D convolution; ``kernel`` is ``(width, in, out)``; ``padding`` may be ``'causal'``."""
    if kwargs:
        padding, data_format, dilation_rate = _legacy("conv1d", kwargs, padding, data_format,
                                                      dilation_rate)
    return _conv(x, kernel, strides, padding, data_format, dilation_rate, 1)


def conv2d(x, kernel, strides=(1, 1), padding: str = "valid", data_format=None,
           dilation_rate=(1, 1), **kwargs):
    """2-D convolution; ``kernel`` is ``(rows, cols, in, out)``."""
    if kwargs:
        padding, data_format, dilation_rate = _legacy("conv2d", kwargs, padding, data_format,
                                                      dilation_rate)
    return _conv(x, kernel, strides, padding, data_format, dilation_rate, 2)


def conv3d(x, kernel, strides=(1, 1, 1), padding: str = "valid", data_format=None,
           dilation_rate=(1, 1, 1), **kwargs):
    """3-D convolution; ``kernel`` is ``(d, rows, cols, in, out)``."""
    if kwargs:
        padding, data_format, dilation_rate = _legacy("conv3d", kwargs, padding, data_format,
                                                      dilation_rate)
    return _conv(x, kernel, strides, padding, data_format, dilation_rate, 3)


def _conv_transpose(x, kernel, output_shape, strides, padding, data_format, dilation_rate,
                    rank: int):
    t = to_tensor(x)
    if not t.is_floating_point():
        t = t.to(floatx_dtype())
    k = to_tensor(kernel, dtype=t.dtype, device=t.device)
    df = norm_data_format(data_format)
    strides = _tuple(strides, rank, "strides")
    dil = _tuple(dilation_rate, rank, "dilation_rate")
    ksize = tuple(k.shape[:rank])
    xc = _to_cf(t, df)
    w = k.permute(rank + 1, rank, *range(rank))  # (in, out, k...)
    full = _CONV_T[rank](xc, w, stride=strides, dilation=dil)
    in_sizes = xc.shape[2:]
    if output_shape is not None:
        shp = [int(s) for s in (output_shape.tolist() if torch.is_tensor(output_shape)
                                else output_shape)]
        spatial = shp[1:-1] if df == "channels_last" else shp[2:]
    else:
        spatial = [n * s if padding == "same" else (n - 1) * s + (kk - 1) * d + 1
                   for n, s, kk, d in zip(in_sizes, strides, ksize, dil)]
    # TF's transposed conv = the full transposed result cropped at the forward conv's padding
    for i in range(rank):
        eff = (ksize[i] - 1) * dil[i] + 1
        if padding == "same":
            total = max((in_sizes[i] - 1) * strides[i] + eff - spatial[i], 0)
            start = total // 2
        else:
            start = 0
        length = full.shape[2 + i]
        stop = start + spatial[i]
        if stop > length:
            pad = [0, 0] * (rank - 1 - i) + [0, stop - length]
            full = F.pad(full, pad)
        full = full.narrow(2 + i, start, spatial[i])
    return _from_cf(full, df)


def conv2d_transpose(x, kernel, output_shape=None, strides=(1, 1), padding: str = "valid",
                     data_format=None, dilation_rate=(1, 1), **kwargs):
    """Transposed 2-D convolution; ``kernel`` is ``(rows, cols, out, in)``; ``output_shape`` is
    the full output shape (batch included) as in Keras."""
    if kwargs:
        padding, data_format, dilation_rate = _legacy("conv2d_transpose", kwargs, padding,
                                                      data_format, dilation_rate)
    return _conv_transpose(x, kernel, output_shape, strides, padding, data_format, dilation_rate, 2)


def conv3d_transpose(x, kernel, output_shape=None, strides=(1, 1, 1), padding: str = "valid",
                     data_format=None):
    return _conv_transpose(x, kernel, output_shape, strides, padding, data_format, 1, 3)


def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding: str = "valid",
                     data_format=None, dilation_rate=(1, 1)):
    """Depthwise 2-D convolution; kernel ``(rows, cols, in, multiplier)``; output channel
    ``c * multiplier + m``."""
    k = to_tensor(depthwise_kernel)
    kh, kw, cin, mult = k.shape
    k = k.reshape(kh, kw, 1, cin * mult)
    return _conv(x, k, strides, padding, data_format, dilation_rate, 2, groups=int(cin))


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1),
                     padding: str = "valid", data_format=None, dilation_rate=(1, 1)):
    """Depthwise convolution followed by a 1x1 pointwise convolution."""
    y = depthwise_conv2d(x, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv2d(y, pointwise_kernel, (1, 1), "valid", data_format)


def separable_conv1d(x, depthwise_kernel, pointwise_kernel, strides=1, padding: str = "valid",
                     data_format=None, dilation_rate=1):
    """1-D separable convolution (kernels ``(w, in, mult)`` and ``(1, in*mult, out)``)."""
    df = norm_data_format(data_format)
    t = to_tensor(x)
    axis = 1 if df == "channels_last" else 2
    if padding == "causal":
        dk = to_tensor(depthwise_kernel)
        d = int(dilation_rate if isinstance(dilation_rate, int) else dilation_rate[0])
        left = (dk.shape[0] - 1) * d
        t = F.pad(t, (0, 0, left, 0)) if df == "channels_last" else F.pad(t, (left, 0))
        padding = "valid"
    s = strides if isinstance(strides, int) else strides[0]
    d = dilation_rate if isinstance(dilation_rate, int) else dilation_rate[0]
    y = depthwise_conv2d(t.unsqueeze(axis), to_tensor(depthwise_kernel).unsqueeze(0), (1, s),
                         padding, df, (1, d))
    y = conv2d(y, to_tensor(pointwise_kernel).unsqueeze(0), (1, 1), "valid", df)
    return y.squeeze(axis)


def _legacy(name, kwargs, padding, data_format, dilation_rate):
    new = legacy_kwargs(name, kwargs)
    return (new.get("padding", padding), new.get("data_format", data_format),
            new.get("dilation_rate", dilation_rate))


def _pool(x, pool_size, strides, padding, data_format, pool_mode, rank):
    t = to_tensor(x)
    if not t.is_floating_point():
        t = t.to(floatx_dtype())
    df = norm_data_format(data_format)
    ks = _tuple(pool_size, rank, "pool_size")
    st = _tuple(strides if strides is not None else pool_size, rank, "strides")
    xc = _to_cf(t, df)
    one = (1,) * rank
    if pool_mode == "max":
        xp = _pad(xc, padding, ks, st, one, value=-math.inf)
        fn = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}[rank]
        out = fn(xp, ks, st)
    elif pool_mode == "avg":
        fn = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}[rank]
        if padding.lower() == "same":
            xp = _pad(xc, padding, ks, st, one)
            ones = _pad(torch.ones_like(xc[:1, :1]), padding, ks, st, one)
            out = fn(xp, ks, st) / fn(ones, ks, st)
        else:
            out = fn(xc, ks, st)
    else:
        raise ValueError(f"Invalid pool_mode: {pool_mode!r}. Expected 'max' or 'avg'.")
    return _from_cf(out, df)


def pool2d(x, pool_size, strides=(1, 1), padding: str = "valid", data_format=None,
           pool_mode: str = "max", **kwargs):
    """2-D max/avg pooling (``pool_mode`` ``'max'`` or ``'avg'``)."""
    if kwargs:
        padding, data_format, _ = _legacy("pool2d", kwargs, padding, data_format, None)
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, 2)


def pool3d(x, pool_size, strides=(1, 1, 1), padding: str = "valid", data_format=None,
           pool_mode: str = "max", **kwargs):
    if kwargs:
        padding, data_format, _ = _legacy("pool3d", kwargs, padding, data_format, None)
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, 3)
