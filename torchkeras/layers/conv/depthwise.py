"""``DepthwiseConv1D/2D`` and ``SeparableConv1D/2D`` on grouped ``nn.Conv*d`` parameters.

Depthwise kernel: Keras ``(*k, C, m)`` <-> torch ``(C * m, 1, *k)`` with ``groups = C``
(output channel ``c * m + j``, Keras's order). Separable = depthwise (no bias) followed by a
1x1 pointwise convolution (Keras ``(1, 1, C * m, filters)`` <-> torch ``(filters, C * m, 1,
1)``) carrying the bias. Keras weight order: depthwise_kernel, [pointwise_kernel], bias.

tf-keras configs of these layers carry the inherited ``Conv`` keys (``groups``,
``kernel_initializer``, ``kernel_regularizer``, ``kernel_constraint``); they have no effect in
tf-keras either and are accepted and ignored so that such files load.
"""
from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F

from ... import activations, constraints, initializers, regularizers
from ...engine.input_spec import InputSpec
from . import _layout
from .base import _ConvCommon, _positive_int_or_none, pointwise_matrix, serialize_or_none

_K2_INERT = ("groups", "kernel_initializer", "kernel_regularizer", "kernel_constraint")


def _drop_k2_inert(layer: str, kwargs: dict) -> None:
    for key in _K2_INERT:
        if key in kwargs:
            value = kwargs.pop(key)
            if key == "groups" and value not in (1, None):
                raise ValueError(f"{layer} does not accept `groups` other than 1. "
                                 f"Received: groups={value!r}")


class BaseDepthwiseConv(_ConvCommon):
    """Depthwise convolution: each input channel convolved with ``depth_multiplier`` filters."""

    _allow_causal = True

    def __init__(self, rank, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        _drop_k2_inert(type(self).__name__, kwargs)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = int(rank)
        self.depth_multiplier = _positive_int_or_none(type(self).__name__, "depth_multiplier",
                                                      depth_multiplier)
        self._init_common(kernel_size, strides, padding, data_format, dilation_rate, activation,
                          use_bias, bias_initializer, bias_regularizer, bias_constraint)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)

    def _make_depthwise(self, in_ch: int, bias: bool):
        module_cls = (torch.nn.Conv1d, torch.nn.Conv2d, torch.nn.Conv3d)[self.rank - 1]
        conv = torch.nn.utils.skip_init(module_cls, in_ch, in_ch * self.depth_multiplier,
                                        self.kernel_size, stride=self.strides,
                                        dilation=self.dilation_rate, groups=in_ch, bias=bias,
                                        dtype=self._dtype)
        if self._channels_last:
            _layout.set_channels_last(conv.weight, self.rank)
        self._dw_layout = _layout.DepthwiseLayout(in_ch, self.depth_multiplier)
        return conv

    def _add_depthwise_weight(self, in_ch: int) -> None:
        self.add_torch_weight("depthwise_kernel", self.depthwise.weight,
                              self.kernel_size + (in_ch, self.depth_multiplier),
                              to_keras=self._dw_layout.to_keras,
                              from_keras=self._dw_layout.from_keras,
                              initializer=self.depthwise_initializer,
                              regularizer=self.depthwise_regularizer,
                              constraint=self.depthwise_constraint)

    def _finish_build(self, in_ch: int) -> None:
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis(): in_ch})
        self._op = F.conv3d if self.rank == 3 else F.conv2d
        self._op_strides = _layout.op_tuple(self.strides, self.rank, 1)
        self._op_dilation = _layout.op_tuple(self.dilation_rate, self.rank, 1)
        self._in_ch = in_ch
        self._fixed_pads = self._static_pads()
        self.built = True

    def build(self, input_shape) -> None:
        in_ch = self._channels_of(input_shape)
        self._conv_spatial_out(input_shape)
        self.depthwise = self._make_depthwise(in_ch, self.use_bias)
        self._add_depthwise_weight(in_ch)
        if self.use_bias:
            self.add_torch_weight("bias", self.depthwise.bias, (in_ch * self.depth_multiplier,),
                                  initializer=self.bias_initializer,
                                  regularizer=self.bias_regularizer,
                                  constraint=self.bias_constraint)
        self._finish_build(in_ch)

    @property
    def depthwise_kernel(self) -> torch.Tensor:
        return self._dw_layout.to_keras(self.depthwise.weight)

    @property
    def bias(self) -> Optional[torch.Tensor]:
        return self.depthwise.bias if self.use_bias else None

    def _depthwise_nchw(self, inputs, bias):
        """Keras-layout input -> NCHW-view output of the depthwise step."""
        weight = self.depthwise.weight
        if inputs.dtype != weight.dtype:
            inputs = self._cast_input(inputs, weight)
        op_pad, fpad = self._conv_pads(inputs)
        x = _layout.to_torch(inputs, self.rank, self._channels_last)
        if fpad is not None:
            x = F.pad(x, fpad)
        try:
            return self._op(x, _layout.as_op_weight(weight, self.rank), bias, self._op_strides,
                            op_pad, self._op_dilation, self._in_ch)
        except RuntimeError as e:
            self._op_error(inputs, e)

    def call(self, inputs):
        y = self._depthwise_nchw(inputs, self.depthwise.bias)
        return self._activate(_layout.from_torch(y, self.rank, self._channels_last))

    def compute_output_shape(self, input_shape):
        c = input_shape[self._channel_axis()]
        out_c = c * self.depth_multiplier if c is not None else None
        return self._assemble(input_shape, self._conv_spatial_out(input_shape), out_c)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({
            "depth_multiplier": self.depth_multiplier,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": serialize_or_none(regularizers, self.depthwise_regularizer),
            "bias_regularizer": serialize_or_none(regularizers, self.bias_regularizer),
            "activity_regularizer": serialize_or_none(regularizers, self.activity_regularizer),
            "depthwise_constraint": serialize_or_none(constraints, self.depthwise_constraint),
            "bias_constraint": serialize_or_none(constraints, self.bias_constraint),
        })
        return cfg


class BaseSeparableConv(BaseDepthwiseConv):
    """Depthwise (no bias) then pointwise 1x1 convolution with ``filters`` outputs."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(rank, kernel_size, strides=strides, padding=padding,
                         depth_multiplier=depth_multiplier, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
        self.filters = _positive_int_or_none(type(self).__name__, "filters", filters)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape) -> None:
        in_ch = self._channels_of(input_shape)
        self._conv_spatial_out(input_shape)
        mid = in_ch * self.depth_multiplier
        self.depthwise = self._make_depthwise(in_ch, False)
        module_cls = (torch.nn.Conv1d, torch.nn.Conv2d, torch.nn.Conv3d)[self.rank - 1]
        self.pointwise = torch.nn.utils.skip_init(module_cls, mid, self.filters, 1,
                                                  bias=self.use_bias, dtype=self._dtype)
        if self._channels_last:
            _layout.set_channels_last(self.pointwise.weight, self.rank)
        self._add_depthwise_weight(in_ch)
        self.add_torch_weight("pointwise_kernel", self.pointwise.weight,
                              (1,) * self.rank + (mid, self.filters),
                              to_keras=_layout.kernel_to_keras,
                              from_keras=_layout.kernel_from_keras,
                              initializer=self.pointwise_initializer,
                              regularizer=self.pointwise_regularizer,
                              constraint=self.pointwise_constraint)
        if self.use_bias:
            self.add_torch_weight("bias", self.pointwise.bias, (self.filters,),
                                  initializer=self.bias_initializer,
                                  regularizer=self.bias_regularizer,
                                  constraint=self.bias_constraint)
        self._finish_build(in_ch)

    @property
    def pointwise_kernel(self) -> torch.Tensor:
        return _layout.kernel_to_keras(self.pointwise.weight)

    @property
    def bias(self) -> Optional[torch.Tensor]:
        return self.pointwise.bias if self.use_bias else None

    def call(self, inputs):
        y = self._depthwise_nchw(inputs, None)
        if self._channels_last:
            # the pointwise step as a matmul over the channel axis of the NHWC tensor (torch's
            # CPU 1x1 conv takes a copying slow path for small batches)
            y = _layout.from_torch(y, self.rank, True)
            y = F.linear(y, pointwise_matrix(self.pointwise.weight), self.pointwise.bias)
            return self._activate(y)
        y = self._op(y, _layout.as_op_weight(self.pointwise.weight, self.rank),
                     self.pointwise.bias)
        return self._activate(_layout.from_torch(y, self.rank, False))

    def compute_output_shape(self, input_shape):
        return self._assemble(input_shape, self._conv_spatial_out(input_shape), self.filters)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({
            "filters": self.filters,
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
            "pointwise_regularizer": serialize_or_none(regularizers, self.pointwise_regularizer),
            "pointwise_constraint": serialize_or_none(constraints, self.pointwise_constraint),
        })
        return cfg


class DepthwiseConv1D(BaseDepthwiseConv):
    """Depthwise 1-D convolution; depthwise_kernel ``(k, C, depth_multiplier)``."""

    def __init__(self, kernel_size, strides=1, padding: str = "valid", depth_multiplier: int = 1,
                 data_format=None, dilation_rate=1, activation=None, use_bias: bool = True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, kernel_size, strides=strides, padding=padding,
                         depth_multiplier=depth_multiplier, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)


class DepthwiseConv2D(BaseDepthwiseConv):
    """Depthwise 2-D convolution; depthwise_kernel ``(kh, kw, C, depth_multiplier)``."""

    _allow_causal = False

    def __init__(self, kernel_size, strides=(1, 1), padding: str = "valid",
                 depth_multiplier: int = 1, data_format=None, dilation_rate=(1, 1),
                 activation=None, use_bias: bool = True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(2, kernel_size, strides=strides, padding=padding,
                         depth_multiplier=depth_multiplier, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)


class SeparableConv1D(BaseSeparableConv):
    """Separable 1-D convolution (depthwise then pointwise)."""

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid",
                 data_format=None, dilation_rate=1, depth_multiplier: int = 1, activation=None,
                 use_bias: bool = True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, pointwise_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         depth_multiplier=depth_multiplier, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         pointwise_initializer=pointwise_initializer,
                         bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer,
                         pointwise_regularizer=pointwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint,
                         pointwise_constraint=pointwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)


class SeparableConv2D(BaseSeparableConv):
    """Separable 2-D convolution (depthwise then pointwise)."""

    _allow_causal = False

    def __init__(self, filters: int, kernel_size, strides=(1, 1), padding: str = "valid",
                 data_format=None, dilation_rate=(1, 1), depth_multiplier: int = 1,
                 activation=None, use_bias: bool = True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, pointwise_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         depth_multiplier=depth_multiplier, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         pointwise_initializer=pointwise_initializer,
                         bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer,
                         pointwise_regularizer=pointwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint,
                         pointwise_constraint=pointwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
