"""``Bidirectional``: runs a recurrent layer forwards and a copy of it backwards and merges the
two (Keras 3 semantics: the backward layer is a ``go_backwards`` copy named ``backward_<name>``,
both are forced to ``zero_output_for_mask = return_sequences``, the backward sequence is flipped
back before merging).

LSTM/GRU pairs in the standard configuration run as one ``torch.lstm`` / ``torch.gru`` call with
``bidirectional=True`` (cuDNN runs both directions together on GPU), masks included when each
row's unmasked steps are contiguous; anything else calls the two layers.
"""
from __future__ import annotations

import copy

import torch

from ...engine.base_layer import Layer, OutputSpec, _shape_of
from ...engine.input_spec import assert_input_compatibility
from ._fused import fused_rnn
from .gru import GRU
from .lstm import LSTM

__all__ = ["Bidirectional"]

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _removeprefix(text: str, prefix: str) -> str:
    return text[len(prefix):] if text.startswith(prefix) else text


def _copy_layer(layer: Layer, overrides: dict) -> Layer:
    """A fresh layer with ``layer``'s config (plus ``overrides``), as Keras re-creates the
    wrapped layer from its config; a deep copy when the class can't be rebuilt from config."""
    from ...saving.serialization import serialize_keras_object
    cfg = serialize_keras_object(layer)["config"]
    cfg = copy.deepcopy(cfg)
    cfg.update(overrides)
    try:
        return type(layer).from_config(cfg)
    except (TypeError, ValueError):
        clone = copy.deepcopy(layer)
        for k, v in overrides.items():
            if k == "name":
                clone._name = v
            else:
                setattr(clone, k, v)
        return clone


class Bidirectional(Layer):
    """``keras.layers.Bidirectional(layer, merge_mode="concat", weights=None,
    backward_layer=None)``; ``merge_mode`` is one of "concat", "sum", "mul", "ave" or None
    (a list ``[forward, backward]``). Weights: the forward layer's, then the backward layer's
    (sublayers ``forward_layer`` / ``backward_layer``)."""

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `Bidirectional` layer with a "
                             f"`keras.layers.Layer` instance. Received: {layer!r}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError("`backward_layer` need to be a `keras.layers.Layer` instance. "
                             f"Received: {backward_layer!r}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode!r}. Merge mode should "
                             'be one of {"sum", "mul", "ave", "concat", None}')
        super().__init__(**kwargs)
        self.forward_layer = _copy_layer(
            layer, {"name": "forward_" + _removeprefix(layer.name, "forward_")})
        if backward_layer is None:
            self.backward_layer = _copy_layer(
                layer, {"name": "backward_" + _removeprefix(layer.name, "backward_"),
                        "go_backwards": not getattr(layer, "go_backwards", False)})
        else:
            self.backward_layer = backward_layer
        if hasattr(layer, "use_cudnn"):
            self.forward_layer.use_cudnn = layer.use_cudnn
            self.backward_layer.use_cudnn = layer.use_cudnn
        self._verify_layer_config()
        for sub in (self.forward_layer, self.backward_layer):
            if getattr(sub, "zero_output_for_mask", None) is not None:
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self._pending_weights = list(weights) if weights else None
        self.stateful = getattr(layer, "stateful", False)
        self.return_sequences = getattr(layer, "return_sequences", False)
        self.return_state = getattr(layer, "return_state", False)
        self.supports_masking = True
        self.input_spec = layer.input_spec

    def _verify_layer_config(self):
        fwd, bwd = self.forward_layer, self.backward_layer
        if getattr(fwd, "go_backwards", False) == getattr(bwd, "go_backwards", False):
            raise ValueError(
                "Forward layer and backward layer should have different `go_backwards` value. "
                f"Received: forward_layer.go_backwards {getattr(fwd, 'go_backwards', False)}, "
                f"backward_layer.go_backwards={getattr(bwd, 'go_backwards', False)}")
        for attr in ("stateful", "return_sequences", "return_state"):
            a, b = getattr(fwd, attr, None), getattr(bwd, attr, None)
            if a != b:
                raise ValueError("Forward layer and backward layer are expected to have the same "
                                 f'value for attribute "{attr}", got "{a}" for forward layer and '
                                 f'"{b}" for backward layer')

    # -- build ---------------------------------------------------------------------------------
    def _check_input_spec(self, inputs) -> None:
        if self.input_spec is None:
            return
        first = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
        assert_input_compatibility(self.input_spec, [_shape_of(first)], self.name)

    @staticmethod
    def _first_shape(shape):
        if isinstance(shape, list) and shape and isinstance(shape[0], (list, tuple)):
            return tuple(shape[0])
        return tuple(shape)

    def build(self, sequences_shape, initial_state_shape=None):
        shape = self._first_shape(sequences_shape)
        for sub in (self.forward_layer, self.backward_layer):
            if not sub.built:
                sub.build(shape)
                sub.built = True
                sub._build_input_shape = shape
        self.built = True
        if self._pending_weights is not None:
            weights, self._pending_weights = self._pending_weights, None
            half = len(weights) // 2
            self.forward_layer.set_weights(weights[:half])
            self.backward_layer.set_weights(weights[half:])

    # -- call ----------------------------------------------------------------------------------
    def call(self, sequences, initial_state=None, mask=None, training=None):
        if isinstance(sequences, (list, tuple)):  # Keras 2: [x, *forward_states, *backward]
            parts = list(sequences)
            sequences = parts[0]
            if len(parts) > 1:
                initial_state = parts[1:]
            if isinstance(mask, (list, tuple)):
                mask = mask[0] if mask else None
        if isinstance(mask, (list, tuple)):
            mask = mask[0] if mask else None
        if initial_state is not None and not isinstance(initial_state, (list, tuple)):
            initial_state = [initial_state]
        fused = self._fused_call(sequences, initial_state, mask, bool(training))
        if fused is not None:
            return fused
        kwargs = {}
        if self.forward_layer._call_has_training:
            kwargs["training"] = training
        if self.forward_layer._call_has_mask:
            kwargs["mask"] = mask
        if initial_state is not None:
            half = len(initial_state) // 2
            fs, bs = list(initial_state[:half]), list(initial_state[half:])
            y = self.forward_layer(sequences, initial_state=fs, **kwargs)
            y_rev = self.backward_layer(sequences, initial_state=bs, **kwargs)
        else:
            y = self.forward_layer(sequences, **kwargs)
            y_rev = self.backward_layer(sequences, **kwargs)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev.flip(1)
        return self._merge(y, y_rev, states)

    def _merge(self, y, y_rev, states, concat=None):
        mode = self.merge_mode
        if mode == "concat":
            out = concat if concat is not None else torch.cat([y, y_rev], dim=-1)
        elif mode == "sum":
            out = y + y_rev
        elif mode == "ave":
            out = (y + y_rev) / 2
        elif mode == "mul":
            out = y * y_rev
        else:
            out = [y, y_rev]
        if self.return_state:
            return (out if mode is None else [out]) + list(states)
        return out

    def _fused_kind(self, training: bool):
        fwd, bwd = self.forward_layer, self.backward_layer
        if self.stateful or fwd.go_backwards or not bwd.go_backwards:
            return None
        for cls, kind in ((LSTM, "lstm"), (GRU, "gru")):
            if isinstance(fwd, cls) and isinstance(bwd, cls):
                break
        else:
            return None
        fc, bc = fwd.cell, bwd.cell
        if fc.units != bc.units or fc.use_bias != bc.use_bias:
            return None
        if fc.activation is not bc.activation or \
                fc.recurrent_activation is not bc.recurrent_activation:
            return None
        if kind == "gru" and not (fc.reset_after and bc.reset_after):
            return None
        if not (fwd.built and bwd.built) or fwd.time_major or bwd.time_major:
            return None
        for sub in (fwd, bwd):
            if not sub._fusable(training):
                return None
            if training and sub.cell._dropout_active(sub.cell.dropout):
                return None
        return kind

    def _fused_call(self, x, initial_state, mask, training):
        if not isinstance(x, torch.Tensor) or x.dim() != 3:
            return None
        kind = self._fused_kind(training)
        if kind is None:
            return None
        fwd, bwd = self.forward_layer, self.backward_layer
        wdt = fwd.cell.weight_ih.dtype
        if x.dtype != wdt and not torch.is_autocast_enabled():
            x = x.to(wdt)
        batch, steps = x.shape[0], x.shape[1]
        from ._utils import standardize_mask
        mask = standardize_mask(self.name, mask, batch, steps, x.device)
        u = fwd.cell.units
        n_states = 2 if kind == "lstm" else 1
        if initial_state is not None:
            if len(initial_state) != 2 * n_states:
                return None
            st = [torch.as_tensor(s).to(device=x.device, dtype=x.dtype) for s in initial_state]
        else:
            st = [x.new_zeros((batch, u)) for _ in range(2 * n_states)]
        if kind == "lstm":
            hx = (torch.stack([st[0], st[2]]), torch.stack([st[1], st[3]]))
            weights = _lstm_weights(fwd.cell) + _lstm_weights(bwd.cell)
        else:
            hx = torch.stack([st[0], st[1]])
            weights = GRU.fused_weights(fwd) + GRU.fused_weights(bwd)
        res = fused_rnn(kind, x, hx, weights, fwd.cell.use_bias, torch.is_grad_enabled(),
                        bidirectional=True, mask=mask,
                        zero_output_for_mask=self.return_sequences)
        if res is None:
            return None
        seq, last, h = res
        out = seq if self.return_sequences else last
        y, y_rev = out[..., :u], out[..., u:]
        states = []
        if self.return_state:
            if kind == "lstm":
                states = [h[0][0], h[1][0], h[0][1], h[1][1]]
            else:
                states = [h[0], h[1]]
        return self._merge(y, y_rev, states, concat=out)

    # -- states, shapes, masks, config ---------------------------------------------------------
    @property
    def states(self):
        f, b = getattr(self.forward_layer, "states", None), \
            getattr(self.backward_layer, "states", None)
        if f and b:
            return tuple(list(f) + list(b))
        return None

    def reset_states(self, states=None):
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        if states is None:
            self.forward_layer.reset_states()
            self.backward_layer.reset_states()
            return
        states = list(states)
        half = len(states) // 2
        self.forward_layer.reset_states(states[:half])
        self.backward_layer.reset_states(states[half:])

    def reset_state(self):
        self.reset_states()

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = self._first_shape(sequences_shape)
        out = self.forward_layer.compute_output_shape(shape)
        state_shapes = []
        if self.return_state:
            out, state_shapes = out[0], list(out[1:])
        out = tuple(out)
        if self.merge_mode == "concat":
            out = out[:-1] + (None if out[-1] is None else out[-1] * 2,)
        elif self.merge_mode is None:
            out = [out, out]
        if self.return_state:
            head = out if self.merge_mode is None else [out]
            return head + state_shapes + state_shapes
        return out

    def compute_output_spec(self, *args, **kwargs):
        inputs = args[0] if args else kwargs.get("sequences")
        first = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
        shapes = self.compute_output_shape(tuple(first.shape))
        dtype = self._output_dtype(first)
        if isinstance(shapes, list):
            return [OutputSpec(s, dtype) for s in shapes]
        return OutputSpec(shapes, dtype)

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0] if mask else None
        if self.return_sequences:
            out = [mask, mask] if self.merge_mode is None else mask
        else:
            out = [None, None] if self.merge_mode is None else None
        if self.return_state:
            n = len(self.forward_layer.state_size) if hasattr(self.forward_layer,
                                                               "state_size") else 1
            head = out if isinstance(out, list) else [out]
            return head + [None] * (2 * n)
        return out

    def get_config(self):
        from ...saving.serialization import serialize_keras_object
        cfg = super().get_config()
        cfg["merge_mode"] = self.merge_mode
        cfg["layer"] = serialize_keras_object(self.forward_layer)
        cfg["backward_layer"] = serialize_keras_object(self.backward_layer)
        return cfg

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ...saving.serialization import deserialize_layer
        config = copy.deepcopy(config)
        config["layer"] = deserialize_layer(config["layer"], custom_objects=custom_objects)
        back = config.pop("backward_layer", None)
        if back is not None:
            config["backward_layer"] = deserialize_layer(back, custom_objects=custom_objects)
        return cls(**config)


def _lstm_weights(cell):
    w = [cell.weight_ih, cell.weight_hh]
    if cell.use_bias:
        w += [cell.bias_ih, cell.bias_ih.new_zeros(cell.bias_ih.shape)]
    return w
