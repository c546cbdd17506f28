"""Image preprocessing layers (Keras 3 semantics): Resizing, CenterCrop, RandomFlip,
RandomRotation, RandomZoom, RandomTranslation, RandomContrast.

Inputs are batched ``(N, H, W, C)`` or single ``(H, W, C)`` images (``data_format`` as the
convolutions), any dtype; outputs are in the layer's float dtype. The random layers are the
identity unless training (``training=True``, ``fit``); their random draws use torch's RNG (a
per-layer ``torch.Generator`` when ``seed`` is set), so they cannot reproduce TensorFlow's
numbers, but for a given draw the transform is Keras's: same affine matrices, same
``fill_mode`` (reflect / wrap / nearest / constant) and interpolation (nearest / bilinear).
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np
import torch

from ...backend import config as _config
from ...engine.base_layer import Layer
from . import _image_ops as ops

__all__ = ["Resizing", "CenterCrop", "RandomFlip", "RandomRotation", "RandomZoom",
           "RandomTranslation", "RandomContrast"]

_FILL_MODES = ("reflect", "wrap", "constant", "nearest")
_AFFINE_INTERPOLATIONS = ("nearest", "bilinear")


def _pos_int(layer: str, arg: str, v) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v <= 0:
        raise ValueError(f"Argument `{arg}` of {layer} must be a positive integer. Received: "
                         f"{arg}={v!r}")
    return int(v)


class _ImageLayer(Layer):
    def __init__(self, data_format: Optional[str] = None, seed: Optional[int] = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.data_format = _config.standardize_data_format(data_format)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise ValueError(f"Argument `seed` of {type(self).__name__} must be an int or None. "
                             f"Received: seed={seed!r}")
        self.seed = None if seed is None else int(seed)
        self._generators = {}
        self.supports_masking = False

    def _check(self, x: torch.Tensor) -> None:
        if x.dim() not in (3, 4):
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) expects images of "
                             f"rank 3 (H, W, C) or 4 (N, H, W, C). Received input of shape "
                             f"{tuple(x.shape)}.")

    def _float(self, x: torch.Tensor) -> torch.Tensor:
        cdt = _config.standardize_dtype(self.compute_dtype)
        return x if x.dtype == cdt else x.to(cdt)

    def _gen(self, device):
        if self.seed is None:
            return None
        key = str(device)
        g = self._generators.get(key)
        if g is None:
            g = torch.Generator(device=device)
            g.manual_seed(self.seed)
            self._generators[key] = g
        return g

    def _uniform(self, shape, lo: float, hi: float, device) -> torch.Tensor:
        u = torch.rand(shape, device=device, generator=self._gen(device))
        return lo + (hi - lo) * u

    def _hw(self, x: torch.Tensor):
        if self.data_format == "channels_last":
            return x.shape[-3], x.shape[-2]
        return x.shape[-2], x.shape[-1]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg["data_format"] = self.data_format
        return cfg


# ------------------------------------------------------------------------------------------
# Resizing / CenterCrop
# ------------------------------------------------------------------------------------------
class Resizing(_ImageLayer):
    """Resize images to ``(height, width)`` like ``tf.image.resize`` (half-pixel centres).

    ``interpolation``: 'bilinear' (default), 'nearest', 'bicubic', 'area' (exact);
    'lanczos3', 'lanczos5', 'gaussian', 'mitchellcubic' are not supported (ValueError).
    ``antialias`` applies to bilinear downscaling (torch's antialiased bilinear).
    ``crop_to_aspect_ratio`` crops the largest centred window of the target aspect ratio
    first; ``pad_to_aspect_ratio`` pads with ``fill_value`` instead (``fill_mode`` 'constant'
    only, as Keras). Integer images are rounded and saturated back to their dtype, as Keras.
    """

    def __init__(self, height: int, width: int, interpolation: str = "bilinear",
                 crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
                 fill_mode: str = "constant", fill_value: float = 0.0, antialias: bool = False,
                 data_format: Optional[str] = None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height = _pos_int("Resizing", "height", height)
        self.width = _pos_int("Resizing", "width", width)
        if interpolation not in ops.INTERPOLATIONS:
            raise ValueError(f"Resizing: unsupported `interpolation` {interpolation!r}. "
                             f"torchkeras supports {ops.INTERPOLATIONS}.")
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("Only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` can "
                             "be True.")
        if fill_mode != "constant":
            raise ValueError(f"Resizing: `fill_mode` must be 'constant' (the only mode Keras "
                             f"implements for padding). Received: fill_mode={fill_mode!r}")
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_mode = fill_mode
        self.fill_value = float(fill_value)
        self.antialias = bool(antialias)

    def _resize(self, v: torch.Tensor, interpolation: str) -> torch.Tensor:
        if self.crop_to_aspect_ratio:
            v = ops.crop_to_aspect(v, self.height, self.width)
        elif self.pad_to_aspect_ratio:
            v = ops.pad_to_aspect(v, self.height, self.width, self.fill_value)
        return ops.resize(v, self.height, self.width, interpolation, self.antialias)

    def call(self, inputs):
        self._check(inputs)
        in_dtype = inputs.dtype
        v, undo = ops.to_nchw(self._float(inputs), self.data_format)
        y = undo(self._resize(v, self.interpolation))
        if not in_dtype.is_floating_point and in_dtype != torch.bool:
            info = torch.iinfo(in_dtype)
            y = torch.round(y).clamp(info.min, info.max).to(in_dtype)
        return y

    def compute_output_shape(self, input_shape):
        s = list(input_shape)
        if self.data_format == "channels_last":
            s[-3], s[-2] = self.height, self.width
        else:
            s[-2], s[-1] = self.height, self.width
        return tuple(s)

    def compute_output_spec(self, *args, **kwargs):
        spec = super().compute_output_spec(*args, **kwargs)
        inp = args[0] if args else None
        dt = getattr(inp, "dtype", None)
        if dt is not None and not dt.is_floating_point and dt != torch.bool:
            spec.dtype = dt
        return spec

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"height": self.height, "width": self.width,
                    "interpolation": self.interpolation,
                    "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                    "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
                    "fill_mode": self.fill_mode, "fill_value": self.fill_value,
                    "antialias": self.antialias})
        return cfg


class CenterCrop(_ImageLayer):
    """Crop the central ``(height, width)`` window (start ``(H - height) // 2``). An image
    smaller than the target is instead resized to it after cropping to the target aspect ratio
    (bilinear), as Keras's ``smart_resize`` does."""

    def __init__(self, height: int, width: int, data_format: Optional[str] = None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height = _pos_int("CenterCrop", "height", height)
        self.width = _pos_int("CenterCrop", "width", width)

    def call(self, inputs):
        self._check(inputs)
        x = self._float(inputs)
        h, w = self._hw(x)
        dh, dw = h - self.height, w - self.width
        if dh >= 0 and dw >= 0:
            hs, ws = dh // 2, dw // 2
            if self.data_format == "channels_last":
                return x[..., hs:hs + self.height, ws:ws + self.width, :]
            return x[..., hs:hs + self.height, ws:ws + self.width]
        v, undo = ops.to_nchw(x, self.data_format)
        v = ops.crop_to_aspect(v, self.height, self.width)
        return undo(ops.resize(v, self.height, self.width, "bilinear"))

    def compute_output_shape(self, input_shape):
        return Resizing.compute_output_shape(self, input_shape)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"height": self.height, "width": self.width})
        return cfg


# ------------------------------------------------------------------------------------------
# Random layers
# ------------------------------------------------------------------------------------------
class RandomFlip(_ImageLayer):
    """Randomly flips images in training. ``mode``: 'horizontal', 'vertical' or
    'horizontal_and_vertical' (default). Keras 3 draws one coin per image and, in the last
    mode, flips both ways on heads; tf.keras 2 (Keras 2 era) draws the two flips
    independently."""

    _MODES = ("horizontal", "vertical", "horizontal_and_vertical")

    def __init__(self, mode: str = "horizontal_and_vertical", seed: Optional[int] = None,
                 data_format: Optional[str] = None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        if mode not in self._MODES:
            raise ValueError(f"RandomFlip layer {self.name} received an unknown mode argument "
                             f"{mode!r}. Expected one of {self._MODES}.")
        self.mode = mode
        self._era = _config.keras_era()

    def call(self, inputs, training=None):
        self._check(inputs)
        x = self._float(inputs)
        if not training:
            return x
        batched = x.dim() == 4
        n = x.shape[0] if batched else 1
        shape = (n, 1, 1, 1) if batched else (1, 1, 1)
        h_axis, w_axis = (-3, -2) if self.data_format == "channels_last" else (-2, -1)
        flip1 = self._uniform(shape, 0.0, 1.0, x.device) <= 0.5
        out = x
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            out = torch.where(flip1, out.flip(w_axis), out)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            flip2 = flip1 if (self._era >= 3 or self.mode == "vertical") else \
                self._uniform(shape, 0.0, 1.0, x.device) <= 0.5
            out = torch.where(flip2, out.flip(h_axis), out)
        return out

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"seed": self.seed, "mode": self.mode})
        return cfg


def _factor_pair(layer: str, arg: str, factor, bounds=(-1.0, 1.0), symmetric_clip=True):
    msg = (f"The `{arg}` argument of {layer} should be a number (or a list of two numbers) in "
           f"the range [{bounds[0]}, {bounds[1]}]. Received: {arg}={factor!r}")
    if isinstance(factor, (list, tuple)):
        if len(factor) != 2 or not all(isinstance(f, (int, float, np.integer, np.floating))
                                       for f in factor):
            raise ValueError(msg)
        if factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(msg)
        lo, hi = sorted(float(f) for f in factor)
        return lo, hi
    if isinstance(factor, (int, float, np.integer, np.floating)) and \
            not isinstance(factor, bool):
        if factor < bounds[0] or factor > bounds[1]:
            raise ValueError(msg)
        f = abs(float(factor))
        return (max(-f, bounds[0]) if symmetric_clip else -f), f
    raise ValueError(msg)


class _AffineLayer(_ImageLayer):
    def __init__(self, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: Optional[int] = None, fill_value: float = 0.0,
                 data_format: Optional[str] = None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        if fill_mode not in _FILL_MODES:
            raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Expected of one "
                                      f"{_FILL_MODES}.")
        if interpolation not in _AFFINE_INTERPOLATIONS:
            raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Expected of "
                                      f"one {_AFFINE_INTERPOLATIONS}.")
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = float(fill_value)

    def _matrices(self, n: int, h: int, w: int, device) -> torch.Tensor:
        raise NotImplementedError

    def call(self, inputs, training=None):
        self._check(inputs)
        x = self._float(inputs)
        if not training:
            return x
        v, undo = ops.to_nchw(x, self.data_format)
        n, _, h, w = v.shape
        m = self._matrices(n, h, w, v.device)
        return undo(ops.affine_transform(v, m, self.interpolation, self.fill_mode,
                                         self.fill_value))

    def apply_transform(self, inputs, matrix) -> torch.Tensor:
        """Apply an explicit (N, 8) / (8,) projective matrix with this layer's fill mode and
        interpolation (the deterministic half of the layer; used by tests)."""
        x = self._float(inputs if isinstance(inputs, torch.Tensor) else torch.as_tensor(inputs))
        v, undo = ops.to_nchw(x, self.data_format)
        m = torch.as_tensor(np.asarray(matrix, dtype=np.float32)).reshape(-1, 8)
        if m.shape[0] == 1 and v.shape[0] > 1:
            m = m.expand(v.shape[0], 8)
        return undo(ops.affine_transform(v, m, self.interpolation, self.fill_mode,
                                         self.fill_value))

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"fill_mode": self.fill_mode, "fill_value": self.fill_value,
                    "interpolation": self.interpolation, "seed": self.seed})
        return cfg


def rotation_matrix(angle_deg: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """Keras's rotation about the image centre ``((w-1)/2, (h-1)/2)``, as an (N, 8) matrix
    mapping output pixels to input pixels."""
    a = angle_deg.to(torch.float32) * (math.pi / 180.0)
    cos, sin = torch.cos(a), torch.sin(a)
    cx, cy = 0.5 * (w - 1), 0.5 * (h - 1)
    a0, a1 = cos, -sin
    b0, b1 = sin, cos
    a2 = cx - cx * a0 - cy * a1
    b2 = cy - cx * b0 - cy * b1
    z = torch.zeros_like(a)
    return torch.stack([a0, a1, a2, b0, b1, b2, z, z], dim=1)


def zoom_matrix(zx: torch.Tensor, zy: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """Keras's zoom about the centre: input = zoom * output + (size - 1) / 2 * (1 - zoom)."""
    z = torch.zeros_like(zx)
    return torch.stack([zx, z, (w - 1) / 2.0 * (1 - zx), z, zy, (h - 1) / 2.0 * (1 - zy),
                        z, z], dim=1)


def translation_matrix(dx: torch.Tensor, dy: torch.Tensor) -> torch.Tensor:
    """Shift by (dx, dy) pixels: input = output - (dx, dy)."""
    one, z = torch.ones_like(dx), torch.zeros_like(dx)
    return torch.stack([one, z, -dx, z, one, -dy, z, z], dim=1)


class RandomRotation(_AffineLayer):
    """Rotates by a random angle ``factor * 360`` degrees drawn from ``[lower, upper]``
    (``factor`` a fraction of a full turn; a number f means ``[-f, f]``), counter-clockwise for
    positive values, about the image centre."""

    def __init__(self, factor, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: Optional[int] = None, fill_value: float = 0.0,
                 data_format: Optional[str] = None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed,
                         fill_value=fill_value, data_format=data_format, **kwargs)
        self.factor = _factor_pair("RandomRotation", "factor", factor)

    def _matrices(self, n, h, w, device):
        angle = self._uniform((n,), self.factor[0] * 360.0, self.factor[1] * 360.0, device)
        return rotation_matrix(angle, h, w)

    def get_config(self):
        cfg = super().get_config()
        cfg["factor"] = self.factor
        return cfg


class RandomZoom(_AffineLayer):
    """Zooms by a random factor per image: ``height_factor`` (and ``width_factor``, else the
    same draw) in ``(-1, 1]``; the sampling scale is ``1 + factor`` (positive = zoom out)."""

    def __init__(self, height_factor, width_factor=None, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: Optional[int] = None,
                 fill_value: float = 0.0, data_format: Optional[str] = None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed,
                         fill_value=fill_value, data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = self._zoom_range(height_factor, "height_factor")
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = self._zoom_range(width_factor, "width_factor")

    @staticmethod
    def _zoom_range(factor, arg):
        msg = ("The `factor` argument should be a number (or a list of two numbers) in the "
               f"range (-1.0, 1.0]. Received: {arg}={factor!r}")
        vals = list(factor) if isinstance(factor, (list, tuple)) else [factor]
        if len(vals) not in (1, 2) or any(isinstance(v, bool) or not isinstance(
                v, (int, float, np.integer, np.floating)) or v > 1.0 or v <= -1.0
                for v in vals):
            raise ValueError(msg)
        if len(vals) == 2:
            return tuple(sorted(float(v) for v in vals))
        f = abs(float(vals[0]))
        return -f, f

    def _matrices(self, n, h, w, device):
        zy = self._uniform((n,), 1.0 + self.height_lower, 1.0 + self.height_upper, device)
        if self.width_factor is not None:
            zx = self._uniform((n,), 1.0 + self.width_lower, 1.0 + self.width_upper, device)
        else:
            zx = zy
        return zoom_matrix(zx, zy, h, w)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return cfg


class RandomTranslation(_AffineLayer):
    """Shifts by random fractions of the height / width: ``height_factor`` and
    ``width_factor`` (a number f means ``[-f, f]``; positive moves the image down / right)."""

    def __init__(self, height_factor, width_factor, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: Optional[int] = None,
                 fill_value: float = 0.0, data_format: Optional[str] = None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed,
                         fill_value=fill_value, data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.width_factor = width_factor
        self.height_lower, self.height_upper = _factor_pair(
            "RandomTranslation", "height_factor", height_factor, symmetric_clip=False)
        self.width_lower, self.width_upper = _factor_pair(
            "RandomTranslation", "width_factor", width_factor, symmetric_clip=False)

    def _matrices(self, n, h, w, device):
        dy = self._uniform((n,), self.height_lower, self.height_upper, device) * h
        dx = self._uniform((n,), self.width_lower, self.width_upper, device) * w
        return translation_matrix(dx, dy)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return cfg


class RandomContrast(_ImageLayer):
    """``(x - mean) * c + mean`` per image and channel (mean over height and width), with a
    random ``c`` per image, clipped to ``value_range`` (default (0, 255)).

    Keras 3 draws ``c`` from ``[1 - lower, 1 + upper]`` where a number ``factor`` becomes
    ``(lower, upper) = (max(-factor, 0), factor)`` (so ``[1, 1 + factor]``); tf.keras 2 (Keras 2
    era) draws from ``[1 - factor, 1 + factor]``."""

    def __init__(self, factor, value_range=(0, 255), seed: Optional[int] = None,
                 data_format: Optional[str] = None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self._era = _config.keras_era()
        if self._era < 3 and isinstance(factor, (int, float)) and not isinstance(factor, bool):
            if not 0 <= factor <= 1:
                raise ValueError(f"The `factor` argument of RandomContrast should be in [0, 1]. "
                                 f"Received: factor={factor!r}")
            self.factor = (float(factor), float(factor))
            self._range = (1.0 - factor, 1.0 + factor)
        else:
            self.factor = _factor_pair("RandomContrast", "factor", factor, bounds=(0.0, 1.0))
            self._range = (1.0 - self.factor[0], 1.0 + self.factor[1])
        if not isinstance(value_range, (list, tuple)) or len(value_range) != 2:
            raise ValueError("RandomContrast: `value_range` must be a pair (min, max). "
                             f"Received: value_range={value_range!r}")
        self.value_range = tuple(value_range)

    def adjust(self, inputs: torch.Tensor, contrast_factor) -> torch.Tensor:
        """The deterministic transform for given per-image factors (used by ``call``)."""
        x = self._float(inputs)
        hw = (-3, -2) if self.data_format == "channels_last" else (-2, -1)
        mean = x.mean(dim=hw, keepdim=True)
        c = torch.as_tensor(contrast_factor, dtype=x.dtype, device=x.device)
        if c.dim() == 1 and x.dim() == 4:
            c = c.view(-1, 1, 1, 1)
        y = (x - mean) * c + mean
        return y.clamp(float(self.value_range[0]), float(self.value_range[1]))

    def call(self, inputs, training=None):
        self._check(inputs)
        x = self._float(inputs)
        if not training:
            return x
        n = x.shape[0] if x.dim() == 4 else 1
        c = self._uniform((n,), self._range[0], self._range[1], x.device)
        if x.dim() == 3:
            c = c.view(1, 1, 1)
        return self.adjust(x, c)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"factor": self.factor, "value_range": self.value_range, "seed": self.seed})
        return cfg
