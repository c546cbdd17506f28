"""Fashion-MNIST: ``load_data()`` from the four gzipped IDX files in
``~/.keras/datasets/fashion-mnist/`` (Keras's cache layout)."""
from __future__ import annotations

import gzip
import os

import numpy as np

from ._common import ORIGIN_FOLDER, get_file

__all__ = ["load_data"]

FILES = {
    "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
}


def load_data():
    """Returns ``(x_train, y_train), (x_test, y_test)``: uint8 (N, 28, 28) images, (N,) labels."""
    dirname = os.path.join("datasets", "fashion-mnist")
    paths = [get_file(fname, origin=ORIGIN_FOLDER + fname, cache_subdir=dirname, file_hash=h)
             for fname, h in FILES.items()]
    with gzip.open(paths[0], "rb") as f:
        y_train = np.frombuffer(f.read(), np.uint8, offset=8)
    with gzip.open(paths[1], "rb") as f:
        x_train = np.frombuffer(f.read(), np.uint8, offset=16).reshape(len(y_train), 28, 28)
    with gzip.open(paths[2], "rb") as f:
        y_test = np.frombuffer(f.read(), np.uint8, offset=8)
    with gzip.open(paths[3], "rb") as f:
        x_test = np.frombuffer(f.read(), np.uint8, offset=16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
