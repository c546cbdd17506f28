"""Recurrent cells: ``SimpleRNNCell``, ``LSTMCell``, ``GRUCell`` and ``StackedRNNCells``.

Keras's cell protocol: ``call(inputs, states, training)`` -> ``(output, new_states)`` for one
time step, ``state_size``, ``output_size``, ``get_initial_state(batch_size)``. The built-in
cells keep their weights in torch's fused-kernel layout (``weight_ih`` ``(G*u, in)``,
``weight_hh`` ``(G*u, u)``, gate order i,f,g,o for LSTM and r,z,n for GRU) and expose them in
Keras's layout and order (``kernel``, ``recurrent_kernel``, ``bias``) through weight specs, so
``get_weights()`` is exactly Keras's list and the RNN layers can hand the tensors to
``torch.lstm`` / ``torch.gru`` / ``torch.rnn_tanh`` without copies.

Dropout follows Keras's ``DropoutRNNCell``: one input mask and one recurrent mask per sequence
(cached until ``reset_dropout_mask()`` / ``reset_recurrent_dropout_mask()``), scaled by
``1 / (1 - rate)``; ``implementation=1`` (forced by ``recurrent_dropout`` in LSTM/GRU) draws one
mask per gate, as Keras does.
"""
from __future__ import annotations

from typing import Optional

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ... import activations, constraints, initializers, regularizers
from ...backend import config as _config
from ...engine.base_layer import Layer
from . import _utils

__all__ = ["SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells"]


def _ser(module, obj):
    return module.serialize(obj) if obj is not None else None


class _UnitForgetBias:
    """LSTM bias initializer with ``unit_forget_bias``: ``[init(u), ones(u), init(2u)]``."""

    def __init__(self, base, units: int):
        self.base = base
        self.units = units

    def __call__(self, shape, dtype=None):
        u = self.units
        base = self.base if self.base is not None else initializers.get("zeros")
        first = torch.as_tensor(base((u,), dtype=dtype))
        return torch.cat([first, torch.ones_like(first),
                          torch.as_tensor(base((2 * u,), dtype=dtype))])


class DropoutRNNCell:
    """Keras's dropout mixin for cells: cached per-sequence input / recurrent masks."""

    dropout_mask_count: Optional[int] = None

    def _create_dropout_mask(self, step_input, rate):
        gen = self._seed_generator.get(step_input.device)
        return _utils.dropout_mask(step_input, rate, gen, self.dropout_mask_count)

    def get_dropout_mask(self, step_input):
        if getattr(self, "_dropout_mask", None) is None and self.dropout > 0:
            self._dropout_mask = self._create_dropout_mask(step_input, self.dropout)
        return getattr(self, "_dropout_mask", None)

    def get_recurrent_dropout_mask(self, step_input):
        if getattr(self, "_recurrent_dropout_mask", None) is None and \
                self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._create_dropout_mask(step_input,
                                                                     self.recurrent_dropout)
        return getattr(self, "_recurrent_dropout_mask", None)

    def reset_dropout_mask(self):
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_mask = None


class _GatedCell(Layer, DropoutRNNCell):
    """Common machinery of the built-in cells (``_gates`` gate blocks of ``units`` each)."""

    _gates = 1
    _has_recurrent_activation = True

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid",
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed=None,
                 implementation=None, **kwargs):
        super().__init__(**kwargs)
        cname = f"{type(self).__name__} '{self.name}'"
        self.units = _utils.positive_int(cname, "units", units)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = _utils.as_bool(cname, "use_bias", use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = _utils.clip_rate(cname, "dropout", dropout)
        self.recurrent_dropout = _utils.clip_rate(cname, "recurrent_dropout", recurrent_dropout)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise ValueError(f"Argument `seed` of {cname} must be an integer or None. "
                             f"Received: seed={seed!r}")
        self.seed = seed
        self._seed_generator = _utils.SeedGenerator(seed)
        self._implementation_given = implementation is not None
        impl = 2 if implementation is None else int(implementation)
        if impl not in (0, 1, 2):
            raise ValueError(f"Argument `implementation` of {cname} must be 1 or 2. "
                             f"Received: implementation={implementation!r}")
        self.implementation = impl
        if self._gates > 1 and self.recurrent_dropout != 0.0:
            self.implementation = 1
        if self._gates > 1 and self.implementation == 1:
            self.dropout_mask_count = self._gates

    # -- Keras protocol ------------------------------------------------------------------------
    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self) -> int:
        return self.units

    def get_initial_state(self, batch_size=None, inputs=None, dtype=None):
        """Zero states ``[(batch_size, units), ...]`` (Keras 3 signature; Keras 2's
        ``get_initial_state(inputs, batch_size, dtype)`` works too)."""
        if isinstance(batch_size, torch.Tensor) and batch_size.dim() > 0:
            inputs, batch_size = batch_size, None
        if batch_size is None and inputs is not None:
            batch_size = inputs.shape[0]
        if batch_size is None:
            raise ValueError(f"{type(self).__name__}.get_initial_state needs `batch_size`.")
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) \
            else [self.state_size]
        dev = self._device_hint()
        return [torch.zeros((int(batch_size), s), dtype=self._dtype, device=dev) for s in sizes]

    # -- weights -------------------------------------------------------------------------------
    def _kernel_maps(self):
        return _utils.transpose, _utils.transpose

    def _bias_maps(self):
        return None, None

    def _bias_keras_shape(self):
        return (self._gates * self.units,)

    def _bias_initializer_for_build(self):
        return self.bias_initializer

    def build(self, input_shape) -> None:
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(f"The last dimension of the inputs to {type(self).__name__} "
                             f"'{self.name}' should be defined. Found None. Full input shape "
                             f"received: {tuple(input_shape)}")
        n = self._gates * self.units
        dt = self._dtype
        to_k, from_k = self._kernel_maps()
        self.weight_ih = nn.Parameter(torch.empty(n, in_dim, dtype=dt))
        self.add_torch_weight("kernel", self.weight_ih, (in_dim, n), to_keras=to_k,
                              from_keras=from_k, initializer=self.kernel_initializer,
                              regularizer=self.kernel_regularizer,
                              constraint=self.kernel_constraint)
        self.weight_hh = nn.Parameter(torch.empty(n, self.units, dtype=dt))
        self.add_torch_weight("recurrent_kernel", self.weight_hh, (self.units, n), to_keras=to_k,
                              from_keras=from_k, initializer=self.recurrent_initializer,
                              regularizer=self.recurrent_regularizer,
                              constraint=self.recurrent_constraint)
        if self.use_bias:
            kshape = self._bias_keras_shape()
            b_to, b_from = self._bias_maps()
            self.bias_ih = nn.Parameter(torch.empty(kshape, dtype=dt))
            self.add_torch_weight("bias", self.bias_ih, kshape, to_keras=b_to, from_keras=b_from,
                                  initializer=self._bias_initializer_for_build(),
                                  regularizer=self.bias_regularizer,
                                  constraint=self.bias_constraint)
        else:
            self.bias_ih = None
        self.built = True

    def _spec(self, name):
        for s in self._weight_specs:
            if s.name == name:
                return s
        return None

    @property
    def kernel(self) -> torch.Tensor:
        """The input kernel in Keras layout ``(input_dim, G*units)``."""
        return self._spec("kernel").keras_value()

    @property
    def recurrent_kernel(self) -> torch.Tensor:
        return self._spec("recurrent_kernel").keras_value()

    @property
    def bias(self) -> Optional[torch.Tensor]:
        spec = self._spec("bias")
        return spec.keras_value() if spec is not None else None

    # -- computation ---------------------------------------------------------------------------
    def _input_bias(self):
        return self.bias_ih

    def _dropout_active(self, rate: float) -> bool:
        return 0.0 < rate < 1.0

    def _input_masks(self, step_input, training):
        if training and self._dropout_active(self.dropout):
            return self.get_dropout_mask(step_input)
        return None

    def _recurrent_masks(self, state, training):
        if training and self._dropout_active(self.recurrent_dropout):
            return self.get_recurrent_dropout_mask(state)
        return None

    def _project(self, x: torch.Tensor, dp_mask=None) -> torch.Tensor:
        """Input projection ``x @ kernel + input_bias`` for one step ``(B, F)`` or a whole
        sequence ``(B, T, F)`` (dropout mask of one step broadcast over time)."""
        b = self._input_bias()
        if dp_mask is None:
            return F.linear(x, self.weight_ih, b)
        seq = x.dim() == 3
        if dp_mask.dim() == 3:  # one mask per gate (implementation 1)
            u = self.units
            parts = []
            for g in range(self._gates):
                m = dp_mask[g].unsqueeze(1) if seq else dp_mask[g]
                parts.append(F.linear(x * m, self.weight_ih[g * u:(g + 1) * u],
                                      None if b is None else b[g * u:(g + 1) * u]))
            return torch.cat(parts, dim=-1)
        m = dp_mask.unsqueeze(1) if seq else dp_mask
        return F.linear(x * m, self.weight_ih, b)

    def _hidden_linear(self, h, weight, rec_mask, bias=None, block=None):
        """``h @ recurrent_kernel`` with the recurrent dropout mask(s)."""
        if rec_mask is None:
            return F.linear(h, weight, bias)
        if rec_mask.dim() == 3:
            u = self.units
            blocks = range(weight.shape[0] // u) if block is None else [block]
            parts = [F.linear(h * rec_mask[g], weight[i * u:(i + 1) * u],
                              None if bias is None else bias[i * u:(i + 1) * u])
                     for i, g in enumerate(blocks)]
            return torch.cat(parts, dim=-1)
        return F.linear(h * rec_mask, weight, bias)

    def _step(self, xp, states, rec_mask):
        raise NotImplementedError

    def call(self, inputs, states, training=False):
        """One step: ``(output, new_states)`` as Keras's cell of the same name returns."""
        nested = isinstance(states, (list, tuple))
        state_list = list(states) if nested else [states]
        dp = self._input_masks(inputs, training)
        rdp = self._recurrent_masks(state_list[0], training)
        out, new = self._step(self._project(inputs, dp), state_list, rdp)
        if self._gates == 4 or nested:
            return out, new
        return out, new[0]

    def _uses_builtin_call(self) -> bool:
        """True when the step computation is this module's own (not overridden by a user
        subclass), so RNN layers may precompute input projections / use fused kernels."""
        return type(self).call is _GatedCell.call and type(self)._step is getattr(
            self._builtin_class(), "_step")

    @classmethod
    def _builtin_class(cls):
        for k in cls.__mro__:
            if k.__module__ == __name__ and not k.__name__.startswith("_"):
                return k
        return cls

    # -- config --------------------------------------------------------------------------------
    def get_config(self):
        cfg = super().get_config()
        cfg.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
        })
        if self._has_recurrent_activation:
            cfg["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        cfg.update({
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": _ser(regularizers, self.kernel_regularizer),
            "recurrent_regularizer": _ser(regularizers, self.recurrent_regularizer),
            "bias_regularizer": _ser(regularizers, self.bias_regularizer),
            "kernel_constraint": _ser(constraints, self.kernel_constraint),
            "recurrent_constraint": _ser(constraints, self.recurrent_constraint),
            "bias_constraint": _ser(constraints, self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        })
        if self._implementation_given:
            cfg["implementation"] = self.implementation
        return cfg


class SimpleRNNCell(_GatedCell):
    """``h_t = activation(x_t @ kernel + bias + h_{t-1} @ recurrent_kernel)`` (Keras's
    SimpleRNNCell; the fused path is ``torch.rnn_tanh`` / ``torch.rnn_relu``)."""

    _gates = 1
    _has_recurrent_activation = False

    def __init__(self, units: int, activation="tanh", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 seed=None, **kwargs):
        super().__init__(units, activation=activation, recurrent_activation=None,
                         use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)

    def _dropout_active(self, rate: float) -> bool:
        return rate > 0.0  # Keras's SimpleRNNCell applies any positive rate

    def _step(self, xp, states, rec_mask):
        out = self.activation(xp + self._hidden_linear(states[0], self.weight_hh, rec_mask))
        return out, [out]


class LSTMCell(_GatedCell):
    """Keras's LSTMCell: gates i, f, c, o; ``c_t = f*c + i*activation(z_c)``,
    ``h_t = o*activation(c_t)``; states ``[h, c]``. ``unit_forget_bias`` initialises the forget
    gate bias to one."""

    _gates = 4

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid",
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias: bool = True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, seed=None, **kwargs):
        super().__init__(units, activation=activation,
                         recurrent_activation=recurrent_activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.unit_forget_bias = _utils.as_bool(self.name, "unit_forget_bias", unit_forget_bias)

    @property
    def state_size(self):
        return [self.units, self.units]

    def _bias_initializer_for_build(self):
        if self.unit_forget_bias:
            return _UnitForgetBias(self.bias_initializer, self.units)
        return self.bias_initializer

    def _step(self, xp, states, rec_mask):
        h, c = states[0], states[1]
        z = xp + self._hidden_linear(h, self.weight_hh, rec_mask)
        zi, zf, zc, zo = z.chunk(4, dim=-1)
        ra = self.recurrent_activation
        c = ra(zf) * c + ra(zi) * self.activation(zc)
        h = ra(zo) * self.activation(c)
        return h, [h, c]

    def get_config(self):
        cfg = super().get_config()
        out = {}
        for k, v in cfg.items():
            out[k] = v
            if k == "use_bias":
                out["unit_forget_bias"] = self.unit_forget_bias
        return out


class GRUCell(_GatedCell):
    """Keras's GRUCell (gates z, r, h in Keras's layout, r, z, n in storage).

    ``reset_after=True`` (default): ``hh = activation(x W_h + b_h + r * (h R_h + b'_h))``, bias
    ``(2, 3u)`` = [input bias, recurrent bias] (exactly torch's GRU). ``reset_after=False``:
    ``hh = activation(x W_h + b_h + (r * h) R_h)``, bias ``(3u,)``. Then
    ``h' = z * h + (1 - z) * hh``.
    """

    _gates = 3

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid",
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, reset_after: bool = True,
                 seed=None, **kwargs):
        super().__init__(units, activation=activation,
                         recurrent_activation=recurrent_activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.reset_after = _utils.as_bool(self.name, "reset_after", reset_after)

    def _kernel_maps(self):
        return _utils.gru_kernel_to_keras, _utils.gru_kernel_from_keras

    def _bias_maps(self):
        return _utils.swap_first_two_blocks, _utils.swap_first_two_blocks

    def _bias_keras_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        if self.bias_ih is None:
            return None
        return self.bias_ih[0] if self.reset_after else self.bias_ih

    def _recurrent_bias(self):
        if self.bias_ih is None or not self.reset_after:
            return None
        return self.bias_ih[1]

    def _step(self, xp, states, rec_mask):
        h = states[0]
        u = self.units
        x_r, x_z, x_n = xp.chunk(3, dim=-1)
        ra = self.recurrent_activation
        rm = rec_mask  # per-gate masks (implementation 1) are i.i.d.: their order is immaterial
        if self.reset_after:
            hp = self._hidden_linear(h, self.weight_hh, rm, self._recurrent_bias())
            h_r, h_z, h_n = hp.chunk(3, dim=-1)
            r = ra(x_r + h_r)
            z = ra(x_z + h_z)
            hh = self.activation(x_n + r * h_n)
        else:
            rz_mask = rm[:2] if rm is not None and rm.dim() == 3 else rm
            hp = self._hidden_linear(h, self.weight_hh[:2 * u], rz_mask)
            h_r, h_z = hp.chunk(2, dim=-1)
            r = ra(x_r + h_r)
            z = ra(x_z + h_z)
            hn = h if rm is None else h * (rm[2] if rm.dim() == 3 else rm)
            hh = self.activation(x_n + F.linear(r * hn, self.weight_hh[2 * u:]))
        h_new = z * h + (1.0 - z) * hh
        return h_new, [h_new]

    def get_config(self):
        cfg = super().get_config()
        seed = cfg.pop("seed")
        impl = cfg.pop("implementation", None)
        cfg["reset_after"] = self.reset_after
        cfg["seed"] = seed
        if impl is not None:
            cfg["implementation"] = impl
        return cfg


class StackedRNNCells(Layer):
    """Several cells run as one: each step feeds the previous cell's output to the next.
    ``state_size`` is the list of the cells' state sizes; states are nested per cell."""

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        cells = list(cells)
        for cell in cells:
            if not hasattr(cell, "call"):
                raise ValueError("All cells must have a `call` method. Received cell without a "
                                 f"`call` method: {cell}")
            if not hasattr(cell, "state_size"):
                raise ValueError("All cells must have a `state_size` attribute. Received cell "
                                 f"without a `state_size`: {cell}")
        self.cells = cells

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        if isinstance(last.state_size, (list, tuple)):
            return last.state_size[0]
        return last.state_size

    def get_initial_state(self, batch_size=None, inputs=None, dtype=None):
        if isinstance(batch_size, torch.Tensor) and batch_size.dim() > 0:
            inputs, batch_size = batch_size, None
        if batch_size is None and inputs is not None:
            batch_size = inputs.shape[0]
        dev = self._device_hint()
        states = []
        for cell in self.cells:
            fn = getattr(cell, "get_initial_state", None)
            if fn is not None:
                s = fn(batch_size=batch_size)
                if _config.keras_era() < 3 and isinstance(cell.state_size, int) and \
                        isinstance(s, (list, tuple)) and len(s) == 1:
                    s = s[0]  # tf.keras 2: a single-state cell's state is a bare tensor
                states.append(s)
            elif isinstance(cell.state_size, int):
                states.append(torch.zeros((batch_size, cell.state_size), dtype=self._dtype,
                                          device=dev))
            else:
                states.append([torch.zeros((batch_size, d), dtype=self._dtype, device=dev)
                               for d in cell.state_size])
        return states

    def build(self, input_shape):
        batch = input_shape[0]
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(tuple(input_shape))
                cell.built = True
                cell._build_input_shape = tuple(input_shape)
            out = getattr(cell, "output_size", None)
            if out is None:
                out = cell.state_size[0] if isinstance(cell.state_size, (list, tuple)) \
                    else cell.state_size
            input_shape = (batch, out)
        self.built = True

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            was_list = isinstance(cell_states, (list, tuple))
            cell_states = list(cell_states) if was_list else [cell_states]
            if isinstance(cell, Layer):
                kw = {"training": training} if cell._call_has_training else {}
                inputs, cell_states = cell(inputs, cell_states, **kw)
            else:
                inputs, cell_states = cell.call(inputs, cell_states)
            if not isinstance(cell_states, (list, tuple)):
                cell_states = [cell_states]
            if len(cell_states) == 1 and not was_list:
                cell_states = cell_states[0]
            new_states.append(cell_states)
        if len(new_states) == 1:
            new_states = new_states[0]
        return inputs, new_states

    def get_config(self):
        from ...saving.serialization import serialize_keras_object
        cfg = super().get_config()
        cfg["cells"] = [serialize_keras_object(c) for c in self.cells]
        return cfg

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ...saving.serialization import deserialize_layer
        config = dict(config)
        cells = [deserialize_layer(c, custom_objects=custom_objects)
                 for c in config.pop("cells")]
        return cls(cells, **config)

