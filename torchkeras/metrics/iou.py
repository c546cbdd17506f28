"""Intersection-over-Union metrics: IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU.

A ``(num_classes, num_classes)`` confusion matrix (rows: true class, columns: predicted class)
is accumulated with float sample weights (tf-keras behaviour; Keras 3.15 truncates float
weights to integers), then ``iou = tp / (row_sum + col_sum - tp)`` per class; classes whose
denominator is 0 are left out of the mean. ``ignore_class`` entries are dropped.
"""
from __future__ import annotations

from typing import Any, Dict

import torch

from torchkeras.losses._utils import divide_no_nan
from .base import Metric


class _IoUBase(Metric):
    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self.num_classes = int(num_classes)
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable(shape=(self.num_classes, self.num_classes),
                                          name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = self._tensor(y_true)
        y_pred = self._tensor(y_pred)
        if not self.sparse_y_true:
            y_true = torch.argmax(y_true, dim=self.axis)
        if not self.sparse_y_pred:
            y_pred = torch.argmax(y_pred, dim=self.axis)
        label_shape = tuple(y_true.shape)
        y_true = y_true.reshape(-1)
        y_pred = y_pred.reshape(-1)
        if y_true.shape != y_pred.shape:
            raise ValueError("`y_true` and `y_pred` must hold the same number of labels for "
                             f"{self.__class__.__name__}. Received: y_true.shape="
                             f"{label_shape}, y_pred.shape={tuple(y_pred.shape)}")
        dtype = self._state_dtype
        if sample_weight is None:
            weights = torch.ones(y_true.shape, dtype=dtype, device=y_true.device)
        else:
            weights = self._tensor(sample_weight, dtype=dtype)
            w_shape = tuple(weights.shape)
            if 0 < len(w_shape) < len(label_shape) and w_shape == label_shape[:len(w_shape)]:
                # per-sample weights for per-pixel labels: broadcast over the trailing axes
                weights = weights.reshape(w_shape + (1,) * (len(label_shape) - len(w_shape)))
                weights = torch.broadcast_to(weights, label_shape)
            if weights.dim() > 1:
                weights = weights.reshape(-1)
            try:
                weights = torch.broadcast_to(weights, y_true.shape)
            except RuntimeError:
                raise ValueError("`sample_weight` cannot be broadcast to the labels of "
                                 f"{self.__class__.__name__}: sample_weight.shape={w_shape}, "
                                 f"y_true.shape={label_shape}") from None
        labels = y_true.long() if not y_true.is_floating_point() else y_true.to(torch.long)
        preds = y_pred.long() if not y_pred.is_floating_point() else y_pred.to(torch.long)
        if self.ignore_class is not None:
            valid = labels != int(self.ignore_class)
            labels = torch.where(valid, labels, torch.zeros_like(labels))
            preds = torch.where(valid, preds, torch.zeros_like(preds))
            weights = weights * valid.to(dtype)
        n = self.num_classes
        index = labels * n + preds
        cm = torch.zeros(n * n, dtype=dtype, device=weights.device)
        cm.scatter_add_(0, index, weights)
        self.total_cm.add_(cm.view(n, n))

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "num_classes": self.num_classes,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class IoU(_IoUBase):
    """Mean IoU over ``target_class_ids`` (a single id gives that class's IoU)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes=num_classes, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)
        target_class_ids = list(target_class_ids)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which "
                             f"is [0, {num_classes}).")
        self.target_class_ids = target_class_ids

    def _select(self, x: torch.Tensor) -> torch.Tensor:
        """Entries of ``target_class_ids`` (Python indexing: no host-to-device copy)."""
        ids = self.target_class_ids
        if ids == list(range(self.num_classes)):
            return x
        return torch.stack([x[i] for i in ids])

    def result(self) -> torch.Tensor:
        cm = self.total_cm.value
        sum_over_row = cm.sum(dim=0)
        sum_over_col = cm.sum(dim=1)
        tp = torch.diagonal(cm)
        denominator = self._select(sum_over_row + sum_over_col - tp)
        tp = self._select(tp)
        num_valid = (denominator != 0).sum().to(cm.dtype)
        iou = divide_no_nan(tp, denominator)
        return divide_no_nan(iou.sum(), num_valid)

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "target_class_ids": self.target_class_ids}


class BinaryIoU(IoU):
    """IoU for binary tasks: ``y_pred >= threshold`` -> class 1, else class 0."""

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name,
                         dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = self._tensor(y_pred, dtype=self._state_dtype)
        y_pred = (y_pred >= self.threshold).to(self._state_dtype)
        return IoU.update_state(self, self._tensor(y_true, dtype=self._state_dtype), y_pred,
                                sample_weight)

    def get_config(self) -> Dict[str, Any]:
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class MeanIoU(IoU):
    """Mean IoU over all ``num_classes`` classes."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes=num_classes, target_class_ids=list(range(num_classes)),
                         name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> Dict[str, Any]:
        config = super().get_config()
        config.pop("target_class_ids", None)
        return config


class OneHotIoU(IoU):
    """IoU with one-hot labels and class scores (argmax of predictions)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes, target_class_ids=target_class_ids, name=name,
                         dtype=dtype, ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> Dict[str, Any]:
        config = super().get_config()
        config.pop("sparse_y_true", None)
        return config


class OneHotMeanIoU(MeanIoU):
    """Mean IoU with one-hot labels and class scores (argmax of predictions)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> Dict[str, Any]:
        config = super().get_config()
        config.pop("sparse_y_true", None)
        return config
