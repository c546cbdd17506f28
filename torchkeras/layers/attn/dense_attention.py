"""``Attention`` (Luong, dot / concat scores) and ``AdditiveAttention`` (Bahdanau), Keras 3
semantics: inputs ``[query, value]`` or ``[query, value, key]``; the value mask removes keys
(``scores - 1e9`` before the softmax), ``use_causal_mask`` keeps key ``j <= i``; the query mask
zeroes masked query rows of the output; ``return_attention_scores`` also returns the softmax
weights. Dot scores without returned weights go through ``F.scaled_dot_product_attention``.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ...engine.base_layer import Layer, OutputSpec

__all__ = ["Attention", "AdditiveAttention"]


def _large(dtype) -> float:
    return 65504.0 if dtype == torch.float16 else 1.0e9


class Attention(Layer):
    """Dot-product attention: ``scores = query @ key^T`` (times the learnt ``scale`` when
    ``use_scale``), or ``score_mode="concat"``: ``concat_score_weight *
    sum(tanh(scale * (query_i + key_j)))``. Weights: ``scale`` () if ``use_scale``, then
    ``concat_score_weight`` () for concat scores."""

    def __init__(self, use_scale: bool = False, score_mode: str = "dot", dropout: float = 0.0,
                 seed=None, causal=None, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = bool(use_scale)
        if score_mode not in ("dot", "concat"):
            raise ValueError("Invalid value for argument score_mode. Expected one of "
                             f"{{'dot', 'concat'}}. Received: score_mode={score_mode!r}")
        self.score_mode = score_mode
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or \
                not 0 <= dropout <= 1:
            raise ValueError(f"Invalid value for argument `dropout` of {type(self).__name__} "
                             f"'{self.name}': expected a float between 0 and 1, got {dropout!r}")
        self.dropout = float(dropout)
        self.seed = seed
        self.causal = causal  # tf.keras 2 spelling of `use_causal_mask` (deprecated there)
        self.supports_masking = True
        self._generator = None

    # -- validation ----------------------------------------------------------------------------
    def _validate_inputs(self, inputs, mask=None):
        cname = type(self).__name__
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"{cname} layer must be called on a list of inputs, namely "
                             f"[query, value] or [query, value, key]. Received: inputs={inputs}.")
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(f"{cname} layer accepts inputs list of length 2 or 3, namely "
                             f"[query, value] or [query, value, key]. Received length: "
                             f"{len(inputs)}.")
        if mask is not None:
            if not isinstance(mask, (list, tuple)):
                raise ValueError(f"{cname} layer mask must be a list, namely [query_mask, "
                                 f"value_mask]. Received: mask={mask}.")
            if len(mask) < 2 or len(mask) > 3:
                raise ValueError(f"{cname} layer accepts mask list of length 2 or 3. Received: "
                                 f"inputs={inputs}, mask={mask}.")

    # -- build ---------------------------------------------------------------------------------
    def build(self, input_shape):
        self._validate_inputs(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        else:
            self.scale = None
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(),
                                                       initializer="ones")
        else:
            self.concat_score_weight = None
        self.built = True

    # -- computation ---------------------------------------------------------------------------
    def _calculate_scores(self, query, key):
        if self.score_mode == "dot":
            scores = torch.matmul(query, key.transpose(-2, -1))
            if self.scale is not None:
                scores = scores * self.scale
            return scores
        q = query.unsqueeze(-2)
        k = key.unsqueeze(-3)
        s = q + k if self.scale is None else self.scale * (q + k)
        return self.concat_score_weight * torch.tanh(s).sum(-1)

    @staticmethod
    def _causal(tq: int, tv: int, device):
        i = torch.arange(tq, device=device)[:, None]
        j = torch.arange(tv, device=device)[None, :]
        return (i >= j)[None]

    def _score_mask(self, tq, tv, v_mask, use_causal_mask, device):
        if use_causal_mask:
            causal = self._causal(tq, tv, device)
            return causal if v_mask is None else (v_mask.unsqueeze(-2) & causal)
        if v_mask is None:
            return None
        return v_mask.unsqueeze(-2)

    def _drop(self, weights, training):
        if not training or self.dropout <= 0:
            return weights
        if self.seed is None:
            return F.dropout(weights, self.dropout, True)
        if self._generator is None or self._generator.device != weights.device:
            self._generator = torch.Generator(device=weights.device)
            self._generator.manual_seed(int(self.seed))
        keep = torch.rand(weights.shape, device=weights.device,
                          generator=self._generator) >= self.dropout
        return weights * keep.to(weights.dtype) / (1.0 - self.dropout)

    @staticmethod
    def _as_bool(m, like):
        if m is None:
            return None
        m = torch.as_tensor(m, device=like.device)
        return m if m.dtype == torch.bool else m > 0.5 if m.is_floating_point() else m != 0

    def call(self, inputs, mask=None, training=False, return_attention_scores=False,
             use_causal_mask=False):
        self._validate_inputs(inputs, mask)
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        if not use_causal_mask and self.causal:
            use_causal_mask = True
        q_mask = self._as_bool(mask[0], q) if mask else None
        v_mask = self._as_bool(mask[1], q) if mask else None
        tq, tv = q.shape[-2], k.shape[-2]
        score_mask = self._score_mask(tq, tv, v_mask, use_causal_mask, q.device)
        fast = (self.score_mode == "dot" and not return_attention_scores and q.dim() >= 3 and
                type(self)._calculate_scores is Attention._calculate_scores and
                not (training and self.dropout > 0))
        weights = None
        if fast:
            bias = None
            if score_mask is not None:  # Keras subtracts 1e9 from masked scores
                bias = torch.zeros(score_mask.shape, dtype=q.dtype, device=q.device)
                bias = bias.masked_fill(~score_mask, -_large(q.dtype))
            qs = q if self.scale is None else q * self.scale
            out = F.scaled_dot_product_attention(qs, k, v, attn_mask=bias, scale=1.0)
        else:
            scores = self._calculate_scores(q, k)
            if score_mask is not None:
                scores = torch.where(score_mask, scores, scores - _large(scores.dtype))
            weights = torch.softmax(scores, dim=-1)
            out = torch.matmul(self._drop(weights, training), v)
        if q_mask is not None:
            out = torch.where(q_mask.unsqueeze(-1), out, torch.zeros((), dtype=out.dtype,
                                                                     device=out.device))
        if return_attention_scores:
            return out, weights
        return out

    def compute_mask(self, inputs, mask=None):
        self._validate_inputs(inputs, mask)
        if mask is None or mask[0] is None:
            return None
        return mask[0]

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (input_shape[1][-1],)

    def compute_output_spec(self, inputs, mask=None, return_attention_scores=False,
                            training=None, use_causal_mask=False):
        self._validate_inputs(inputs, mask)
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        dtype = self._output_dtype(q)
        out = OutputSpec(tuple(q.shape[:-1]) + (v.shape[-1],), dtype)
        if return_attention_scores:
            return out, OutputSpec(tuple(q.shape[:-1]) + (k.shape[-2],), dtype)
        return out

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"use_scale": self.use_scale, "score_mode": self.score_mode,
                    "dropout": self.dropout, "seed": self.seed})
        if self.causal is not None:
            cfg["causal"] = self.causal
        return cfg


class AdditiveAttention(Attention):
    """Bahdanau-style attention: ``scores = sum(scale * tanh(query_i + key_j))``; weight
    ``scale`` ``(dim,)`` (glorot_uniform) when ``use_scale`` (default True)."""

    def __init__(self, use_scale: bool = True, dropout: float = 0.0, **kwargs):
        kwargs.pop("score_mode", None)
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        dim = input_shape[0][-1]
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(dim,),
                                         initializer="glorot_uniform")
        else:
            self.scale = None
        self.built = True

    def _calculate_scores(self, query, key):
        s = torch.tanh(query.unsqueeze(-2) + key.unsqueeze(-3))
        if self.scale is not None:
            s = self.scale * s
        return s.sum(-1)

    def get_config(self):
        cfg = super().get_config()
        cfg.pop("score_mode", None)
        return cfg
