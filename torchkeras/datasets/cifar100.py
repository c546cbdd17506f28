"""CIFAR-100: ``load_data(label_mode='fine'|'coarse')`` from ``datasets/cifar-100-python``."""
from __future__ import annotations

import os

import numpy as np

from .cifar import find_batches, load_batch

__all__ = ["load_data"]

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
FILE_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"


def load_data(label_mode: str = "fine"):
    """Returns ``(x_train, y_train), (x_test, y_test)`` with labels of shape (N, 1)."""
    from torchkeras.backend.config import image_data_format
    if label_mode not in ("fine", "coarse"):
        raise ValueError('`label_mode` must be one of `"fine"`, `"coarse"`. '
                         f"Received: label_mode={label_mode}.")
    path = find_batches("cifar-100-python", ORIGIN, FILE_HASH, "train",
                        ["cifar-100-python.tar.gz", "cifar-100-python_archive"])
    x_train, y_train = load_batch(os.path.join(path, "train"), label_key=label_mode + "_labels")
    x_test, y_test = load_batch(os.path.join(path, "test"), label_key=label_mode + "_labels")
    y_train = np.reshape(np.asarray(y_train), (len(y_train), 1))
    y_test = np.reshape(np.asarray(y_test), (len(y_test), 1))
    if image_data_format() == "channels_last":
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)
