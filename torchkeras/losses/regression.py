"""Regression losses: MSE, MAE, MAPE, MSLE, cosine similarity, Huber, log-cosh.

Each function returns per-sample values (mean over the last axis, like Keras) and matches
Keras 3 / tf-keras numerics: MAPE divides by ``max(|y_true|, epsilon)``, MSLE floors both
inputs at ``epsilon`` before ``log(x + 1)``, cosine similarity L2-normalises both inputs and is
negated (a loss), log-cosh uses ``x + softplus(-2x) - log 2``.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ._utils import (as_pair, check_broadcastable, epsilon, l2_normalize,
                     squeeze_or_expand_to_same_rank)
from .base import _BuiltinLoss
from ..engine.symbolic_ops import symbolic_aware

_LOG2 = math.log(2.0)


def _prepare(y_true, y_pred, what: str):
    y_true, y_pred = as_pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    check_broadcastable(y_true, y_pred, what)
    return y_true, y_pred


@symbolic_aware
def mean_squared_error(y_true, y_pred) -> torch.Tensor:
    """``mean(square(y_true - y_pred), axis=-1)``."""
    y_true, y_pred = _prepare(y_true, y_pred, "mean_squared_error")
    return torch.mean(torch.square(y_true - y_pred), dim=-1)


@symbolic_aware
def mean_absolute_error(y_true, y_pred) -> torch.Tensor:
    """``mean(abs(y_true - y_pred), axis=-1)``."""
    y_true, y_pred = _prepare(y_true, y_pred, "mean_absolute_error")
    return torch.mean(torch.abs(y_true - y_pred), dim=-1)


@symbolic_aware
def mean_absolute_percentage_error(y_true, y_pred) -> torch.Tensor:
    """``100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)``."""
    y_true, y_pred = _prepare(y_true, y_pred, "mean_absolute_percentage_error")
    diff = torch.abs((y_true - y_pred) / torch.clamp(torch.abs(y_true), min=epsilon()))
    return 100.0 * torch.mean(diff, dim=-1)


@symbolic_aware
def mean_squared_logarithmic_error(y_true, y_pred) -> torch.Tensor:
    """``mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)``."""
    y_true, y_pred = _prepare(y_true, y_pred, "mean_squared_logarithmic_error")
    eps = epsilon()
    first = torch.log(torch.clamp(y_pred, min=eps) + 1.0)
    second = torch.log(torch.clamp(y_true, min=eps) + 1.0)
    return torch.mean(torch.square(first - second), dim=-1)


@symbolic_aware
def cosine_similarity(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """Loss form: ``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`` (in [-1, 1])."""
    y_true, y_pred = _prepare(y_true, y_pred, "cosine_similarity")
    return -torch.sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), dim=axis)


@symbolic_aware
def huber(y_true, y_pred, delta: float = 1.0) -> torch.Tensor:
    """``mean(0.5 x^2 if |x| <= delta else delta |x| - 0.5 delta^2, axis=-1)``, x = y_pred - y_true."""
    y_true, y_pred = _prepare(y_true, y_pred, "huber")
    error = y_pred - y_true
    abs_error = torch.abs(error)
    delta = float(delta)
    quadratic = 0.5 * torch.square(error)
    linear = delta * abs_error - 0.5 * delta * delta
    return torch.mean(torch.where(abs_error <= delta, quadratic, linear), dim=-1)


@symbolic_aware
def log_cosh(y_true, y_pred) -> torch.Tensor:
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed stably."""
    y_true, y_pred = _prepare(y_true, y_pred, "log_cosh")
    x = y_pred - y_true
    return torch.mean(x + F.softplus(-2.0 * x) - _LOG2, dim=-1)


# Keras 1/2 aliases (same function objects, as in tf-keras).
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
logcosh = log_cosh
huber_loss = huber


class MeanSquaredError(_BuiltinLoss):
    """Mean of squares of errors between labels and predictions."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsoluteError(_BuiltinLoss):
    """Mean of absolute differences between labels and predictions."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsolutePercentageError(_BuiltinLoss):
    """Mean absolute percentage error."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error",
                 dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, reduction=reduction,
                         dtype=dtype)


class MeanSquaredLogarithmicError(_BuiltinLoss):
    """Mean squared logarithmic error."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error",
                 dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name, reduction=reduction,
                         dtype=dtype)


class CosineSimilarity(_BuiltinLoss):
    """Negated cosine similarity along ``axis`` (closer to -1 = more similar)."""

    _config_keys = ("axis",)

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity",
                 dtype=None):
        super().__init__(cosine_similarity, name=name, reduction=reduction, dtype=dtype,
                         axis=axis)
        self.axis = axis


class Huber(_BuiltinLoss):
    """Huber loss with threshold ``delta`` (default 1.0)."""

    _config_keys = ("delta",)

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(huber, name=name, reduction=reduction, dtype=dtype, delta=delta)
        self.delta = delta


class LogCosh(_BuiltinLoss):
    """Logarithm of the hyperbolic cosine of the prediction error."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, name=name, reduction=reduction, dtype=dtype)
