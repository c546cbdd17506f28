"""MNIST handwritten digits: ``load_data(path='mnist.npz')`` from Keras's cache file.

``mnist.npz`` holds ``x_train`` (60000, 28, 28) uint8, ``y_train`` (60000,), ``x_test``
(10000, 28, 28), ``y_test`` (10000,), as Keras stores it.
"""
from __future__ import annotations

import numpy as np

from ._common import ORIGIN_FOLDER, get_file

__all__ = ["load_data"]


def load_data(path: str = "mnist.npz"):
    """Returns ``(x_train, y_train), (x_test, y_test)`` (uint8 numpy arrays)."""
    path = get_file(fname=path, origin=ORIGIN_FOLDER + "mnist.npz",
                    file_hash="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1")
    with np.load(path, allow_pickle=False) as f:
        x_train, y_train = f["x_train"], f["y_train"]
        x_test, y_test = f["x_test"], f["y_test"]
    return (x_train, y_train), (x_test, y_test)
