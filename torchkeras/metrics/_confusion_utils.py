"""Confusion-matrix bookkeeping shared by Precision / Recall / AUC / *AtX metrics.

Matches Keras's ``metrics_utils.update_confusion_matrix_variables``: a prediction counts as
positive at threshold ``t`` when ``y_pred > t``; labels are cast to bool; ``top_k`` keeps only
the k largest predictions (the rest become -1e10); ``class_id`` selects one column; sample
weights broadcast to ``y_pred``. Evenly spaced thresholds (AUC's 200) use the O(N + T) bucket
method (``ceil(p * (T - 1)) - 1`` then a reversed cumulative sum), others an O(N * T) compare.
Everything stays on the device.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from torchkeras.backend import config as _config
from torchkeras.losses._utils import squeeze_or_expand_to_same_rank, to_tensor

NEG_INF = -1e10
TP, FP, TN, FN = "tp", "fp", "tn", "fn"


def _to_list(x) -> list:
    if isinstance(x, (list, tuple)):
        return list(x)
    if isinstance(x, np.ndarray):
        return x.tolist()
    return [x]


def assert_thresholds_range(thresholds) -> None:
    if thresholds is not None:
        bad = [t for t in thresholds if t is None or t < 0 or t > 1]
        if bad:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad}")


def parse_init_thresholds(thresholds, default_threshold=0.5) -> List[float]:
    if thresholds is not None:
        assert_thresholds_range(_to_list(thresholds))
    return [float(t) for t in _to_list(default_threshold if thresholds is None else thresholds)]


def is_evenly_distributed_thresholds(thresholds) -> bool:
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(np.asarray(thresholds, dtype=np.float64), even,
                            atol=_config.epsilon()))


def filter_top_k(x: torch.Tensor, k: int) -> torch.Tensor:
    """Keep the top-k values of the last axis, set the others to -1e10.

    Ties are broken towards the lower index, as ``tf.math.top_k`` does (stable sort).
    """
    idx = torch.sort(x, dim=-1, descending=True, stable=True).indices[..., :k]
    keep = torch.zeros_like(x, dtype=torch.bool).scatter_(-1, idx, True)
    return torch.where(keep, x, torch.full_like(x, NEG_INF))


def _reverse_cumsum(x: torch.Tensor, dim: int = 0) -> torch.Tensor:
    return torch.flip(torch.cumsum(torch.flip(x, (dim,)), dim=dim), (dim,))


def update_confusion_matrix_variables(variables: Dict[str, torch.Tensor], y_true, y_pred,
                                      thresholds: Sequence[float], top_k: Optional[int] = None,
                                      class_id: Optional[int] = None, sample_weight=None,
                                      multi_label: bool = False, label_weights=None,
                                      thresholds_distributed_evenly: bool = False,
                                      thresholds_tensor: Optional[torch.Tensor] = None) -> None:
    """Add this batch's weighted TP / FP / TN / FN counts (per threshold) to ``variables``."""
    if multi_label and label_weights is not None:
        raise ValueError("`label_weights` for multilabel data should be handled outside of "
                         "`update_confusion_matrix_variables` when `multi_label` is True.")
    if not variables:
        return
    invalid = [k for k in variables if k not in (TP, FP, TN, FN)]
    if invalid:
        raise ValueError(f'Invalid keys: "{invalid}". Valid variable key options are: '
                         f'"{[TP, FP, TN, FN]}"')
    first = next(iter(variables.values()))
    dtype, device = first.dtype, first.device
    y_true = to_tensor(y_true, dtype=dtype, device=device)
    y_pred = to_tensor(y_pred, dtype=dtype, device=device)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError("`y_true` and `y_pred` must have the same shape. Received: "
                         f"y_true.shape={tuple(y_true.shape)}, "
                         f"y_pred.shape={tuple(y_pred.shape)}")
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, dtype=dtype, device=device).unsqueeze(-1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight,
                                                          expand_rank_1=False)
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.dim() == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with shape "
                             f"(num_samples, num_classes), found shape: {tuple(y_pred.shape)}")
        y_true = y_true[..., class_id:class_id + 1]
        y_pred = y_pred[..., class_id:class_id + 1]

    if sample_weight is not None:
        try:
            weights = torch.broadcast_to(sample_weight, y_pred.shape)
        except RuntimeError:
            raise ValueError("`sample_weight` cannot be broadcast to `y_pred`: "
                             f"sample_weight.shape={tuple(sample_weight.shape)}, "
                             f"y_pred.shape={tuple(y_pred.shape)}") from None
    else:
        weights = None
    if label_weights is not None:
        lw = to_tensor(label_weights, dtype=dtype, device=device)
        lw = torch.broadcast_to(lw.unsqueeze(0) if y_pred.dim() > 1 else lw, y_pred.shape)
        weights = lw if weights is None else weights * lw

    is_pos = y_true != 0
    if thresholds_distributed_evenly:
        with_eps = thresholds[0] < 0.0 or thresholds[-1] > 1.0
        _update_evenly(variables, is_pos, y_pred, len(thresholds), weights, multi_label,
                       with_eps)
        return

    if thresholds_tensor is None:
        thresholds_tensor = torch.tensor(list(thresholds), dtype=dtype, device=device)
    if multi_label:
        if y_pred.dim() != 2:
            raise ValueError("`y_pred` must have rank 2 when `multi_label=True`. "
                             f"Received: y_pred.shape={tuple(y_pred.shape)}")
        pred_pos = y_pred.unsqueeze(0) > thresholds_tensor.view(-1, 1, 1)  # (T, N, L)
        label_pos = is_pos.unsqueeze(0)
        w = None if weights is None else weights.unsqueeze(0)
        reduce_dim = 1
    else:
        pred_pos = y_pred.reshape(1, -1) > thresholds_tensor.view(-1, 1)  # (T, M)
        label_pos = is_pos.reshape(1, -1)
        w = None if weights is None else weights.reshape(1, -1)
        reduce_dim = 1

    def add(var, cond):
        c = cond.to(dtype)
        if w is not None:
            c = c * w
        var.add_(c.sum(dim=reduce_dim))

    if TP in variables:
        add(variables[TP], label_pos & pred_pos)
    if FP in variables:
        add(variables[FP], ~label_pos & pred_pos)
    if TN in variables:
        add(variables[TN], ~label_pos & ~pred_pos)
    if FN in variables:
        add(variables[FN], label_pos & ~pred_pos)


def _update_evenly(variables, is_pos, y_pred, num_thresholds, weights, multi_label, with_eps):
    dtype = y_pred.dtype
    y_pred = torch.clamp(y_pred, 0.0, 1.0)
    labels = is_pos.to(dtype)
    if not multi_label:
        labels = labels.reshape(-1)
        y_pred = y_pred.reshape(-1)
        if weights is not None:
            weights = weights.reshape(-1)
    elif y_pred.dim() != 2:
        raise ValueError("`y_pred` must have rank 2 when `multi_label=True`. "
                         f"Received: y_pred.shape={tuple(y_pred.shape)}")
    true_labels = labels if weights is None else labels * weights
    false_labels = (1.0 - labels) if weights is None else (1.0 - labels) * weights
    bucket = torch.ceil(y_pred * (num_thresholds - 1)) - 1
    true_in, false_in = true_labels, false_labels
    if with_eps:
        bucket = torch.relu(bucket)
    else:  # predictions equal to 0 fall below the first threshold: dropped, as segment_sum does
        keep = (bucket >= 0).to(dtype)
        true_in = true_labels * keep
        false_in = false_labels * keep
        bucket = torch.clamp(bucket, min=0)
    bucket = bucket.long()
    if multi_label:
        num_labels = y_pred.shape[1]
        index = (bucket * num_labels + torch.arange(num_labels, device=bucket.device)).reshape(-1)
        size = num_thresholds * num_labels

        def segment_sum(data):
            out = torch.zeros(size, dtype=dtype, device=data.device)
            return out.scatter_add_(0, index, data.reshape(-1)).view(num_thresholds, num_labels)
    else:
        def segment_sum(data):
            out = torch.zeros(num_thresholds, dtype=dtype, device=data.device)
            return out.scatter_add_(0, bucket, data)

    tp = _reverse_cumsum(segment_sum(true_in), 0)
    fp = _reverse_cumsum(segment_sum(false_in), 0)
    if TP in variables:
        variables[TP].add_(tp)
    if FP in variables:
        variables[FP].add_(fp)
    if TN in variables:
        variables[TN].add_(false_labels.sum(dim=0) - fp)
    if FN in variables:
        variables[FN].add_(true_labels.sum(dim=0) - tp)
