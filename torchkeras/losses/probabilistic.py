"""Probabilistic losses: (focal) binary / categorical / sparse crossentropy, KL divergence,
Poisson, generalized crossentropy.

Numerics follow Keras 3 (TF backend, which the oracle was made with):

* probabilities are clipped to ``[epsilon, 1 - epsilon]`` (``epsilon = 1e-7``) before the log;
* categorical crossentropy first renormalises ``y_pred`` to sum to 1 along ``axis``;
* ``from_logits=True`` uses log-sigmoid / log-softmax directly;
* label smoothing: binary ``t * (1 - s) + s / 2``, categorical ``t * (1 - s) + s / C``;
* ``ignore_class`` in sparse crossentropy zeroes those entries and attaches a mask, so the
  default reduction averages over the remaining entries only.
"""
from __future__ import annotations

import warnings

import torch
import torch.nn.functional as F

from ._utils import (as_pair, check_broadcastable, check_same_shape, check_sparse_labels,
                     epsilon, squeeze_or_expand_to_same_rank, to_float_tensor, to_tensor)
from .base import _BuiltinLoss
from ..engine.symbolic_ops import symbolic_aware


def _pair_same_shape(y_true, y_pred, what):
    y_true, y_pred = as_pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    check_same_shape(y_true, y_pred, what)
    return y_true, y_pred


def _check_axis(axis):
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type "
                         f"{type(axis)}")


def _bce_elementwise(target: torch.Tensor, output: torch.Tensor, from_logits: bool):
    """Elementwise binary crossentropy (``ops.binary_crossentropy``)."""
    if from_logits:
        # max(x, 0) - x * z + log(1 + exp(-|x|))
        return torch.clamp(output, min=0) - output * target + F.softplus(-torch.abs(output))
    eps = epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    return -(target * torch.log(output) + (1.0 - target) * torch.log(1.0 - output))


@symbolic_aware
def binary_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0,
                        axis: int = -1) -> torch.Tensor:
    """Binary crossentropy, mean over ``axis``."""
    y_true, y_pred = _pair_same_shape(y_true, y_pred, "binary_crossentropy")
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return torch.mean(_bce_elementwise(y_true, y_pred, from_logits), dim=axis)


@symbolic_aware
def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing: bool = False,
                              alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                              label_smoothing: float = 0.0, axis: int = -1) -> torch.Tensor:
    """Focal binary crossentropy: ``(1 - p_t) ** gamma * bce``, optionally alpha-balanced."""
    y_true, y_pred = _pair_same_shape(y_true, y_pred, "binary_focal_crossentropy")
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = torch.sigmoid(y_pred)
    bce = _bce_elementwise(y_true, y_pred, False)
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal_bce = torch.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        weight = y_true * alpha + (1.0 - y_true) * (1.0 - alpha)
        focal_bce = weight * focal_bce
    return torch.mean(focal_bce, dim=axis)


def _warn_one_class(name, y_pred):
    if y_pred.dim() > 0 and y_pred.shape[-1] == 1:
        warnings.warn(
            f"In loss {name}, expected y_pred.shape to be (batch_size, num_classes) with "
            f"num_classes > 1. Received: y_pred.shape={tuple(y_pred.shape)}. Consider using "
            "'binary_crossentropy' if you only have 2 classes.", SyntaxWarning, stacklevel=3)


def _log_probs(y_pred: torch.Tensor, from_logits: bool, axis: int) -> torch.Tensor:
    if from_logits:
        return F.log_softmax(y_pred, dim=axis)
    eps = epsilon()
    output = y_pred / torch.sum(y_pred, dim=axis, keepdim=True)
    return torch.log(torch.clamp(output, eps, 1.0 - eps))


@symbolic_aware
def categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1) -> torch.Tensor:
    """Categorical crossentropy on one-hot labels; ``y_pred`` is renormalised, then clipped."""
    _check_axis(axis)
    y_true, y_pred = _pair_same_shape(y_true, y_pred, "categorical_crossentropy")
    _warn_one_class("categorical_crossentropy", y_pred)
    if label_smoothing:
        num_classes = y_true.shape[axis]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    return -torch.sum(y_true * _log_probs(y_pred, from_logits, axis), dim=axis)


@symbolic_aware
def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma: float = 2.0,
                                   from_logits: bool = False, label_smoothing: float = 0.0,
                                   axis: int = -1) -> torch.Tensor:
    """``sum(alpha * (1 - p) ** gamma * -y_true * log(p), axis)`` on renormalised, clipped p."""
    _check_axis(axis)
    y_true, y_pred = _pair_same_shape(y_true, y_pred, "categorical_focal_crossentropy")
    _warn_one_class("categorical_focal_crossentropy", y_pred)
    if label_smoothing:
        num_classes = y_true.shape[axis]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    if from_logits:
        y_pred = torch.softmax(y_pred, dim=axis)
    eps = epsilon()
    output = y_pred / torch.sum(y_pred, dim=axis, keepdim=True)
    output = torch.clamp(output, eps, 1.0 - eps)
    cce = -y_true * torch.log(output)
    if not isinstance(alpha, (int, float)):
        alpha = to_tensor(alpha, dtype=output.dtype, device=output.device)
    weighting = torch.pow(1.0 - output, gamma) * alpha
    return torch.sum(weighting * cce, dim=axis)


@symbolic_aware
def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                                    ignore_class=None, axis: int = -1) -> torch.Tensor:
    """Crossentropy with integer labels of shape ``y_pred.shape[:-1]`` (or a trailing 1)."""
    y_pred = to_float_tensor(y_pred)
    y_true = to_tensor(y_true, device=y_pred.device)
    if axis not in (-1, y_pred.dim() - 1):
        y_pred = torch.movedim(y_pred, axis, -1)
    y_true = check_sparse_labels(y_true, y_pred, "sparse_categorical_crossentropy")
    labels = y_true.long() if y_true.dtype != torch.long else y_true
    valid = None
    if ignore_class is not None:
        valid = labels != int(ignore_class)
        labels = torch.where(valid, labels, torch.zeros_like(labels))
    log_probs = _log_probs(y_pred, from_logits, -1)
    res = -torch.gather(log_probs, -1, labels.unsqueeze(-1)).squeeze(-1)
    if valid is not None:
        res = torch.where(valid, res, torch.zeros_like(res))
        res._keras_mask = valid
    return res


@symbolic_aware
def kl_divergence(y_true, y_pred) -> torch.Tensor:
    """``sum(y_true * log(y_true / y_pred), axis=-1)`` with both clipped to ``[eps, 1]``."""
    y_true, y_pred = as_pair(y_true, y_pred)
    check_broadcastable(y_true, y_pred, "kl_divergence")
    eps = epsilon()
    y_true = torch.clamp(y_true, eps, 1.0)
    y_pred = torch.clamp(y_pred, eps, 1.0)
    return torch.sum(y_true * torch.log(y_true / y_pred), dim=-1)


@symbolic_aware
def poisson(y_true, y_pred) -> torch.Tensor:
    """``mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)``."""
    y_true, y_pred = as_pair(y_true, y_pred)
    check_broadcastable(y_true, y_pred, "poisson")
    return torch.mean(y_pred - y_true * torch.log(y_pred + epsilon()), dim=-1)


@symbolic_aware
def categorical_generalized_cross_entropy(y_true, y_pred, q: float) -> torch.Tensor:
    """Generalized crossentropy ``(1 - p ** q) / q``, p = predicted prob of the true class."""
    y_pred = to_float_tensor(y_pred)
    y_true = to_tensor(y_true, device=y_pred.device)
    y_true = check_sparse_labels(y_true, y_pred, "categorical_generalized_cross_entropy")
    p = torch.gather(y_pred, -1, y_true.long().unsqueeze(-1)).squeeze(-1)
    return (1.0 - torch.pow(p, q)) / q


# Keras 1/2 aliases.
bce = BCE = binary_crossentropy
kld = KLD = kullback_leibler_divergence = kl_divergence


class BinaryCrossentropy(_BuiltinLoss):
    """Binary crossentropy (``from_logits``, ``label_smoothing``, ``axis``)."""

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class BinaryFocalCrossentropy(_BuiltinLoss):
    """Focal binary crossentropy (``gamma`` 2.0, ``alpha`` 0.25 when class balancing)."""

    _config_keys = ("from_logits", "label_smoothing", "axis", "apply_class_balancing", "alpha",
                    "gamma")

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy", dtype=None):
        super().__init__(binary_focal_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self.apply_class_balancing = apply_class_balancing
        self.alpha = alpha
        self.gamma = gamma


class CategoricalCrossentropy(_BuiltinLoss):
    """Categorical crossentropy on one-hot labels."""

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class CategoricalFocalCrossentropy(_BuiltinLoss):
    """Alpha-balanced focal categorical crossentropy."""

    _config_keys = ("from_logits", "label_smoothing", "axis", "alpha", "gamma")

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy",
                 dtype=None):
        super().__init__(categorical_focal_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self.alpha = alpha
        self.gamma = gamma


class SparseCategoricalCrossentropy(_BuiltinLoss):
    """Crossentropy with integer labels; ``ignore_class`` entries are left out of the mean."""

    _config_keys = ("from_logits", "ignore_class")

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy", dtype=None, axis=-1):
        kwargs = {"axis": axis} if axis != -1 else {}
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class,
                         **kwargs)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis


class KLDivergence(_BuiltinLoss):
    """Kullback-Leibler divergence."""

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, reduction=reduction, dtype=dtype)


class Poisson(_BuiltinLoss):
    """Poisson loss ``y_pred - y_true * log(y_pred)``."""

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, name=name, reduction=reduction, dtype=dtype)


class CategoricalGeneralizedCrossEntropy(_BuiltinLoss):
    """Generalized crossentropy (Zhang et al. 2018) with integer labels, ``q`` in (0, 1)."""

    _config_keys = ("q",)

    def __init__(self, q=0.5, reduction="sum_over_batch_size",
                 name="categorical_generalized_cross_entropy", dtype=None):
        if not 0 < q < 1:
            raise ValueError(f"q must be in the interval (0, 1). Received: q={q}")
        super().__init__(categorical_generalized_cross_entropy, name=name, reduction=reduction,
                         dtype=dtype, q=q)
        self.q = q
