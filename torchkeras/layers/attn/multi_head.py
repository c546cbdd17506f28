"""``MultiHeadAttention`` with Keras 3's weight layout, masks and two computation paths.

Projections are sublayers named like Keras 3's EinsumDense layers — ``query_dense`` (layer name
``query``), ``key_dense`` (``key``), ``value_dense`` (``value``), optional ``gate_dense``
(``gate``), ``output_dense`` (``attention_output``) — each with ``kernel`` / ``bias`` in Keras
layout: ``(D, H, key_dim)`` + ``(H, key_dim)`` for query/key, ``(D, H, value_dim)`` +
``(H, value_dim)`` for value, ``(H, value_dim, *output_shape)`` + ``output_shape`` for the output.

Like Keras, attention without dropout and without returned scores on rank-3 inputs uses the
fused path (here ``F.scaled_dot_product_attention``; masked logits are replaced by a large
negative number, so a fully masked query row attends uniformly), every other case the explicit
einsum path (Keras's Softmax-layer masking: a fully masked row gives zeros).
"""
from __future__ import annotations

import math
from typing import Optional, Sequence

import torch
import torch.nn.functional as F

from ... import activations, constraints, initializers, regularizers
from ...engine.base_layer import Layer, OutputSpec

__all__ = ["MultiHeadAttention"]


def _clone_initializer(init, input_axes=None, output_axes=None):
    """A fresh copy (Keras clones the MHA initializers for each sublayer; EinsumDense gives
    variance-scaling kernels their input/output axes)."""
    if init is None or not hasattr(init, "get_config"):
        return init
    cfg = dict(init.get_config())
    from ...initializers.random import VarianceScaling
    if isinstance(init, VarianceScaling) and input_axes is not None and \
            (getattr(init, "input_axes", None) is None or
             getattr(init, "output_axes", None) is None):
        cfg["input_axes"] = list(input_axes)
        cfg["output_axes"] = list(output_axes)
    return type(init).from_config(cfg)


class _EinsumProjection(Layer):
    """A dense projection contracting the last ``n_in`` input axes into ``out_shape``:
    ``y = x . kernel + bias`` with ``kernel`` of Keras shape ``in_shape + out_shape`` (stored so
    the computation is one ``F.linear`` on flattened axes)."""

    def __init__(self, in_shape: Sequence[int], out_shape: Sequence[int], use_bias: bool,
                 kernel_initializer, bias_initializer, kernel_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 activation=None, **kwargs):
        super().__init__(**kwargs)
        self.in_shape = tuple(int(d) for d in in_shape)
        self.out_shape = tuple(int(d) for d in out_shape)
        self.activation = activations.get(activation)
        n_in = len(self.in_shape)
        kshape = self.in_shape + self.out_shape
        self.kernel = self.add_weight(
            name="kernel", shape=kshape,
            initializer=_clone_initializer(kernel_initializer, range(n_in),
                                           range(n_in, len(kshape))),
            regularizer=kernel_regularizer, constraint=kernel_constraint)
        self.bias = self.add_weight(name="bias", shape=self.out_shape,
                                    initializer=_clone_initializer(bias_initializer),
                                    regularizer=bias_regularizer,
                                    constraint=bias_constraint) if use_bias else None
        self.built = True

    def call(self, inputs):
        n_in = len(self.in_shape)
        lead = inputs.shape[:inputs.dim() - n_in]
        x = inputs.reshape(tuple(lead) + (-1,))
        fan_in = math.prod(self.in_shape)
        w = self.kernel.reshape(fan_in, -1).t()
        b = None if self.bias is None else self.bias.reshape(-1)
        y = F.linear(x, w, b).reshape(tuple(lead) + self.out_shape)
        if self.activation is not activations.linear:
            y = self.activation(y)
        return y

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:len(input_shape) - len(self.in_shape)]) + self.out_shape


def _large_negative(dtype) -> float:
    return -0.7 * (65500.0 if dtype == torch.float16 else 3.38953e38)


def _softmax_large_negative(dtype) -> float:
    return float(torch.finfo(torch.float16).min) if dtype == torch.float16 else -1e9


class MultiHeadAttention(Layer):
    """``keras.layers.MultiHeadAttention`` (Vaswani et al. 2017), Keras 3 arguments.

    ``call(query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
    attention_mask=None, return_attention_scores=False, training=None,
    use_causal_mask=False)``; the masks default to the Keras masks carried by the tensors.
    """

    def __init__(self, num_heads: int, key_dim: int, value_dim: Optional[int] = None,
                 dropout: float = 0.0, use_bias: bool = True, output_shape=None,
                 attention_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate: bool = False, sliding_window: Optional[int] = None, seed=None,
                 flash_attention=None, query_shape=None, key_shape=None, value_shape=None,
                 **kwargs):
        weights = kwargs.pop("weights", None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        for arg, val in (("num_heads", num_heads), ("key_dim", key_dim)):
            if isinstance(val, bool) or not isinstance(val, int) or val <= 0:
                raise ValueError(f"Received an invalid value for argument `{arg}`, expected a "
                                 f"positive integer. Received: {arg}={val!r}")
        if value_dim is not None and (isinstance(value_dim, bool) or
                                      not isinstance(value_dim, int) or value_dim <= 0):
            raise ValueError("Received an invalid value for argument `value_dim`, expected a "
                             f"positive integer or `None`. Received: value_dim={value_dim!r}")
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or \
                not 0 <= dropout <= 1:
            raise ValueError("Received an invalid value for argument `dropout` of "
                             f"MultiHeadAttention '{self.name}': expected a float between 0 "
                             f"and 1. Received: dropout={dropout!r}")
        self.supports_masking = True
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout = float(dropout)
        self._use_bias = bool(use_bias)
        self._use_gate = bool(use_gate)
        if output_shape:
            if isinstance(output_shape, int):
                output_shape = (output_shape,)
            try:
                output_shape = tuple(int(d) for d in output_shape)
            except TypeError:
                raise ValueError(f"Invalid `output_shape`: {output_shape!r}. When specified, "
                                 "the `output_shape` should be of type tuple, list, or "
                                 "int.") from None
        self._output_shape = output_shape or None
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes is not None and not isinstance(attention_axes, (list, tuple)):
            raise ValueError("`attention_axes` must be an int, list, or tuple. Received: "
                             f"attention_axes={attention_axes!r}")
        self._attention_axes = tuple(attention_axes) if attention_axes is not None else None
        if sliding_window is not None and (isinstance(sliding_window, bool) or
                                           not isinstance(sliding_window, int) or
                                           sliding_window <= 0):
            raise ValueError("`sliding_window` must be `None` or a positive integer. "
                             f"Received: sliding_window={sliding_window!r}")
        self._sliding_window = sliding_window
        if flash_attention and self._dropout > 0.0:
            raise ValueError("Dropout is not supported when flash attention is enabled. Please "
                             "set dropout to 0.0 to use flash attention.")
        self._flash_attention = flash_attention
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self._key_dim))
        self._legacy_shapes = {k: v for k, v in (("query_shape", query_shape),
                                                 ("key_shape", key_shape),
                                                 ("value_shape", value_shape)) if v is not None}
        self._pending_weights = weights
        # tf.keras 2's masked softmax adds -1e9 (a fully masked row attends uniformly); Keras 3's
        # Softmax layer zeroes masked positions. Follows the era the layer is created in.
        from ...backend import config as _bconfig
        self._keras2_softmax = _bconfig.keras_era() < 3
        self._axes = None
        self._generator = None
        if query_shape is not None and value_shape is not None:
            self.build(tuple(query_shape), tuple(value_shape),
                       tuple(key_shape) if key_shape is not None else None)

    # -- properties (Keras names) --------------------------------------------------------------
    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)

    # -- build ---------------------------------------------------------------------------------
    def build(self, query_shape, value_shape=None, key_shape=None):
        """Creates the projections. Needs the value shape; the engine's first-call build (query
        shape only) is completed by the call itself."""
        if value_shape is None:
            if "value_shape" in self._legacy_shapes:
                value_shape = self._legacy_shapes["value_shape"]
            else:
                return
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError("All dimensions of `value` and `key`, except the last one, must be "
                             f"equal. Received: value_shape={value_shape} and key_shape="
                             f"{key_shape}")
        if getattr(self, "query_dense", None) is not None:
            return
        if len(query_shape) != len(value_shape):
            raise ValueError(f"MultiHeadAttention '{self.name}': `query` and `value` must have "
                             f"the same rank. Received: query_shape={query_shape}, "
                             f"value_shape={value_shape}")
        for what, shape in (("query", query_shape), ("value", value_shape),
                            ("key", key_shape)):
            if shape[-1] is None:
                raise ValueError(f"The last dimension of `{what}` passed to MultiHeadAttention "
                                 f"'{self.name}' must be defined. Received: {shape}")
        h = self._num_heads
        kw = dict(use_bias=self._use_bias, kernel_initializer=self._kernel_initializer,
                  bias_initializer=self._bias_initializer,
                  kernel_regularizer=self._kernel_regularizer,
                  bias_regularizer=self._bias_regularizer,
                  kernel_constraint=self._kernel_constraint,
                  bias_constraint=self._bias_constraint, dtype=self._dtype_policy_name)
        self.query_dense = _EinsumProjection((query_shape[-1],), (h, self._key_dim),
                                             name="query", **kw)
        self.key_dense = _EinsumProjection((key_shape[-1],), (h, self._key_dim),
                                           name="key", **kw)
        if self._use_gate:
            self.gate_dense = _EinsumProjection((query_shape[-1],), (h, self._value_dim),
                                                activation="sigmoid", name="gate", **kw)
        else:
            self.gate_dense = None
        self.value_dense = _EinsumProjection((value_shape[-1],), (h, self._value_dim),
                                             name="value", **kw)
        out = self._output_shape or (query_shape[-1],)
        self.output_dense = _EinsumProjection((h, self._value_dim), out,
                                              name="attention_output", **kw)
        rank = len(query_shape) + 1  # projected rank: (B, *dims, H, d)
        if self._attention_axes is None:
            axes = tuple(range(1, rank - 2))
        else:
            axes = tuple(a if a >= 0 else (rank - 1) + a for a in self._attention_axes)
        self._axes = axes
        self._build_shapes = {"query_shape": query_shape, "value_shape": value_shape,
                              "key_shape": key_shape}
        self.built = True
        if self._pending_weights is not None:
            w, self._pending_weights = self._pending_weights, None
            self.set_weights(w)

    def _ensure_built(self, query, value, key):
        if getattr(self, "query_dense", None) is not None:
            return
        self.build(tuple(query.shape), tuple(value.shape),
                   None if key is None else tuple(key.shape))
        dev = query.device if isinstance(query, torch.Tensor) else None
        if dev is not None and dev.type != "cpu":
            self.to(dev)

    def get_build_config(self):
        shapes = getattr(self, "_build_shapes", None)
        return dict(shapes) if shapes else None

    def build_from_config(self, config):
        if config and config.get("query_shape") is not None and \
                config.get("value_shape") is not None:
            self.build(config["query_shape"], config["value_shape"], config.get("key_shape"))

    # -- masks ---------------------------------------------------------------------------------
    @staticmethod
    def _bool(m, device):
        if m is None:
            return None
        m = torch.as_tensor(m, device=device)
        return m if m.dtype == torch.bool else (m > 0.5 if m.is_floating_point() else m != 0)

    def _compute_attention_mask(self, query, value, query_mask=None, value_mask=None,
                                key_mask=None, attention_mask=None, use_causal_mask=False):
        dev = query.device
        auto = None
        if query_mask is not None:
            auto = self._bool(query_mask, dev).unsqueeze(-1)
        for m in (value_mask, key_mask):
            if m is not None:
                m = self._bool(m, dev).unsqueeze(-2)
                auto = m if auto is None else auto & m
        tq, tv = query.shape[1], value.shape[1]
        if use_causal_mask:
            i = torch.arange(tq, device=dev)[:, None]
            j = torch.arange(tv, device=dev)[None, :]
            m = (i >= j)[None]
            auto = m if auto is None else auto & m
        if self._sliding_window is not None:
            i = torch.arange(tq, device=dev)[:, None]
            j = torch.arange(tv, device=dev)[None, :]
            m = ((i - j).abs() < self._sliding_window)[None]
            auto = m if auto is None else auto & m
        if attention_mask is not None:
            attention_mask = self._bool(attention_mask, dev)
        if auto is not None:
            attention_mask = auto if attention_mask is None else attention_mask & auto
        return attention_mask

    # -- attention -----------------------------------------------------------------------------
    def _dropout_probs(self, probs, training):
        if not training or self._dropout <= 0:
            return probs
        if self.seed is None:
            return F.dropout(probs, self._dropout, True)
        if self._generator is None or self._generator.device != probs.device:
            self._generator = torch.Generator(device=probs.device)
            self._generator.manual_seed(int(self.seed))
        keep = torch.rand(probs.shape, device=probs.device,
                          generator=self._generator) >= self._dropout
        return probs * keep.to(probs.dtype) / (1.0 - self._dropout)

    def _compute_attention(self, query, key, value, attention_mask=None, training=None,
                           return_attention_scores=False, use_causal_mask=False):
        """Projected ``query (B, *T, H, dk)``, ``key``/``value`` ``(B, *S, H, d)`` ->
        ``(output (B, *T, H, dv), scores or None)``."""
        rank = query.dim()
        fused = not (self._dropout > 0.0 or return_attention_scores or rank != 4)
        if fused:
            q, k, v = (t.transpose(1, 2) for t in (query, key, value))  # (B, H, T, d)
            bias = None
            causal = use_causal_mask and attention_mask is None
            if attention_mask is not None:
                m = attention_mask
                while m.dim() < 4:
                    m = m.unsqueeze(-3)
                bias = torch.zeros(m.shape, dtype=q.dtype, device=q.device).masked_fill(
                    ~m, _large_negative(q.dtype))
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=bias, is_causal=causal,
                                                 scale=self._inverse_sqrt_key_dim)
            return out.transpose(1, 2), None
        if use_causal_mask:
            tq, tv = query.shape[1], value.shape[1]
            i = torch.arange(tq, device=query.device)[:, None]
            j = torch.arange(tv, device=query.device)[None, :]
            causal = (i >= j)[None]
            attention_mask = causal if attention_mask is None else attention_mask & causal
        axes = self._axes
        batch_axes = [i for i in range(rank - 1) if i not in axes]
        perm = batch_axes + list(axes) + [rank - 1]
        q = (query * self._inverse_sqrt_key_dim).permute(perm)
        k = key.permute(perm)
        v = value.permute(perm)
        nb, na = len(batch_axes), len(axes)
        batch_shape = q.shape[:nb]
        tq_shape, tk_shape = q.shape[nb:nb + na], k.shape[nb:nb + na]
        qf = q.reshape(tuple(batch_shape) + (-1, q.shape[-1]))
        kf = k.reshape(tuple(k.shape[:nb]) + (-1, k.shape[-1]))
        vf = v.reshape(tuple(v.shape[:nb]) + (-1, v.shape[-1]))
        scores = torch.matmul(qf, kf.transpose(-1, -2))
        scores = scores.reshape(tuple(batch_shape) + tuple(tq_shape) + tuple(tk_shape))
        mask = None
        if attention_mask is not None:
            mask = attention_mask
            while mask.dim() < scores.dim():
                mask = mask.unsqueeze(-2 * na - 1)
            if self._keras2_softmax:
                scores = scores + (~mask).to(scores.dtype) * _softmax_large_negative(
                    scores.dtype)
            else:
                scores = torch.where(mask, scores, torch.full((), _softmax_large_negative(
                    scores.dtype), dtype=scores.dtype, device=scores.device))
        flat = scores.reshape(tuple(batch_shape) + (qf.shape[-2], -1))
        probs = torch.softmax(flat, dim=-1).reshape(scores.shape)
        if mask is not None and not self._keras2_softmax:
            probs = torch.where(mask, probs, torch.zeros((), dtype=probs.dtype,
                                                         device=probs.device))
        dropped = self._dropout_probs(probs, training)
        out = torch.matmul(dropped.reshape(flat.shape), vf)
        out = out.reshape(tuple(batch_shape) + tuple(tq_shape) + (out.shape[-1],))
        inv = [0] * rank
        for i, p in enumerate(perm):
            inv[p] = i
        return out.permute(inv), probs

    # -- call ----------------------------------------------------------------------------------
    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        query = _tensor(query)
        value = _tensor(value)
        key_given = key is not None
        key = value if key is None else _tensor(key)
        if query_mask is None:
            query_mask = getattr(query, "_keras_mask", None)
        if value_mask is None:
            value_mask = getattr(value, "_keras_mask", None)
        if key_mask is None and key_given and key is not value:
            key_mask = getattr(key, "_keras_mask", None)
        self._ensure_built(query, value, key if key_given else None)
        causal_only = (use_causal_mask and query_mask is None and value_mask is None and
                       key_mask is None and attention_mask is None and
                       self._sliding_window is None)
        if causal_only:
            mask = None
        else:
            mask = self._compute_attention_mask(query, value, query_mask, value_mask, key_mask,
                                                attention_mask, use_causal_mask)
        gate = self.gate_dense(query) if self.gate_dense is not None else None
        q = self.query_dense(query)
        k = self.key_dense(key)
        v = self.value_dense(value)
        out, scores = self._compute_attention(q, k, v, mask, training, return_attention_scores,
                                              use_causal_mask=causal_only)
        if gate is not None:
            out = out * gate
        out = self.output_dense(out)
        if query_mask is not None:
            from ...engine.base_layer import _set_mask
            _set_mask(out, self._bool(query_mask, out.device))
        if return_attention_scores:
            return out, scores
        return out

    def compute_mask(self, inputs, mask=None):
        return None  # the call attaches the query mask to the attention output itself

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        if value_shape is not None:
            value_shape = tuple(value_shape)
            key_shape = value_shape if key_shape is None else tuple(key_shape)
            if value_shape[1:-1] != key_shape[1:-1]:
                raise ValueError("All dimensions of `value` and `key`, except the last one, "
                                 f"must be equal. Received: value_shape={value_shape} and "
                                 f"key_shape={key_shape}")
        if self._output_shape:
            return query_shape[:-1] + self._output_shape
        return query_shape

    def compute_output_spec(self, query, value=None, key=None, query_mask=None,
                            value_mask=None, key_mask=None, attention_mask=None,
                            return_attention_scores=False, training=None,
                            use_causal_mask=False):
        if value is None:
            raise ValueError(f"MultiHeadAttention '{self.name}' needs a `value` input.")
        self._ensure_built(query, value, key)
        dtype = self._output_dtype(query)
        out = OutputSpec(self.compute_output_shape(query.shape, value.shape,
                                                   None if key is None else key.shape), dtype)
        if not return_attention_scores:
            return out
        rank = len(query.shape) + 1
        batch_axes = [i for i in range(rank - 1) if i not in self._axes]
        dims = list(query.shape) + [None]
        dims[rank - 2] = self._num_heads
        vshape = list(value.shape) + [None]
        shape = [dims[i] for i in batch_axes] + [dims[i] for i in self._axes] + \
            [vshape[i] for i in self._axes]
        return out, OutputSpec(tuple(shape), dtype)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({
            "num_heads": self._num_heads,
            "key_dim": self._key_dim,
            "value_dim": self._value_dim,
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "use_gate": self._use_gate,
            "output_shape": self._output_shape,
            "attention_axes": self._attention_axes,
            "sliding_window": self._sliding_window,
            "kernel_initializer": initializers.serialize(self._kernel_initializer),
            "bias_initializer": initializers.serialize(self._bias_initializer),
            "kernel_regularizer": regularizers.serialize(self._kernel_regularizer)
            if self._kernel_regularizer else None,
            "bias_regularizer": regularizers.serialize(self._bias_regularizer)
            if self._bias_regularizer else None,
            "activity_regularizer": regularizers.serialize(self.activity_regularizer)
            if self.activity_regularizer else None,
            "kernel_constraint": constraints.serialize(self._kernel_constraint)
            if self._kernel_constraint else None,
            "bias_constraint": constraints.serialize(self._bias_constraint)
            if self._bias_constraint else None,
            "seed": self.seed,
        })
        cfg.update(self._legacy_shapes)
        return cfg


def _tensor(x):
    if isinstance(x, torch.Tensor):
        return x
    import numpy as np
    from ...engine.base_layer import _as_tensor
    return _as_tensor(np.asarray(x))
