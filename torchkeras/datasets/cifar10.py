"""CIFAR-10: ``load_data()`` from Keras's cache (``datasets/cifar-10-batches-py``)."""
from __future__ import annotations

import os

import numpy as np

from .cifar import find_batches, load_batch

__all__ = ["load_data"]

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"


def load_data():
    """Returns ``(x_train, y_train), (x_test, y_test)``: uint8 images (N, 32, 32, 3) for
    channels_last (``(N, 3, 32, 32)`` for channels_first) and uint8 labels (N, 1)."""
    from torchkeras.backend.config import image_data_format
    path = find_batches("cifar-10-batches-py", ORIGIN, FILE_HASH, "data_batch_1",
                        ["cifar-10-python.tar.gz", "cifar-10-batches-py_archive"])
    batches = [load_batch(os.path.join(path, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([b[0] for b in batches]).astype("uint8")
    y_train = np.concatenate([np.asarray(b[1]) for b in batches]).astype("uint8")
    x_test, y_test = load_batch(os.path.join(path, "test_batch"))
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(np.asarray(y_test), (len(y_test), 1)).astype(y_train.dtype)
    if image_data_format() == "channels_last":
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test.astype(x_train.dtype), y_test)
