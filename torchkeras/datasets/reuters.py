"""Reuters newswire topics: ``load_data(...)``, ``get_word_index()``, ``get_label_names()``.

Reads ``reuters.npz`` (``x``, ``y``) from the Keras cache; shuffles with
``np.random.RandomState(seed)``, applies the same index shifting / ``maxlen`` filter /
vocabulary cut as IMDB, then splits off the last ``test_split`` fraction as test data.
"""
from __future__ import annotations

import json

import numpy as np

from ._common import (ORIGIN_FOLDER, cut_vocabulary, encode_sequences, get_file,
                      legacy_num_words, load_npz, object_array, remove_long_seq)

__all__ = ["load_data", "get_word_index", "get_label_names"]


def load_data(path: str = "reuters.npz", num_words=None, skip_top: int = 0, maxlen=None,
              test_split: float = 0.2, seed: int = 113, start_char=1, oov_char=2,
              index_from: int = 3, **kwargs):
    """Returns ``(x_train, y_train), (x_test, y_test)``; ``x_*`` are object arrays of lists."""
    num_words = legacy_num_words(num_words, kwargs)
    path = get_file(fname=path, origin=ORIGIN_FOLDER + "reuters.npz",
                    file_hash="d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916")
    f = load_npz(path)
    xs, labels = f["x"], f["y"]
    rng = np.random.RandomState(seed)
    indices = np.arange(len(xs))
    rng.shuffle(indices)
    xs, labels = xs[indices], labels[indices]
    xs = encode_sequences(xs, start_char, index_from)
    if maxlen:
        xs, labels = remove_long_seq(maxlen, xs, labels)
    xs = cut_vocabulary(xs, num_words, skip_top, oov_char)
    labels = np.asarray(labels)
    idx = int(len(xs) * (1 - test_split))
    return ((object_array(xs[:idx]), np.array(labels[:idx])),
            (object_array(xs[idx:]), np.array(labels[idx:])))


def get_word_index(path: str = "reuters_word_index.json") -> dict:
    """The ``{word: index}`` dictionary (indices before the ``index_from`` shift)."""
    path = get_file(path, origin=ORIGIN_FOLDER + "reuters_word_index.json",
                    file_hash="4d44cc38712099c9e383dc6e5f11a921")
    with open(path) as f:
        return json.load(f)


def get_label_names():
    """The 46 topic names, indexed like the labels."""
    return ("cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing",
            "money-supply", "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass",
            "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum",
            "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail", "ipi",
            "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
            "dlr", "gas", "silver", "wpi", "hog", "lead")
