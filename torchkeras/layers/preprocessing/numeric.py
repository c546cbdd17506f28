"""Rescaling and Normalization (Keras 3 / tf.keras semantics)."""
from __future__ import annotations

import itertools
from typing import Optional

import numpy as np
import torch

from ...backend import config as _config
from ...engine.base_layer import Layer

__all__ = ["Rescaling", "Normalization"]


def _to_jsonable(v):
    if isinstance(v, torch.Tensor):
        v = v.detach().cpu().numpy()
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    return v


class Rescaling(Layer):
    """``inputs * scale + offset`` in the layer's float dtype. ``scale`` / ``offset`` may be
    numbers or per-channel lists (broadcast against the last axis, or against axis 1 of
    ``channels_first`` 4-D input as Keras does)."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = _to_jsonable(scale)
        self.offset = _to_jsonable(offset)
        self.supports_masking = True
        self._consts = {}

    def _const(self, value, x: torch.Tensor) -> torch.Tensor:
        key = (id(value), x.dtype, x.device)
        t = self._consts.get(key)
        if t is None:
            t = torch.as_tensor(np.asarray(value, dtype=np.float64), dtype=x.dtype,
                                device=x.device)
            if t.dim() > 0 and _config.image_data_format() == "channels_first":
                t = t.reshape(tuple(t.shape) + (1,) * max(0, 3 - t.dim()))
            self._consts[key] = t
        return t

    def call(self, inputs):
        x = inputs
        cdt = _config.standardize_dtype(self.compute_dtype)
        if x.dtype != cdt:
            x = x.to(cdt)
        return x * self._const(self.scale, x) + self._const(self.offset, x)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"scale": self.scale, "offset": self.offset})
        return cfg


class Normalization(Layer):
    """Feature-wise ``(x - mean) / max(sqrt(variance), epsilon())`` (``invert=True``:
    ``mean + x * max(sqrt(variance), epsilon())``).

    ``axis`` (default -1) are the axes that keep their own statistics; ``axis=None`` gives one
    scalar mean/variance. Either pass ``mean`` and ``variance`` (constants, no weights) or call
    ``adapt(data)``: the layer then holds the non-trainable weights ``mean``, ``variance``
    (shape ``[input_shape[a] for a in axis]``) and ``count`` (int64 scalar), and ``adapt``
    computes the mean and the biased variance over every other axis, as Keras does (batches
    of an iterable are combined exactly; the count is filled in the Keras 2 era only, Keras
    3 leaves it 0).
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert: bool = False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, (int, np.integer)):
            axis = (int(axis),)
        elif isinstance(axis, (list, tuple)):
            axis = tuple(int(a) for a in axis)
        else:
            raise TypeError(f"Normalization: `axis` must be None, an int or a tuple of ints. "
                            f"Received: axis={axis!r}")
        self.axis = axis
        if (mean is None) != (variance is None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be "
                             f"set. Received: mean={mean} and variance={variance}")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError("When setting values directly, `mean` and `variance` must "
                                 f"have the same shape. Received: mean shape {np.shape(mean)} "
                                 f"and variance shape {np.shape(variance)}")
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError("The rank of `mean` must be less than or equal to the number "
                                 f"of axes ({len(self.axis)}). Received: mean shape "
                                 f"{np.shape(mean)} for axis {self.axis}")
        self.input_mean = _to_jsonable(mean)
        self.input_variance = _to_jsonable(variance)
        self.invert = bool(invert)
        self.supports_masking = True
        self._era = _config.keras_era()
        self.mean = self.variance = None
        self._adapt_device = None

    def build(self, input_shape) -> None:
        if input_shape is None:
            return
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError("All `axis` values must be in the range [-ndim, ndim). Layer "
                             f"'{self.name}' received inputs with ndim={ndim}, while axis="
                             f"{self.axis}")
        keep = tuple(sorted(a % ndim for a in self.axis))
        for d in keep:
            if input_shape[d] is None:
                raise ValueError(f"All `axis` values to be kept must have a known shape. Layer "
                                 f"'{self.name}' received axis={self.axis}, inputs.shape="
                                 f"{input_shape}, with unknown axis at index {d}")
        self._keep_axis = keep
        self._reduce_axis = tuple(d for d in range(ndim) if d not in keep)
        self._broadcast_shape = tuple(input_shape[d] if d in keep else 1 for d in range(ndim))
        shape = tuple(input_shape[d] for d in keep)
        self._mv_shape = shape
        self._build_shape = input_shape
        if self.input_mean is None:
            self.adapt_mean = self.add_weight("mean", shape, initializer="zeros",
                                              trainable=False)
            self.adapt_variance = self.add_weight("variance", shape, initializer="ones",
                                                  trainable=False)
            self.count = self.add_weight("count", (), dtype="int64", initializer="zeros",
                                         trainable=False)
        else:
            mean = np.asarray(self.input_mean, dtype=np.float64)
            var = np.asarray(self.input_variance, dtype=np.float64)
            if mean.ndim:
                expanded = [1] * ndim
                for i in range(1, mean.ndim + 1):
                    expanded[keep[-i]] = mean.shape[-i]
                mean, var = mean.reshape(expanded), var.reshape(expanded)
            dt = self._dtype
            self.register_buffer("_const_mean", torch.as_tensor(
                np.broadcast_to(mean, self._broadcast_shape).copy(), dtype=dt),
                persistent=False)
            self.register_buffer("_const_variance", torch.as_tensor(
                np.broadcast_to(var, self._broadcast_shape).copy(), dtype=dt),
                persistent=False)
        self.built = True

    def _stats(self, x: torch.Tensor):
        if self.input_mean is None:
            mean = self.adapt_mean.reshape(self._broadcast_shape)
            var = self.adapt_variance.reshape(self._broadcast_shape)
        else:
            mean, var = self._const_mean, self._const_variance
        return mean.to(x.device, x.dtype), var.to(x.device, x.dtype)

    def call(self, inputs):
        cdt = _config.standardize_dtype(self.compute_dtype)
        x = inputs if inputs.dtype == cdt else inputs.to(cdt)
        mean, var = self._stats(x)
        std = torch.clamp_min(torch.sqrt(var), _config.epsilon())
        if self.invert:
            return mean + x * std
        return (x - mean) / std

    def compute_output_shape(self, input_shape):
        return input_shape

    # -- adapt ---------------------------------------------------------------------------------
    @staticmethod
    def _batch(b):
        if isinstance(b, (tuple, list)) and b and not isinstance(b[0], (int, float)):
            b = b[0]  # (x, y) pairs: the features
        if isinstance(b, dict):
            raise TypeError("Normalization.adapt() expects arrays or tensors, not dicts.")
        if isinstance(b, torch.Tensor):
            return b.detach().to("cpu", torch.float64).numpy()
        return np.asarray(b, dtype=np.float64)

    def adapt(self, data, batch_size: Optional[int] = None, steps: Optional[int] = None) -> None:
        """Compute ``mean`` / ``variance`` from ``data``: a numpy array or tensor (all at
        once), or an iterable of batches (a list of arrays, a generator, a ``DataLoader`` —
        ``(x, y)`` batches use ``x``)."""
        if self.input_mean is not None:
            raise ValueError(f"Layer '{self.name}' was given `mean` and `variance`; it cannot "
                             "be adapted.")
        self._adapt_device = data.device if isinstance(data, torch.Tensor) else None
        if isinstance(data, (np.ndarray, torch.Tensor)) or (
                hasattr(data, "__array__") and not hasattr(data, "__iter__")):
            arr = self._batch(data)
            if batch_size is not None or steps is not None:
                bs = batch_size or 32
                batches = [arr[i:i + bs] for i in range(0, len(arr), bs)]
                if steps is not None:
                    batches = batches[:steps]
                return self._adapt_batches(iter(batches))
            self._ensure_built(arr.shape)
            mean = arr.mean(axis=self._reduce_axis)
            var = arr.var(axis=self._reduce_axis)
            count = int(np.prod([arr.shape[d] for d in self._reduce_axis])) \
                if self._reduce_axis else 1
            return self._assign(mean, var, count)
        if not hasattr(data, "__iter__"):
            raise TypeError(f"Unsupported data type: {type(data)}. `adapt` supports numpy "
                            "arrays, tensors and iterables of batches (list, generator, "
                            "DataLoader).")
        it = iter(data)
        if steps is not None:
            it = itertools.islice(it, steps)
        return self._adapt_batches(it)

    def _adapt_batches(self, it) -> None:
        first = next(it, None)
        if first is None:
            raise ValueError("adapt() received an empty iterable (no batches). Expected at "
                             "least one batch.")
        total_mean = total_var = None
        total = 0
        for b in itertools.chain([first], it):
            arr = self._batch(b)
            self._ensure_built(arr.shape)
            for d in self._keep_axis:
                if arr.shape[d] != self._build_shape[d]:
                    raise ValueError("adapt() yielded a batch with incompatible shape. "
                                     f"Expected {self._build_shape}, got {arr.shape}.")
            bm = arr.mean(axis=self._reduce_axis)
            bv = arr.var(axis=self._reduce_axis)
            n = int(np.prod([arr.shape[d] for d in self._reduce_axis])) \
                if self._reduce_axis else 1
            if total_mean is None:
                total_mean, total_var, total = bm, bv, n
                continue
            new_total = total + n
            w_b = n / new_total
            w_e = 1.0 - w_b
            new_mean = total_mean * w_e + bm * w_b
            total_var = (total_var + (total_mean - new_mean) ** 2) * w_e + \
                (bv + (bm - new_mean) ** 2) * w_b
            total_mean, total = new_mean, new_total
        self._assign(total_mean, total_var, total)

    def _ensure_built(self, shape) -> None:
        if not self.built:
            self._maybe_build_shape(tuple(shape))
        else:
            for d in self._keep_axis:
                if shape[d] != self._build_shape[d]:
                    raise ValueError(f"The layer was built with input_shape={self._build_shape},"
                                     " but adapt() is being called with data with an "
                                     f"incompatible shape, data.shape={tuple(shape)}")

    def _maybe_build_shape(self, shape) -> None:
        self.build((None,) + tuple(shape[1:]) if len(shape) else shape)
        self._build_input_shape = (None,) + tuple(shape[1:])

    def _assign(self, mean, var, count) -> None:
        with torch.no_grad():
            self.adapt_mean.copy_(torch.as_tensor(np.asarray(mean).reshape(self._mv_shape)))
            self.adapt_variance.copy_(torch.as_tensor(np.asarray(var).reshape(self._mv_shape)))
            if self._era < 3:
                self.count.fill_(int(count))
        if isinstance(self._adapt_device, torch.device) and self._adapt_device.type != "cpu":
            self.to(self._adapt_device)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"axis": self.axis, "invert": self.invert,
                    "mean": self.input_mean, "variance": self.input_variance})
        return cfg

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("axis"), list):
            config["axis"] = tuple(config["axis"])
        return cls(**config)
