"""``scipy.ndimage.affine_transform`` for 2-D images, with a numpy fallback.

Keras's image augmentation resamples each channel with ``scipy.ndimage.affine_transform``
(``order=1`` by default). When SciPy is installed it is used as is; otherwise this module
reproduces its spline orders 0 and 1 for the fill modes Keras documents (``'constant'``,
``'nearest'``, ``'reflect'``, ``'wrap'``; ``'mirror'`` too for order 1): input coordinates are
``matrix @ output_coords + offset``; ``'constant'`` gives ``cval`` outside ``[0, n-1]``;
``'reflect'`` is half-sample symmetric, ``'mirror'`` whole-sample symmetric, and ``'wrap'``
has period ``n - 1`` (SciPy's definition).
"""
from __future__ import annotations

import numpy as np

__all__ = ["affine_transform_2d", "have_scipy"]


def have_scipy() -> bool:
    try:
        import scipy.ndimage  # noqa: F401
    except ImportError:
        return False
    return True


def _map_index(i: np.ndarray, n: int, mode: str) -> np.ndarray:
    if mode in ("nearest", "constant", "wrap"):  # (wrap: coordinates are wrapped beforehand)
        return np.clip(i, 0, n - 1)
    if n == 1:
        return np.zeros_like(i)
    if mode == "reflect":
        period = 2 * n
        i = np.mod(i, period)
        return np.where(i >= n, period - 1 - i, i)
    if mode == "mirror":
        period = 2 * n - 2
        i = np.mod(i, period)
        return np.where(i >= n, period - i, i)
    raise ValueError(f"Unsupported fill mode: {mode!r}")


def _wrap_coord(c: np.ndarray, n: int) -> np.ndarray:
    """SciPy's 'wrap' coordinate mapping (period ``n - 1``, ``[0, n-1]`` left unchanged)."""
    if n <= 1:
        return np.zeros_like(c)
    period = float(n - 1)
    low = c + period * (np.trunc(-c / period) + 1)
    high = c - period * np.trunc(c / period)
    return np.where(c < 0, low, np.where(c > period, high, c))


def _numpy_affine(img: np.ndarray, matrix: np.ndarray, offset: np.ndarray, order: int, mode: str,
                  cval: float) -> np.ndarray:
    h, w = img.shape
    rows, cols = np.meshgrid(np.arange(h, dtype=np.float64), np.arange(w, dtype=np.float64),
                             indexing="ij")
    r = matrix[0, 0] * rows + matrix[0, 1] * cols + offset[0]
    c = matrix[1, 0] * rows + matrix[1, 1] * cols + offset[1]
    outside = None
    if mode == "constant":
        outside = (r < 0) | (r > h - 1) | (c < 0) | (c > w - 1)
    if mode == "wrap":
        r, c = _wrap_coord(r, h), _wrap_coord(c, w)
    src = img.astype(np.float64)
    if order == 0:
        ri = _map_index(np.floor(r + 0.5).astype(np.int64), h, mode)
        ci = _map_index(np.floor(c + 0.5).astype(np.int64), w, mode)
        out = src[ri, ci]
    elif order == 1:
        r0, c0 = np.floor(r), np.floor(c)
        wr, wc = r - r0, c - c0
        r0, c0 = r0.astype(np.int64), c0.astype(np.int64)
        ra, rb = _map_index(r0, h, mode), _map_index(r0 + 1, h, mode)
        ca, cb = _map_index(c0, w, mode), _map_index(c0 + 1, w, mode)
        out = ((1 - wr) * ((1 - wc) * src[ra, ca] + wc * src[ra, cb])
               + wr * ((1 - wc) * src[rb, ca] + wc * src[rb, cb]))
    else:
        raise ImportError(f"Interpolation order {order} needs SciPy (`pip install scipy`); "
                          "the built-in fallback supports orders 0 and 1.")
    if outside is not None:
        out = np.where(outside, cval, out)
    return out.astype(img.dtype, copy=False)


def affine_transform_2d(img: np.ndarray, matrix: np.ndarray, offset: np.ndarray, order: int = 1,
                        mode: str = "nearest", cval: float = 0.0) -> np.ndarray:
    """Resample one 2-D channel: ``out[o] = img[matrix @ o + offset]`` (SciPy semantics)."""
    if have_scipy():
        from scipy import ndimage
        return ndimage.affine_transform(img, matrix, offset, order=order, mode=mode, cval=cval)
    return _numpy_affine(np.asarray(img), np.asarray(matrix, dtype=np.float64),
                         np.asarray(offset, dtype=np.float64), int(order), mode, float(cval))
