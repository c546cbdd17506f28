"""Pooling layers: Max/Average Pooling 1D/2D/3D, Global Max/Average Pooling 1D/2D/3D and the
aliases Keras exports (``MaxPool2D``, ``AvgPool2D``, ``GlobalAvgPool2D``...).

Keras (TensorFlow) semantics: 'same' pads like convolutions (extra pad after); max pooling
pads with -inf, average pooling divides by the number of *real* elements of each window
(count_include_pad=False), also with asymmetric padding. ``strides`` defaults to
``pool_size``. Channels-last inputs are pooled on an NCHW view (channels_last memory format),
so no layout copy is made; ``AveragePooling3D`` is the exception, torch's CPU kernel returns a
contiguous NCDHW tensor.
"""
from __future__ import annotations

from typing import Tuple

import torch
import torch.nn.functional as F

from ..backend import config as _config
from ..engine.base_layer import Layer
from ..engine.input_spec import InputSpec
from . import _padding
from .conv import _layout

_MAX_OPS = {2: F.max_pool2d, 3: F.max_pool3d}
_AVG_OPS = {2: F.avg_pool2d, 3: F.avg_pool3d}


class BasePooling(Layer):
    """Shared implementation of the local pooling layers (``mode`` 'max' or 'avg')."""

    rank = 2
    mode = "max"

    def __init__(self, pool_size, strides=None, padding: str = "valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.pool_size = _padding.normalize_tuple(pool_size, self.rank, "pool_size", cls)
        self.strides = self.pool_size if strides is None else \
            _padding.normalize_tuple(strides, self.rank, "strides", cls)
        self.padding = _padding.normalize_padding(padding, cls)
        self.data_format = _config.standardize_data_format(data_format)
        self._channels_last = self.data_format == "channels_last"
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self._plan_cache = {}
        self._op_kernel = _layout.op_tuple(self.pool_size, self.rank, 1)
        self._op_strides = _layout.op_tuple(self.strides, self.rank, 1)

    def _spatial(self, shape) -> Tuple:
        return tuple(shape[1:-1]) if self._channels_last else tuple(shape[2:])

    def _out_spatial(self, input_shape):
        spatial = self._spatial(input_shape)
        out = tuple(_padding.conv_output_length(n, k, self.padding, s)
                    for n, k, s in zip(spatial, self.pool_size, self.strides))
        if any(o is not None and o <= 0 for o in out):
            raise ValueError(f"Computed output size would be negative in {type(self).__name__} "
                             f"'{self.name}'. Received: input shape={tuple(input_shape)} and "
                             f"pool_size={self.pool_size} with padding='{self.padding}'.")
        return out

    def build(self, input_shape) -> None:
        self._out_spatial(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        out = self._out_spatial(input_shape)
        if self._channels_last:
            return (input_shape[0],) + out + (input_shape[-1],)
        return (input_shape[0], input_shape[1]) + out

    def _plan(self, spatial, device, dtype):
        """-> (symmetric op padding, F.pad argument or None, divisor correction or None)."""
        key = (spatial, device, dtype)
        hit = self._plan_cache.get(key)
        if hit is not None:
            return hit
        if self.padding == "valid":
            for n, k in zip(spatial, self.pool_size):
                if n < k:
                    self._out_spatial((None,) + spatial + (None,) if self._channels_last
                                      else (None, None) + spatial)
            pairs = tuple((0, 0) for _ in spatial)
        else:
            pairs = tuple(_padding.same_pads(n, k, s)
                          for n, k, s in zip(spatial, self.pool_size, self.strides))
        if all(b == a for b, a in pairs):
            res = (_layout.op_tuple([b for b, _ in pairs], self.rank, 0), None, None)
        else:
            corr = None
            if self.mode == "avg":
                corr = self._divisor_correction(spatial, pairs, device, dtype)
            res = (0, _padding.torch_pad_arg(pairs), corr)
        if len(self._plan_cache) < 64:
            self._plan_cache[key] = res
        return res

    def _divisor_correction(self, spatial, pairs, device, dtype):
        """``prod(pool_size) / (number of real elements)`` per output position: turns the
        zero-padded average into Keras's average over the real elements only."""
        corr = None
        for n, k, s, (before, _after) in zip(spatial, self.pool_size, self.strides, pairs):
            out = -(-n // s)
            start = torch.arange(out, dtype=torch.float64) * s - before
            count = (torch.clamp(start + k, max=n) - torch.clamp(start, min=0))
            factor = k / count
            corr = factor if corr is None else corr[..., None] * factor
        corr = corr.to(device=device, dtype=dtype)
        if self.rank == 1:
            corr = corr[None]
        return corr

    def call(self, inputs):
        cl = self._channels_last
        spatial = tuple(inputs.shape[1:-1]) if cl else tuple(inputs.shape[2:])
        if self.padding == "valid":
            op_pad, fpad, corr = 0, None, None
        else:
            op_pad, fpad, corr = self._plan(spatial, inputs.device, inputs.dtype)
        x = _layout.to_torch(inputs, self.rank, cl)
        try:
            y = self._pool(x, op_pad, fpad, corr)
        except RuntimeError:
            self._plan(spatial, inputs.device, inputs.dtype)  # Keras's error if too small
            raise
        return _layout.from_torch(y, self.rank, cl)

    def _pool(self, x, op_pad, fpad, corr):
        trank = _layout.torch_rank(self.rank)
        if self.mode == "max":
            if fpad is not None:
                x = F.pad(x, fpad, value=float("-inf"))
            y = _MAX_OPS[trank](x, self._op_kernel, self._op_strides, op_pad)
        else:
            if fpad is not None:
                x = F.pad(x, fpad)
                y = _AVG_OPS[trank](x, self._op_kernel, self._op_strides, 0,
                                    count_include_pad=True)
                y = y * corr
            else:
                y = _AVG_OPS[trank](x, self._op_kernel, self._op_strides, op_pad,
                                    count_include_pad=False)
        return y

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"pool_size": self.pool_size, "padding": self.padding,
                    "strides": self.strides, "data_format": self.data_format})
        return cfg


class MaxPooling1D(BasePooling):
    """Max pooling over the steps of ``(batch, steps, features)``."""
    rank, mode = 1, "max"

    def __init__(self, pool_size=2, strides=None, padding: str = "valid", data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling2D(BasePooling):
    """Max pooling over rows and columns."""
    rank, mode = 2, "max"

    def __init__(self, pool_size=(2, 2), strides=None, padding: str = "valid",
                 data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling3D(BasePooling):
    """Max pooling over three spatial axes."""
    rank, mode = 3, "max"

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding: str = "valid",
                 data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling1D(BasePooling):
    """Average pooling over the steps; 'same' averages only real elements."""
    rank, mode = 1, "avg"

    def __init__(self, pool_size=2, strides=None, padding: str = "valid", data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(BasePooling):
    """Average pooling over rows and columns; 'same' averages only real elements."""
    rank, mode = 2, "avg"

    def __init__(self, pool_size=(2, 2), strides=None, padding: str = "valid",
                 data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling3D(BasePooling):
    """Average pooling over three spatial axes; 'same' averages only real elements."""
    rank, mode = 3, "avg"

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding: str = "valid",
                 data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


# ------------------------------------------------------------------------------------------
# Global pooling
# ------------------------------------------------------------------------------------------
class BaseGlobalPooling(Layer):
    """Reduces all spatial axes (``keepdims`` keeps them with size 1)."""

    rank = 2
    mode = "max"

    def __init__(self, data_format=None, keepdims: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _config.standardize_data_format(data_format)
        self.keepdims = bool(keepdims)
        self._channels_last = self.data_format == "channels_last"
        self._dims = tuple(range(1, self.rank + 1)) if self._channels_last else \
            tuple(range(2, self.rank + 2))
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _reduce(self, x):
        if self.mode == "max":
            return x.amax(dim=self._dims, keepdim=self.keepdims)
        return x.mean(dim=self._dims, keepdim=self.keepdims)

    def call(self, inputs):
        return self._reduce(inputs)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.keepdims:
            return tuple(1 if i in self._dims else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in self._dims)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return cfg


class GlobalMaxPooling1D(BaseGlobalPooling):
    """Max over the steps axis."""
    rank, mode = 1, "max"


class GlobalMaxPooling2D(BaseGlobalPooling):
    """Max over rows and columns."""
    rank, mode = 2, "max"


class GlobalMaxPooling3D(BaseGlobalPooling):
    """Max over the three spatial axes."""
    rank, mode = 3, "max"


class GlobalAveragePooling1D(BaseGlobalPooling):
    """Mean over the steps axis; with a ``mask`` ``(batch, steps)``, the mean of the unmasked
    steps only (Keras: ``sum(where(mask, x, 0)) / sum(mask)``; the output mask is None)."""
    rank, mode = 1, "avg"

    def __init__(self, data_format=None, keepdims: bool = False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return self._reduce(inputs)
        if not isinstance(mask, torch.Tensor):
            mask = torch.as_tensor(mask, device=inputs.device)
        steps_axis = self._dims[0]
        want = (inputs.shape[0], inputs.shape[steps_axis])
        if tuple(mask.shape) != want:
            raise ValueError(f"GlobalAveragePooling1D '{self.name}': the mask must have shape "
                             f"(batch, steps) = {want}. Received mask of shape "
                             f"{tuple(mask.shape)} for inputs of shape {tuple(inputs.shape)}.")
        m = mask.to(torch.bool).unsqueeze(2 if self._channels_last else 1)
        total = torch.where(m, inputs, torch.zeros((), dtype=inputs.dtype,
                                                   device=inputs.device))
        total = total.sum(dim=steps_axis, keepdim=self.keepdims)
        return total / m.to(inputs.dtype).sum(dim=steps_axis, keepdim=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalAveragePooling2D(BaseGlobalPooling):
    """Mean over rows and columns."""
    rank, mode = 2, "avg"


class GlobalAveragePooling3D(BaseGlobalPooling):
    """Mean over the three spatial axes."""
    rank, mode = 3, "avg"


# Aliases exported by tf.keras 2.x and Keras 3.
MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
MaxPool3D = MaxPooling3D
AvgPool1D = AveragePooling1D
AvgPool2D = AveragePooling2D
AvgPool3D = AveragePooling3D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
GlobalMaxPool3D = GlobalMaxPooling3D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalAvgPool3D = GlobalAveragePooling3D

__all__ = [
    "MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
    "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
    "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
    "MaxPool1D", "MaxPool2D", "MaxPool3D", "AvgPool1D", "AvgPool2D", "AvgPool3D",
    "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D",
    "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D",
]
