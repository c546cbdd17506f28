"""Accuracy metrics (functions and classes), as in Keras 3.

* ``accuracy``: exact equality, mean over the last axis;
* ``binary_accuracy``: ``y_pred > threshold`` compared with ``y_true``, mean over the last axis;
* ``categorical_accuracy``: ``argmax(y_true) == argmax(y_pred)``;
* ``sparse_categorical_accuracy``: ``y_true == argmax(y_pred)`` (labels ``(N,)`` or ``(N, 1)``);
* ``(sparse_)top_k_categorical_accuracy``: the label is among the ``k`` largest predictions
  (ties at the k-th value count as in the top k, like ``tf.math.in_top_k``).
"""
from __future__ import annotations

import torch

from torchkeras.losses._utils import (check_broadcastable, floatx_dtype,
                                      squeeze_or_expand_to_same_rank, to_float_tensor, to_tensor)
from .reduction import BuiltinMeanMetric as _BuiltinMeanMetric


def accuracy(y_true, y_pred) -> torch.Tensor:
    """How often ``y_pred`` equals ``y_true`` (mean over the last axis)."""
    y_pred = to_float_tensor(y_pred)
    y_true = to_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    check_broadcastable(y_true, y_pred, "accuracy")
    return torch.mean((y_true == y_pred).to(floatx_dtype()), dim=-1)


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> torch.Tensor:
    """How often ``(y_pred > threshold)`` matches binary ``y_true`` (mean over the last axis)."""
    y_pred = to_float_tensor(y_pred)
    y_true = to_tensor(y_true, device=y_pred.device)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    check_broadcastable(y_true, y_pred, "binary_accuracy")
    pred = (y_pred > threshold).to(y_true.dtype)
    return torch.mean((y_true == pred).to(floatx_dtype()), dim=-1)


def _check_argmax_pair(y_true, y_pred, what):
    if tuple(y_true.shape) != tuple(y_pred.shape):
        y_true_s, y_pred_s = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if tuple(y_true_s.shape) != tuple(y_pred_s.shape):
            raise ValueError(
                f"`y_true` and `y_pred` must have the same shape for {what}. "
                f"Received: y_true.shape={tuple(y_true.shape)}, "
                f"y_pred.shape={tuple(y_pred.shape)}")
        return y_true_s, y_pred_s
    return y_true, y_pred


def categorical_accuracy(y_true, y_pred) -> torch.Tensor:
    """How often ``argmax(y_true) == argmax(y_pred)`` (one-hot labels)."""
    y_pred = to_float_tensor(y_pred)
    y_true = to_tensor(y_true, device=y_pred.device)
    y_true, y_pred = _check_argmax_pair(y_true, y_pred, "categorical_accuracy")
    return (torch.argmax(y_true, dim=-1) == torch.argmax(y_pred, dim=-1)).to(floatx_dtype())


def _sparse_labels(y_true: torch.Tensor, y_pred: torch.Tensor, what: str) -> torch.Tensor:
    if y_true.dim() == y_pred.dim() and y_true.dim() > 0 and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    if tuple(y_true.shape) != tuple(y_pred.shape[:-1]):
        raise ValueError(
            f"{what} expects integer labels of shape y_pred.shape[:-1] (or with a trailing 1). "
            f"Received: y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}")
    return y_true


def sparse_categorical_accuracy(y_true, y_pred) -> torch.Tensor:
    """How often integer ``y_true`` equals ``argmax(y_pred)``."""
    y_pred = to_float_tensor(y_pred)
    y_true = to_tensor(y_true, device=y_pred.device)
    y_true = _sparse_labels(y_true, y_pred, "sparse_categorical_accuracy")
    pred = torch.argmax(y_pred, dim=-1)
    if y_true.is_floating_point():
        return (y_true == pred.to(y_true.dtype)).to(floatx_dtype())
    return (y_true.long() == pred).to(floatx_dtype())


def _in_top_k(labels: torch.Tensor, predictions: torch.Tensor, k: int) -> torch.Tensor:
    """``tf.math.in_top_k``: fewer than ``k`` predictions strictly above the label's one."""
    target = torch.gather(predictions, -1, labels.long().unsqueeze(-1))
    higher = (predictions > target).sum(dim=-1)
    return (higher < k) & torch.isfinite(target.squeeze(-1))


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> torch.Tensor:
    """How often the one-hot label is among the top ``k`` predictions."""
    y_pred = to_float_tensor(y_pred)
    y_true = to_tensor(y_true, device=y_pred.device)
    y_true, y_pred = _check_argmax_pair(y_true, y_pred, "top_k_categorical_accuracy")
    labels = torch.argmax(y_true, dim=-1)
    return _in_top_k(labels, y_pred, k).to(floatx_dtype())


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> torch.Tensor:
    """How often the integer label is among the top ``k`` predictions."""
    y_pred = to_float_tensor(y_pred)
    y_true = to_tensor(y_true, device=y_pred.device)
    y_true = _sparse_labels(y_true, y_pred, "sparse_top_k_categorical_accuracy")
    return _in_top_k(y_true, y_pred, k).to(floatx_dtype())


acc = ACC = accuracy


class Accuracy(_BuiltinMeanMetric):
    """How often predictions equal labels."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)
        self._direction = "up"


class BinaryAccuracy(_BuiltinMeanMetric):
    """How often ``y_pred > threshold`` matches binary labels (threshold in (0, 1))."""

    _config_keys = ("threshold",)

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        if threshold is not None and (threshold <= 0 or threshold >= 1):
            raise ValueError("Invalid value for argument `threshold`. Expected a value in "
                             f"interval (0, 1). Received: threshold={threshold}")
        super().__init__(fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold
        self._direction = "up"


class CategoricalAccuracy(_BuiltinMeanMetric):
    """How often ``argmax(y_pred)`` matches one-hot labels."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"


class SparseCategoricalAccuracy(_BuiltinMeanMetric):
    """How often ``argmax(y_pred)`` matches integer labels."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"


class TopKCategoricalAccuracy(_BuiltinMeanMetric):
    """How often the one-hot target is in the top ``k`` (default 5) predictions."""

    _config_keys = ("k",)

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k
        self._direction = "up"


class SparseTopKCategoricalAccuracy(_BuiltinMeanMetric):
    """How often the integer target is in the top ``k`` (default 5) predictions."""

    _config_keys = ("k",)

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        super().__init__(fn=sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k
        self._direction = "up"
