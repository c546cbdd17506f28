"""Spatial reshaping layers: UpSampling1D/2D/3D, ZeroPadding1D/2D/3D, Cropping1D/2D/3D.

Keras semantics: nearest upsampling repeats rows/columns; UpSampling2D's other
interpolations are TensorFlow's ``tf.image.resize`` (half-pixel centres, no antialiasing):
'bilinear' (== torch ``align_corners=False``); 'bicubic' (Keys kernel with a = -0.5, unlike
torch's a = -0.75), 'lanczos3' / 'lanczos5', 'gaussian' (sigma 0.5, radius 1.5) and
'mitchellcubic' (B = C = 1/3): taps outside the image are dropped and the remaining weights
renormalised, as TensorFlow does ('bicubic' also reads its weights from TensorFlow's
1024-entry table); 'area' (equals nearest for the integer factors UpSampling uses). Padding
and cropping amounts are ``(before, after)`` per spatial axis.

Channels-last tensors stay channels-last without copies: resizing runs on an NCHW view,
padding pads the Keras-layout tensor directly, cropping returns a view.
"""
from __future__ import annotations

import math
import numpy as np
import torch
import torch.nn.functional as F

from ..backend import config as _config
from ..engine.base_layer import Layer
from ..engine.input_spec import InputSpec
from . import _padding
from .conv import _layout


# ------------------------------------------------------------------------------------------
# resize kernels (TensorFlow's definitions)
# ------------------------------------------------------------------------------------------
def _keys_cubic(x: np.ndarray, a: float = -0.5) -> np.ndarray:
    x = np.abs(x)
    return np.where(x <= 1, ((a + 2) * x - (a + 3)) * x * x + 1,
                    np.where(x < 2, ((a * x - 5 * a) * x + 8 * a) * x - 4 * a, 0.0))


def _lanczos(radius: float):
    def kernel(x):
        x = np.abs(x)
        out = np.where(x < 1e-12, 1.0, radius * np.sin(np.pi * x) * np.sin(np.pi * x / radius)
                       / np.maximum(np.pi * np.pi * x * x, 1e-30))
        return np.where(x > radius, 0.0, out)
    return kernel, float(radius)


def _gaussian():
    sigma = 0.5
    radius = 3.0 * sigma

    def kernel(x):
        x = np.abs(x)
        return np.where(x >= radius, 0.0, np.exp(-x * x / (2.0 * sigma * sigma)))
    return kernel, radius


def _mitchell():
    b = c = 1.0 / 3.0

    def kernel(x):
        x = np.abs(x)
        near = ((12 - 9 * b - 6 * c) * x ** 3 + (-18 + 12 * b + 6 * c) * x ** 2 + (6 - 2 * b)) / 6
        far = ((-b - 6 * c) * x ** 3 + (6 * b + 30 * c) * x ** 2 + (-12 * b - 48 * c) * x
               + (8 * b + 24 * c)) / 6
        return np.where(x < 1, near, np.where(x < 2, far, 0.0))
    return kernel, 2.0


def _keys():
    return _keys_cubic, 2.0


_SCALE_TRANSLATE = {
    "bicubic": _keys, "lanczos3": lambda: _lanczos(3), "lanczos5": lambda: _lanczos(5),
    "gaussian": _gaussian, "mitchellcubic": _mitchell,
}


def _resize_matrix(n_in: int, n_out: int, method: str) -> np.ndarray:
    """(n_out, n_in) matrix of TensorFlow's resize along one axis (upsampling)."""
    scale = n_in / n_out
    mat = np.zeros((n_out, n_in), dtype=np.float64)
    centers = (np.arange(n_out) + 0.5) * scale
    if method == "bicubic":
        return _bicubic_matrix(n_in, centers)
    kernel, radius = _SCALE_TRANSLATE[method]()
    for i, c in enumerate(centers):  # taps inside the image only, weights renormalised
        lo = max(int(math.ceil(c - radius - 0.5)), 0)
        hi = min(int(math.floor(c + radius - 0.5)), n_in - 1)
        js = np.arange(lo, hi + 1)
        w = kernel(js + 0.5 - c)
        total = w.sum()
        if total != 0:
            mat[i, lo:hi + 1] = w / total
    return mat


def _bicubic_matrix(n_in: int, centers: np.ndarray, table: int = 1024) -> np.ndarray:
    """TensorFlow's ResizeBicubic (half-pixel centres): Keys a = -0.5 weights read from a
    ``table``-entry lookup (the fractional offset is quantised), taps outside the image
    dropped and the rest renormalised."""
    mat = np.zeros((len(centers), n_in), dtype=np.float64)
    src = centers - 0.5
    base = np.floor(src)
    frac = np.round((src - base) * table) / table
    for i in range(len(centers)):
        taps = base[i] + np.arange(-1, 3)
        w = _keys_cubic(np.array([1 + frac[i], frac[i], 1 - frac[i], 2 - frac[i]]))
        inside = (taps >= 0) & (taps < n_in)
        w = np.where(inside, w, 0.0)
        mat[i, taps[inside].astype(int)] += w[inside] / w.sum()
    return mat


# ------------------------------------------------------------------------------------------
# UpSampling
# ------------------------------------------------------------------------------------------
_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area",
                   "gaussian", "mitchellcubic")


class UpSampling1D(Layer):
    """Repeats each step ``size`` times: ``(batch, steps, features)`` ->
    ``(batch, steps * size, features)``."""

    def __init__(self, size: int = 2, **kwargs):
        super().__init__(**kwargs)
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
            raise TypeError(f"Expected an integer value for `size` of UpSampling1D, got "
                            f"{type(size).__name__}: size={size!r}.")
        if size <= 0:
            raise ValueError(f"`size` of UpSampling1D must be positive. Received: size={size}")
        self.size = int(size)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        return inputs.repeat_interleave(self.size, dim=1)

    def compute_output_shape(self, input_shape):
        n = input_shape[1]
        return (input_shape[0], None if n is None else n * self.size, input_shape[2])

    def get_config(self):
        cfg = super().get_config()
        cfg["size"] = self.size
        return cfg


class _UpSamplingND(Layer):
    rank = 2

    def __init__(self, size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _config.standardize_data_format(data_format)
        self.size = _padding.normalize_tuple(size, self.rank, "size", type(self).__name__)
        self._channels_last = self.data_format == "channels_last"
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _spatial(self, shape):
        return tuple(shape[1:-1]) if self._channels_last else tuple(shape[2:])

    def compute_output_shape(self, input_shape):
        out = tuple(None if n is None else n * f
                    for n, f in zip(self._spatial(input_shape), self.size))
        if self._channels_last:
            return (input_shape[0],) + out + (input_shape[-1],)
        return (input_shape[0], input_shape[1]) + out

    def _nearest(self, inputs):
        out = tuple(n * f for n, f in zip(self._spatial(inputs.shape), self.size))
        x = _layout.to_torch(inputs, self.rank, self._channels_last)
        y = F.interpolate(x, size=out, mode="nearest")
        return _layout.from_torch(y, self.rank, self._channels_last)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"size": self.size, "data_format": self.data_format})
        return cfg


class UpSampling2D(_UpSamplingND):
    """Upsamples rows and columns by ``size`` with ``interpolation`` (see module doc)."""

    rank = 2

    def __init__(self, size=(2, 2), data_format=None, interpolation: str = "nearest",
                 **kwargs):
        super().__init__(size, data_format, **kwargs)
        if not isinstance(interpolation, str) or interpolation.lower() not in _INTERPOLATIONS:
            raise ValueError(f"`interpolation` argument of UpSampling2D should be one of "
                             f"{_INTERPOLATIONS}. Received: interpolation={interpolation!r}")
        self.interpolation = interpolation.lower()
        self._matrices = {}

    def _resize_with_matrices(self, inputs):
        h, w = self._spatial(inputs.shape)
        key = (h, w, inputs.device, inputs.dtype)
        mats = self._matrices.get(key)
        if mats is None:
            mats = tuple(torch.as_tensor(_resize_matrix(n, n * f, self.interpolation),
                                         dtype=inputs.dtype, device=inputs.device)
                         for n, f in ((h, self.size[0]), (w, self.size[1])))
            if len(self._matrices) < 16:
                self._matrices[key] = mats
        mh, mw = mats
        if self._channels_last:
            return torch.einsum("ph,qw,nhwc->npqc", mh, mw, inputs)
        return torch.einsum("ph,qw,nchw->ncpq", mh, mw, inputs)

    def call(self, inputs):
        if self.interpolation in ("nearest", "area"):
            return self._nearest(inputs)
        if self.interpolation == "bilinear":
            out = tuple(n * f for n, f in zip(self._spatial(inputs.shape), self.size))
            x = _layout.to_torch(inputs, 2, self._channels_last)
            y = F.interpolate(x, size=out, mode="bilinear", align_corners=False)
            return _layout.from_torch(y, 2, self._channels_last)
        return self._resize_with_matrices(inputs)

    def get_config(self):
        cfg = super().get_config()
        cfg["interpolation"] = self.interpolation
        return cfg


class UpSampling3D(_UpSamplingND):
    """Repeats each of the three spatial axes by ``size``."""

    rank = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(size, data_format, **kwargs)

    def call(self, inputs):
        return self._nearest(inputs)


# ------------------------------------------------------------------------------------------
# ZeroPadding / Cropping
# ------------------------------------------------------------------------------------------
class _SpatialPairs(Layer):
    """Shared part of ZeroPadding / Cropping: ``(before, after)`` per spatial axis."""

    rank = 2
    _arg = "padding"

    def __init__(self, value, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _config.standardize_data_format(data_format)
        self._channels_last = self.data_format == "channels_last"
        self._pairs = _padding.normalize_pairs(value, self.rank, self._arg, type(self).__name__)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _first_spatial_axis(self) -> int:
        return 1 if self._channels_last else 2

    def _value_for_config(self):
        return self._pairs[0] if self.rank == 1 else self._pairs


class _ZeroPaddingND(_SpatialPairs):
    _arg = "padding"

    @property
    def padding(self):
        return self._value_for_config()

    def call(self, inputs):
        pad = _padding.torch_pad_arg(self._pairs)
        if self._channels_last:
            pad = (0, 0) + pad
        return F.pad(inputs, pad)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        a0 = self._first_spatial_axis()
        for i, (b, a) in enumerate(self._pairs):
            if shape[a0 + i] is not None:
                shape[a0 + i] += b + a
        return tuple(shape)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"padding": self._value_for_config(), "data_format": self.data_format})
        return cfg


class ZeroPadding1D(_ZeroPaddingND):
    """Pads the steps axis with zeros: ``padding`` an int or ``(before, after)``."""
    rank = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding2D(_ZeroPaddingND):
    """Pads rows/columns with zeros: ``padding`` an int, ``(sym_rows, sym_cols)`` or
    ``((top, bottom), (left, right))``."""
    rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding3D(_ZeroPaddingND):
    """Pads three spatial axes with zeros."""
    rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class _CroppingND(_SpatialPairs):
    _arg = "cropping"

    @property
    def cropping(self):
        return self._value_for_config()

    def _check(self, input_shape):
        a0 = self._first_spatial_axis()
        for i, (b, a) in enumerate(self._pairs):
            n = input_shape[a0 + i]
            if n is not None and b + a >= n:
                raise ValueError(f"`cropping` parameter of `{type(self).__name__}` layer "
                                 f"'{self.name}' must be smaller than the input size. Received: "
                                 f"input_shape={tuple(input_shape)}, "
                                 f"cropping={self._value_for_config()}")

    def build(self, input_shape):
        self._check(input_shape)
        self.built = True

    def call(self, inputs):
        self._check(tuple(inputs.shape))
        a0 = self._first_spatial_axis()
        y = inputs
        for i, (b, a) in enumerate(self._pairs):
            if b or a:
                y = y.narrow(a0 + i, b, y.shape[a0 + i] - b - a)
        return y

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        shape = list(input_shape)
        a0 = self._first_spatial_axis()
        for i, (b, a) in enumerate(self._pairs):
            if shape[a0 + i] is not None:
                shape[a0 + i] -= b + a
        return tuple(shape)

    def get_config(self):
        cfg = super().get_config()
        cfg["cropping"] = self._value_for_config()
        if self.rank > 1:
            cfg["data_format"] = self.data_format
        return cfg


class Cropping1D(_CroppingND):
    """Crops the steps axis: ``cropping`` an int or ``(before, after)``."""
    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, None, **kwargs)
        self._channels_last = True


class Cropping2D(_CroppingND):
    """Crops rows/columns: ``cropping`` an int, ``(sym_rows, sym_cols)`` or
    ``((top, bottom), (left, right))``."""
    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class Cropping3D(_CroppingND):
    """Crops three spatial axes."""
    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


__all__ = [
    "UpSampling1D", "UpSampling2D", "UpSampling3D",
    "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
    "Cropping1D", "Cropping2D", "Cropping3D",
]
