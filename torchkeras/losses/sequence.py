"""Sequence loss (Keras 3): CTC, via ``torch.nn.functional.ctc_loss``.

``y_true``: ``(batch, max_label_length)`` integer labels padded with 0 (0 is the blank / mask
index, as in Keras); ``y_pred``: ``(batch, time, num_classes)`` unnormalised logits. Every
sequence uses all ``time`` frames; a label's length is its count of non-zero entries.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ._utils import to_float_tensor, to_tensor
from .base import _BuiltinLoss
from ..engine.symbolic_ops import symbolic_aware


@symbolic_aware
def ctc(y_true, y_pred) -> torch.Tensor:
    """Per-sample CTC negative log-likelihood."""
    y_pred = to_float_tensor(y_pred)
    y_true = to_tensor(y_true, device=y_pred.device)
    if y_true.dim() != 2:
        raise ValueError("Targets `y_true` are expected to be a tensor of shape "
                         "`(batch_size, max_length)` in integer format. "
                         f"Received: y_true.shape={tuple(y_true.shape)}")
    if y_pred.dim() != 3:
        raise ValueError("Logits `y_pred` are expected to be a tensor of shape "
                         "`(batch_size, max_length, num_classes)`. "
                         f"Received: y_pred.shape={tuple(y_pred.shape)}")
    if y_true.shape[0] != y_pred.shape[0]:
        raise ValueError("`y_true` and `y_pred` must have the same batch size for ctc. "
                         f"Received: y_true.shape={tuple(y_true.shape)}, "
                         f"y_pred.shape={tuple(y_pred.shape)}")
    labels = y_true.long()
    batch, time = y_pred.shape[0], y_pred.shape[1]
    input_lengths = torch.full((batch,), time, dtype=torch.long, device=y_pred.device)
    label_lengths = (labels != 0).sum(dim=-1)
    compute_dtype = torch.float32 if y_pred.dtype in (torch.float16, torch.bfloat16) else y_pred.dtype
    log_probs = F.log_softmax(y_pred.to(compute_dtype), dim=-1).transpose(0, 1)
    loss = F.ctc_loss(log_probs, labels, input_lengths, label_lengths, blank=0,
                      reduction="none", zero_infinity=False)
    return loss.to(y_pred.dtype)


class CTC(_BuiltinLoss):
    """Connectionist Temporal Classification loss."""

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, name=name, reduction=reduction, dtype=dtype)
