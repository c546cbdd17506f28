"""Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization,
UnitNormalization, RMSNormalization — Keras's arguments, defaults, weights and configs.

Thin adapters around ``torch.nn.functional`` (``batch_norm``, ``layer_norm``, ``group_norm``,
``normalize``) where the Keras computation is the same; a few lines of tensor code where Keras
differs (multi-axis normalisation, masked batch moments, Keras's moving-variance rule).
"""
from __future__ import annotations

from typing import List, Optional, Sequence, Union

import numpy as np
import torch
import torch.nn.functional as F

from .. import constraints, initializers, regularizers
from ..backend import config as _config
from ..engine.base_layer import Layer
from ..engine.input_spec import InputSpec

__all__ = ["BatchNormalization", "LayerNormalization", "GroupNormalization",
           "UnitNormalization", "RMSNormalization"]

Axis = Union[int, Sequence[int]]


# ------------------------------------------------------------------------------------------
# shared helpers (used by the other layer families of this package too)
# ------------------------------------------------------------------------------------------
def _ser(module, obj):
    """``module.serialize(obj)`` or None (Keras writes ``null`` for absent regularizers)."""
    return module.serialize(obj) if obj is not None else None


def _check_float(layer: str, arg: str, value, minimum: Optional[float] = None,
                 strict: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"Argument `{arg}` of {layer} must be a number. Received: "
                         f"{arg}={value!r}")
    value = float(value)
    if minimum is not None and (value < minimum or (strict and value == minimum)):
        rel = ">" if strict else ">="
        raise ValueError(f"Argument `{arg}` of {layer} must be {rel} {minimum}. Received: "
                         f"{arg}={value!r}")
    return value


def _axes_list(layer: str, axis, allow_none: bool = False) -> Optional[List[int]]:
    """int / list / tuple of ints -> list of ints (ValueError naming the layer otherwise)."""
    if axis is None and allow_none:
        return None
    if isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
        return [int(axis)]
    if isinstance(axis, (list, tuple)) and axis and all(
            isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axis):
        return [int(a) for a in axis]
    raise TypeError(f"Expected an int or a list/tuple of ints for the argument `axis` of "
                    f"{layer}. Received: axis={axis!r}")


def _resolve_axes(layer: str, axes: List[int], input_shape) -> List[int]:
    ndim = len(input_shape)
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"Invalid axis {a} for layer '{layer}': the input has rank {ndim} "
                             f"(input shape {tuple(input_shape)}).")
        a = a % ndim
        if a in out:
            raise ValueError(f"Duplicate axis {a} for layer '{layer}'. Received: axis={axes}")
        out.append(a)
    return sorted(out)


def _float_inputs(x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Keras casts integer inputs to floatx and upcasts float16/bfloat16 for the statistics."""
    if not x.is_floating_point():
        return x.to(dtype)
    if x.dtype in (torch.float16, torch.bfloat16) and dtype == torch.float32:
        return x.float()
    return x


def _world_size() -> int:
    dist = torch.distributed
    if dist.is_available() and dist.is_initialized():
        return dist.get_world_size()
    return 1


# ------------------------------------------------------------------------------------------
# BatchNormalization
# ------------------------------------------------------------------------------------------
class BatchNormalization(Layer):
    """Keras ``BatchNormalization`` on top of ``F.batch_norm``.

    * Weights (Keras order): ``gamma`` (if ``scale``), ``beta`` (if ``center``), then the
      non-trainable ``moving_mean`` and ``moving_variance`` (torch buffers). One axis gives
      weights of shape ``(C,)``; several axes (tf.keras) give a full-rank broadcast shape.
    * Training (``training=True`` and ``trainable``): normalises with the batch mean and the
      *biased* batch variance, and updates ``moving = momentum * moving + (1 - momentum) *
      batch`` with the biased variance (Keras 3, and tf.keras on 2-D input; torch's own
      ``running_var`` uses the unbiased one, so the update is done here).
    * ``trainable=False`` runs in inference mode, as in tf.keras 2 (TF2) and Keras 3.
    * Channels-last input (``axis=-1``) is handled as an NCHW *view* (``movedim``), no copy.
    * ``mask`` (one rank below the input) restricts the batch moments to unmasked steps.
    * ``synchronized=True`` under ``torch.distributed`` reduces the moments over all ranks.
    """

    def __init__(self, axis: Axis = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 synchronized: bool = False, renorm: bool = False, renorm_clipping=None,
                 renorm_momentum: float = 0.99, fused=None, virtual_batch_size=None,
                 adjustment=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self._axes_arg = _axes_list(cls, axis)
        self.axis = axis if isinstance(axis, (int, np.integer)) else list(axis)
        if isinstance(self.axis, np.integer):
            self.axis = int(self.axis)
        self.momentum = _check_float(cls, "momentum", momentum)
        self.epsilon = _check_float(cls, "epsilon", epsilon, 0.0, strict=True)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.synchronized = bool(synchronized)
        if renorm:
            raise ValueError(f"{cls}(renorm=True) (batch renormalization) is not supported by "
                             "torchkeras. Received: renorm=True")
        self.renorm = False
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = float(renorm_momentum)
        if virtual_batch_size is not None:
            raise ValueError(f"{cls}(virtual_batch_size=...) is not supported by torchkeras. "
                             f"Received: virtual_batch_size={virtual_batch_size!r}")
        if adjustment is not None:
            raise ValueError(f"{cls}(adjustment=...) is not supported by torchkeras.")
        self.fused = fused  # tf.keras kernel choice; no effect here
        self.supports_masking = True
        self.gamma = self.beta = None
        self._param_shape = None

    # -- build ---------------------------------------------------------------------------------
    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        axes = _resolve_axes(self.name, self._axes_arg, input_shape)
        for a in axes:
            if input_shape[a] is None:
                raise ValueError(f"Axis {a} of the input tensor should have a defined dimension, "
                                 f"but layer '{self.name}' received an input with shape "
                                 f"{input_shape}.")
        self._axes = axes
        self._ndim = len(input_shape)
        if len(axes) == 1:
            shape = (input_shape[axes[0]],)
        else:
            shape = tuple(input_shape[d] if d in axes else 1 for d in range(self._ndim))
        self._param_shape = shape
        self._reduction_axes = [d for d in range(self._ndim) if d not in axes]
        if self.scale:
            self.gamma = self.add_weight("gamma", shape, initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, trainable=True)
        if self.center:
            self.beta = self.add_weight("beta", shape, initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, trainable=True)
        self.register_buffer("moving_mean", torch.empty(shape, dtype=self._dtype))
        self.register_buffer("moving_variance", torch.empty(shape, dtype=self._dtype))
        self.add_torch_weight("moving_mean", self.moving_mean, shape,
                              initializer=self.moving_mean_initializer, trainable=False)
        self.add_torch_weight("moving_variance", self.moving_variance, shape,
                              initializer=self.moving_variance_initializer, trainable=False)
        self.input_spec = InputSpec(ndim=self._ndim,
                                    axes={a: input_shape[a] for a in axes})
        self.built = True

    def _apply(self, fn, *args, **kwargs):
        # ``Module.to()`` / ``.cuda()`` / ``.double()`` *replace* buffers (parameters keep their
        # identity): re-point the moving-statistics weight specs at the new tensors.
        out = super()._apply(fn, *args, **kwargs)
        for spec in self._weight_specs:
            if spec.name in ("moving_mean", "moving_variance") and spec.name in self._buffers:
                spec.tensor = self._buffers[spec.name]
        return out

    # -- call ----------------------------------------------------------------------------------
    def call(self, inputs, training=None, mask=None):
        x = inputs
        if mask is not None and mask.dim() != x.dim() - 1:
            raise ValueError(f"Layer '{self.name}': the mask provided should be one dimension "
                             f"less than the inputs. Received: mask.shape={tuple(mask.shape)}, "
                             f"inputs.shape={tuple(x.shape)}")
        out_dtype = x.dtype if x.is_floating_point() else self._dtype
        x = _float_inputs(x, self._dtype)
        train = bool(training) and self.trainable
        sync = self.synchronized and train and _world_size() > 1
        if len(self._axes) == 1 and mask is None and not sync and x.dim() >= 2:
            y = self._fused(x, train)
        else:
            y = self._generic(x, train, mask, sync)
        return y if y.dtype == out_dtype else y.to(out_dtype)

    def _params(self, dtype):
        g = self.gamma if self.gamma is None or self.gamma.dtype == dtype else \
            self.gamma.to(dtype)
        b = self.beta if self.beta is None or self.beta.dtype == dtype else self.beta.to(dtype)
        return g, b

    def _fused(self, x: torch.Tensor, train: bool) -> torch.Tensor:
        """One channel axis: ``F.batch_norm`` on the channels-at-dim-1 view."""
        ch = self._axes[0]
        xv = x if ch == 1 else x.movedim(ch, 1)
        gamma, beta = self._params(xv.dtype)
        if not train:
            y = F.batch_norm(xv, self.moving_mean, self.moving_variance, gamma, beta, False,
                             0.0, self.epsilon)
        else:
            n = xv.numel() // xv.shape[1]
            if n == 0:
                raise ValueError(f"Layer '{self.name}' received an empty batch in training "
                                 f"mode (input shape {tuple(x.shape)}).")
            # native_batch_norm returns the batch mean and 1/sqrt(biased_var + eps) it used.
            y, mean, invstd = torch.native_batch_norm(xv, gamma, beta, None, None, True, 0.0,
                                                      self.epsilon)
            with torch.no_grad():
                var = invstd.double().pow(-2).sub_(self.epsilon).clamp_min_(0.0)
                self._update_moving(mean, var)
        return y if ch == 1 else y.movedim(1, ch)

    def _bshape(self, t: torch.Tensor) -> torch.Tensor:
        if len(self._axes) == 1:
            shape = [1] * self._ndim
            shape[self._axes[0]] = t.shape[0]
            return t.reshape(shape)
        return t

    def _generic(self, x, train, mask, sync):
        """Multi-axis, masked or cross-replica moments, then ``(x - m) * rsqrt(v + eps)``."""
        if train:
            with torch.autocast(x.device.type, enabled=False):
                mean, var = self._moments(x, mask, sync)
            with torch.no_grad():
                self._update_moving(mean.reshape(self._param_shape),
                                    var.reshape(self._param_shape))
        else:
            mean = self._bshape(self.moving_mean.to(x.dtype))
            var = self._bshape(self.moving_variance.to(x.dtype))
        inv = torch.rsqrt(var + self.epsilon)
        gamma, beta = self._params(x.dtype)
        if gamma is not None:
            inv = inv * self._bshape(gamma)
        y = (x - mean) * inv
        if beta is not None:
            y = y + self._bshape(beta)
        return y

    def _moments(self, x, mask, sync):
        """Batch mean and biased variance over the reduction axes (keepdim); with a mask,
        Keras's weighted form ``sum(w*x) / (sum(w) + epsilon())``."""
        red = self._reduction_axes
        if mask is None:
            w = None
            s1 = x.sum(dim=red, keepdim=True)
            count = torch.full_like(s1, float(np.prod([x.shape[d] for d in red])))
        else:
            w = mask.to(x.dtype).unsqueeze(-1).expand_as(x)
            s1 = (x * w).sum(dim=red, keepdim=True)
            count = w.sum(dim=red, keepdim=True)
        if sync:
            from torch.distributed.nn.functional import all_reduce
            s1, count = all_reduce(s1), all_reduce(count)
        denom = count + _config.epsilon() if w is not None else count
        mean = s1 / denom
        d = x - mean
        if w is not None:
            d = d * w
        s2 = (d * d).sum(dim=red, keepdim=True)
        if sync:
            from torch.distributed.nn.functional import all_reduce
            s2 = all_reduce(s2)
        return mean, s2 / denom

    def _update_moving(self, mean: torch.Tensor, var: torch.Tensor) -> None:
        m = self.momentum
        mm, mv = self.moving_mean, self.moving_variance
        mm.mul_(m).add_(mean.to(mm.dtype).reshape(mm.shape), alpha=1.0 - m)
        mv.mul_(m).add_(var.to(mv.dtype).reshape(mv.shape), alpha=1.0 - m)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg.update({
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer":
                initializers.serialize(self.moving_variance_initializer),
            "beta_regularizer": _ser(regularizers, self.beta_regularizer),
            "gamma_regularizer": _ser(regularizers, self.gamma_regularizer),
            "beta_constraint": _ser(constraints, self.beta_constraint),
            "gamma_constraint": _ser(constraints, self.gamma_constraint),
            "synchronized": self.synchronized,
            "renorm": self.renorm,
            "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        })
        return cfg


# ------------------------------------------------------------------------------------------
# LayerNormalization
# ------------------------------------------------------------------------------------------
class LayerNormalization(Layer):
    """Keras ``LayerNormalization``: per-sample normalisation over ``axis`` (default -1) with
    ``gamma`` / ``beta`` of shape ``[input_shape[a] for a in axis]``, epsilon 1e-3.

    Trailing axes use ``F.layer_norm``. ``rms_scaling=True`` reproduces Keras 3 exactly
    (deprecated there: it scales by ``rsqrt(variance + epsilon)`` and ``gamma``, with no
    centring and no ``beta``).
    """

    def __init__(self, axis: Axis = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, rms_scaling: bool = False, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self._axes_arg = _axes_list(cls, axis)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else int(axis)
        self.epsilon = _check_float(cls, "epsilon", epsilon, 0.0)
        self.center = bool(center)
        self.scale = bool(scale)
        self.rms_scaling = bool(rms_scaling)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.gamma = self.beta = None

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        axes = _resolve_axes(self.name, self._axes_arg, input_shape)
        for a in axes:
            if input_shape[a] is None:
                raise ValueError(f"Axis {a} of the input to layer '{self.name}' must have a "
                                 f"defined dimension. Received input shape {input_shape}.")
        self._axes = axes
        self._ndim = len(input_shape)
        shape = tuple(input_shape[a] for a in axes)
        self._param_shape = shape
        self._trailing = axes == list(range(self._ndim - len(axes), self._ndim))
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight("gamma", shape, initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, trainable=True)
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight("beta", shape, initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, trainable=True)
        self.input_spec = InputSpec(ndim=self._ndim, axes={a: input_shape[a] for a in axes})
        self.built = True

    def _bshape(self, t):
        shape = [1] * self._ndim
        for a, d in zip(self._axes, self._param_shape):
            shape[a] = d
        return t.reshape(shape)

    def call(self, inputs):
        out_dtype = inputs.dtype if inputs.is_floating_point() else self._dtype
        x = _float_inputs(inputs, self._dtype)
        gamma = None if self.gamma is None else self.gamma.to(x.dtype)
        beta = None if self.beta is None else self.beta.to(x.dtype)
        if self.rms_scaling:
            var = torch.var(x, dim=self._axes, keepdim=True, correction=0)
            y = x * torch.rsqrt(var + self.epsilon) * self._bshape(gamma)
        elif self._trailing:
            y = F.layer_norm(x, self._param_shape, gamma, beta, self.epsilon)
        else:
            var, mean = torch.var_mean(x, dim=self._axes, keepdim=True, correction=0)
            y = (x - mean) * torch.rsqrt(var + self.epsilon)
            if gamma is not None:
                y = y * self._bshape(gamma)
            if beta is not None:
                y = y + self._bshape(beta)
        return y if y.dtype == out_dtype else y.to(out_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg.update({
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": _ser(regularizers, self.beta_regularizer),
            "gamma_regularizer": _ser(regularizers, self.gamma_regularizer),
            "beta_constraint": _ser(constraints, self.beta_constraint),
            "gamma_constraint": _ser(constraints, self.gamma_constraint),
        })
        return cfg


# ------------------------------------------------------------------------------------------
# GroupNormalization
# ------------------------------------------------------------------------------------------
class GroupNormalization(Layer):
    """Keras ``GroupNormalization`` (``groups`` contiguous channel blocks, stats over the
    spatial axes and the block; ``groups=-1`` = instance normalisation) via
    ``F.group_norm`` on the channels-at-dim-1 view. Weights ``gamma``, ``beta`` of shape (C,)."""

    def __init__(self, groups: int = 32, axis: int = -1, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or \
                (groups <= 0 and groups != -1):
            raise ValueError(f"Argument `groups` of {cls} must be a positive integer or -1. "
                             f"Received: groups={groups!r}")
        self.groups = int(groups)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"Argument `axis` of {cls} must be an int. Received: axis={axis!r}")
        self.axis = int(axis)
        self.epsilon = _check_float(cls, "epsilon", epsilon, 0.0)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.gamma = self.beta = None

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        (axis,) = _resolve_axes(self.name, [self.axis], input_shape)
        dim = input_shape[axis]
        if dim is None:
            raise ValueError(f"Axis {self.axis} of the input tensor should have a defined "
                             f"dimension but layer '{self.name}' received an input with shape "
                             f"{input_shape}.")
        groups = dim if self.groups == -1 else self.groups
        if dim < groups:
            raise ValueError(f"Number of groups ({groups}) cannot be more than the number of "
                             f"channels ({dim}) (layer '{self.name}', input shape "
                             f"{input_shape}).")
        if dim % groups:
            raise ValueError(f"Number of groups ({groups}) must be a multiple of the number of "
                             f"channels ({dim}) (layer '{self.name}', input shape "
                             f"{input_shape}).")
        self._groups = groups
        self.groups = groups  # Keras stores the resolved count (-1 -> channels) once built
        self._axis = axis
        if self.scale:
            self.gamma = self.add_weight("gamma", (dim,), initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight("beta", (dim,), initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)
        self.input_spec = InputSpec(ndim=len(input_shape), axes={axis: dim})
        self.built = True

    def call(self, inputs):
        out_dtype = inputs.dtype if inputs.is_floating_point() else self._dtype
        x = _float_inputs(inputs, self._dtype)
        ax = self._axis
        xv = x if ax == 1 else x.movedim(ax, 1)
        gamma = None if self.gamma is None else self.gamma.to(x.dtype)
        beta = None if self.beta is None else self.beta.to(x.dtype)
        y = F.group_norm(xv, self._groups, gamma, beta, self.epsilon)
        y = y if ax == 1 else y.movedim(1, ax)
        return y if y.dtype == out_dtype else y.to(out_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg.update({
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": _ser(regularizers, self.beta_regularizer),
            "gamma_regularizer": _ser(regularizers, self.gamma_regularizer),
            "beta_constraint": _ser(constraints, self.beta_constraint),
            "gamma_constraint": _ser(constraints, self.gamma_constraint),
        })
        return cfg


# ------------------------------------------------------------------------------------------
# UnitNormalization / RMSNormalization
# ------------------------------------------------------------------------------------------
class UnitNormalization(Layer):
    """``x / sqrt(max(sum(x**2, axis), 1e-12))`` (Keras ``UnitNormalization``)."""

    def __init__(self, axis: Axis = -1, **kwargs):
        super().__init__(**kwargs)
        self._axes_arg = _axes_list(type(self).__name__, axis)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else int(axis)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        self._axes = _resolve_axes(self.name, self._axes_arg, tuple(input_shape))
        self.built = True

    def call(self, inputs):
        x = inputs if inputs.is_floating_point() else inputs.to(self._dtype)
        if len(self._axes) == 1:
            return F.normalize(x, p=2.0, dim=self._axes[0], eps=1e-6)
        sq = (x * x).sum(dim=self._axes, keepdim=True)
        return x * torch.rsqrt(sq.clamp_min(1e-12))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg["axis"] = self.axis
        return cfg


class RMSNormalization(Layer):
    """Keras 3 ``RMSNormalization``: ``x * rsqrt(mean(x**2, axis) + epsilon) * scale``
    (weight ``scale``, shape ``[input_shape[a] for a in axis]``, epsilon 1e-6)."""

    def __init__(self, axis: Axis = -1, epsilon: float = 1e-6, **kwargs):
        super().__init__(**kwargs)
        self._axes_arg = _axes_list(type(self).__name__, axis)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else int(axis)
        self.epsilon = _check_float(type(self).__name__, "epsilon", epsilon, 0.0)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        self._axes = _resolve_axes(self.name, self._axes_arg, input_shape)
        self._ndim = len(input_shape)
        shape = tuple(input_shape[a] for a in self._axes)
        self._param_shape = shape
        self._trailing = self._axes == list(range(self._ndim - len(shape), self._ndim))
        self.scale = self.add_weight("scale", shape, initializer="ones")
        self.built = True

    def call(self, inputs):
        out_dtype = inputs.dtype if inputs.is_floating_point() else self._dtype
        x = _float_inputs(inputs, self._dtype)
        scale = self.scale.to(x.dtype)
        if self._trailing:
            y = F.rms_norm(x, self._param_shape, scale, self.epsilon)
        else:
            ms = (x * x).mean(dim=self._axes, keepdim=True)
            shape = [1] * self._ndim
            for a, d in zip(self._axes, self._param_shape):
                shape[a] = d
            y = x * torch.rsqrt(ms + self.epsilon) * scale.reshape(shape)
        return y if y.dtype == out_dtype else y.to(out_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"axis": self.axis, "epsilon": self.epsilon})
        return cfg
