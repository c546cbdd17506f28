"""Keras 2 backend: CTC helpers (``ctc_batch_cost``, greedy ``ctc_decode``).

As in tf-keras, ``y_pred`` holds per-step *probabilities* ``(batch, time, classes)``, the blank
is the last class, and ``log(y_pred + epsilon)`` is passed to CTC as logits (so it is
renormalised with a log-softmax before the loss).
"""
from __future__ import annotations

from typing import List, Tuple

import torch
import torch.nn.functional as F

from ._common import floatx_dtype, to_tensor
from .config import epsilon

__all__ = ["ctc_batch_cost", "ctc_decode", "ctc_label_dense_to_sparse"]


def _lengths(v, batch: int, device) -> torch.Tensor:
    t = to_tensor(v, device=device).reshape(-1).long()
    if t.numel() == 1 and batch > 1:
        t = t.expand(batch)
    return t


def ctc_batch_cost(y_true, y_pred, input_length, label_length) -> torch.Tensor:
    """Per-sample CTC loss, shape ``(batch, 1)``.

    ``y_true`` ``(batch, max_label_len)`` int labels, ``y_pred`` ``(batch, T, C)`` softmax
    outputs (blank = ``C - 1``), ``input_length``/``label_length`` ``(batch, 1)``.
    """
    pred = to_tensor(y_pred)
    if not pred.is_floating_point():
        pred = pred.to(floatx_dtype())
    batch, _, classes = pred.shape
    labels = to_tensor(y_true, device=pred.device).long()
    in_len = _lengths(input_length, batch, pred.device)
    lab_len = _lengths(label_length, batch, pred.device)
    logits = torch.log(pred.transpose(0, 1) + epsilon())          # (T, B, C)
    log_probs = torch.log_softmax(logits.float(), dim=-1)
    loss = F.ctc_loss(log_probs, labels, in_len, lab_len, blank=classes - 1, reduction="none",
                      zero_infinity=False)
    return loss.to(pred.dtype).unsqueeze(1)


def ctc_decode(y_pred, input_length, greedy: bool = True, beam_width: int = 100,
               top_paths: int = 1) -> Tuple[List[torch.Tensor], torch.Tensor]:
    """Greedy CTC decoding: ``([decoded (batch, max_len) padded with -1], log_prob (batch, 1))``.

    ``log_prob`` is the negative sum over time of the best ``log(y_pred + eps)`` per step, as
    ``tf.nn.ctc_greedy_decoder`` reports. Beam search is not implemented.
    """
    if not greedy:
        raise NotImplementedError("ctc_decode(greedy=False) (beam search) is not implemented; "
                                  "use greedy=True.")
    pred = to_tensor(y_pred)
    if not pred.is_floating_point():
        pred = pred.to(floatx_dtype())
    batch, steps, classes = pred.shape
    in_len = _lengths(input_length, batch, pred.device)
    logits = torch.log(pred + epsilon())
    best, idx = logits.max(dim=-1)                                  # (B, T)
    valid = torch.arange(steps, device=pred.device).unsqueeze(0) < in_len.unsqueeze(1)
    log_prob = -(best * valid.to(best.dtype)).sum(dim=1, keepdim=True)
    prev = torch.cat([torch.full_like(idx[:, :1], -1), idx[:, :-1]], dim=1)
    keep = valid & (idx != classes - 1) & (idx != prev)
    seqs = [idx[b][keep[b]] for b in range(batch)]
    width = max((int(s.numel()) for s in seqs), default=0)
    dense = torch.full((batch, width), -1, dtype=torch.int64, device=pred.device)
    for b, s in enumerate(seqs):
        dense[b, :s.numel()] = s
    return [dense], log_prob


def ctc_label_dense_to_sparse(labels, label_lengths):
    """Dense labels -> a torch sparse COO tensor holding the first ``label_lengths`` entries."""
    lab = to_tensor(labels).long()
    lengths = to_tensor(label_lengths, device=lab.device).reshape(-1).long()
    mask = torch.arange(lab.shape[1], device=lab.device).unsqueeze(0) < lengths.unsqueeze(1)
    indices = mask.nonzero().t()
    return torch.sparse_coo_tensor(indices, lab[mask], size=tuple(lab.shape))
