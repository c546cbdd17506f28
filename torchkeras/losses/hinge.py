"""Hinge losses: hinge, squared hinge, categorical hinge.

As in Keras, labels that are all 0/1 are mapped to -1/1 before ``max(1 - y_true * y_pred, 0)``
(decided on device with ``torch.where``: no host sync).
"""
from __future__ import annotations

import torch

from ._utils import as_pair, check_broadcastable, squeeze_or_expand_to_same_rank
from .base import _BuiltinLoss
from ..engine.symbolic_ops import symbolic_aware


def convert_binary_labels_to_hinge(y_true: torch.Tensor) -> torch.Tensor:
    """0/1 labels -> -1/1; any other labels are returned unchanged."""
    is_binary = torch.all((y_true == 0) | (y_true == 1))
    return torch.where(is_binary, 2.0 * y_true - 1.0, y_true)


def _prepare(y_true, y_pred, what):
    y_true, y_pred = as_pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    check_broadcastable(y_true, y_pred, what)
    return y_true, y_pred


@symbolic_aware
def hinge(y_true, y_pred) -> torch.Tensor:
    """``mean(max(1 - y_true * y_pred, 0), axis=-1)``."""
    y_true, y_pred = _prepare(y_true, y_pred, "hinge")
    y_true = convert_binary_labels_to_hinge(y_true)
    return torch.mean(torch.clamp(1.0 - y_true * y_pred, min=0.0), dim=-1)


@symbolic_aware
def squared_hinge(y_true, y_pred) -> torch.Tensor:
    """``mean(square(max(1 - y_true * y_pred, 0)), axis=-1)``."""
    y_true, y_pred = _prepare(y_true, y_pred, "squared_hinge")
    y_true = convert_binary_labels_to_hinge(y_true)
    return torch.mean(torch.square(torch.clamp(1.0 - y_true * y_pred, min=0.0)), dim=-1)


@symbolic_aware
def categorical_hinge(y_true, y_pred) -> torch.Tensor:
    """``max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`` on one-hot labels."""
    y_true, y_pred = _prepare(y_true, y_pred, "categorical_hinge")
    pos = torch.sum(y_true * y_pred, dim=-1)
    neg = torch.amax((1.0 - y_true) * y_pred, dim=-1)
    return torch.clamp(neg - pos + 1.0, min=0.0)


class Hinge(_BuiltinLoss):
    """Hinge loss (labels -1/1, or 0/1 converted)."""

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, name=name, reduction=reduction, dtype=dtype)


class SquaredHinge(_BuiltinLoss):
    """Squared hinge loss."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, reduction=reduction, dtype=dtype)


class CategoricalHinge(_BuiltinLoss):
    """Categorical hinge loss on one-hot labels."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name=name, reduction=reduction, dtype=dtype)
