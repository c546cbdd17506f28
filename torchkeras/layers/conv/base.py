"""Shared machinery of the convolution layers: argument validation (Keras 3's ``BaseConv``
rules and messages), output shapes, 'same'/'causal' padding, and the channels-last call path.
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from ... import activations, constraints, initializers, regularizers
from ...backend import config as _config
from ...engine.base_layer import Layer
from ...engine.input_spec import InputSpec
from .. import _padding
from . import _layout


def _positive_int_or_none(layer: str, name: str, value, allow_none: bool = False):
    if value is None and allow_none:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"Invalid value for argument `{name}` of {layer}. Expected a strictly "
                         f"positive integer. Received {name}={value!r}.")
    return int(value)


def serialize_or_none(module, obj):
    return module.serialize(obj) if obj is not None else None


def pointwise_matrix(weight: torch.Tensor) -> torch.Tensor:
    """A 1x1 kernel ``(O, I, 1, ...)`` as the ``(O, I)`` matrix ``F.linear`` takes (a view)."""
    while weight.dim() > 2:
        weight = weight.squeeze(-1)
    return weight


class _ConvCommon(Layer):
    """Arguments every convolution shares (kernel_size, strides, padding, data_format,
    dilation_rate, activation, use_bias + bias initializer/regularizer/constraint) and the
    helpers to read spatial/channel axes and to pad like TensorFlow."""

    rank = 2
    _allow_causal = False

    def _init_common(self, kernel_size, strides, padding, data_format, dilation_rate,
                     activation, use_bias, bias_initializer, bias_regularizer, bias_constraint):
        cls = type(self).__name__
        r = self.rank
        self.kernel_size = _padding.normalize_tuple(kernel_size, r, "kernel_size", cls)
        self.strides = _padding.normalize_tuple(strides, r, "strides", cls)
        self.dilation_rate = _padding.normalize_tuple(dilation_rate, r, "dilation_rate", cls)
        self.padding = _padding.normalize_padding(padding, cls,
                                                  allow_causal=self._allow_causal and r == 1)
        self.data_format = _config.standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.bias_initializer = initializers.get(bias_initializer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.bias_constraint = constraints.get(bias_constraint)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"`strides > 1` not supported in conjunction with `dilation_rate > 1`"
                             f" in {cls}. Received: strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")
        self.input_spec = InputSpec(ndim=r + 2)
        self._channels_last = self.data_format == "channels_last"
        self._pad_cache = {}

    # -- shapes ---------------------------------------------------------------------------------
    def _channel_axis(self) -> int:
        return -1 if self._channels_last else 1

    def _spatial(self, shape) -> Tuple:
        return tuple(shape[1:-1]) if self._channels_last else tuple(shape[2:])

    def _channels_of(self, input_shape) -> int:
        if len(input_shape) != self.rank + 2:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: '
                             f"expected ndim={self.rank + 2}, found ndim={len(input_shape)}. "
                             f"Full shape received: {tuple(input_shape)}")
        c = input_shape[self._channel_axis()]
        if c is None:
            raise ValueError(f"The channel dimension of the inputs to {type(self).__name__} "
                             f"'{self.name}' should be defined. Found None. Full input shape "
                             f"received: {tuple(input_shape)} (data_format={self.data_format})")
        return int(c)

    def _assemble(self, input_shape, spatial_out, channels_out):
        if self._channels_last:
            return (input_shape[0],) + tuple(spatial_out) + (channels_out,)
        return (input_shape[0], channels_out) + tuple(spatial_out)

    def _conv_spatial_out(self, input_shape):
        spatial = self._spatial(input_shape)
        out = tuple(_padding.conv_output_length(n, k, self.padding, s, d)
                    for n, k, s, d in zip(spatial, self.kernel_size, self.strides,
                                          self.dilation_rate))
        if any(o is not None and o <= 0 for o in out):
            raise ValueError(
                f"Computed output size would be negative or zero in {type(self).__name__} "
                f"'{self.name}': the kernel (kernel_size={self.kernel_size}, "
                f"dilation_rate={self.dilation_rate}) is larger than the input with "
                f"padding='{self.padding}'. Received input shape {tuple(input_shape)}, output "
                f"spatial shape would be {out}.")
        return out

    # -- padding --------------------------------------------------------------------------------
    def _pads_for(self, spatial: Tuple[int, ...]):
        """-> (padding argument for the torch op, F.pad argument or None) for an input of
        ``spatial`` size (cached per size)."""
        hit = self._pad_cache.get(spatial)
        if hit is not None:
            return hit
        pairs = _padding.padding_amounts(self.padding, spatial, self.kernel_size, self.strides,
                                         self.dilation_rate)
        if self.padding == "valid":
            eff = tuple((k - 1) * d + 1 for k, d in zip(self.kernel_size, self.dilation_rate))
            if any(n < e for n, e in zip(spatial, eff)):
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': the input's spatial shape {spatial} "
                    f"is smaller than the (dilated) kernel {eff} with padding='valid'; the "
                    f"output size would be negative or zero.")
        if all(b == a for b, a in pairs):
            res = (_layout.op_tuple([b for b, _ in pairs], self.rank, 0), None)
        else:
            res = (_layout.op_tuple([0] * self.rank, self.rank, 0),
                   _padding.torch_pad_arg(pairs))
        if len(self._pad_cache) < 64:
            self._pad_cache[spatial] = res
        return res

    def _static_pads(self):
        """The op padding when it does not depend on the input size ('valid', 'causal', 'same'
        with unit strides), else None (computed per input size by ``_pads_for``)."""
        if self.padding == "same" and any(s > 1 for s in self.strides):
            return None
        fake = tuple((k - 1) * d + 1 for k, d in zip(self.kernel_size, self.dilation_rate))
        pairs = _padding.padding_amounts(self.padding, fake, self.kernel_size, self.strides,
                                         self.dilation_rate)
        if all(b == a for b, a in pairs):
            return (_layout.op_tuple([b for b, _ in pairs], self.rank, 0), None)
        return (_layout.op_tuple([0] * self.rank, self.rank, 0), _padding.torch_pad_arg(pairs))

    def _conv_pads(self, inputs):
        pads = self._fixed_pads
        if pads is None:
            pads = self._pads_for(self._input_spatial(inputs))
        return pads

    def _op_error(self, inputs, err: RuntimeError):
        """A torch error from the op: re-raise Keras's ValueError when the input is too small."""
        self._pads_for(self._input_spatial(inputs))  # raises ValueError for too-small inputs
        raise err

    def _activate(self, y):
        if self.activation is not activations.linear:
            y = self.activation(y)
        return y

    def _bias_config(self):
        return {
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "bias_regularizer": serialize_or_none(regularizers, self.bias_regularizer),
            "bias_constraint": serialize_or_none(constraints, self.bias_constraint),
        }

    def _cast_input(self, x: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        if x.dtype != like.dtype and not torch.is_autocast_enabled(x.device.type):
            x = x.to(like.dtype)
        return x

    def _input_spatial(self, x: torch.Tensor) -> Tuple[int, ...]:
        shape = tuple(x.shape)
        return shape[1:-1] if self._channels_last else shape[2:]


class BaseConv(_ConvCommon):
    """Keras ``Conv1D/2D/3D`` on ``nn.Conv1d/2d/3d`` parameters.

    Kernel ``(*kernel_size, in // groups, filters)`` <-> torch ``(filters, in // groups,
    *kernel_size)``; bias ``(filters,)``. channels_last layers keep the torch kernel in
    channels_last memory format and run the op on an NCHW *view* of the NHWC input.
    """

    _allow_causal = True

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, lora_alpha=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = int(rank)
        cls = type(self).__name__
        if lora_rank:
            raise ValueError(f"{cls}(lora_rank=...) is not supported by torchkeras.")
        self.filters = _positive_int_or_none(cls, "filters", filters)
        self.groups = _positive_int_or_none(cls, "groups", groups)
        if self.filters % self.groups:
            raise ValueError(f"The number of filters must be evenly divisible by the number of "
                             f"groups in {cls}. Received: groups={self.groups}, "
                             f"filters={self.filters}.")
        self._init_common(kernel_size, strides, padding, data_format, dilation_rate, activation,
                          use_bias, bias_initializer, bias_regularizer, bias_constraint)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)

    def build(self, input_shape) -> None:
        in_ch = self._channels_of(input_shape)
        if in_ch % self.groups:
            raise ValueError(f"The number of input channels must be evenly divisible by the "
                             f"number of groups in {type(self).__name__} '{self.name}'. Received "
                             f"groups={self.groups}, but the input has {in_ch} channels (full "
                             f"input shape is {tuple(input_shape)}).")
        self._conv_spatial_out(input_shape)
        module_cls = (torch.nn.Conv1d, torch.nn.Conv2d, torch.nn.Conv3d)[self.rank - 1]
        self.conv = torch.nn.utils.skip_init(module_cls, in_ch, self.filters, self.kernel_size,
                                             stride=self.strides, dilation=self.dilation_rate,
                                             groups=self.groups, bias=self.use_bias,
                                             dtype=self._dtype)
        if self._channels_last:
            _layout.set_channels_last(self.conv.weight, self.rank)
        self.add_torch_weight("kernel", self.conv.weight,
                              self.kernel_size + (in_ch // self.groups, self.filters),
                              to_keras=_layout.kernel_to_keras,
                              from_keras=_layout.kernel_from_keras,
                              initializer=self.kernel_initializer,
                              regularizer=self.kernel_regularizer,
                              constraint=self.kernel_constraint)
        if self.use_bias:
            self.add_torch_weight("bias", self.conv.bias, (self.filters,),
                                  initializer=self.bias_initializer,
                                  regularizer=self.bias_regularizer,
                                  constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis(): in_ch})
        self._op = F.conv3d if self.rank == 3 else F.conv2d
        self._op_strides = _layout.op_tuple(self.strides, self.rank, 1)
        self._op_dilation = _layout.op_tuple(self.dilation_rate, self.rank, 1)
        self._fixed_pads = self._static_pads()
        self._pointwise = self._channels_last and self.groups == 1 and \
            all(k == 1 for k in self.kernel_size) and all(s == 1 for s in self.strides)
        self.built = True

    @property
    def kernel(self) -> torch.Tensor:
        """The kernel in Keras layout (a view of ``conv.weight``)."""
        return _layout.kernel_to_keras(self.conv.weight)

    @property
    def bias(self) -> Optional[torch.Tensor]:
        return self.conv.bias if self.use_bias else None

    def convolution_op(self, inputs: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        """Keras-layout input -> Keras-layout output of the (bias-free) convolution with a
        torch-layout ``weight``."""
        return self._run(inputs, weight, None)

    def _run(self, inputs, weight, bias):
        cl = self._channels_last
        if inputs.dtype != weight.dtype:
            inputs = self._cast_input(inputs, weight)
        if self._pointwise:
            # 1x1, stride 1, one group, channels_last: a matmul over the channel axis of the
            # NHWC tensor (torch's CPU conv would take its copying slow path here).
            return F.linear(inputs, pointwise_matrix(weight), bias)
        op_pad, fpad = self._conv_pads(inputs)
        x = _layout.to_torch(inputs, self.rank, cl)
        if fpad is not None:
            x = F.pad(x, fpad)
        try:
            y = self._op(x, _layout.as_op_weight(weight, self.rank), bias, self._op_strides,
                         op_pad, self._op_dilation, self.groups)
        except RuntimeError as e:
            self._op_error(inputs, e)
        return _layout.from_torch(y, self.rank, cl)

    def call(self, inputs):
        return self._activate(self._run(inputs, self.conv.weight, self.conv.bias))

    def compute_output_shape(self, input_shape):
        return self._assemble(input_shape, self._conv_spatial_out(input_shape), self.filters)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "kernel_regularizer": serialize_or_none(regularizers, self.kernel_regularizer),
            "kernel_constraint": serialize_or_none(constraints, self.kernel_constraint),
        })
        cfg.update(self._bias_config())
        cfg.setdefault("activity_regularizer", None)
        return cfg
