"""Probabilistic metrics: streaming means of the crossentropy, KL-divergence and Poisson losses."""
from __future__ import annotations

from torchkeras.losses.probabilistic import (binary_crossentropy, categorical_crossentropy,
                                             kl_divergence, poisson,
                                             sparse_categorical_crossentropy)
from .reduction import BuiltinMeanMetric


class KLDivergence(BuiltinMeanMetric):
    """Streaming Kullback-Leibler divergence."""

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(fn=kl_divergence, name=name, dtype=dtype)
        self._direction = "down"


class Poisson(BuiltinMeanMetric):
    """Streaming Poisson loss."""

    def __init__(self, name="poisson", dtype=None):
        super().__init__(fn=poisson, name=name, dtype=dtype)
        self._direction = "down"


class BinaryCrossentropy(BuiltinMeanMetric):
    """Streaming binary crossentropy."""

    _config_keys = ("from_logits", "label_smoothing")

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0):
        super().__init__(fn=binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self._direction = "down"


class CategoricalCrossentropy(BuiltinMeanMetric):
    """Streaming categorical crossentropy (one-hot labels)."""

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0, axis=-1):
        super().__init__(fn=categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self._direction = "down"


class SparseCategoricalCrossentropy(BuiltinMeanMetric):
    """Streaming sparse categorical crossentropy (integer labels)."""

    _config_keys = ("from_logits", "axis")

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 axis=-1):
        super().__init__(fn=sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, axis=axis)
        self.from_logits = from_logits
        self.axis = axis
        self._direction = "down"
