"""The fused recurrent kernels (``torch.lstm`` / ``torch.gru`` / ``torch.rnn_tanh`` /
``torch.rnn_relu``: cuDNN on GPU, oneDNN/ATen on CPU) with Keras's masking semantics.

Keras (generic loop) semantics for a mask: a masked step keeps the previous states; its output
is the previous output (zeros before the first unmasked step), or zeros when
``zero_output_for_mask``. When every row's unmasked steps form one contiguous block (right
padding, left padding, or both), that is exactly "run the block from the initial state": the
rows are shifted so the block starts at step 0, packed, run by the fused kernel and shifted
back. Other masks return ``None`` and the caller falls back to the step loop.
"""
from __future__ import annotations

from typing import Optional, Sequence

import torch
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

_FNS = {"lstm": torch.lstm, "gru": torch.gru, "rnn_tanh": torch.rnn_tanh,
        "rnn_relu": torch.rnn_relu}


def _call(mode, x, hx, weights, has_biases, training, bidirectional, batch_sizes=None):
    fn = _FNS[mode]
    if batch_sizes is None:
        res = fn(x, hx, weights, has_biases, 1, 0.0, training, bidirectional, True)
    else:
        res = fn(x, batch_sizes, hx, weights, has_biases, 1, 0.0, training, bidirectional)
    if mode == "lstm":
        return res[0], (res[1], res[2])
    return res[0], res[1]


def _select(hx, index):
    if isinstance(hx, tuple):
        return tuple(h.index_select(1, index) for h in hx)
    return hx.index_select(1, index)


def _where_rows(cond, a, b):
    """Per batch row (axis 1 of (D, B, u) states) choose ``a`` where ``cond`` else ``b``."""
    if isinstance(a, tuple):
        return tuple(_where_rows(cond, x, y) for x, y in zip(a, b))
    return torch.where(cond.view(1, -1, 1), a, b)


def analyse_mask(mask: torch.Tensor):
    """-> ``(first, count)`` per row (on the mask's device) when each row's unmasked steps are one
    contiguous block, ``"full"`` when nothing is masked, else ``None``. One host transfer."""
    m = mask.detach().to("cpu", torch.bool)
    steps = m.shape[1]
    count = m.sum(1)
    first = m.to(torch.uint8).argmax(1)
    if bool((count == steps).all()):
        return "full"
    pos = torch.arange(steps)
    block = (pos[None] >= first[:, None]) & (pos[None] < (first + count)[:, None])
    if not bool((block == m).all()):
        return None
    return first, count


def fused_rnn(mode: str, x: torch.Tensor, hx, weights: Sequence[torch.Tensor], has_biases: bool,
              training: bool, bidirectional: bool = False, mask: Optional[torch.Tensor] = None,
              zero_output_for_mask: bool = False):
    """Run one (optionally bidirectional) fused layer on ``x`` (batch, time, features), in the
    order given. ``hx``: ``(D, B, u)`` states (a ``(h, c)`` tuple for LSTM).

    Returns ``(sequence, last, hx_out)`` with Keras's masked-step semantics, or ``None`` when
    the mask is not made of contiguous blocks. ``last`` is the last output per direction (the
    reverse direction's last output is the one at step 0).
    """
    weights = list(weights)
    if mask is not None:
        info = analyse_mask(mask)
        if info is None:
            return None
        if info == "full":
            mask = None
    if mask is None:
        y, h = _call(mode, x, hx, weights, has_biases, training, bidirectional)
        return y, _last(y, bidirectional), h

    first_cpu, count_cpu = info
    steps = x.shape[1]
    dev = x.device
    first = first_cpu.to(dev, non_blocking=True)
    count = count_cpu.to(dev, non_blocking=True)
    pos = torch.arange(steps, device=dev)
    shifted = bool((first_cpu > 0).any())
    if shifted:  # move each row's block to the start
        idx = (pos[None] + first[:, None]).clamp(max=steps - 1)
        x = torch.gather(x, 1, idx[..., None].expand(-1, -1, x.shape[2]))
    lengths = count_cpu.clamp(min=1)
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    y_data, h = _call(mode, packed.data, _select(hx, packed.sorted_indices), weights, has_biases,
                      training, bidirectional, batch_sizes=packed.batch_sizes)
    h = _select(h, packed.unsorted_indices)
    y, _ = pad_packed_sequence(PackedSequence(y_data, packed.batch_sizes, packed.sorted_indices,
                                              packed.unsorted_indices),
                               batch_first=True, total_length=steps)
    empty = count == 0
    if bool((count_cpu == 0).any()):
        h = _where_rows(~empty, h, hx)
    feat = y.shape[2]
    # last outputs, per direction
    last_idx = (count - 1).clamp(min=0)
    last = torch.gather(y, 1, last_idx.view(-1, 1, 1).expand(-1, 1, feat))[:, 0]
    if bidirectional:
        u = feat // 2
        last = torch.cat([last[:, :u], y[:, 0, u:]], dim=-1)
    last = torch.where(empty[:, None], torch.zeros_like(last), last)
    # back to the original time positions
    j = pos[None] - first[:, None]
    lead = j < 0
    trail = j >= count[:, None]
    if zero_output_for_mask or bidirectional:
        src = j.clamp(0, steps - 1)
        hide = lead | trail
    else:  # masked trailing steps repeat the last output
        src = torch.minimum(j, last_idx[:, None]).clamp(0, steps - 1)
        hide = lead | empty[:, None]
    seq = torch.gather(y, 1, src[..., None].expand(-1, -1, feat))
    seq = seq.masked_fill(hide[..., None], 0.0)
    if zero_output_for_mask and not bidirectional:
        last = seq[:, -1]  # the generic loop's last output is the (zeroed) last step
    return seq, last, h


def _last(y: torch.Tensor, bidirectional: bool) -> torch.Tensor:
    if not bidirectional:
        return y[:, -1]
    u = y.shape[2] // 2
    return torch.cat([y[:, -1, :u], y[:, 0, u:]], dim=-1)
