"""IMDB movie-review sentiment: ``load_data(...)`` and ``get_word_index()`` (Keras semantics).

Reads ``imdb.npz`` (``x_train``/``y_train``/``x_test``/``y_test``, sequences as object arrays)
and ``imdb_word_index.json`` from the Keras cache. Both splits are shuffled with
``np.random.RandomState(seed)``; words are shifted by ``index_from`` and prefixed with
``start_char``; sequences of length ``>= maxlen`` are dropped (Keras's filter, not a
truncation); indices outside ``[skip_top, num_words)`` become ``oov_char``.
"""
from __future__ import annotations

import json

import numpy as np

from ._common import (ORIGIN_FOLDER, cut_vocabulary, encode_sequences, get_file,
                      legacy_num_words, load_npz, object_array, remove_long_seq)

__all__ = ["load_data", "get_word_index"]


def load_data(path: str = "imdb.npz", num_words=None, skip_top: int = 0, maxlen=None,
              seed: int = 113, start_char=1, oov_char=2, index_from: int = 3, **kwargs):
    """Returns ``(x_train, y_train), (x_test, y_test)``; ``x_*`` are object arrays of lists."""
    num_words = legacy_num_words(num_words, kwargs)
    path = get_file(fname=path, origin=ORIGIN_FOLDER + "imdb.npz",
                    file_hash="69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f")
    f = load_npz(path)
    x_train, labels_train = f["x_train"], f["y_train"]
    x_test, labels_test = f["x_test"], f["y_test"]

    rng = np.random.RandomState(seed)
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train, labels_train = x_train[indices], labels_train[indices]
    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test, labels_test = x_test[indices], labels_test[indices]

    x_train = encode_sequences(x_train, start_char, index_from)
    x_test = encode_sequences(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = remove_long_seq(maxlen, x_train, labels_train)
        x_test, labels_test = remove_long_seq(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError("After filtering for sequences shorter than maxlen="
                             f"{maxlen}, no sequence was kept. Increase maxlen.")
    xs = cut_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([np.asarray(labels_train), np.asarray(labels_test)])
    idx = len(x_train)
    return (object_array(xs[:idx]), labels[:idx]), (object_array(xs[idx:]), labels[idx:])


def get_word_index(path: str = "imdb_word_index.json") -> dict:
    """The ``{word: index}`` dictionary (indices before the ``index_from`` shift)."""
    path = get_file(fname=path, origin=ORIGIN_FOLDER + "imdb_word_index.json",
                    file_hash="bfafd718b763782e994055a2d397834f")
    with open(path) as f:
        return json.load(f)
