"""Keras 2 backend: activations, cross-entropies, dropout, normalisation helpers.

Definitions follow tf-keras 2.x ``keras/backend.py``:

* ``binary_crossentropy``: element-wise (no mean), output clipped to ``[eps, 1-eps]`` and
  ``-(t*log(p+eps) + (1-t)*log(1-p+eps))``; ``from_logits`` uses the stable sigmoid form.
* ``categorical_crossentropy``: renormalises ``output`` over ``axis``, clips, sums over ``axis``.
* ``sparse_categorical_crossentropy``: clips and logs ``output`` (no renormalisation needed since
  log-softmax of log-probabilities renormalises), integer targets (a trailing 1 axis is dropped),
  optional ``ignore_class`` (loss 0 there).
* ``hard_sigmoid`` is Keras 2's ``clip(0.2 * x + 0.5, 0, 1)``; ``relu`` has ``alpha``,
  ``max_value``, ``threshold``; ``elu`` has ``alpha``.
"""
from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F

from ._common import (coerce_pair, floatx_dtype, legacy_kwargs, norm_axes, norm_axis,
                      norm_data_format, to_tensor)
from .config import epsilon
from .random_ops import _generator
from ._common import as_shape

__all__ = [
    "softmax", "softplus", "softsign", "relu", "elu", "sigmoid", "hard_sigmoid", "tanh",
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "binary_focal_crossentropy", "categorical_focal_crossentropy", "dropout", "l2_normalize",
    "bias_add", "in_top_k", "batch_normalization", "normalize_batch_in_training",
]


def _float(x) -> torch.Tensor:
    t = to_tensor(x)
    return t if t.is_floating_point() else t.to(floatx_dtype())


# ------------------------------------------------------------------------------------------
# activations
# ------------------------------------------------------------------------------------------
def softmax(x, axis: int = -1) -> torch.Tensor:
    t = _float(x)
    return torch.softmax(t, dim=norm_axis(axis, t.dim()))


def softplus(x) -> torch.Tensor:
    """``log(exp(x) + 1)`` (stable)."""
    t = _float(x)
    return torch.logaddexp(t, torch.zeros((), dtype=t.dtype, device=t.device))


def softsign(x) -> torch.Tensor:
    t = _float(x)
    return t / (1.0 + torch.abs(t))


def relu(x, alpha: float = 0.0, max_value: Optional[float] = None, threshold: float = 0.0
         ) -> torch.Tensor:
    """Rectified linear unit with Keras's ``alpha`` (leak), ``max_value`` and ``threshold``.

    ``f(x) = max_value`` for ``x >= max_value``, ``x`` for ``threshold <= x < max_value``,
    ``alpha * (x - threshold)`` otherwise.
    """
    t = _float(x)
    if alpha != 0.0 and max_value is None and threshold == 0:
        return F.leaky_relu(t, negative_slope=float(alpha))
    negative_part = None
    if alpha != 0.0:
        negative_part = torch.relu(-t + threshold) if threshold != 0 else torch.relu(-t)
    if threshold != 0:
        out = t * (t > threshold).to(t.dtype)
    else:
        out = torch.relu(t)
    if max_value is not None:
        out = torch.clamp(out, min=0.0, max=float(max_value))
    if negative_part is not None:
        out = out - float(alpha) * negative_part
    return out


def elu(x, alpha: float = 1.0) -> torch.Tensor:
    t = _float(x)
    res = F.elu(t)
    if alpha == 1:
        return res
    return torch.where(t > 0, res, alpha * res)


def sigmoid(x) -> torch.Tensor:
    return torch.sigmoid(_float(x))


def hard_sigmoid(x) -> torch.Tensor:
    """Keras 2 piecewise-linear sigmoid: ``clip(0.2 * x + 0.5, 0, 1)``."""
    t = _float(x)
    return torch.clamp(0.2 * t + 0.5, 0.0, 1.0)


def tanh(x) -> torch.Tensor:
    return torch.tanh(_float(x))


# ------------------------------------------------------------------------------------------
# cross-entropies
# ------------------------------------------------------------------------------------------
def binary_crossentropy(target, output, from_logits: bool = False) -> torch.Tensor:
    """Element-wise binary cross-entropy between ``target`` and ``output`` (no reduction)."""
    out = _float(output)
    tgt = to_tensor(target, dtype=out.dtype, device=out.device)
    if from_logits:
        # tf.nn.sigmoid_cross_entropy_with_logits: max(x, 0) - x * z + log(1 + exp(-|x|))
        return torch.relu(out) - out * tgt + torch.log1p(torch.exp(-torch.abs(out)))
    eps = epsilon()
    out = torch.clamp(out, eps, 1.0 - eps)
    bce = tgt * torch.log(out + eps)
    bce = bce + (1.0 - tgt) * torch.log(1.0 - out + eps)
    return -bce


def categorical_crossentropy(target, output, from_logits: bool = False, axis: int = -1
                             ) -> torch.Tensor:
    """Categorical cross-entropy summed over ``axis`` (one-hot / soft ``target``)."""
    out = _float(output)
    tgt = to_tensor(target, dtype=out.dtype, device=out.device)
    ax = norm_axis(axis, out.dim())
    if tuple(tgt.shape) != tuple(out.shape):
        raise ValueError(f"`target` and `output` must have the same shape. Received: "
                         f"target.shape={tuple(tgt.shape)}, output.shape={tuple(out.shape)}")
    if from_logits:
        return -torch.sum(tgt * torch.log_softmax(out, dim=ax), dim=ax)
    out = out / torch.sum(out, dim=ax, keepdim=True)
    eps = epsilon()
    out = torch.clamp(out, eps, 1.0 - eps)
    return -torch.sum(tgt * torch.log(out), dim=ax)


def sparse_categorical_crossentropy(target, output, from_logits: bool = False, axis: int = -1,
                                    ignore_class: Optional[int] = None) -> torch.Tensor:
    """Cross-entropy with integer ``target``; result has ``output``'s shape less ``axis``."""
    out = _float(output)
    ax = norm_axis(axis, out.dim())
    if ax != out.dim() - 1:
        out = out.movedim(ax, -1)
    tgt = to_tensor(target, device=out.device)
    if tgt.dim() == out.dim() and tgt.shape[-1] == 1:
        tgt = tgt.squeeze(-1)
    tgt = tgt.long()
    if not from_logits:
        eps = epsilon()
        out = torch.log(torch.clamp(out, eps, 1.0 - eps))
    logp = torch.log_softmax(out, dim=-1)
    if tgt.shape != out.shape[:-1]:
        tgt = tgt.reshape(out.shape[:-1])
    if ignore_class is not None:
        valid = tgt != int(ignore_class)
        safe = torch.where(valid, tgt, torch.zeros_like(tgt))
        loss = -torch.gather(logp, -1, safe.unsqueeze(-1)).squeeze(-1)
        return torch.where(valid, loss, torch.zeros_like(loss))
    return -torch.gather(logp, -1, tgt.unsqueeze(-1)).squeeze(-1)


def binary_focal_crossentropy(target, output, apply_class_balancing: bool = False,
                              alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False
                              ) -> torch.Tensor:
    """Element-wise focal binary cross-entropy (tf-keras 2.10+ ``K.binary_focal_crossentropy``)."""
    out = _float(output)
    tgt = to_tensor(target, dtype=out.dtype, device=out.device)
    prob = torch.sigmoid(out) if from_logits else out
    p_t = tgt * prob + (1.0 - tgt) * (1.0 - prob)
    focal = torch.pow(1.0 - p_t, gamma) * binary_crossentropy(tgt, out, from_logits)
    if apply_class_balancing:
        focal = (tgt * alpha + (1.0 - tgt) * (1.0 - alpha)) * focal
    return focal


def categorical_focal_crossentropy(target, output, alpha: float = 0.25, gamma: float = 2.0,
                                   from_logits: bool = False, axis: int = -1) -> torch.Tensor:
    """Focal categorical cross-entropy summed over ``axis`` (tf-keras 2.12+)."""
    out = _float(output)
    tgt = to_tensor(target, dtype=out.dtype, device=out.device)
    ax = norm_axis(axis, out.dim())
    if from_logits:
        out = torch.softmax(out, dim=ax)
    out = out / torch.sum(out, dim=ax, keepdim=True)
    eps = epsilon()
    out = torch.clamp(out, eps, 1.0 - eps)
    cce = -tgt * torch.log(out)
    return torch.sum(alpha * torch.pow(1.0 - out, gamma) * cce, dim=ax)


# ------------------------------------------------------------------------------------------
# dropout / normalisation / misc
# ------------------------------------------------------------------------------------------
def dropout(x, level: float, noise_shape=None, seed: Optional[int] = None) -> torch.Tensor:
    """Always-on dropout: zero with probability ``level``, scale kept values by ``1/(1-level)``.

    ``noise_shape`` (broadcastable to ``x``) shares the mask along axes of size 1.
    """
    t = _float(x)
    if level <= 0:
        return t
    if level >= 1:
        raise ValueError(f"`level` must be a float in [0, 1). Received: level={level}")
    shp = tuple(t.shape) if noise_shape is None else tuple(
        t.shape[i] if s in (None, -1) else s for i, s in enumerate(as_shape(noise_shape)))
    keep = torch.rand(shp, generator=_generator(seed, t.device), device=t.device, dtype=t.dtype)
    keep = (keep >= level).to(t.dtype)
    return t * keep / (1.0 - level)


def l2_normalize(x, axis=None) -> torch.Tensor:
    """``x / sqrt(max(sum(x**2, axis), 1e-12))`` (``tf.math.l2_normalize``)."""
    t = _float(x)
    axes = norm_axes(axis, t.dim())
    if axes is None:
        axes = tuple(range(t.dim()))
    sq = torch.sum(t * t, dim=axes, keepdim=True) if axes else t * t
    return t * torch.rsqrt(torch.clamp(sq, min=1e-12))


def bias_add(x, bias, data_format=None, **kwargs) -> torch.Tensor:
    """Add ``bias`` (1-D: per channel; or rank ``ndim(x) - 1``) respecting ``data_format``."""
    if kwargs:
        data_format = legacy_kwargs("bias_add", kwargs).get("data_format", data_format)
    t = to_tensor(x)
    b = to_tensor(bias, dtype=t.dtype, device=t.device)
    df = norm_data_format(data_format)
    bshape = tuple(b.shape)
    if len(bshape) != 1 and len(bshape) != t.dim() - 1:
        raise ValueError(f"Unexpected bias dimensions {len(bshape)}, expect to be 1 or "
                         f"{t.dim() - 1} dimensions")
    if len(bshape) == 1:
        if df == "channels_first" and t.dim() > 2:
            return t + b.reshape((1, bshape[0]) + (1,) * (t.dim() - 2))
        return t + b
    if t.dim() in (3, 4, 5) and df == "channels_first":
        return t + b.reshape((1, bshape[-1]) + bshape[:-1])
    return t + b.reshape((1,) + bshape)


def in_top_k(predictions, targets, k: int) -> torch.Tensor:
    """Whether each ``targets[i]`` is among the top ``k`` of ``predictions[i]`` (ties count in,
    non-finite predictions count out; as ``tf.math.in_top_k``)."""
    p = _float(predictions)
    tgt = to_tensor(targets, device=p.device).long().reshape(-1)
    score = torch.gather(p, 1, tgt.unsqueeze(1))
    better = (p > score).sum(dim=1)
    finite = torch.isfinite(p).all(dim=1)
    return (better < int(k)) & finite


def batch_normalization(x, mean, var, beta, gamma, axis: int = -1, epsilon: float = 1e-3
                        ) -> torch.Tensor:
    """``(x - mean) / sqrt(var + epsilon) * gamma + beta`` (statistics broadcast to ``x``)."""
    t = _float(x)
    m, v = coerce_pair(t, mean)[1], coerce_pair(t, var)[1]
    out = (t - m) * torch.rsqrt(v + epsilon)
    if gamma is not None:
        out = out * coerce_pair(t, gamma)[1]
    if beta is not None:
        out = out + coerce_pair(t, beta)[1]
    return out


def normalize_batch_in_training(x, gamma, beta, reduction_axes, epsilon: float = 1e-3):
    """Normalise ``x`` with its own (biased) batch statistics over ``reduction_axes``.

    Returns ``(normalized, mean, variance)``; ``mean``/``variance`` are squeezed over the
    reduction axes as in Keras.
    """
    t = _float(x)
    axes = norm_axes(reduction_axes, t.dim())
    mean = torch.mean(t, dim=axes, keepdim=True)
    var = torch.var(t, dim=axes, keepdim=True, correction=0)
    keep = [d for d in range(t.dim()) if d not in axes]
    shape = [t.shape[d] if d in keep else 1 for d in range(t.dim())]

    def _b(p):
        if p is None:
            return None
        p = coerce_pair(t, p)[1]
        return p.reshape(shape) if p.dim() == 1 and len(keep) == 1 else p

    normed = (t - mean) * torch.rsqrt(var + epsilon)
    if gamma is not None:
        normed = normed * _b(gamma)
    if beta is not None:
        normed = normed + _b(beta)
    return normed, mean.reshape([t.shape[d] for d in keep]), var.reshape([t.shape[d] for d in keep])
