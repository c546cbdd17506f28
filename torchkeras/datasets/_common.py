"""Shared helpers of the dataset loaders: cache download, safe ``.npz``/pickle reading.

Keras's ``imdb.npz``/``reuters.npz`` hold ragged sequences as numpy object arrays (pickled);
they are read with an unpickler that only allows numpy's array-reconstruction globals, so a
tampered cache file cannot run code. CIFAR's pickled batches are read the same way.
"""
from __future__ import annotations

import io
import pickle
import zipfile
from typing import Dict, List, Sequence

import numpy as np

from torchkeras.utils.file_utils import get_file  # noqa: F401  (re-exported for the loaders)

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

_ALLOWED_GLOBALS = frozenset({
    ("numpy", "ndarray"), ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("_codecs", "encode"),  # bytes in protocol-2 pickles written by Python 3 (a pure function)
})


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickler that only rebuilds numpy arrays (and plain Python containers)."""

    def find_class(self, module, name):
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"Refusing to deserialize `{module}.{name}` while loading a "
                                     "Keras dataset. The file may be corrupted or malicious.")


def _read_npy(fp) -> np.ndarray:
    try:
        return np.lib.format.read_array(fp, allow_pickle=False)
    except ValueError:
        fp.seek(0)
        version = np.lib.format.read_magic(fp)
        if version[0] == 1:
            np.lib.format.read_array_header_1_0(fp)
        elif version[0] in (2, 3):
            np.lib.format.read_array_header_2_0(fp)
        else:
            raise ValueError(f"Unsupported `.npy` file version: {version}.")
        return RestrictedUnpickler(fp).load()


def load_npz(path: str) -> Dict[str, np.ndarray]:
    """``np.load(path, allow_pickle=True)`` without arbitrary code execution."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith(".npy"):
                with archive.open(member) as raw:
                    arrays[member[:-4]] = _read_npy(io.BytesIO(raw.read()))
    return arrays


def load_pickle(path: str, encoding: str = "bytes"):
    with open(path, "rb") as f:
        return RestrictedUnpickler(f, encoding=encoding).load()


def object_array(seqs: Sequence) -> np.ndarray:
    """A 1-D object array of lists (even when all lists have the same length)."""
    out = np.empty(len(seqs), dtype=object)
    for i, s in enumerate(seqs):
        out[i] = s
    return out


def remove_long_seq(maxlen: int, seq, label):
    """Keep the pairs whose sequence is shorter than ``maxlen`` (Keras's rule: ``len < maxlen``)."""
    new_seq, new_label = [], []
    for x, y in zip(seq, label):
        if len(x) < maxlen:
            new_seq.append(x)
            new_label.append(y)
    return new_seq, new_label


def legacy_num_words(num_words, kwargs: dict):
    """Keras 1's ``nb_words`` -> ``num_words`` (with a warning); other kwargs are errors."""
    import warnings
    if "nb_words" in kwargs:
        warnings.warn("The `nb_words` argument in `load_data` has been renamed `num_words`.",
                      DeprecationWarning, stacklevel=3)
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {kwargs}.")
    return num_words


def encode_sequences(xs: List, start_char, index_from):
    """Keras's shared imdb/reuters index shifting and vocabulary cut."""
    if start_char is not None:
        xs = [[start_char] + [w + index_from for w in x] for x in xs]
    elif index_from:
        xs = [[w + index_from for w in x] for x in xs]
    else:
        xs = [list(x) for x in xs]
    return xs


def cut_vocabulary(xs: List, num_words, skip_top: int, oov_char):
    """Words outside ``[skip_top, num_words)`` become ``oov_char`` (or are dropped if None);
    ``num_words`` defaults to the largest index (which is then itself cut, as in Keras)."""
    if not num_words:
        num_words = max(max(x) for x in xs if len(x)) if xs else 0
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def cache_datadir(cache_subdir: str = "datasets") -> str:
    from torchkeras.utils.file_utils import _cache_dir
    return _cache_dir(None, cache_subdir)
