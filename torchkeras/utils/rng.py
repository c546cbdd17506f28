"""``keras.utils.set_random_seed``: seed Python, numpy and torch (CPU and every CUDA device)."""
from __future__ import annotations

import random

import numpy as np
import torch

__all__ = ["set_random_seed"]


def set_random_seed(seed: int) -> None:
    """Seed ``random``, ``numpy.random`` and torch's generators (CPU and all CUDA devices).

    K.* random functions without an explicit ``seed`` then draw reproducibly, as in Keras.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError("Expected `seed` argument to be an integer. "
                         f"Received: seed={seed} (of type {type(seed)})")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % (2 ** 32))
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
