"""Random initializers with Keras semantics (``keras.src.initializers.random_initializers``).

Seeds: ``seed=None`` draws from torch's global RNG (so ``torch.manual_seed`` /
``keras.utils.set_random_seed`` make runs reproducible; successive calls differ, like tf.keras
2); an integer seed makes every call of that instance return the same values (Keras 3's
documented behaviour); a ``torch.Generator`` or seed generator advances between calls.
Values are produced in the Keras weight layout, with Keras's fan computation.
"""
from __future__ import annotations

import math
from typing import Any

import torch

from .base import (Initializer, ShapeLike, compute_fans, float_dtype, random_normal,
                   random_uniform, standardize_shape, truncated_normal, validate_seed)

#: std of a standard normal truncated to [-2, 2] (scipy.stats.truncnorm.std(a=-2, b=2))
TRUNCATED_STD = 0.87962566103423978


class RandomInitializer(Initializer):
    """Base of the seeded initializers: stores ``seed`` and reports it in the config."""

    def __init__(self, seed: Any = None):
        self.seed = validate_seed(seed)

    def get_config(self) -> dict:
        seed = self.seed
        return {"seed": seed if seed is None or isinstance(seed, int) else None}


class RandomNormal(RandomInitializer):
    """Normal(mean, stddev) (``keras.initializers.RandomNormal``, defaults mean 0,
    stddev 0.05; aliases ``random_normal``, ``normal``)."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Any = None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed)

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> torch.Tensor:
        return random_normal(shape, self.mean, self.stddev, dtype, self.seed)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class TruncatedNormal(RandomInitializer):
    """Normal(mean, stddev) cut at two standard deviations (``keras.initializers.
    TruncatedNormal``, defaults mean 0, stddev 0.05; alias ``truncated_normal``)."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Any = None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed)

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> torch.Tensor:
        return truncated_normal(shape, self.mean, self.stddev, dtype, self.seed)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class RandomUniform(RandomInitializer):
    """Uniform on ``[minval, maxval)`` (``keras.initializers.RandomUniform``, defaults
    -0.05, 0.05; aliases ``random_uniform``, ``uniform``)."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: Any = None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed)

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> torch.Tensor:
        return random_uniform(shape, self.minval, self.maxval, dtype, self.seed)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


class VarianceScaling(RandomInitializer):
    """Scale-adaptive initializer (``keras.initializers.VarianceScaling``).

    ``n`` = fan_in, fan_out or their mean (``mode``), floored at 1; then
    * ``'truncated_normal'`` (``'normal'`` is accepted as its old name): truncated normal with
      stddev ``sqrt(scale / n) / 0.87962566103423978`` (so the post-truncation std is
      ``sqrt(scale / n)``);
    * ``'untruncated_normal'``: normal with stddev ``sqrt(scale / n)``;
    * ``'uniform'``: uniform on ``[-limit, limit]``, ``limit = sqrt(3 * scale / n)``.
    """

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: Any = None,
                 input_axes=None, output_axes=None):
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        allowed_modes = ("fan_in", "fan_out", "fan_avg")
        if mode not in allowed_modes:
            raise ValueError(f"Invalid `mode` argument: {mode!r}. Please use one of "
                             f"{allowed_modes}.")
        distribution = str(distribution).lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        allowed = ("uniform", "truncated_normal", "untruncated_normal")
        if distribution not in allowed:
            raise ValueError(f"Invalid `distribution` argument: {distribution!r}. Please use one "
                             f"of {allowed}.")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed)

    def _variance(self, shape) -> float:
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        if self.mode == "fan_in":
            n = max(1.0, fan_in)
        elif self.mode == "fan_out":
            n = max(1.0, fan_out)
        else:
            n = max(1.0, (fan_in + fan_out) / 2.0)
        return self.scale / n

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> torch.Tensor:
        shape = standardize_shape(shape)
        variance = self._variance(shape)
        if self.distribution == "truncated_normal":
            return truncated_normal(shape, 0.0, math.sqrt(variance) / TRUNCATED_STD, dtype,
                                    self.seed)
        if self.distribution == "untruncated_normal":
            return random_normal(shape, 0.0, math.sqrt(variance), dtype, self.seed)
        limit = math.sqrt(3.0 * variance)
        return random_uniform(shape, -limit, limit, dtype, self.seed)

    def _axes_config(self) -> dict:
        # Keras 3.15 writes input_axes/output_axes (null by default); older Keras 3 and
        # tf.keras reject unknown keys, so they are written only when set.
        cfg = {}
        if self.input_axes is not None:
            cfg["input_axes"] = self.input_axes
        if self.output_axes is not None:
            cfg["output_axes"] = self.output_axes
        return cfg

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                **super().get_config(), **self._axes_config()}


class _FixedVarianceScaling(VarianceScaling):
    """A VarianceScaling preset (Glorot/He/Lecun): config holds only ``seed`` (+ axes)."""

    _preset = (1.0, "fan_avg", "uniform")

    def __init__(self, seed: Any = None, input_axes=None, output_axes=None):
        scale, mode, distribution = self._preset
        super().__init__(scale=scale, mode=mode, distribution=distribution, seed=seed,
                         input_axes=input_axes, output_axes=output_axes)

    def get_config(self) -> dict:
        return {**RandomInitializer.get_config(self), **self._axes_config()}

    @classmethod
    def from_config(cls, config: dict) -> "Initializer":
        config = {k: v for k, v in config.items()
                  if k not in ("scale", "mode", "distribution", "dtype")}
        return cls(**config)


class GlorotUniform(_FixedVarianceScaling):
    """Uniform on ``[-sqrt(6 / (fan_in + fan_out)), +...]`` (alias ``glorot_uniform``)."""
    _preset = (1.0, "fan_avg", "uniform")


class GlorotNormal(_FixedVarianceScaling):
    """Truncated normal, std ``sqrt(2 / (fan_in + fan_out))`` after truncation
    (alias ``glorot_normal``)."""
    _preset = (1.0, "fan_avg", "truncated_normal")


class HeUniform(_FixedVarianceScaling):
    """Uniform on ``[-sqrt(6 / fan_in), +...]`` (alias ``he_uniform``)."""
    _preset = (2.0, "fan_in", "uniform")


class HeNormal(_FixedVarianceScaling):
    """Truncated normal, std ``sqrt(2 / fan_in)`` after truncation (alias ``he_normal``)."""
    _preset = (2.0, "fan_in", "truncated_normal")


class LecunUniform(_FixedVarianceScaling):
    """Uniform on ``[-sqrt(3 / fan_in), +...]`` (alias ``lecun_uniform``)."""
    _preset = (1.0, "fan_in", "uniform")


class LecunNormal(_FixedVarianceScaling):
    """Truncated normal, std ``sqrt(1 / fan_in)`` after truncation (alias ``lecun_normal``)."""
    _preset = (1.0, "fan_in", "truncated_normal")


class Orthogonal(RandomInitializer):
    """Random orthogonal matrix times ``gain`` (``keras.initializers.Orthogonal``; Keras 3 also
    names it ``OrthogonalInitializer``; alias ``orthogonal``).

    As Keras: the shape is flattened to ``(prod(shape[:-1]), shape[-1])``; a normal matrix of
    shape ``(max, min)`` of those is QR-decomposed, Q's columns are multiplied by the signs of
    R's diagonal, Q is transposed when there are fewer rows than columns, reshaped, scaled.
    Rows (or columns, whichever are fewer) come out orthonormal. Needs rank >= 2.
    """

    def __init__(self, gain: float = 1.0, seed: Any = None):
        self.gain = gain
        super().__init__(seed)

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> torch.Tensor:
        shape = standardize_shape(shape)
        if len(shape) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        dtype = float_dtype(dtype)
        num_rows = math.prod(shape[:-1])
        num_cols = shape[-1]
        flat = (max(num_rows, num_cols), min(num_rows, num_cols))
        work = torch.float64 if dtype == torch.float64 else torch.float32
        a = random_normal(flat, 0.0, 1.0, work, self.seed)
        q, r = torch.linalg.qr(a)
        d = torch.diagonal(r)
        q = q * torch.where(d < 0, -1.0, 1.0).to(work)  # sign(d), with sign(0) -> +1
        if num_rows < num_cols:
            q = q.T
        return (self.gain * q.reshape(shape)).to(dtype)

    def get_config(self) -> dict:
        return {"gain": self.gain, **super().get_config()}
