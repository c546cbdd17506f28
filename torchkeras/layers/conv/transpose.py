"""``Conv1DTranspose``, ``Conv2DTranspose``, ``Conv3DTranspose`` on ``nn.ConvTranspose*d``
parameters.

Keras kernel ``(*k, filters, in)`` <-> torch ``(in, filters, *k)``. Output sizes follow Keras's
``deconv_output_length``; values follow TensorFlow's ``conv_transpose`` with an explicit
output shape: the full transposed convolution (length ``(n - 1) * s + (k - 1) * d + 1``) is
cropped from ``start = max(full - out, 0) // 2`` ('same') or 0 ('valid'), positions past its
end being zero (+ bias). torch crops symmetrically and appends ``output_padding`` at the end,
so: ``padding = start``, ``output_padding = out - (full - 2 * start)`` when that is in
``[0, max(stride, dilation))``, else one extra value is cut off after the op.
"""
from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F

from ... import activations, constraints, initializers, regularizers
from ...engine.input_spec import InputSpec
from .. import _padding
from . import _layout
from .base import _ConvCommon, _positive_int_or_none, serialize_or_none


class BaseConvTranspose(_ConvCommon):
    """Shared implementation of the transposed convolutions."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid",
                 output_padding=None, data_format=None, dilation_rate=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, groups=1, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = int(rank)
        cls = type(self).__name__
        if groups not in (1, None):
            raise ValueError(f"{cls} does not support `groups` other than 1 (Keras has no grouped "
                             f"transposed convolution). Received: groups={groups!r}")
        self.filters = _positive_int_or_none(cls, "filters", filters)
        self._init_common(kernel_size, strides, padding, data_format, dilation_rate, activation,
                          use_bias, bias_initializer, bias_regularizer, bias_constraint)
        if output_padding is None:
            self.output_padding = None
        else:
            self.output_padding = _padding.normalize_tuple(output_padding, self.rank,
                                                           "output_padding", cls,
                                                           allow_zero=True)
            for s, op in zip(self.strides, self.output_padding):
                if op >= s:
                    raise ValueError(f"Strides must be greater than output padding in {cls}. "
                                     f"Received strides={self.strides}, "
                                     f"output_padding={self.output_padding}.")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self._plan_cache = {}

    def _out_spatial(self, input_shape):
        spatial = self._spatial(input_shape)
        ops = self.output_padding or (None,) * self.rank
        return tuple(_padding.deconv_output_length(n, k, self.padding, op, s, d)
                     for n, k, op, s, d in zip(spatial, self.kernel_size, ops, self.strides,
                                               self.dilation_rate))

    def build(self, input_shape) -> None:
        in_ch = self._channels_of(input_shape)
        module_cls = (torch.nn.ConvTranspose1d, torch.nn.ConvTranspose2d,
                      torch.nn.ConvTranspose3d)[self.rank - 1]
        self.conv = torch.nn.utils.skip_init(module_cls, in_ch, self.filters, self.kernel_size,
                                             stride=self.strides, dilation=self.dilation_rate,
                                             bias=self.use_bias, dtype=self._dtype)
        if self._channels_last:
            _layout.set_channels_last(self.conv.weight, self.rank)
        self.add_torch_weight("kernel", self.conv.weight,
                              self.kernel_size + (self.filters, in_ch),
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
        self._op = F.conv_transpose3d if self.rank == 3 else F.conv_transpose2d
        self._op_strides = _layout.op_tuple(self.strides, self.rank, 1)
        self._op_dilation = _layout.op_tuple(self.dilation_rate, self.rank, 1)
        self.built = True

    @property
    def kernel(self) -> torch.Tensor:
        return _layout.kernel_to_keras(self.conv.weight)

    @property
    def bias(self) -> Optional[torch.Tensor]:
        return self.conv.bias if self.use_bias else None

    def _plan(self, spatial):
        """-> (padding, output_padding, lengths to keep or None) for the torch op."""
        hit = self._plan_cache.get(spatial)
        if hit is not None:
            return hit
        pads, outpads, keep = [], [], []
        ops = self.output_padding or (None,) * self.rank
        need_cut = False
        for n, k, op, s, d in zip(spatial, self.kernel_size, ops, self.strides,
                                  self.dilation_rate):
            start, length = _padding.transpose_crop(n, k, self.padding, op, s, d)
            full = (n - 1) * s + (k - 1) * d + 1
            t_op = length - (full - 2 * start)
            if t_op < 0:
                need_cut = True
                t_op = 0
            elif t_op >= max(s, d):  # not reachable with Keras's argument checks
                raise ValueError(f"{type(self).__name__} '{self.name}': unsupported combination "
                                 f"of kernel_size, strides and output_padding for input size "
                                 f"{n}.")
            pads.append(start)
            outpads.append(t_op)
            keep.append(length)
        res = (_layout.op_tuple(pads, self.rank, 0), _layout.op_tuple(outpads, self.rank, 0),
               tuple(keep) if need_cut else None)
        if len(self._plan_cache) < 64:
            self._plan_cache[spatial] = res
        return res

    def call(self, inputs):
        cl = self._channels_last
        weight = self.conv.weight
        inputs = self._cast_input(inputs, weight)
        pad, out_pad, keep = self._plan(self._input_spatial(inputs))
        x = _layout.to_torch(inputs, self.rank, cl)
        y = self._op(x, _layout.as_op_weight(weight, self.rank), self.conv.bias,
                     self._op_strides, pad, out_pad, 1, self._op_dilation)
        if keep is not None:
            first = 3 if self.rank == 1 else 2
            for i, length in enumerate(keep):
                y = y.narrow(first + i, 0, length)
        return self._activate(_layout.from_torch(y, self.rank, cl))

    def compute_output_shape(self, input_shape):
        return self._assemble(input_shape, self._out_spatial(input_shape), self.filters)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "kernel_regularizer": serialize_or_none(regularizers, self.kernel_regularizer),
            "kernel_constraint": serialize_or_none(constraints, self.kernel_constraint),
        })
        cfg.update(self._bias_config())
        cfg.setdefault("activity_regularizer", None)
        return cfg


def _make(rank: int, name: str, default_tuple):
    def __init__(self, filters: int, kernel_size, strides=default_tuple, padding: str = "valid",
                 output_padding=None, data_format=None, dilation_rate=default_tuple,
                 activation=None, use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        BaseConvTranspose.__init__(
            self, rank, filters, kernel_size, strides=strides, padding=padding,
            output_padding=output_padding, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint, **kwargs)
    __init__.__qualname__ = f"{name}.__init__"
    return __init__


class Conv1DTranspose(BaseConvTranspose):
    """Transposed 1-D convolution; kernel ``(k, filters, in)``."""
    __init__ = _make(1, "Conv1DTranspose", 1)


class Conv2DTranspose(BaseConvTranspose):
    """Transposed 2-D convolution; kernel ``(kh, kw, filters, in)``."""
    __init__ = _make(2, "Conv2DTranspose", (1, 1))


class Conv3DTranspose(BaseConvTranspose):
    """Transposed 3-D convolution; kernel ``(k1, k2, k3, filters, in)``."""
    __init__ = _make(3, "Conv3DTranspose", (1, 1, 1))
