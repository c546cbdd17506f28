"""Metric-learning loss (Keras 3): Circle loss (Sun et al. 2020) on L2-normalised embeddings."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ._utils import to_float_tensor, to_tensor
from .base import _BuiltinLoss
from ..engine.symbolic_ops import symbolic_aware


def _labels_1d(labels: torch.Tensor, what: str) -> torch.Tensor:
    if labels.dim() == 2 and labels.shape[-1] == 1:
        labels = labels.squeeze(-1)
    if labels.dim() != 1:
        raise ValueError(f"{what} expects integer labels of shape (batch_size,). "
                         f"Received: shape={tuple(labels.shape)}")
    return labels.long()


@symbolic_aware
def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal: bool = True,
           gamma: float = 80, margin: float = 0.4) -> torch.Tensor:
    """Circle loss per sample; samples without positive or negative pairs get 0 (masked out)."""
    y_pred = to_float_tensor(y_pred)
    labels = _labels_1d(to_tensor(y_true, device=y_pred.device), "circle (y_true)")
    ref_emb = y_pred if ref_embeddings is None else to_tensor(
        ref_embeddings, dtype=y_pred.dtype, device=y_pred.device)
    ref_lab = labels if ref_labels is None else _labels_1d(
        to_tensor(ref_labels, device=y_pred.device), "circle (ref_labels)")
    if y_pred.dim() != 2 or y_pred.shape[0] != labels.shape[0]:
        raise ValueError("circle expects y_pred of shape (batch_size, embedding_dim) matching "
                         f"y_true. Received: y_true.shape={tuple(labels.shape)}, "
                         f"y_pred.shape={tuple(y_pred.shape)}")
    dist = torch.clamp(1.0 - y_pred @ ref_emb.transpose(0, 1), min=0.0)
    same = labels.unsqueeze(1) == ref_lab.unsqueeze(0)
    positive = same
    if remove_diagonal:
        eye = torch.eye(same.shape[0], same.shape[1], dtype=torch.bool, device=same.device)
        positive = same & ~eye
    negative = ~same
    pos_f = positive.to(dist.dtype)
    neg_f = negative.to(dist.dtype)
    pos_weights = torch.clamp((margin + dist) * pos_f, min=0.0)
    neg_weights = torch.clamp(((1.0 + margin) - dist) * neg_f, min=0.0)
    pos_wdists = -gamma * pos_weights * (margin - dist)
    neg_wdists = gamma * neg_weights * ((1.0 - margin) - dist)
    # A huge finite "minus infinity" keeps the gradient finite for rows without pairs.
    very_negative = torch.finfo(dist.dtype).min / 4
    p_loss = torch.logsumexp(torch.where(positive, pos_wdists, very_negative), dim=1)
    n_loss = torch.logsumexp(torch.where(negative, neg_wdists, very_negative), dim=1)
    loss = F.softplus(p_loss + n_loss)
    loss._keras_mask = loss > 0
    return loss


class Circle(_BuiltinLoss):
    """Circle loss (``gamma`` 80, ``margin`` 0.4) between integer labels and unit embeddings."""

    _config_keys = ("gamma", "margin", "remove_diagonal")

    def __init__(self, gamma=80.0, margin=0.4, remove_diagonal=True,
                 reduction="sum_over_batch_size", name="circle", dtype=None):
        super().__init__(circle, name=name, reduction=reduction, dtype=dtype, gamma=gamma,
                         margin=margin, remove_diagonal=remove_diagonal)
        self.gamma = gamma
        self.margin = margin
        self.remove_diagonal = remove_diagonal
