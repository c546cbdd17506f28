"""Boston housing prices: ``load_data(path='boston_housing.npz', test_split=0.2, seed=113)``.

Reads ``x`` (506, 13) and ``y`` (506,) from the Keras cache file, shuffles with
``np.random.RandomState(seed)`` and keeps the first ``1 - test_split`` for training.
"""
from __future__ import annotations

import numpy as np

from ._common import ORIGIN_FOLDER, get_file

__all__ = ["load_data"]


def load_data(path: str = "boston_housing.npz", test_split: float = 0.2, seed: int = 113):
    """Returns ``(x_train, y_train), (x_test, y_test)``."""
    if not 0 <= test_split < 1:
        raise ValueError(f"`test_split` must be in [0, 1). Received: test_split={test_split}")
    path = get_file(path, origin=ORIGIN_FOLDER + "boston_housing.npz",
                    file_hash="f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5")
    with np.load(path, allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x))
    rng.shuffle(indices)
    x, y = x[indices], y[indices]
    n = int(len(x) * (1 - test_split))
    return (np.array(x[:n]), np.array(y[:n])), (np.array(x[n:]), np.array(y[n:]))
