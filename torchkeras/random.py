"""``keras.random`` (Keras 3): random tensors and ``SeedGenerator``.

With a ``seed`` (an int or a ``SeedGenerator``) results are reproducible; without one torch's
global generator is used (so ``keras.utils.set_random_seed`` governs it)."""
from __future__ import annotations

from typing import Optional

import torch

from .backend import config as _config


class SeedGenerator:
    """A stateful seed: each draw advances it, so two draws differ but a run repeats."""

    def __init__(self, seed: Optional[int] = None, name=None, **kwargs):
        self._seed = int(seed) if seed is not None else int(torch.randint(0, 2 ** 31 - 1, ()))
        self._gens = {}
        self.name = name

    def generator(self, device) -> torch.Generator:
        key = str(torch.device(device))
        if key not in self._gens:
            g = torch.Generator(device=device)
            g.manual_seed(self._seed)
            self._gens[key] = g
        return self._gens[key]

    def get_config(self):
        return {"seed": self._seed}


def _gen(seed, device):
    if seed is None:
        return None
    if isinstance(seed, SeedGenerator):
        return seed.generator(device)
    g = torch.Generator(device=device)
    g.manual_seed(int(seed))
    return g


def _device():
    from .backend._common import default_device  # K.*'s device logic (device scopes)
    return default_device()


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dev = _device()
    out = torch.randn(tuple(shape), generator=_gen(seed, dev), device=dev,
                      dtype=_config.standardize_dtype(dtype))
    return out * stddev + mean


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    dev = _device()
    out = torch.rand(tuple(shape), generator=_gen(seed, dev), device=dev,
                     dtype=_config.standardize_dtype(dtype))
    return out * (maxval - minval) + minval


def randint(shape, minval, maxval, dtype="int32", seed=None):
    dev = _device()
    return torch.randint(int(minval), int(maxval), tuple(shape), generator=_gen(seed, dev),
                         device=dev).to(_config.standardize_dtype(dtype))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    out = normal(shape, 0.0, 1.0, dtype, seed)
    bad = out.abs() > 2
    while bool(bad.any()):
        out = torch.where(bad, normal(shape, 0.0, 1.0, dtype, seed), out)
        bad = out.abs() > 2
    return out * stddev + mean


def dropout(inputs, rate, noise_shape=None, seed=None):
    x = torch.as_tensor(inputs)
    shape = x.shape if noise_shape is None else tuple(
        x.shape[i] if d is None else d for i, d in enumerate(noise_shape))
    keep = torch.rand(shape, generator=_gen(seed, x.device), device=x.device) >= rate
    return x * keep.to(x.dtype) / (1.0 - rate)


def shuffle(x, axis=0, seed=None):
    x = torch.as_tensor(x)
    perm = torch.randperm(x.shape[axis], generator=_gen(seed, "cpu")).to(x.device)
    return x.index_select(axis, perm)


def categorical(logits, num_samples, dtype="int32", seed=None):
    probs = torch.softmax(torch.as_tensor(logits), -1)
    out = torch.multinomial(probs, num_samples, replacement=True,
                            generator=_gen(seed, probs.device))
    return out.to(_config.standardize_dtype(dtype))
