"""Image-segmentation losses (Keras 3): Dice and Tversky.

With ``axis=None`` (the default) the sums run over *all* elements, so the function returns a
scalar; pass e.g. ``axis=(1, 2, 3)`` for one value per sample.
"""
from __future__ import annotations

import torch

from ._utils import as_pair, check_broadcastable, epsilon
from .base import _BuiltinLoss
from ..engine.symbolic_ops import symbolic_aware


def _sum(x: torch.Tensor, axis):
    if axis is None:
        return torch.sum(x)
    if isinstance(axis, list):
        axis = tuple(axis)
    return torch.sum(x, dim=axis)


@symbolic_aware
def dice(y_true, y_pred, axis=None) -> torch.Tensor:
    """``1 - 2 sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + epsilon)``."""
    y_true, y_pred = as_pair(y_true, y_pred)
    check_broadcastable(y_true, y_pred, "dice")
    intersection = _sum(y_true * y_pred, axis)
    score = 2.0 * intersection / (_sum(y_true, axis) + _sum(y_pred, axis) + epsilon())
    return 1.0 - score


@symbolic_aware
def tversky(y_true, y_pred, alpha: float = 0.5, beta: float = 0.5, axis=None) -> torch.Tensor:
    """``1 - TP / (TP + alpha * FP + beta * FN + epsilon)`` with soft counts.

    As in Keras, "FP" here is ``sum(y_true * (1 - y_pred))`` and "FN" ``sum(y_pred * (1 - y_true))``.
    """
    y_true, y_pred = as_pair(y_true, y_pred)
    check_broadcastable(y_true, y_pred, "tversky")
    intersection = _sum(y_true * y_pred, axis)
    fp = _sum((1.0 - y_pred) * y_true, axis)
    fn = _sum(y_pred * (1.0 - y_true), axis)
    score = intersection / (intersection + fp * alpha + fn * beta + epsilon())
    return 1.0 - score


class Dice(_BuiltinLoss):
    """Dice loss (``axis=None``: over all elements)."""

    _config_keys = ("axis",)

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis


class Tversky(_BuiltinLoss):
    """Tversky loss; ``alpha = beta = 0.5`` equals the Dice loss."""

    _config_keys = ("alpha", "beta", "axis")

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky",
                 axis=None, dtype=None):
        super().__init__(tversky, name=name, reduction=reduction, dtype=dtype, alpha=alpha,
                         beta=beta, axis=axis)
        self.alpha = alpha
        self.beta = beta
        self.axis = axis
