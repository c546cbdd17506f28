"""Convolutional LSTM: ``ConvLSTMCell`` and ``ConvLSTM1D`` / ``ConvLSTM2D`` / ``ConvLSTM3D``.

Keras semantics (gates i, f, c, o; input convolution with the layer's strides / padding /
dilation; recurrent convolution with stride 1 and "same" padding; "same" pads the extra pixel
after, like every Keras convolution). Kernels are stored in torch's conv layout
``(4*filters, in, *kernel_size)`` and exposed in Keras's ``(*kernel_size, in, 4*filters)``.
The layer computes in channels-first internally: the input convolution of all time steps runs as
one batched convolution, only the recurrent convolution runs per step.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ... import activations, constraints, initializers, regularizers
from ...backend import config as _config
from ...engine.base_layer import Layer
from ...engine.input_spec import InputSpec
from . import _utils
from .base_rnn import RNN
from .cells import DropoutRNNCell, _ser, _UnitForgetBias

__all__ = ["ConvLSTMCell", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"]

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def conv_kernel_to_keras(w: torch.Tensor) -> torch.Tensor:
    """torch ``(out, in, *k)`` -> Keras ``(*k, in, out)``."""
    return w.permute(*range(2, w.dim()), 1, 0)


def conv_kernel_from_keras(k: torch.Tensor) -> torch.Tensor:
    n = k.dim()
    return k.permute(n - 1, n - 2, *range(n - 2))


def _tuple(owner, arg, value, rank, allow_zero=False):
    if isinstance(value, int):
        value = (value,) * rank
    try:
        value = tuple(int(v) for v in value)
    except TypeError:
        raise ValueError(f"The `{arg}` argument of {owner} must be a tuple of {rank} integers. "
                         f"Received: {arg}={value!r}") from None
    if len(value) != rank or any(v < (0 if allow_zero else 1) for v in value):
        raise ValueError(f"The `{arg}` argument of {owner} must be a tuple of {rank} "
                         f"{'non-negative' if allow_zero else 'positive'} integers. Received: "
                         f"{arg}={value!r}")
    return value


def _same_pads(size: int, k: int, s: int, d: int):
    total = max((math.ceil(size / s) - 1) * s + (k - 1) * d + 1 - size, 0)
    return total // 2, total - total // 2


def conv_output_length(size, k, s, d, padding):
    if size is None:
        return None
    if padding == "same":
        return int(math.ceil(size / s))
    return (size - d * (k - 1) - 1) // s + 1


class ConvLSTMCell(Layer, DropoutRNNCell):
    """Keras's ConvLSTMCell (one step on ``(batch, *spatial, channels)`` or channels-first
    input); ``state_size`` is -1 as in Keras (states come from ``get_initial_state``)."""

    dropout_mask_count = 4

    def __init__(self, rank: int, filters: int, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation="tanh",
                 recurrent_activation="sigmoid", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias: bool = True,
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        owner = f"{type(self).__name__} '{self.name}'"
        if rank not in (1, 2, 3):
            raise ValueError(f"Rank {rank} convolutions are not currently implemented. "
                             f"Received: rank={rank}")
        self.rank = int(rank)
        self.filters = _utils.positive_int(owner, "filters", filters)
        self.kernel_size = _tuple(owner, "kernel_size", kernel_size, rank)
        self.strides = _tuple(owner, "strides", strides, rank)
        padding = str(padding).lower()
        if padding not in ("valid", "same"):
            raise ValueError(f"The `padding` argument of {owner} must be 'valid' or 'same'. "
                             f"Received: padding={padding!r}")
        self.padding = padding
        self.data_format = _config.standardize_data_format(data_format)
        self.dilation_rate = _tuple(owner, "dilation_rate", dilation_rate, rank)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("Specifying `strides > 1` is not compatible with `dilation_rate > "
                             f"1`. Please provide `strides=1` or `dilation_rate=1`. Received: "
                             f"strides={self.strides} and dilation_rate={self.dilation_rate}")
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = _utils.as_bool(owner, "use_bias", use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.unit_forget_bias = _utils.as_bool(owner, "unit_forget_bias", unit_forget_bias)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = _utils.clip_rate(owner, "dropout", dropout)
        self.recurrent_dropout = _utils.clip_rate(owner, "recurrent_dropout", recurrent_dropout)
        self.seed = seed
        self._seed_generator = _utils.SeedGenerator(seed)
        self.input_spec = InputSpec(ndim=rank + 2)
        self.state_size = -1
        self.spatial_dims = None
        self.input_dim = None

    # -- build ---------------------------------------------------------------------------------
    def build(self, inputs_shape, states_shape=None):
        inputs_shape = tuple(inputs_shape)
        if len(inputs_shape) != self.rank + 2:
            raise ValueError(f"{type(self).__name__} '{self.name}' expects step inputs of rank "
                             f"{self.rank + 2}; received shape {inputs_shape}")
        cf = self.data_format == "channels_first"
        self.spatial_dims = tuple(inputs_shape[2:] if cf else inputs_shape[1:-1])
        if None in self.spatial_dims:
            raise ValueError("ConvLSTM layers only support static input shapes for the spatial "
                             f"dimension. Received invalid input shape: input_shape="
                             f"{inputs_shape}")
        in_dim = inputs_shape[1 if cf else -1]
        if in_dim is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found None. "
                             f"Full input shape received: input_shape={inputs_shape}")
        self.input_dim = int(in_dim)
        for n, k, s, d in zip(self.spatial_dims, self.kernel_size, self.strides,
                              self.dilation_rate):
            if conv_output_length(n, k, s, d, self.padding) <= 0:
                raise ValueError(
                    f"Computed output size would be zero or negative for layer '{self.name}'. "
                    f"Received inputs shape={inputs_shape}, kernel_size={self.kernel_size}, "
                    f"dilation_rate={self.dilation_rate}, strides={self.strides}, "
                    f"padding={self.padding}.")
        self.input_spec = InputSpec(ndim=self.rank + 2, shape=(None,) + inputs_shape[1:])
        f4 = 4 * self.filters
        dt = self._dtype
        self.weight_ih = nn.Parameter(torch.empty((f4, self.input_dim) + self.kernel_size,
                                                  dtype=dt))
        self.add_torch_weight("kernel", self.weight_ih,
                              self.kernel_size + (self.input_dim, f4),
                              to_keras=conv_kernel_to_keras, from_keras=conv_kernel_from_keras,
                              initializer=self.kernel_initializer,
                              regularizer=self.kernel_regularizer,
                              constraint=self.kernel_constraint)
        self.weight_hh = nn.Parameter(torch.empty((f4, self.filters) + self.kernel_size,
                                                  dtype=dt))
        self.add_torch_weight("recurrent_kernel", self.weight_hh,
                              self.kernel_size + (self.filters, f4),
                              to_keras=conv_kernel_to_keras, from_keras=conv_kernel_from_keras,
                              initializer=self.recurrent_initializer,
                              regularizer=self.recurrent_regularizer,
                              constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias_ih = nn.Parameter(torch.empty(f4, dtype=dt))
            init = _UnitForgetBias(self.bias_initializer, self.filters) \
                if self.unit_forget_bias else self.bias_initializer
            self.add_torch_weight("bias", self.bias_ih, (f4,), initializer=init,
                                  regularizer=self.bias_regularizer,
                                  constraint=self.bias_constraint)
        else:
            self.bias_ih = None
        self.built = True

    # -- layout helpers ------------------------------------------------------------------------
    def _to_cf(self, x: torch.Tensor, axis: int = 1) -> torch.Tensor:
        """External layout -> channels-first (channel axis at ``axis``)."""
        return x.movedim(-1, axis) if self.data_format == "channels_last" else x

    def _from_cf(self, x: torch.Tensor, axis: int = 1) -> torch.Tensor:
        return x.movedim(axis, -1) if self.data_format == "channels_last" else x

    def output_spatial(self):
        return tuple(conv_output_length(n, k, s, d, self.padding) for n, k, s, d in
                     zip(self.spatial_dims, self.kernel_size, self.strides, self.dilation_rate))

    # -- convolutions (channels-first) ---------------------------------------------------------
    def _input_conv(self, x, w, b):
        if self.padding == "same":
            pads = []
            for n, k, s, d in reversed(list(zip(x.shape[2:], self.kernel_size, self.strides,
                                                self.dilation_rate))):
                pads.extend(_same_pads(n, k, s, d))
            if any(pads):
                x = F.pad(x, pads)
        return _CONV[self.rank](x, w, b, self.strides, 0, self.dilation_rate)

    def _recurrent_conv(self, h, w):
        pads = []
        for k in reversed(self.kernel_size):
            total = k - 1
            pads.extend((total // 2, total - total // 2))
        if any(pads):
            h = F.pad(h, pads)
        return _CONV[self.rank](h, w, None, 1, 0, 1)

    def _project_cf(self, x_cf, dp_mask_cf=None):
        """Input convolution of channels-first ``x`` (any leading batch), gates stacked on the
        channel axis; ``dp_mask_cf``: (4, *x.shape) per-gate dropout masks."""
        if dp_mask_cf is None:
            return self._input_conv(x_cf, self.weight_ih, self.bias_ih)
        f = self.filters
        parts = []
        for g in range(4):
            b = None if self.bias_ih is None else self.bias_ih[g * f:(g + 1) * f]
            parts.append(self._input_conv(x_cf * dp_mask_cf[g], self.weight_ih[g * f:(g + 1) * f],
                                          b))
        return torch.cat(parts, dim=1)

    def _step_cf(self, xp, h, c, rec_mask_cf=None):
        if rec_mask_cf is None:
            z = xp + self._recurrent_conv(h, self.weight_hh)
        else:
            f = self.filters
            z = xp + torch.cat([self._recurrent_conv(h * rec_mask_cf[g],
                                                     self.weight_hh[g * f:(g + 1) * f])
                                for g in range(4)], dim=1)
        zi, zf, zc, zo = z.chunk(4, dim=1)
        ra = self.recurrent_activation
        c = ra(zf) * c + ra(zi) * self.activation(zc)
        h = ra(zo) * self.activation(c)
        return h, c

    def _masks(self, step_input, state, training):
        dp = rdp = None
        if training and 0.0 < self.dropout < 1.0:
            dp = self._to_cf(self.get_dropout_mask(step_input), axis=2)
        if training and 0.0 < self.recurrent_dropout < 1.0:
            rdp = self._to_cf(self.get_recurrent_dropout_mask(state), axis=2)
        return dp, rdp

    # -- Keras protocol ------------------------------------------------------------------------
    def call(self, inputs, states, training=False):
        h, c = states[0], states[1]
        dp, rdp = self._masks(inputs, h, training)
        xp = self._project_cf(self._to_cf(inputs), dp)
        h, c = self._step_cf(xp, self._to_cf(h), self._to_cf(c), rdp)
        h, c = self._from_cf(h), self._from_cf(c)
        return h, [h, c]

    def compute_output_shape(self, inputs_shape, states_shape=None):
        inputs_shape = tuple(inputs_shape)
        cf = self.data_format == "channels_first"
        spatial = inputs_shape[2:] if cf else inputs_shape[1:-1]
        out = tuple(conv_output_length(n, k, s, d, self.padding) for n, k, s, d in
                    zip(spatial, self.kernel_size, self.strides, self.dilation_rate))
        shape = (inputs_shape[0], self.filters) + out if cf else \
            (inputs_shape[0],) + out + (self.filters,)
        return shape, [shape, shape]

    def get_initial_state(self, batch_size=None):
        out = self.output_spatial()
        shape = (batch_size, self.filters) + out if self.data_format == "channels_first" else \
            (batch_size,) + out + (self.filters,)
        dev = self._device_hint()
        return [torch.zeros(shape, dtype=self._dtype, device=dev) for _ in range(2)]

    def get_config(self):
        cfg = super().get_config()
        cfg.update({
            "rank": self.rank,
            **_conv_args(self),
            "seed": self.seed,
        })
        return cfg


def _conv_args(cell) -> dict:
    return {
        "filters": cell.filters,
        "kernel_size": cell.kernel_size,
        "strides": cell.strides,
        "padding": cell.padding,
        "data_format": cell.data_format,
        "dilation_rate": cell.dilation_rate,
        "activation": activations.serialize(cell.activation),
        "recurrent_activation": activations.serialize(cell.recurrent_activation),
        "use_bias": cell.use_bias,
        "kernel_initializer": initializers.serialize(cell.kernel_initializer),
        "recurrent_initializer": initializers.serialize(cell.recurrent_initializer),
        "bias_initializer": initializers.serialize(cell.bias_initializer),
        "unit_forget_bias": cell.unit_forget_bias,
        "kernel_regularizer": _ser(regularizers, cell.kernel_regularizer),
        "recurrent_regularizer": _ser(regularizers, cell.recurrent_regularizer),
        "bias_regularizer": _ser(regularizers, cell.bias_regularizer),
        "kernel_constraint": _ser(constraints, cell.kernel_constraint),
        "recurrent_constraint": _ser(constraints, cell.recurrent_constraint),
        "bias_constraint": _ser(constraints, cell.bias_constraint),
        "dropout": cell.dropout,
        "recurrent_dropout": cell.recurrent_dropout,
    }


class ConvLSTM(RNN):
    """Shared implementation of ConvLSTM1D/2D/3D (``rank`` spatial dimensions)."""

    def __init__(self, rank: int, filters: int, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation="tanh",
                 recurrent_activation="sigmoid", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias: bool = True,
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 seed=None, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, **kwargs):
        cell = ConvLSTMCell(rank=rank, filters=filters, kernel_size=kernel_size,
                            strides=strides, padding=padding, data_format=data_format,
                            dilation_rate=dilation_rate, activation=activation,
                            recurrent_activation=recurrent_activation, use_bias=use_bias,
                            kernel_initializer=kernel_initializer,
                            recurrent_initializer=recurrent_initializer,
                            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                            kernel_regularizer=kernel_regularizer,
                            recurrent_regularizer=recurrent_regularizer,
                            bias_regularizer=bias_regularizer,
                            kernel_constraint=kernel_constraint,
                            recurrent_constraint=recurrent_constraint,
                            bias_constraint=bias_constraint, dropout=dropout,
                            recurrent_dropout=recurrent_dropout, seed=seed,
                            name="conv_lstm_cell", dtype=kwargs.get("dtype"))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=rank + 3)

    def _fused_call(self, x, states, mask, training):
        cell = self.cell
        if type(cell).call is not ConvLSTMCell.call:
            return None
        batch, steps = x.shape[0], x.shape[1]
        dp, rdp = cell._masks(x[:, 0], states[0], training)
        x_cf = cell._to_cf(x, axis=2)
        x_cf = x_cf.reshape((batch * steps,) + tuple(x_cf.shape[2:]))
        if dp is not None:
            dp = dp.unsqueeze(2).expand((4, batch, steps) + tuple(dp.shape[2:])).reshape(
                (4, batch * steps) + tuple(dp.shape[2:]))
        xp = cell._project_cf(x_cf, dp)
        xp = xp.reshape((batch, steps) + tuple(xp.shape[1:]))
        h, c = cell._to_cf(states[0]), cell._to_cf(states[1])
        outputs = []
        prev = None
        for t in range(steps):
            h_new, c_new = cell._step_cf(xp[:, t], h, c, rdp)
            out = h_new
            if mask is not None:
                m = mask[:, t].view((batch,) + (1,) * (h.dim() - 1))
                h_new = torch.where(m, h_new, h)
                c_new = torch.where(m, c_new, c)
                if self.zero_output_for_mask or prev is None:
                    out = torch.where(m, out, torch.zeros_like(out))
                else:
                    out = torch.where(m, out, prev)
            h, c, prev = h_new, c_new, out
            if self.return_sequences:
                outputs.append(out)
        seq = cell._from_cf(torch.stack(outputs, dim=1), axis=2) if self.return_sequences \
            else None
        return seq, cell._from_cf(prev), [cell._from_cf(h), cell._from_cf(c)]

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = self._sequence_shape(sequences_shape)
        batch, steps = shape[0], shape[1]
        state = self.cell.compute_output_shape((batch,) + tuple(shape[2:]))[0]
        out = (batch, steps) + tuple(state[1:]) if self.return_sequences else state
        if self.return_state:
            return [out, state, state]
        return out

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0] if mask else None
        out = mask if self.return_sequences else None
        return [out, None, None] if self.return_state else out

    def get_config(self):
        cfg = self._base_config()
        cfg.update(_conv_args(self.cell))
        cfg["activity_regularizer"] = None if self.activity_regularizer is None else \
            regularizers.serialize(self.activity_regularizer)
        cfg["seed"] = self.cell.seed
        return cfg

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config.pop("cell", None)
        return cls(**config)


_CELL_ATTRS = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
               "activation", "recurrent_activation", "use_bias", "kernel_initializer",
               "recurrent_initializer", "bias_initializer", "unit_forget_bias",
               "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
               "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
               "recurrent_dropout")


def _delegate(name):
    def get(self):
        return getattr(self.cell, name)
    get.__name__ = name
    return property(get, doc=f"The cell's ``{name}``.")


for _name in _CELL_ATTRS:
    setattr(ConvLSTM, _name, _delegate(_name))


class ConvLSTM1D(ConvLSTM):
    """1D convolutional LSTM: input ``(batch, time, steps, channels)`` (channels_last) or
    ``(batch, time, channels, steps)``; other arguments as ``ConvLSTM2D``."""

    def __init__(self, filters: int, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, **kwargs):
        kwargs.pop("rank", None)
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, **kwargs)


class ConvLSTM2D(ConvLSTM):
    """2D convolutional LSTM (Keras's ``ConvLSTM2D``): input ``(batch, time, rows, cols,
    channels)`` (channels_last) or ``(batch, time, channels, rows, cols)``. Weights (in the
    ``cell`` sublayer): kernel ``(kh, kw, in, 4*filters)``, recurrent_kernel
    ``(kh, kw, filters, 4*filters)``, bias ``(4*filters,)``; gates i, f, c, o. Keyword
    arguments: activation, recurrent_activation, use_bias, initializers, unit_forget_bias,
    regularizers, constraints, dropout, recurrent_dropout, seed, return_sequences,
    return_state, go_backwards, stateful."""

    def __init__(self, filters: int, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, **kwargs):
        kwargs.pop("rank", None)
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, **kwargs)


class ConvLSTM3D(ConvLSTM):
    """3D convolutional LSTM: input ``(batch, time, d1, d2, d3, channels)`` (channels_last);
    other arguments as ``ConvLSTM2D``."""

    def __init__(self, filters: int, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, **kwargs):
        kwargs.pop("rank", None)
        super().__init__(3, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, **kwargs)
