"""`keras.losses.Loss` and `LossFunctionWrapper`: conversion, masking, sample weights, reduction.

Matches Keras 3's ``Loss.__call__`` (y_true / y_pred cast to the loss dtype, floatx by default;
``_keras_mask`` on ``y_pred`` or on the per-sample losses is merged into the weights) and accepts
Keras 2's spellings (``reduction='auto'``, positional ``Loss(reduction, name)``, configs with
``fn``). Reductions:

* ``'sum_over_batch_size'`` (default), ``'auto'`` (Keras 2's default, same thing), ``'mean'``:
  ``sum(w * loss) / number of loss elements`` -- *not* divided by ``sum(w)``.
* ``'sum'``: ``sum(w * loss)``.
* ``'mean_with_sample_weight'``: ``sum(w * loss) / sum(w)`` (or by the element count without weights).
* ``'none'`` / ``None``: the weighted per-sample losses.

Sample weights of lower rank than the losses get trailing axes (``(N,)`` weights on ``(N, T)``
per-timestep losses weight whole sequences); a trailing axis of size 1 is squeezed.
No step here reads a value back to the host.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Optional

import torch

from torchkeras.backend import config as _config
from ._utils import (auto_name, broadcastable, divide_no_nan, shape_str,
                     squeeze_or_expand_to_same_rank, to_tensor)

REDUCTIONS = ("sum_over_batch_size", "sum", "none", "mean", "mean_with_sample_weight", "auto")
_MEAN_LIKE = ("sum_over_batch_size", "mean", "auto")


class Reduction:
    """tf-keras's ``keras.losses.Reduction`` (``ReductionV2``) constants."""

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(f'Invalid Reduction Key: {key}. Expected keys are "{cls.all()}"')


ReductionV2 = Reduction


def standardize_reduction(reduction):
    """Validate a reduction name (``None`` means ``'none'``); Keras 2 enum-like objects too."""
    if reduction is not None and not isinstance(reduction, str):
        reduction = getattr(reduction, "value", reduction)
    if reduction is None:
        return None
    if reduction not in REDUCTIONS:
        raise ValueError(
            "Invalid value for argument `reduction`. Expected one of "
            f"{{'sum_over_batch_size', 'sum', None, 'none', 'mean', 'mean_with_sample_weight', "
            f"'auto'}}. Received: reduction={reduction!r}")
    return reduction


def _match_weight_rank(values: torch.Tensor, weight: torch.Tensor):
    """Give ``weight`` a shape that broadcasts against ``values`` the way Keras does."""
    vr, wr = values.dim(), weight.dim()
    if wr == vr + 1 and weight.shape[-1] == 1:
        weight = weight.squeeze(-1)
    elif 0 < wr < vr:
        weight = weight.reshape(tuple(weight.shape) + (1,) * (vr - wr))
    if not broadcastable(values.shape, weight.shape):
        raise ValueError(
            "`sample_weight` cannot be broadcast to the per-sample losses: "
            f"sample_weight.shape={shape_str(weight.shape)}, "
            f"losses.shape={shape_str(values.shape)}")
    return weight


def apply_mask(sample_weight: Optional[torch.Tensor], mask: Optional[torch.Tensor],
               dtype: torch.dtype, reduction) -> Optional[torch.Tensor]:
    """Merge a boolean mask into the sample weights (Keras's ``apply_mask``).

    For mean-like reductions the valid entries are scaled by ``total / valid`` so that the
    later division by the element count becomes a division by the number of valid entries.
    """
    if mask is None:
        return sample_weight
    mask = mask.to(dtype)
    if reduction in _MEAN_LIKE:
        total = float(mask.numel())
        valid = mask.sum()
        mask = mask * divide_no_nan(torch.full_like(valid, total), valid)
    if sample_weight is None:
        return mask
    sample_weight = to_tensor(sample_weight, dtype=dtype, device=mask.device)
    mask, sample_weight = squeeze_or_expand_to_same_rank(mask, sample_weight)
    return sample_weight * mask


def reduce_values(values: torch.Tensor, sample_weight: Optional[torch.Tensor] = None,
                  reduction="sum_over_batch_size") -> torch.Tensor:
    """Reduce (already weighted) per-sample losses."""
    if reduction is None or reduction == "none" or values.dim() == 0:
        return values
    loss = values.sum()
    if reduction == "sum":
        return loss
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return divide_no_nan(loss, sample_weight.sum().to(loss.dtype))
    n = values.numel()
    return loss / n if n > 0 else loss


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size", dtype=None) -> torch.Tensor:
    """Weight per-sample losses by ``sample_weight`` (and ``mask``) and reduce them."""
    reduction = standardize_reduction(reduction)
    values = to_tensor(values, dtype=dtype)
    if not values.is_floating_point():
        values = values.to(_config.standardize_dtype(None))
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, dtype=values.dtype, device=values.device)
    if mask is not None:
        mask = to_tensor(mask, device=values.device)
    sample_weight = apply_mask(sample_weight, mask, values.dtype, reduction)
    if sample_weight is not None:
        sample_weight = _match_weight_rank(values, sample_weight.to(values.dtype))
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


def _combine_masks(a, b):
    if a is None:
        return b
    if b is None:
        return a
    a, b = squeeze_or_expand_to_same_rank(a.bool(), b.bool())
    return a & b


class Loss:
    """Base class of Keras losses: subclass and implement ``call(y_true, y_pred)``.

    ``__call__(y_true, y_pred, sample_weight=None)`` returns the reduced loss (a 0-d tensor
    unless ``reduction='none'``); ``call`` returns per-sample losses.
    """

    def __init__(self, name: Optional[str] = None, reduction="sum_over_batch_size",
                 dtype=None):
        # Keras 2 passed (reduction, name) positionally.
        if isinstance(name, str) and name in REDUCTIONS:
            if reduction == "sum_over_batch_size":
                name, reduction = None, name
            elif isinstance(reduction, str) and reduction not in REDUCTIONS:
                name, reduction = reduction, name
        self.name = name or auto_name(self.__class__.__name__)
        self.reduction = standardize_reduction(reduction)
        self._dtype_arg = dtype
        self._compute_dtype = _config.standardize_dtype(dtype)

    @property
    def dtype(self) -> str:
        return _config.dtype_name(self._compute_dtype)

    def __call__(self, y_true, y_pred, sample_weight=None) -> torch.Tensor:
        in_mask = getattr(y_pred, "_keras_mask", None)
        y_pred = to_tensor(y_pred, dtype=self._compute_dtype)
        y_true = to_tensor(y_true, dtype=self._compute_dtype, device=y_pred.device)
        losses = self.call(y_true, y_pred)
        mask = _combine_masks(in_mask, getattr(losses, "_keras_mask", None))
        return reduce_weighted_values(losses, sample_weight=sample_weight, mask=mask,
                                      reduction=self.reduction, dtype=self._compute_dtype)

    def call(self, y_true, y_pred):  # pragma: no cover - abstract
        raise NotImplementedError(
            f"Loss subclass {self.__class__.__name__} must implement `call(y_true, y_pred)`.")

    def get_config(self) -> Dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: Dict[str, Any]):
        config = dict(config)
        if cls is not LossFunctionWrapper and not getattr(cls, "_accepts_fn", False):
            config.pop("fn", None)  # tf-keras writes the wrapped function of built-in losses
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__} name={self.name!r} reduction={self.reduction!r}>"


class LossFunctionWrapper(Loss):
    """Wrap ``fn(y_true, y_pred, **kwargs)`` returning per-sample losses into a ``Loss``."""

    def __init__(self, fn: Callable, reduction="sum_over_batch_size", name: Optional[str] = None,
                 dtype=None, **kwargs):
        if not callable(fn):
            raise TypeError(f"`fn` must be callable. Received: fn={fn!r}")
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        if isinstance(y_true, torch.Tensor) and isinstance(y_pred, torch.Tensor):
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> Dict[str, Any]:
        from .serialization import serialize_function
        config = super().get_config()
        config["fn"] = serialize_function(self.fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: Dict[str, Any]):
        config = dict(config)
        if cls is LossFunctionWrapper and "fn" in config:
            from .serialization import deserialize_function
            config["fn"] = deserialize_function(config["fn"])
        elif cls is not LossFunctionWrapper:
            config.pop("fn", None)
        return cls(**config)

    def __repr__(self) -> str:
        return (f"<LossFunctionWrapper({getattr(self.fn, '__name__', self.fn)}, "
                f"kwargs={self._fn_kwargs})>")


class _BuiltinLoss(LossFunctionWrapper):
    """A built-in loss class: a LossFunctionWrapper whose config lists its own arguments."""

    _config_keys: tuple = ()

    def get_config(self) -> Dict[str, Any]:
        config = Loss.get_config(self)
        for k in self._config_keys:
            config[k] = getattr(self, k)
        return config
