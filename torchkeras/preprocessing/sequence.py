"""``keras.preprocessing.sequence``: ``pad_sequences``, ``TimeseriesGenerator``, ``skipgrams``,
``make_sampling_table`` (Keras 2 / keras-preprocessing semantics, numpy outputs).

``skipgrams`` draws from Python's ``random`` module in Keras's order, so with the same
``random.seed`` it returns the same couples as Keras.
"""
from __future__ import annotations

import json
import random
from typing import List, Optional, Sequence, Tuple

import numpy as np

from torchkeras.utils.data import PyDataset
from torchkeras.utils.sequence_utils import pad_sequences

__all__ = ["pad_sequences", "TimeseriesGenerator", "skipgrams", "make_sampling_table",
           "timeseries_dataset_from_array"]


def timeseries_dataset_from_array(*args, **kwargs):
    """See :func:`torchkeras.utils.data.timeseries_dataset_from_array`."""
    from torchkeras.utils.data import timeseries_dataset_from_array as fn
    return fn(*args, **kwargs)


class TimeseriesGenerator(PyDataset):
    """Batches of windows over a time series: ``(samples, targets)`` per batch.

    Window for row ``j`` is ``data[j - length : j : sampling_rate]`` and its target
    ``targets[j]``, for ``j`` from ``start_index + length`` to ``end_index`` (inclusive) in
    steps of ``stride``; ``shuffle`` draws rows with ``np.random.randint`` per batch;
    ``reverse`` reverses each window.
    """

    def __init__(self, data, targets, length: int, sampling_rate: int = 1, stride: int = 1,
                 start_index: int = 0, end_index: Optional[int] = None, shuffle: bool = False,
                 reverse: bool = False, batch_size: int = 128, **kwargs):
        super().__init__(**kwargs)
        if len(data) != len(targets):
            raise ValueError(f"Data and targets have to be of same length. Data length is "
                             f"{len(data)} while target length is {len(targets)}")
        self.data = data
        self.targets = targets
        self.length = length
        self.sampling_rate = sampling_rate
        self.stride = stride
        self.start_index = start_index + length
        if end_index is None:
            end_index = len(data) - 1
        self.end_index = end_index
        self.shuffle = shuffle
        self.reverse = reverse
        self.batch_size = batch_size
        if self.start_index > self.end_index:
            raise ValueError(f"`start_index+length={self.start_index} > "
                             f"end_index={self.end_index}` is disallowed, as no part of the "
                             "sequence would be left to be used as current step.")

    def __len__(self) -> int:
        return (self.end_index - self.start_index + self.batch_size * self.stride) // (
            self.batch_size * self.stride)

    def __getitem__(self, index: int):
        if self.shuffle:
            rows = np.random.randint(self.start_index, self.end_index + 1, size=self.batch_size)
        else:
            i = self.start_index + self.batch_size * self.stride * index
            rows = np.arange(i, min(i + self.batch_size * self.stride, self.end_index + 1),
                             self.stride)
        samples = np.array([self.data[row - self.length:row:self.sampling_rate] for row in rows])
        targets = np.array([self.targets[row] for row in rows])
        if self.reverse:
            return samples[:, ::-1, ...], targets
        return samples, targets

    def get_config(self) -> dict:
        def _json(v, what):
            if type(v).__module__ == np.__name__:
                v = v.tolist()
            try:
                return json.dumps(v)
            except TypeError as e:
                raise TypeError(f"{what} not JSON Serializable: {v}") from e

        return {"data": _json(self.data, "Data"), "targets": _json(self.targets, "Targets"),
                "length": self.length, "sampling_rate": self.sampling_rate,
                "stride": self.stride, "start_index": self.start_index,
                "end_index": self.end_index, "shuffle": self.shuffle, "reverse": self.reverse,
                "batch_size": self.batch_size}

    def to_json(self, **kwargs) -> str:
        return json.dumps({"class_name": type(self).__name__, "config": self.get_config()},
                          **kwargs)


def make_sampling_table(size: int, sampling_factor: float = 1e-5) -> np.ndarray:
    """word2vec-style sampling probabilities by word rank, assuming Zipf frequencies."""
    gamma = 0.577
    rank = np.arange(size)
    rank[0] = 1
    inv_fq = rank * (np.log(rank) + gamma) + 0.5 - 1.0 / (12.0 * rank)
    f = sampling_factor * inv_fq
    return np.minimum(1.0, f / np.sqrt(f))


def skipgrams(sequence: Sequence[int], vocabulary_size: int, window_size: int = 4,
              negative_samples: float = 1.0, shuffle: bool = True, categorical: bool = False,
              sampling_table=None, seed: Optional[int] = None) -> Tuple[List, List]:
    """Skip-gram couples ``[word, context]`` with labels 1, plus random negatives with label 0.

    Index 0 is a non-word and is skipped; with ``sampling_table`` a word ``w`` is kept with
    probability ``sampling_table[w]``.
    """
    couples: List = []
    labels: List = []
    for i, wi in enumerate(sequence):
        if not wi:
            continue
        if sampling_table is not None and sampling_table[wi] < random.random():
            continue
        start, end = max(0, i - window_size), min(len(sequence), i + window_size + 1)
        for j in range(start, end):
            if j != i:
                wj = sequence[j]
                if not wj:
                    continue
                couples.append([wi, wj])
                labels.append([0, 1] if categorical else 1)
    if negative_samples > 0:
        num_negative = int(len(labels) * negative_samples)
        words = [c[0] for c in couples]
        random.shuffle(words)
        couples += [[words[i % len(words)], random.randint(1, vocabulary_size - 1)]
                    for i in range(num_negative)]
        labels += ([[1, 0]] if categorical else [0]) * num_negative
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(10e6))
        random.seed(seed)
        random.shuffle(couples)
        random.seed(seed)
        random.shuffle(labels)
    return couples, labels


def _remove_long_seq(maxlen: int, seq, label):
    """Keep the (sequence, label) pairs with ``len(sequence) < maxlen`` (Keras datasets)."""
    new_seq, new_label = [], []
    for x, y in zip(seq, label):
        if len(x) < maxlen:
            new_seq.append(x)
            new_label.append(y)
    return new_seq, new_label
