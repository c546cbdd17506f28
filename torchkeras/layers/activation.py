"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax.

Keras's arguments, defaults, validation messages and configs; the computation is a
``torch.nn.functional`` call (or ``torchkeras.activations``, which already matches Keras).
"""
from __future__ import annotations

from typing import Optional

import numpy as np
import torch
import torch.nn.functional as F

from .. import activations, constraints, initializers, regularizers
from ..backend import config as _config
from ..engine.base_layer import Layer
from ..engine.input_spec import InputSpec
from .normalization import _ser

__all__ = ["ReLU", "LeakyReLU", "PReLU", "ELU", "ThresholdedReLU", "Softmax"]


def _number(layer: str, arg: str, value, allow_none: bool = False,
            nonnegative: bool = True) -> Optional[float]:
    if value is None and allow_none:
        return None
    if value is None or isinstance(value, bool) or \
            not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{arg} of a {layer} layer cannot be None or a non-numeric value. "
                         f"Received: {arg}={value!r}")
    if nonnegative and value < 0:
        raise ValueError(f"{arg} of a {layer} layer cannot be a negative value. "
                         f"Received: {arg}={value!r}")
    return float(value)


class _Elementwise(Layer):
    """Shape-preserving, mask-preserving activation layer."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        return input_shape


def _as_float(x: torch.Tensor, dtype) -> torch.Tensor:
    return x if x.is_floating_point() else x.to(dtype)


class ReLU(_Elementwise):
    """``ReLU(max_value=None, negative_slope=0.0, threshold=0.0)``: Keras's generalised
    rectifier (``keras.activations.relu`` with the same three arguments)."""

    def __init__(self, max_value: Optional[float] = None, negative_slope: float = 0.0,
                 threshold: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = _number("ReLU", "max_value", max_value, allow_none=True)
        self.negative_slope = _number("ReLU", "negative_slope", negative_slope)
        self.threshold = _number("ReLU", "threshold", threshold)

    def call(self, inputs):
        x = _as_float(inputs, self._dtype)
        if self.max_value is None and self.negative_slope == 0 and self.threshold == 0:
            return F.relu(x)
        return activations.relu(x, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"max_value": self.max_value, "negative_slope": self.negative_slope,
                    "threshold": self.threshold})
        return cfg


class LeakyReLU(_Elementwise):
    """``x`` for ``x >= 0`` else ``negative_slope * x``; default slope 0.3 (both tf.keras 2's
    ``alpha`` and Keras 3's ``negative_slope``: real Keras 2.21 / 3.15 agree on 0.3).

    Either spelling is accepted; the config writes the spelling given (or, by default, the
    one of the current era: ``alpha`` for Keras 2, ``negative_slope`` for Keras 3)."""

    def __init__(self, negative_slope: Optional[float] = None, alpha: Optional[float] = None,
                 **kwargs):
        super().__init__(**kwargs)
        if negative_slope is not None and alpha is not None:
            raise ValueError("LeakyReLU: pass only one of `negative_slope` (Keras 3) and "
                             f"`alpha` (Keras 2). Received: negative_slope={negative_slope!r},"
                             f" alpha={alpha!r}")
        if alpha is not None:
            self._key = "alpha"
            value = alpha
        elif negative_slope is not None:
            self._key = "negative_slope"
            value = negative_slope
        else:
            self._key = "alpha" if _config.keras_era() < 3 else "negative_slope"
            value = 0.3
        if value is None or isinstance(value, bool) or \
                not isinstance(value, (int, float, np.integer, np.floating)) or value < 0:
            raise ValueError("The negative_slope value of a Leaky ReLU layer cannot be None or "
                             f"negative value. Expected a float. Received: "
                             f"{self._key}={value!r}")
        self.negative_slope = float(value)

    @property
    def alpha(self) -> float:
        return self.negative_slope

    def call(self, inputs):
        return F.leaky_relu(_as_float(inputs, self._dtype), self.negative_slope)

    def get_config(self):
        cfg = super().get_config()
        cfg[self._key] = self.negative_slope
        return cfg


class PReLU(_Elementwise):
    """Parametric ReLU: ``relu(x) - alpha * relu(-x)`` with a learned ``alpha`` of shape
    ``input_shape[1:]`` (axes in ``shared_axes`` reduced to 1); ``alpha`` initialised to 0."""

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None,
                 alpha_constraint=None, shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [int(a) for a in shared_axes]
        else:
            self.shared_axes = [int(shared_axes)]
        self.alpha = None

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        shape = list(input_shape[1:])
        for a in self.shared_axes or ():
            if not 1 <= a < len(input_shape):
                raise ValueError(f"Layer '{self.name}': invalid shared axis {a} for input shape "
                                 f"{input_shape} (axes are counted from 1, after the batch).")
            shape[a - 1] = 1
        if any(d is None for d in shape):
            raise ValueError(f"Layer '{self.name}' (PReLU) needs every non-shared input "
                             f"dimension defined. Received input shape {input_shape}; share "
                             "the unknown axes with `shared_axes`.")
        self.alpha = self.add_weight("alpha", tuple(shape), initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        axes = {i: input_shape[i] for i in range(1, len(input_shape))
                if i not in (self.shared_axes or ())}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs):
        x = _as_float(inputs, self._dtype)
        return F.relu(x) - self.alpha.to(x.dtype) * F.relu(-x)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": _ser(regularizers, self.alpha_regularizer),
            "alpha_constraint": _ser(constraints, self.alpha_constraint),
            "shared_axes": self.shared_axes,
        })
        return cfg


class ELU(_Elementwise):
    """``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)`` (``F.elu``); alpha 1.0."""

    def __init__(self, alpha: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = _number("ELU", "alpha", alpha, nonnegative=False)

    def call(self, inputs):
        return F.elu(_as_float(inputs, self._dtype), alpha=self.alpha)

    def get_config(self):
        cfg = super().get_config()
        cfg["alpha"] = self.alpha
        return cfg


class ThresholdedReLU(_Elementwise):
    """``x`` if ``x > theta`` else 0 (tf.keras 2; removed from Keras 3). theta 1.0."""

    def __init__(self, theta: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.theta = _number("Thresholded ReLU", "theta", theta)

    def call(self, inputs):
        x = _as_float(inputs, self._dtype)
        return F.threshold(x, self.theta, 0.0)

    def get_config(self):
        cfg = super().get_config()
        cfg["theta"] = self.theta
        return cfg


def _large_negative(dtype: torch.dtype) -> float:
    return -3e4 if dtype == torch.float16 else -1e9


class Softmax(_Elementwise):
    """Softmax over ``axis`` (int or tuple). With a ``mask`` (broadcastable to the input),
    masked positions are set to -1e9 (-3e4 in float16) before the softmax; Keras 3 also
    zeroes them afterwards (so a fully masked row is all zeros), tf.keras 2 does not."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = [int(a) for a in axis]
        elif isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
            self.axis = int(axis)
        else:
            raise TypeError(f"Argument `axis` of Softmax must be an int or a tuple of ints. "
                            f"Received: axis={axis!r}")
        self._era = _config.keras_era()

    def call(self, inputs, mask=None):
        x = _as_float(inputs, self._dtype)
        if mask is not None:
            if mask.dim() > x.dim() or any(m != 1 and m != i for m, i in
                                           zip(reversed(mask.shape), reversed(x.shape))):
                raise ValueError(f"Layer '{self.name}': the `mask` must be broadcastable to "
                                 f"`inputs`. Received: inputs.shape={tuple(x.shape)}, "
                                 f"mask.shape={tuple(mask.shape)}")
            if mask.dtype != torch.bool:
                mask = mask > 0.5
            x = x.masked_fill(~mask, _large_negative(x.dtype))
        axis = self.axis
        if isinstance(axis, list) and len(axis) > 1:
            y = torch.exp(x - torch.logsumexp(x, dim=axis, keepdim=True))
        else:
            y = torch.softmax(x, dim=axis[0] if isinstance(axis, list) else axis)
        if mask is not None and self._era >= 3:
            y = y.masked_fill(~mask, 0.0)
        return y

    def get_config(self):
        cfg = super().get_config()
        cfg["axis"] = self.axis
        return cfg
