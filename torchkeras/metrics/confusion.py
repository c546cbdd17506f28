"""Confusion-matrix metrics: TruePositives / FalsePositives / TrueNegatives / FalseNegatives,
Precision, Recall, SensitivityAtSpecificity, SpecificityAtSensitivity, PrecisionAtRecall,
RecallAtPrecision and AUC (ROC / PR, 200 thresholds, interpolation / minoring / majoring,
multi-label), as in Keras 3. All states are additive counts (reduction 'sum').
"""
from __future__ import annotations

from typing import Any, Dict

import numpy as np
import torch

from torchkeras.backend import config as _config
from torchkeras.losses._utils import divide_no_nan
from . import _confusion_utils as cu
from .base import Metric


class _ThresholdsMixin:
    """Caches the thresholds tensor per device (not a state variable)."""

    def _thresholds_on(self, device, dtype) -> torch.Tensor:
        cache = self.__dict__.setdefault("_thr_cache", {})
        key = (device, dtype)
        t = cache.get(key)
        if t is None:
            t = torch.tensor(list(self._thr_list()), dtype=dtype, device=device)
            cache[key] = t
        return t

    def _thr_list(self):
        return self.thresholds


class _ConfusionMatrixConditionCount(_ThresholdsMixin, Metric):
    """Weighted count of one confusion-matrix condition at each threshold."""

    _condition = cu.TP

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = cu.parse_init_thresholds(thresholds, default_threshold=0.5)
        self._thresholds_distributed_evenly = cu.is_evenly_distributed_thresholds(
            self.thresholds)
        self.accumulator = self.add_variable(shape=(len(self.thresholds),), name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        cu.update_confusion_matrix_variables(
            {self._condition: self.accumulator}, y_true, y_pred, thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight,
            thresholds_tensor=self._thresholds_on(self._device, self._state_dtype))

    def result(self) -> torch.Tensor:
        acc = self.accumulator.value
        return acc[0].clone() if len(self.thresholds) == 1 else acc.clone()

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds}


class FalsePositives(_ConfusionMatrixConditionCount):
    """Weighted number of false positives (per threshold; default 0.5)."""

    _condition = cu.FP


class FalseNegatives(_ConfusionMatrixConditionCount):
    """Weighted number of false negatives (per threshold; default 0.5)."""

    _condition = cu.FN


class TrueNegatives(_ConfusionMatrixConditionCount):
    """Weighted number of true negatives (per threshold; default 0.5)."""

    _condition = cu.TN


class TruePositives(_ConfusionMatrixConditionCount):
    """Weighted number of true positives (per threshold; default 0.5)."""

    _condition = cu.TP


class _PrecisionRecallBase(_ThresholdsMixin, Metric):
    _second = cu.FP
    _second_name = "false_positives"

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else cu.NEG_INF
        self.thresholds = cu.parse_init_thresholds(thresholds, default_threshold=default)
        self._thresholds_distributed_evenly = cu.is_evenly_distributed_thresholds(
            self.thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_variable(shape=(n,), name="true_positives")
        setattr(self, self._second_name, self.add_variable(shape=(n,), name=self._second_name))

    def update_state(self, y_true, y_pred, sample_weight=None):
        cu.update_confusion_matrix_variables(
            {cu.TP: self.true_positives, self._second: getattr(self, self._second_name)},
            y_true, y_pred, thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            top_k=self.top_k, class_id=self.class_id, sample_weight=sample_weight,
            thresholds_tensor=self._thresholds_on(self._device, self._state_dtype))

    def result(self) -> torch.Tensor:
        tp = self.true_positives.value
        other = getattr(self, self._second_name).value
        res = divide_no_nan(tp, tp + other)
        return res[0] if len(self.thresholds) == 1 else res

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_PrecisionRecallBase):
    """``tp / (tp + fp)`` at ``thresholds`` (default 0.5), optionally ``top_k`` / ``class_id``."""

    _second = cu.FP
    _second_name = "false_positives"


class Recall(_PrecisionRecallBase):
    """``tp / (tp + fn)`` at ``thresholds`` (default 0.5), optionally ``top_k`` / ``class_id``."""

    _second = cu.FN
    _second_name = "false_negatives"


class SensitivitySpecificityBase(_ThresholdsMixin, Metric):
    """Shared state (tp, fp, tn, fn at ``num_thresholds`` evenly spaced thresholds)."""

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if num_thresholds <= 0:
            raise ValueError("Argument `num_thresholds` must be an integer > 0. "
                             f"Received: num_thresholds={num_thresholds}")
        self.value = value
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
            self._thresholds_distributed_evenly = False
        else:
            mid = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0] + mid + [1.0]
            self._thresholds_distributed_evenly = True
        n = len(self.thresholds)
        self.true_positives = self.add_variable(shape=(n,), name="true_positives")
        self.false_positives = self.add_variable(shape=(n,), name="false_positives")
        self.true_negatives = self.add_variable(shape=(n,), name="true_negatives")
        self.false_negatives = self.add_variable(shape=(n,), name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        cu.update_confusion_matrix_variables(
            {cu.TP: self.true_positives, cu.TN: self.true_negatives,
             cu.FP: self.false_positives, cu.FN: self.false_negatives},
            y_true, y_pred, thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            class_id=self.class_id, sample_weight=sample_weight,
            thresholds_tensor=self._thresholds_on(self._device, self._state_dtype))

    def _rates(self):
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        return tp, fp, tn, fn

    def _find_max_under_constraint(self, constrained, dependent) -> torch.Tensor:
        """Largest ``dependent`` where ``constrained >= value``; 0 if there is none."""
        feasible = constrained >= self.value
        return torch.amax(torch.where(feasible, dependent, torch.zeros_like(dependent)))

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "class_id": self.class_id}


class SensitivityAtSpecificity(SensitivitySpecificityBase):
    """Best sensitivity (recall) where specificity >= ``specificity``."""

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        if specificity < 0 or specificity > 1:
            raise ValueError("Argument `specificity` must be in the range [0, 1]. "
                             f"Received: specificity={specificity}")
        self.__dict__["specificity"] = specificity
        self.__dict__["num_thresholds"] = num_thresholds
        super().__init__(specificity, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)

    def result(self):
        tp, fp, tn, fn = self._rates()
        return self._find_max_under_constraint(divide_no_nan(tn, tn + fp),
                                               divide_no_nan(tp, tp + fn))

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "specificity": self.specificity}


class SpecificityAtSensitivity(SensitivitySpecificityBase):
    """Best specificity where sensitivity (recall) >= ``sensitivity``."""

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        if sensitivity < 0 or sensitivity > 1:
            raise ValueError("Argument `sensitivity` must be in the range [0, 1]. "
                             f"Received: sensitivity={sensitivity}")
        self.__dict__["sensitivity"] = sensitivity
        self.__dict__["num_thresholds"] = num_thresholds
        super().__init__(sensitivity, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)

    def result(self):
        tp, fp, tn, fn = self._rates()
        return self._find_max_under_constraint(divide_no_nan(tp, tp + fn),
                                               divide_no_nan(tn, tn + fp))

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "sensitivity": self.sensitivity}


class PrecisionAtRecall(SensitivitySpecificityBase):
    """Best precision where recall >= ``recall``."""

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        if recall < 0 or recall > 1:
            raise ValueError(f"Argument `recall` must be in the range [0, 1]. Received: "
                             f"recall={recall}")
        self.__dict__["recall"] = recall
        self.__dict__["num_thresholds"] = num_thresholds
        super().__init__(recall, num_thresholds=num_thresholds, class_id=class_id, name=name,
                         dtype=dtype)

    def result(self):
        tp, fp, tn, fn = self._rates()
        return self._find_max_under_constraint(divide_no_nan(tp, tp + fn),
                                               divide_no_nan(tp, tp + fp))

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "recall": self.recall}


class RecallAtPrecision(SensitivitySpecificityBase):
    """Best recall where precision >= ``precision`` (0 if unreachable)."""

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        if precision < 0 or precision > 1:
            raise ValueError("Argument `precision` must be in the range [0, 1]. "
                             f"Received: precision={precision}")
        self.__dict__["precision"] = precision
        self.__dict__["num_thresholds"] = num_thresholds
        super().__init__(precision, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)

    def result(self):
        tp, fp, tn, fn = self._rates()
        return self._find_max_under_constraint(divide_no_nan(tp, tp + fp),
                                               divide_no_nan(tp, tp + fn))

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "precision": self.precision}


_CURVES = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
_SUMMATIONS = ("interpolation", "majoring", "minoring")


class AUC(_ThresholdsMixin, Metric):
    """Area under the ROC or PR curve, approximated with a Riemann sum over thresholds.

    Defaults as Keras: 200 thresholds (plus endpoints at ``-eps`` and ``1 + eps``), ``curve='ROC'``,
    ``summation_method='interpolation'`` (trapezoid for ROC, Davis & Goadrich interpolation for
    PR). ``multi_label=True`` computes one AUC per label (weighted by ``label_weights``) and
    averages them; otherwise all labels are flattened. ``from_logits`` applies a sigmoid first.
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        curve_value = getattr(curve, "value", curve)
        if str(curve_value).lower() not in _CURVES:
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are '
                             '["PR", "ROC"]')
        summation = str(getattr(summation_method, "value", summation_method)).lower()
        if summation not in _SUMMATIONS:
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". '
                             'Expected values are ["interpolation", "majoring", "minoring"]')
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            thresholds = sorted(float(t) for t in thresholds)
            cu.assert_thresholds_range(thresholds)
            n = len(thresholds) + 2
            evenly = cu.is_evenly_distributed_thresholds(np.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            n = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            evenly = True
        eps = _config.epsilon()
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self.num_thresholds = n
        self._thresholds = [0.0 - eps] + list(thresholds) + [1.0 + eps]
        self._thresholds_distributed_evenly = evenly
        self.curve = _CURVES[str(curve_value).lower()]
        self.summation_method = summation
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else [
            float(w) for w in np.asarray(label_weights, dtype=np.float64).reshape(-1)]
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build([None, num_labels])
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self):
        """The thresholds used for evaluating AUC (including the two endpoints)."""
        return list(self._thresholds)

    def _thr_list(self):
        return self._thresholds

    def _build(self, shape):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError("`y_pred` must have rank 2 when `multi_label=True`. Found rank "
                                 f"{len(shape)}. Full shape received for `y_pred`: "
                                 f"{tuple(shape)}")
            self._num_labels = int(shape[1])
            vshape = (self.num_thresholds, self._num_labels)
        else:
            vshape = (self.num_thresholds,)
        self.true_positives = self.add_variable(shape=vshape, name="true_positives")
        self.false_positives = self.add_variable(shape=vshape, name="false_positives")
        self.true_negatives = self.add_variable(shape=vshape, name="true_negatives")
        self.false_negatives = self.add_variable(shape=vshape, name="false_negatives")
        self._built = True

    def _label_weights_on(self):
        if self.label_weights is None:
            return None
        cache = self.__dict__.setdefault("_lw_cache", {})
        t = cache.get(self._device)
        if t is None:
            t = torch.tensor(self.label_weights, dtype=self._state_dtype, device=self._device)
            cache[self._device] = t
        return t

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = self._tensor(y_pred, dtype=self._state_dtype)
        if not self._built:
            self._build(tuple(y_pred.shape))
        if self._from_logits:
            y_pred = torch.sigmoid(y_pred)
        cu.update_confusion_matrix_variables(
            {cu.TP: self.true_positives, cu.TN: self.true_negatives,
             cu.FP: self.false_positives, cu.FN: self.false_negatives},
            y_true, y_pred, self._thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight, multi_label=self.multi_label,
            label_weights=None if self.multi_label else self._label_weights_on(),
            thresholds_tensor=self._thresholds_on(self._device, self._state_dtype))

    def _average(self, by_label):
        lw = self._label_weights_on()
        if lw is None:
            return torch.mean(by_label)
        return divide_no_nan(torch.sum(by_label * lw), torch.sum(lw))

    def interpolate_pr_auc(self) -> torch.Tensor:
        """PR-AUC with precision interpolated between thresholds (Davis & Goadrich 2006)."""
        n = self.num_thresholds
        tp = self.true_positives.value
        fp = self.false_positives.value
        fn = self.false_negatives.value
        dtp = tp[: n - 1] - tp[1:]
        p = tp + fp
        dp = p[: n - 1] - p[1:]
        prec_slope = divide_no_nan(dtp, torch.clamp(dp, min=0))
        intercept = tp[1:] - prec_slope * p[1:]
        both = (p[: n - 1] > 0) & (p[1:] > 0)
        safe_p_ratio = torch.where(both, divide_no_nan(p[: n - 1], torch.clamp(p[1:], min=0)),
                                   torch.ones_like(p[1:]))
        increment = divide_no_nan(prec_slope * (dtp + intercept * torch.log(safe_p_ratio)),
                                  torch.clamp(tp[1:] + fn[1:], min=0))
        if self.multi_label:
            return self._average(torch.sum(increment, dim=0))
        return torch.sum(increment)

    def result(self) -> torch.Tensor:
        if not self._built:
            return torch.zeros((), dtype=self._state_dtype, device=self._device)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        n = self.num_thresholds
        tp = self.true_positives.value
        fp = self.false_positives.value
        tn = self.true_negatives.value
        fn = self.false_negatives.value
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, divide_no_nan(tp, tp + fp)
        else:  # PRGAIN
            scale = divide_no_nan(tp + fn, tn + fp)
            recall_gain = 1.0 - scale * divide_no_nan(fn, tp)
            precision_gain = 1.0 - scale * divide_no_nan(fp, tp)
            recall_gain = torch.where(tp == 0, torch.zeros_like(recall_gain), recall_gain)
            precision_gain = torch.where(tp == 0, torch.ones_like(precision_gain),
                                         precision_gain)
            x, y = torch.clamp(recall_gain, min=0.0), precision_gain
        if self.summation_method == "interpolation":
            heights = (y[: n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = torch.minimum(y[: n - 1], y[1:])
        else:
            heights = torch.maximum(y[: n - 1], y[1:])
        terms = (x[: n - 1] - x[1:]) * heights
        if self.multi_label:
            return self._average(torch.sum(terms, dim=0))
        return torch.sum(terms)

    def get_config(self) -> Dict[str, Any]:
        config = {**super().get_config(), "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": self.label_weights, "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config
