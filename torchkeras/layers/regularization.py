"""Noise / regularization layers: SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout,
AlphaDropout. (``Dropout`` and ``ActivityRegularization`` live in ``core``.)

All are the identity in inference and active only in training (``training=True``,
``model(x, training=True)``, ``fit``), as in Keras. ``seed`` gives a reproducible sequence of
noise (a ``torch.Generator`` per layer and device); the random numbers themselves cannot
match TensorFlow's.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np
import torch

from ..backend import config as _config
from ..engine.base_layer import Layer
from ..engine.input_spec import InputSpec
from .core import Dropout

__all__ = ["SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
           "GaussianDropout", "AlphaDropout"]


def _fraction(layer: str, arg: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not 0 <= value <= 1:
        raise ValueError(f"Invalid value received for argument `{arg}` of {layer}. Expected a "
                         f"float value between 0 and 1. Received: {arg}={value!r}")
    return float(value)


def _check_seed(layer: str, seed) -> Optional[int]:
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"Argument `seed` of {layer} must be an integer or None. Received: "
                         f"seed={seed!r}")
    return int(seed)


class _Seeded:
    """Mixin: a lazily created ``torch.Generator`` per device when ``seed`` is set."""

    def _gen(self, device):
        if self.seed is None:
            return None
        gens = self.__dict__.setdefault("_generators", {})
        key = str(device)
        if key not in gens:
            g = torch.Generator(device=device)
            g.manual_seed(int(self.seed))
            gens[key] = g
        return gens[key]

    def _uniform(self, shape, like: torch.Tensor) -> torch.Tensor:
        return torch.rand(shape, device=like.device, generator=self._gen(like.device),
                          dtype=like.dtype if like.is_floating_point() else torch.float32)

    def _normal(self, shape, like: torch.Tensor) -> torch.Tensor:
        return torch.randn(shape, device=like.device, generator=self._gen(like.device),
                           dtype=like.dtype if like.is_floating_point() else torch.float32)


# ------------------------------------------------------------------------------------------
# Spatial dropout
# ------------------------------------------------------------------------------------------
class _SpatialDropout(_Seeded, Dropout):
    """Drops whole feature maps: one keep/drop draw per (sample, channel), kept maps scaled by
    ``1 / (1 - rate)``."""

    _rank = 3

    def __init__(self, rate: float, data_format: Optional[str] = None,
                 seed: Optional[int] = None, noise_shape=None, **kwargs):
        name = type(self).__name__
        rate = _fraction(name, "rate", rate)
        seed = _check_seed(name, seed)
        super().__init__(rate, seed=seed, **kwargs)
        self.noise_shape = None  # derived from the input: (N, 1.., C) / (N, C, 1..)
        self.data_format = _config.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self._rank)

    def _spatial_noise_shape(self, x: torch.Tensor):
        n = x.dim()
        if self.data_format == "channels_first":
            return (x.shape[0], x.shape[1]) + (1,) * (n - 2)
        return (x.shape[0],) + (1,) * (n - 2) + (x.shape[-1],)

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        if self.rate >= 1:
            return torch.zeros_like(inputs)
        keep = self._uniform(self._spatial_noise_shape(inputs), inputs) >= self.rate
        return inputs * (keep.to(inputs.dtype) / (1.0 - self.rate))

    def get_config(self):
        cfg = Layer.get_config(self)
        cfg.update({"rate": self.rate, "seed": self.seed})
        if self._rank > 3:
            cfg["data_format"] = self.data_format
        return cfg


class SpatialDropout1D(_SpatialDropout):
    """Spatial dropout on ``(batch, steps, channels)`` (drops whole channels)."""

    _rank = 3

    def __init__(self, rate: float, seed: Optional[int] = None, **kwargs):
        kwargs.pop("data_format", None)
        super().__init__(rate, data_format="channels_last", seed=seed, **kwargs)


class SpatialDropout2D(_SpatialDropout):
    """Spatial dropout on 4-D input (``data_format`` as the convolutions)."""

    _rank = 4

    def __init__(self, rate: float, data_format: Optional[str] = None,
                 seed: Optional[int] = None, **kwargs):
        super().__init__(rate, data_format=data_format, seed=seed, **kwargs)


class SpatialDropout3D(_SpatialDropout):
    """Spatial dropout on 5-D input."""

    _rank = 5

    def __init__(self, rate: float, data_format: Optional[str] = None,
                 seed: Optional[int] = None, **kwargs):
        super().__init__(rate, data_format=data_format, seed=seed, **kwargs)


# ------------------------------------------------------------------------------------------
# Gaussian noise / dropout, alpha dropout
# ------------------------------------------------------------------------------------------
class GaussianNoise(_Seeded, Layer):
    """Adds zero-mean Gaussian noise of standard deviation ``stddev`` in training."""

    def __init__(self, stddev: float, seed: Optional[int] = None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(stddev, bool) or not isinstance(
                stddev, (int, float, np.integer, np.floating)) or stddev < 0:
            raise ValueError("Invalid value received for argument `stddev` of GaussianNoise. "
                             f"Expected a non-negative float. Received: stddev={stddev!r}")
        self.stddev = float(stddev)
        self.seed = _check_seed("GaussianNoise", seed)
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not training or self.stddev == 0:
            return inputs
        return inputs + self._normal(inputs.shape, inputs) * self.stddev

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"stddev": self.stddev, "seed": self.seed})
        return cfg


class GaussianDropout(_Seeded, Layer):
    """Multiplies by noise ~ N(1, sqrt(rate / (1 - rate))) in training."""

    def __init__(self, rate: float, seed: Optional[int] = None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _fraction("GaussianDropout", "rate", rate)
        self.seed = _check_seed("GaussianDropout", seed)
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        if self.rate >= 1:
            raise ValueError(f"Layer '{self.name}': GaussianDropout(rate=1) has an infinite "
                             "noise standard deviation.")
        std = math.sqrt(self.rate / (1.0 - self.rate))
        return inputs * (self._normal(inputs.shape, inputs) * std + 1.0)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"rate": self.rate, "seed": self.seed})
        return cfg


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(_Seeded, Layer):
    """Dropout that keeps SELU's self-normalising mean and variance: dropped units are set to
    ``-alpha * scale`` and the result is mapped by ``a * x + b`` with Keras's (and
    ``F.alpha_dropout``'s) ``a = ((1 - rate) * (1 + rate * alpha_p**2)) ** -0.5``,
    ``b = -a * alpha_p * rate``. ``noise_shape`` (None entries = the input's size) broadcasts
    the keep mask."""

    def __init__(self, rate: float, noise_shape=None, seed: Optional[int] = None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _fraction("AlphaDropout", "rate", rate)
        self.noise_shape = tuple(noise_shape) if noise_shape is not None else None
        self.seed = _check_seed("AlphaDropout", seed)
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        if self.rate >= 1:
            raise ValueError(f"Layer '{self.name}': AlphaDropout(rate=1) drops every unit; its "
                             "affine correction is undefined.")
        if self.noise_shape is None and self.seed is None:
            return torch.nn.functional.alpha_dropout(inputs, self.rate, True)
        if self.noise_shape is None:
            shape = inputs.shape
        else:
            if len(self.noise_shape) != inputs.dim():
                raise ValueError(f"Layer '{self.name}': noise_shape {self.noise_shape} does not "
                                 f"match the input rank (input shape {tuple(inputs.shape)}).")
            shape = tuple(inputs.shape[i] if d is None else int(d)
                          for i, d in enumerate(self.noise_shape))
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        keep = (self._uniform(shape, inputs) >= self.rate).to(inputs.dtype)
        x = inputs * keep + alpha_p * (1 - keep)
        return a * x + b

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"rate": self.rate, "seed": self.seed,
                    "noise_shape": list(self.noise_shape) if self.noise_shape else None})
        return cfg
