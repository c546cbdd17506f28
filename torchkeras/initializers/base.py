"""`keras.initializers.Initializer` base class, Keras fan computation and RNG plumbing.

Initializers produce values in the **Keras weight layout** (Dense kernel ``(in, out)``, Conv2D
kernel ``(kh, kw, in, out)``...); fans are computed from that layout exactly as Keras does.
"""
from __future__ import annotations

import math
from typing import Any, Optional, Sequence, Tuple, Union

import torch

from torchkeras.backend import config as _config

ShapeLike = Union[int, Sequence[int], torch.Size]


class Initializer:
    """Base class of all initializers (``keras.initializers.Initializer``).

    Subclasses implement ``__call__(shape, dtype=None)`` returning a torch tensor, and
    ``get_config()``; ``from_config`` rebuilds an instance (a ``dtype`` key left by TF 1.x
    configs is ignored, as tf.keras does).
    """

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> torch.Tensor:
        raise NotImplementedError(
            f"Initializer {self.__class__.__name__} does not implement `__call__(shape, dtype)`.")

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Initializer":
        config = dict(config)
        config.pop("dtype", None)
        return cls(**config)

    def clone(self) -> "Initializer":
        return self.__class__.from_config(self.get_config())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{self.__class__.__name__}({args})"


def standardize_shape(shape: ShapeLike) -> Tuple[int, ...]:
    """An int, list, tuple or ``torch.Size`` -> tuple of ints (Keras accepts all of them)."""
    if isinstance(shape, int):
        return (int(shape),)
    try:
        dims = tuple(int(d) for d in shape)
    except TypeError as e:
        raise ValueError(f"Invalid shape: expected a tuple of ints, received {shape!r}.") from e
    if any(d < 0 for d in dims):
        raise ValueError(f"Invalid shape: dimensions must be non-negative, received {shape!r}.")
    return dims


def compute_fans(shape: ShapeLike, input_axes=None, output_axes=None) -> Tuple[int, int]:
    """(fan_in, fan_out) of a weight of Keras-layout ``shape``, as Keras computes them.

    Rank 0: (1, 1); rank 1: (n, n); rank 2: (rows, cols); rank >= 3: receptive field =
    product of all but the last two dims, fan_in = shape[-2] * rf, fan_out = shape[-1] * rf.
    ``input_axes`` / ``output_axes`` (Keras 3.15's optional arguments) name the axes that form
    the input / output units instead; the remaining axes then form the receptive field
    (*unverified against Keras*: their exact semantics are inferred).
    """
    shape = standardize_shape(shape)
    if input_axes is not None or output_axes is not None:
        rank = len(shape)

        def _axes(a, default):
            if a is None:
                return [default % rank]
            a = [a] if isinstance(a, int) else list(a)
            return [int(i) % rank for i in a]

        in_axes = _axes(input_axes, -2)
        out_axes = _axes(output_axes, -1)
        rf = math.prod(d for i, d in enumerate(shape) if i not in in_axes and i not in out_axes)
        return (int(math.prod(shape[i] for i in in_axes) * rf),
                int(math.prod(shape[i] for i in out_axes) * rf))
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    rf = math.prod(shape[:-2])
    return shape[-2] * rf, shape[-1] * rf


def float_dtype(dtype: Any) -> torch.dtype:
    """Keras dtype spelling (None -> floatx) -> torch dtype."""
    return _config.standardize_dtype(dtype)


def validate_seed(seed: Any) -> Any:
    """Keras accepts an int, None, or a seed generator; we also accept a ``torch.Generator``."""
    if seed is None or isinstance(seed, torch.Generator):
        return seed
    if isinstance(seed, bool) or not (isinstance(seed, int) or hasattr(seed, "next")
                                      or hasattr(seed, "generator")):
        try:
            import numpy as np
            if isinstance(seed, np.integer):
                return int(seed)
        except ImportError:  # pragma: no cover
            pass
        raise ValueError("`seed` argument should be an integer, None, a seed generator or a "
                         f"torch.Generator. Received: seed={seed!r}")
    return seed


def make_generator(seed: Any) -> Optional[torch.Generator]:
    """The CPU generator to draw from; None means torch's global RNG.

    * ``None``: torch's global RNG (``torch.manual_seed`` / ``keras.utils.set_random_seed``
      control it): each call draws new values, like tf.keras 2.
    * an int: a fresh generator seeded with it on every call, so a seeded initializer gives
      the **same values on every call** (Keras 3's documented behaviour).
    * a ``torch.Generator``: used as is (advances, so calls differ).
    * an object with ``generator`` (a torch.Generator) or ``next()`` (returning an int-like
      seed), e.g. a ``keras.random.SeedGenerator``: drawn from it, so calls differ.
    """
    if seed is None:
        return None
    if isinstance(seed, torch.Generator):
        return seed
    if isinstance(seed, int):
        return torch.Generator().manual_seed(int(seed) & 0xFFFF_FFFF_FFFF_FFFF)
    gen = getattr(seed, "generator", None)
    if isinstance(gen, torch.Generator):
        return gen
    state = seed.next()
    if isinstance(state, torch.Tensor):
        state = int(state.reshape(-1)[0].item())  # host read: initialisation, not per step
    return torch.Generator().manual_seed(int(state) & 0xFFFF_FFFF_FFFF_FFFF)


def _sample_dtype(dtype: torch.dtype) -> torch.dtype:
    """Draw half precision in float32 and cast (torch's CPU RNG lacks some half kernels)."""
    return dtype if dtype in (torch.float32, torch.float64) else torch.float32


def random_normal(shape, mean: float, stddev: float, dtype, seed) -> torch.Tensor:
    dtype = float_dtype(dtype)
    out = torch.empty(standardize_shape(shape), dtype=_sample_dtype(dtype))
    out.normal_(mean=0.0, std=1.0, generator=make_generator(seed))
    return (out * stddev + mean).to(dtype)


def random_uniform(shape, minval: float, maxval: float, dtype, seed) -> torch.Tensor:
    dtype = float_dtype(dtype)
    out = torch.empty(standardize_shape(shape), dtype=_sample_dtype(dtype))
    out.uniform_(0.0, 1.0, generator=make_generator(seed))
    return (out * (maxval - minval) + minval).to(dtype)


_SQRT2 = math.sqrt(2.0)


def truncated_normal(shape, mean: float, stddev: float, dtype, seed) -> torch.Tensor:
    """Normal(mean, stddev) restricted to ``[mean - 2 stddev, mean + 2 stddev]``, like
    ``tf.random.truncated_normal`` (values beyond two standard deviations are redrawn).

    Drawn by inverse CDF in float64 (exactly the truncated distribution, no host loop).
    """
    dtype = float_dtype(dtype)
    u = torch.empty(standardize_shape(shape), dtype=torch.float64)
    u.uniform_(0.0, 1.0, generator=make_generator(seed))
    lo = 0.5 * (1.0 + math.erf(-2.0 / _SQRT2))  # Phi(-2)
    hi = 0.5 * (1.0 + math.erf(2.0 / _SQRT2))  # Phi(2)
    p = lo + u * (hi - lo)
    z = _SQRT2 * torch.erfinv(2.0 * p - 1.0)
    z = torch.clamp(z, -2.0, 2.0)
    return (z * stddev + mean).to(dtype)
