"""Reduction metrics: ``Sum``, ``Mean`` and ``MeanMetricWrapper`` (Keras 3 semantics).

Values of higher rank than the sample weights are first reduced (mean for ``Mean``, sum for
``Sum``) over the extra trailing axes; weights broadcast over the rest. ``Mean`` keeps
``total = sum(w * v)`` and ``count = sum(w)`` (or the number of samples), both additive.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Optional

import torch

from torchkeras.losses._utils import squeeze_or_expand_to_same_rank
from torchkeras.losses.base import apply_mask
from .base import Metric


def _reduce(x: torch.Tensor, dims, fn: str) -> torch.Tensor:
    dims = tuple(dims)
    if not dims:
        return x
    return torch.mean(x, dim=dims) if fn == "mean" else torch.sum(x, dim=dims)


def reduce_to_samplewise_values(values: torch.Tensor, sample_weight, reduce_fn: str,
                                dtype: torch.dtype):
    """Weight ``values`` by ``sample_weight`` and reduce them to one value per sample."""
    mask = getattr(values, "_keras_mask", None)
    values = values.to(dtype)
    if sample_weight is not None:
        sample_weight = sample_weight.to(device=values.device, dtype=dtype)
        if mask is not None:
            sample_weight = apply_mask(sample_weight, mask.to(values.device), dtype, "sum")
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        w_ndim, v_ndim = sample_weight.dim(), values.dim()
        if v_ndim > w_ndim:
            values = _reduce(values, range(w_ndim, v_ndim), reduce_fn)
        try:
            sample_weight = torch.broadcast_to(sample_weight, values.shape)
        except RuntimeError:
            raise ValueError(
                "`sample_weight` cannot be broadcast to the metric values: "
                f"sample_weight.shape={tuple(sample_weight.shape)}, "
                f"values.shape={tuple(values.shape)}") from None
        values = values * sample_weight
        if w_ndim > 1:
            sample_weight = _reduce(sample_weight, range(1, w_ndim), reduce_fn)
    if values.dim() > 1:
        values = _reduce(values, range(1, values.dim()), reduce_fn)
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of the given values. State: ``total`` (reduction 'sum')."""

    def __init__(self, name: str = "sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")

    def update_state(self, values, sample_weight=None):
        values = self._tensor(values)
        if sample_weight is not None:
            sample_weight = self._tensor(sample_weight)
        values, _ = reduce_to_samplewise_values(values, sample_weight, "sum", self._state_dtype)
        self.total.add_(values.sum())

    def result(self) -> torch.Tensor:
        return self.total.value.clone()


class Mean(Metric):
    """The (weighted) mean of the given values. States: ``total``, ``count`` (both 'sum')."""

    def __init__(self, name: str = "mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, values, sample_weight=None):
        # Fast path (the compile loss tracker): scalar value, Python-number weight.
        if isinstance(sample_weight, (int, float)) and not isinstance(sample_weight, bool):
            if isinstance(values, (int, float)) or (
                    isinstance(values, torch.Tensor) and values.dim() == 0):
                if isinstance(values, torch.Tensor):
                    v = values.detach()
                    if v.device != self._device or v.dtype != self._state_dtype:
                        v = v.to(device=self._device, dtype=self._state_dtype)
                    self.total.add_(v, alpha=sample_weight)
                else:
                    self.total.add_(values * sample_weight)
                self.count.add_(sample_weight)
                return
        values = self._tensor(values)
        if sample_weight is not None:
            sample_weight = self._tensor(sample_weight)
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, "mean",
                                                            self._state_dtype)
        self.total.add_(values.sum())
        if sample_weight is not None:
            self.count.add_(sample_weight.sum())
        elif values.dim() >= 1:
            self.count.add_(values.shape[0])
        else:
            self.count.add_(1)

    def result(self) -> torch.Tensor:
        total, count = self.total, self.count
        # divide_no_nan; MetricVariable ops return plain tensors
        return torch.where(count == 0, torch.zeros_like(total), total / count)


class MeanMetricWrapper(Mean):
    """Stream the mean of ``fn(y_true, y_pred, **kwargs)`` (per-sample values)."""

    def __init__(self, fn: Callable, name: Optional[str] = None, dtype=None, **kwargs):
        if not callable(fn):
            raise TypeError(f"`fn` must be callable. Received: fn={fn!r}")
        super().__init__(name=name, dtype=dtype)  # Keras: 'mean_metric_wrapper' by default
        self._fn = fn
        self._fn_kwargs = kwargs
        try:
            from torchkeras import losses as _losses
            if fn in _losses.ALL_FUNCTIONS or isinstance(fn, _losses.Loss):
                self._direction = "down"
        except Exception:  # pragma: no cover
            pass

    def update_state(self, y_true, y_pred, sample_weight=None):
        mask = getattr(y_pred, "_keras_mask", None)
        y_true = self._tensor(y_true)
        y_pred = self._tensor(y_pred)
        if y_true.dim() != y_pred.dim():
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        if not isinstance(values, torch.Tensor):
            values = self._tensor(values)
        if mask is None:
            mask = getattr(values, "_keras_mask", None)
        if sample_weight is not None:
            sample_weight = self._tensor(sample_weight, dtype=self._state_dtype)
        if mask is not None:
            sample_weight = apply_mask(sample_weight, self._tensor(mask), self._state_dtype,
                                       "sum")
        return Mean.update_state.__wrapped__(self, values.detach(), sample_weight=sample_weight)

    def get_config(self) -> Dict[str, Any]:
        from .registry import serialize_function
        config = super().get_config()
        config["fn"] = serialize_function(self._fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: Dict[str, Any]):
        config = dict(config)
        if "fn" in config:
            if cls is MeanMetricWrapper:
                from .registry import deserialize_function
                config["fn"] = deserialize_function(config["fn"])
            else:
                config.pop("fn")
        return cls(**config)


class BuiltinMeanMetric(MeanMetricWrapper):
    """A built-in MeanMetricWrapper: its config lists only its own arguments."""

    _config_keys: tuple = ()

    def get_config(self) -> Dict[str, Any]:
        config = {"name": self.name, "dtype": self.dtype}
        for k in self._config_keys:
            config[k] = getattr(self, k)
        return config
