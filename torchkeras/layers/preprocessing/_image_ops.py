"""Image ops behind the preprocessing layers, matching the TensorFlow kernels Keras uses.

* ``resize``: ``tf.image.resize`` (half-pixel centres). bilinear / nearest go to
  ``F.interpolate`` (``bilinear``, ``nearest-exact``, both the same rule as TF); bicubic
  (Keys cubic a=-0.5 with TF's 1/1024 weight table, out-of-image taps dropped and the
  weights renormalised; torch's own bicubic uses a=-0.75 and clamps) and area
  (box filter with fractional coverage) are separable weight matrices.
* ``affine_transform``: ``ImageProjectiveTransformV3``: output pixel ``(x, y)`` samples the
  input at ``(a0 x + a1 y + a2, b0 x + b1 y + b2) / (c0 x + c1 y + 1)``; the coordinate is first
  mapped by ``fill_mode`` (reflect: d c b a | a b c d | d c b a; wrap; nearest; constant), then
  read with nearest (round half away from zero) or bilinear interpolation, neighbours outside
  the image reading ``fill_value``.

Images are handled as NCHW tensors (views of Keras's NHWC tensors, no copy).
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F

INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area")


def to_nchw(x: torch.Tensor, data_format: str):
    """(N,H,W,C) / (H,W,C) (or channels_first forms) -> (NCHW view, undo function)."""
    unbatched = x.dim() == 3
    if unbatched:
        x = x.unsqueeze(0)
    if data_format == "channels_last":
        v = x.permute(0, 3, 1, 2)

        def undo(y):
            y = y.permute(0, 2, 3, 1)
            return y.squeeze(0) if unbatched else y
    else:
        v = x

        def undo(y):
            return y.squeeze(0) if unbatched else y
    return v, undo


# ------------------------------------------------------------------------------------------
# resize
# ------------------------------------------------------------------------------------------
def _keys_cubic(t: np.ndarray, a: float = -0.5) -> np.ndarray:
    t = np.abs(t)
    return np.where(t <= 1, ((a + 2) * t - (a + 3)) * t * t + 1,
                    np.where(t < 2, ((a * t - 5 * a) * t + 8 * a) * t - 4 * a, 0.0))


@lru_cache(maxsize=64)
def _weights(in_size: int, out_size: int, method: str) -> np.ndarray:
    """(out, in) interpolation matrix of ``tf.image.resize`` for one axis."""
    scale = in_size / out_size
    w = np.zeros((out_size, in_size), dtype=np.float64)
    if method == "bicubic":
        # TF reads the Keys weights from a 1024-entry table: the fractional offset is
        # rounded to 1/1024 (this matters at the 1e-4 level).
        s32 = np.float32(in_size) / np.float32(out_size)
        for i in range(out_size):
            x = np.float32((np.float32(i) + np.float32(0.5)) * s32 - np.float32(0.5))
            x0 = math.floor(x)
            t = float(np.rint(np.float32(x - np.float32(x0)) * np.float32(1024))) / 1024.0
            taps = [x0 - 1, x0, x0 + 1, x0 + 2]
            ws = _keys_cubic(np.array([1 + t, t, 1 - t, 2 - t], dtype=np.float64))
            keep = [(0 <= tp < in_size) for tp in taps]
            total = sum(wi for wi, k in zip(ws, keep) if k)
            for tp, wi, k in zip(taps, ws, keep):
                if k:
                    w[i, tp] += wi / total
    elif method == "area":
        for i in range(out_size):
            lo, hi = i * scale, (i + 1) * scale
            for j in range(int(math.floor(lo)), min(int(math.ceil(hi)), in_size)):
                overlap = min(hi, j + 1) - max(lo, j)
                if overlap > 0:
                    w[i, j] = overlap / scale
    else:  # pragma: no cover - guarded by the callers
        raise ValueError(method)
    return w


def resize(x: torch.Tensor, height: int, width: int, interpolation: str = "bilinear",
           antialias: bool = False) -> torch.Tensor:
    """Resize an NCHW float tensor like ``tf.image.resize``."""
    in_h, in_w = x.shape[-2], x.shape[-1]
    if (in_h, in_w) == (height, width) and not antialias:
        return x
    if interpolation == "bilinear":
        return F.interpolate(x, size=(height, width), mode="bilinear", align_corners=False,
                             antialias=antialias)
    if interpolation == "nearest":
        return F.interpolate(x, size=(height, width), mode="nearest-exact")
    if interpolation in ("bicubic", "area"):
        wh = torch.as_tensor(_weights(in_h, height, interpolation), dtype=x.dtype,
                             device=x.device)
        ww = torch.as_tensor(_weights(in_w, width, interpolation), dtype=x.dtype,
                             device=x.device)
        return torch.einsum("oh,nchw,pw->ncop", wh, x, ww)
    raise ValueError(f"Unsupported interpolation {interpolation!r}: torchkeras supports "
                     f"{INTERPOLATIONS}.")


def crop_to_aspect(x: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Largest centred window with the target aspect ratio (Keras's integer arithmetic)."""
    h, w = x.shape[-2], x.shape[-1]
    ch = max(min(h, int(np.float32(w * height) / np.float32(width))), 1)
    cw = max(min(w, int(np.float32(h * width) / np.float32(height))), 1)
    hs = int((h - ch) / 2)
    ws = int((w - cw) / 2)
    return x[..., hs:hs + ch, ws:ws + cw]


def pad_to_aspect(x: torch.Tensor, height: int, width: int, fill_value: float) -> torch.Tensor:
    """Pad symmetrically with ``fill_value`` to the target aspect ratio (as Keras)."""
    h, w = x.shape[-2], x.shape[-1]
    ph = max(h, int(np.float32(w * height) / np.float32(width)))
    pw = max(w, int(np.float32(h * width) / np.float32(height)))
    hs = int((ph - h) / 2)
    ws = int((pw - w) / 2)
    if hs > 0:
        x = F.pad(x, (0, 0, hs, hs), value=float(fill_value))
    elif ws > 0:
        x = F.pad(x, (ws, ws, 0, 0), value=float(fill_value))
    return x


# ------------------------------------------------------------------------------------------
# affine transform
# ------------------------------------------------------------------------------------------
def _map_coord(c: torch.Tensor, n: int, mode: str) -> torch.Tensor:
    if mode == "constant":
        return c
    if n <= 1:
        return torch.zeros_like(c)
    hi = float(n - 1)
    if mode == "nearest":
        return c.clamp(0.0, hi)
    if mode == "reflect":
        sz2 = 2.0 * n
        # below 0: fold into [-2n, 0) then mirror (half-sample symmetric)
        lo = torch.where(c < -sz2, c + sz2 * torch.trunc(-c / sz2), c)
        lo = torch.where(lo < -n, lo + sz2, -lo - 1.0)
        up = c - sz2 * torch.trunc(c / sz2)
        up = torch.where(up >= n, sz2 - up - 1.0, up)
        out = torch.where(c < 0, lo, torch.where(c > hi, up, c))
        return out.clamp(0.0, hi)
    if mode == "wrap":
        sz = float(n - 1)
        lo = c + n * (torch.trunc(-c / sz) + 1.0)
        up = c - n * torch.trunc(c / sz)
        out = torch.where(c < 0, lo, torch.where(c > hi, up, c))
        return out.clamp(0.0, hi)
    raise ValueError(f"Unknown fill_mode {mode!r}")


def affine_transform(x: torch.Tensor, transform: torch.Tensor, interpolation: str,
                     fill_mode: str, fill_value: float) -> torch.Tensor:
    """``ImageProjectiveTransformV3`` on an NCHW float tensor; ``transform`` is (N, 8)."""
    n, c, h, w = x.shape
    dev, dt = x.device, x.dtype
    t = transform.to(device=dev, dtype=torch.float32)
    ys = torch.arange(h, device=dev, dtype=torch.float32).view(1, h, 1)
    xs = torch.arange(w, device=dev, dtype=torch.float32).view(1, 1, w)
    a0, a1, a2, b0, b1, b2, c0, c1 = [t[:, i].view(n, 1, 1) for i in range(8)]
    k = c0 * xs + c1 * ys + 1.0
    px = (a0 * xs + a1 * ys + a2) / k
    py = (b0 * xs + b1 * ys + b2) / k
    px = _map_coord(px, w, fill_mode)
    py = _map_coord(py, h, fill_mode)
    if interpolation == "nearest":
        px = torch.sign(px) * torch.floor(px.abs() + 0.5)
        py = torch.sign(py) * torch.floor(py.abs() + 0.5)
        mode = "nearest"
    elif interpolation == "bilinear":
        mode = "bilinear"
    else:
        raise ValueError(f"Unsupported interpolation {interpolation!r}: expected 'nearest' or "
                         "'bilinear'.")
    # pixel coordinates -> grid_sample's [-1, 1] with align_corners=True
    gx = px * (2.0 / max(w - 1, 1)) - 1.0 if w > 1 else px * 0.0
    gy = py * (2.0 / max(h - 1, 1)) - 1.0 if h > 1 else py * 0.0
    grid = torch.stack([gx, gy], dim=-1).to(dt)
    fill = float(fill_value)
    src = x - fill if fill != 0.0 else x
    out = F.grid_sample(src, grid, mode=mode, padding_mode="zeros", align_corners=True)
    if w == 1 or h == 1:  # degenerate axes: grid_sample cannot express "outside" there
        valid = torch.ones_like(px, dtype=torch.bool)
        if w == 1:
            valid &= (px > -1) & (px < 1)
        if h == 1:
            valid &= (py > -1) & (py < 1)
        out = out * valid.unsqueeze(1).to(dt)
    return out + fill if fill != 0.0 else out
