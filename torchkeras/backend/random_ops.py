"""Keras 2 backend: random tensors.

``seed=None`` draws from torch's global generator (seeded by ``keras.utils.set_random_seed``);
an integer ``seed`` gives a reproducible draw from its own generator. ``random_binomial`` is
``uniform <= p`` as in tf-keras; ``truncated_normal`` is restricted to two standard deviations.
Tensors are created on the device chosen by :func:`torchkeras.backend._common.default_device`.
"""
from __future__ import annotations

import math
from typing import Optional

import torch

from ._common import as_shape, default_device, floatx_dtype, legacy_kwargs, to_torch_dtype
from .variables import Variable, _auto_name

__all__ = [
    "random_normal", "random_uniform", "random_binomial", "random_bernoulli", "truncated_normal",
    "random_normal_variable", "random_uniform_variable",
]


def _generator(seed: Optional[int], device: torch.device) -> Optional[torch.Generator]:
    if seed is None:
        return None
    g = torch.Generator(device=device)
    g.manual_seed(int(seed))
    return g


def _dtype(dtype) -> torch.dtype:
    return to_torch_dtype(dtype) if dtype is not None else floatx_dtype()


def _affine(t: torch.Tensor, scale, shift) -> torch.Tensor:
    if not (isinstance(scale, (int, float)) and scale == 1):
        t = t * (scale.to(t.device) if torch.is_tensor(scale) else scale)
    if not (isinstance(shift, (int, float)) and shift == 0):
        t = t + (shift.to(t.device) if torch.is_tensor(shift) else shift)
    return t


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed: Optional[int] = None,
                  **kwargs) -> torch.Tensor:
    """Normal samples with the given ``mean`` and ``stddev`` (Keras 1: ``std``)."""
    if kwargs:
        stddev = legacy_kwargs("random_normal", kwargs).get("stddev", stddev)
    dev = default_device()
    t = torch.randn(as_shape(shape), generator=_generator(seed, dev), device=dev,
                    dtype=_dtype(dtype))
    return _affine(t, stddev, mean)


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed: Optional[int] = None,
                   **kwargs) -> torch.Tensor:
    """Uniform samples in ``[minval, maxval)`` (Keras 1: ``low``/``high``)."""
    if kwargs:
        new = legacy_kwargs("random_uniform", kwargs)
        minval, maxval = new.get("minval", minval), new.get("maxval", maxval)
    dev = default_device()
    dt = _dtype(dtype)
    if not dt.is_floating_point:
        g = _generator(seed, dev)
        return torch.randint(int(minval), int(maxval), as_shape(shape), generator=g, device=dev,
                             dtype=dt)
    t = torch.rand(as_shape(shape), generator=_generator(seed, dev), device=dev, dtype=dt)
    return _affine(t, maxval - minval, minval)


def random_binomial(shape, p=0.0, dtype=None, seed: Optional[int] = None) -> torch.Tensor:
    """Bernoulli samples: 1 where ``uniform <= p`` else 0 (tf-keras ``K.random_binomial``)."""
    dt = _dtype(dtype)
    u = random_uniform(shape, dtype=dt if dt.is_floating_point else None, seed=seed)
    return (u <= p).to(dt)


random_bernoulli = random_binomial


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed: Optional[int] = None,
                     **kwargs) -> torch.Tensor:
    """Normal samples restricted to within two standard deviations of the mean."""
    if kwargs:
        stddev = legacy_kwargs("truncated_normal", kwargs).get("stddev", stddev)
    dev = default_device()
    dt = _dtype(dtype)
    # inverse-CDF sampling of the standard normal restricted to [-2, 2] (no redraw loop)
    lo = 0.5 * (1.0 + math.erf(-2.0 / math.sqrt(2.0)))
    u = torch.rand(as_shape(shape), generator=_generator(seed, dev), device=dev,
                   dtype=torch.float64 if dt == torch.float64 else torch.float32)
    u = lo + (1.0 - 2.0 * lo) * u
    t = (math.sqrt(2.0) * torch.special.erfinv(2.0 * u - 1.0)).clamp_(-2.0, 2.0).to(dt)
    return _affine(t, stddev, mean)


def random_normal_variable(shape, mean, scale, dtype=None, name: Optional[str] = None,
                           seed: Optional[int] = None) -> Variable:
    return Variable(random_normal(shape, mean, scale, dtype, seed), True,
                    name or _auto_name("random_normal"))


def random_uniform_variable(shape, low, high, dtype=None, name: Optional[str] = None,
                            seed: Optional[int] = None) -> Variable:
    return Variable(random_uniform(shape, low, high, dtype, seed), True,
                    name or _auto_name("random_uniform"))
