"""Attention layers family: ``MultiHeadAttention``, ``Attention``, ``AdditiveAttention``
(implementations in ``torchkeras.layers.attn``)."""
from __future__ import annotations

from .attn.dense_attention import AdditiveAttention, Attention
from .attn.multi_head import MultiHeadAttention

__all__ = ["MultiHeadAttention", "Attention", "AdditiveAttention"]
