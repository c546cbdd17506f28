"""F-scores: ``FBetaScore`` and ``F1Score`` (Keras 3 / TF-Addons semantics).

Predictions become 0/1 by ``y_pred > threshold`` or, with ``threshold=None``, by marking each
row's maximum (non-zero) entry. Per-class states (``true_positives``, ``false_positives``,
``false_negatives``, ``intermediate_weights``; scalars for ``average='micro'``) are created on
the first ``update_state`` and are all additive. ``average``: None (per class), 'micro',
'macro' or 'weighted'.
"""
from __future__ import annotations

from typing import Any, Dict

import torch

from torchkeras.backend import config as _config
from .base import Metric


class FBetaScore(Metric):
    """F-beta score: ``(1 + beta^2) * P * R / (beta^2 * P + R)``."""

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: {None, "
                             f"'micro', 'macro', 'weighted'}}. Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError("Invalid `beta` argument value. It should be a Python float. "
                             f"Received: beta={beta} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError("Invalid `beta` argument value. It should be > 0. "
                             f"Received: beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError("Invalid `threshold` argument value. It should be a Python "
                                 f"float. Received: threshold={threshold} of type "
                                 f"'{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError("Invalid `threshold` argument value. It should verify "
                                 f"0 < threshold <= 1. Received: threshold={threshold}")
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError("FBetaScore expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={tuple(y_pred_shape)} and "
                             f"y_true.shape={tuple(y_true_shape)}.")
        shape = () if self.average == "micro" else (int(y_pred_shape[-1]),)
        self.true_positives = self.add_variable(shape=shape, name="true_positives")
        self.false_positives = self.add_variable(shape=shape, name="false_positives")
        self.false_negatives = self.add_variable(shape=shape, name="false_negatives")
        self.intermediate_weights = self.add_variable(shape=shape, name="intermediate_weights")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        dtype = self._state_dtype
        y_true = self._tensor(y_true, dtype=dtype)
        y_pred = self._tensor(y_pred, dtype=dtype)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if tuple(y_true.shape) != tuple(y_pred.shape):
            raise ValueError("`y_true` and `y_pred` must have the same shape for "
                             f"{self.__class__.__name__}. Received: y_true.shape="
                             f"{tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}")
        if self.threshold is None:
            row_max = torch.amax(y_pred, dim=-1, keepdim=True)
            pred = (y_pred >= row_max) & (torch.abs(y_pred) > 1e-9)
        else:
            pred = y_pred > self.threshold
        pred = pred.to(dtype)
        w = None
        if sample_weight is not None:
            w = self._tensor(sample_weight, dtype=dtype).unsqueeze(1)

        def weighted_sum(val):
            if w is not None:
                val = val * w
            return val.sum() if self.axis is None else val.sum(dim=self.axis)

        self.true_positives.add_(weighted_sum(pred * y_true))
        self.false_positives.add_(weighted_sum(pred * (1.0 - y_true)))
        self.false_negatives.add_(weighted_sum((1.0 - pred) * y_true))
        self.intermediate_weights.add_(weighted_sum(y_true))

    def result(self) -> torch.Tensor:
        if not self._built:
            return torch.zeros((), dtype=self._state_dtype, device=self._device)
        eps = _config.epsilon()
        tp = self.true_positives.value
        precision = tp / (tp + self.false_positives.value + eps)
        recall = tp / (tp + self.false_negatives.value + eps)
        b2 = self.beta ** 2
        f = (precision * recall) / (b2 * precision + recall + eps) * (1.0 + b2)
        if self.average == "weighted":
            iw = self.intermediate_weights.value
            f = torch.sum(f * (iw / (iw.sum() + eps)))
        elif self.average is not None:
            f = torch.mean(f)
        return f

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """F1 score: the harmonic mean of precision and recall."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name,
                         dtype=dtype)

    def get_config(self) -> Dict[str, Any]:
        config = super().get_config()
        del config["beta"]
        return config
