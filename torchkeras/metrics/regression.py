"""Regression metrics: MSE, MAE, MAPE, MSLE, RMSE, cosine similarity, log-cosh, R2 score.

The Mean* metrics stream the mean of the matching loss function (``keras.losses``);
``RootMeanSquaredError`` is ``sqrt(mean(square(y_pred - y_true)))`` over everything seen;
``CosineSimilarity`` streams the (positive) cosine similarity; ``R2Score`` keeps per-output
sums (all additive).
"""
from __future__ import annotations

import torch

from torchkeras.losses._utils import (as_pair, check_broadcastable, divide_no_nan, l2_normalize,
                                      squeeze_or_expand_to_same_rank)
from torchkeras.losses.regression import (log_cosh, mean_absolute_error,
                                          mean_absolute_percentage_error, mean_squared_error,
                                          mean_squared_logarithmic_error)
from .base import Metric
from .reduction import BuiltinMeanMetric, Mean


def cosine_similarity(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """Metric form: ``sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``."""
    y_true, y_pred = as_pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    check_broadcastable(y_true, y_pred, "cosine_similarity")
    return torch.sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), dim=axis)


class MeanSquaredError(BuiltinMeanMetric):
    """Streaming mean squared error."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(fn=mean_squared_error, name=name, dtype=dtype)
        self._direction = "down"


class MeanAbsoluteError(BuiltinMeanMetric):
    """Streaming mean absolute error."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(fn=mean_absolute_error, name=name, dtype=dtype)
        self._direction = "down"


class MeanAbsolutePercentageError(BuiltinMeanMetric):
    """Streaming mean absolute percentage error."""

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(fn=mean_absolute_percentage_error, name=name, dtype=dtype)
        self._direction = "down"


class MeanSquaredLogarithmicError(BuiltinMeanMetric):
    """Streaming mean squared logarithmic error."""

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(fn=mean_squared_logarithmic_error, name=name, dtype=dtype)
        self._direction = "down"


class CosineSimilarity(BuiltinMeanMetric):
    """Streaming cosine similarity between labels and predictions along ``axis``."""

    _config_keys = ("axis",)

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(fn=cosine_similarity, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"


class LogCoshError(BuiltinMeanMetric):
    """Streaming log-cosh error."""

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(fn=log_cosh, name=name, dtype=dtype)
        self._direction = "down"


class RootMeanSquaredError(Mean):
    """``sqrt(mean(square(y_pred - y_true)))`` over all samples seen (states total, count)."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "down"

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = as_pair(self._tensor(y_true), self._tensor(y_pred), self._state_dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        check_broadcastable(y_true, y_pred, "root_mean_squared_error")
        error_sq = torch.square(y_pred - y_true)
        return Mean.update_state.__wrapped__(self, error_sq, sample_weight=sample_weight)

    def result(self) -> torch.Tensor:
        return torch.sqrt(divide_no_nan(self.total.value, self.count.value))


class R2Score(Metric):
    """Coefficient of determination (optionally adjusted for ``num_regressors``).

    ``class_aggregation``: ``'uniform_average'`` (default), ``'variance_weighted_average'`` or
    ``None`` (one score per output). Inputs must be 2-D ``(batch, outputs)``.
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError("Invalid value for argument `class_aggregation`. Expected one of "
                             f"{valid}. Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value "
                             f">= 0. Received: num_regressors={num_regressors}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable(shape=(), initializer="zeros", name="num_samples")
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={tuple(y_pred_shape)} and "
                             f"y_true.shape={tuple(y_true_shape)}.")
        n = int(y_pred_shape[-1])
        self.squared_sum = self.add_variable(shape=(n,), name="squared_sum")
        self.sum = self.add_variable(shape=(n,), name="sum")
        self.total_mse = self.add_variable(shape=(n,), name="residual")
        self.count = self.add_variable(shape=(n,), name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = as_pair(self._tensor(y_true), self._tensor(y_pred), self._state_dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        check_broadcastable(y_true, y_pred, "R2Score")
        if sample_weight is None:
            sample_weight = torch.ones((), dtype=y_true.dtype, device=y_true.device)
        else:
            sample_weight = self._tensor(sample_weight, dtype=y_true.dtype)
        if sample_weight.dim() == 1:
            sample_weight = sample_weight.unsqueeze(1)
        sample_weight = torch.broadcast_to(sample_weight, y_true.shape)
        weighted_y_true = y_true * sample_weight
        self.sum.add_(weighted_y_true.sum(dim=0))
        self.squared_sum.add_((y_true * weighted_y_true).sum(dim=0))
        self.total_mse.add_((torch.square(y_true - y_pred) * sample_weight).sum(dim=0))
        self.count.add_(sample_weight.sum(dim=0))
        self.num_samples.add_(y_true.numel())

    def result(self) -> torch.Tensor:
        if not self._built:
            return torch.zeros((), dtype=self._state_dtype, device=self._device)
        mean = self.sum.value / self.count.value
        total = self.squared_sum.value - self.sum.value * mean
        raw = 1.0 - self.total_mse.value / total
        raw = torch.where(torch.isinf(raw), torch.zeros_like(raw), raw)
        if self.class_aggregation == "uniform_average":
            score = torch.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = torch.sum(total * raw) / torch.sum(total)
        else:
            score = raw
        if self.num_regressors != 0:
            n = self.num_samples.value
            p = float(self.num_regressors)
            adjusted = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
            # Keras falls back to the plain score (with a warning) when n - 1 <= p.
            score = torch.where(n - 1.0 > p, adjusted, score)
        return score

    def get_config(self):
        config = super().get_config()
        config.update({"class_aggregation": self.class_aggregation,
                       "num_regressors": self.num_regressors})
        return config
