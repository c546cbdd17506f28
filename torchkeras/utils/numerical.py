"""``keras.utils.to_categorical`` and ``keras.utils.normalize`` (Keras 2 ``np_utils`` semantics)."""
from __future__ import annotations

from typing import Optional

import numpy as np
import torch

__all__ = ["to_categorical", "normalize"]


def to_categorical(y, num_classes: Optional[int] = None, dtype="float32"):
    """Class vector (integers) -> one-hot matrix.

    ``y`` of shape ``(N,)`` or ``(N, 1)`` (a trailing axis of size 1 is dropped, as in Keras)
    gives ``(N, num_classes)``; higher-rank labels keep their shape plus a class axis.
    ``num_classes`` defaults to ``max(y) + 1``. Numpy in, numpy out (``dtype``, default
    float32); a torch tensor in gives a torch tensor out.
    """
    if torch.is_tensor(y):
        t = y
        if t.dim() > 1 and t.shape[-1] == 1:
            t = t.squeeze(-1)
        t = t.long()
        if not num_classes:
            num_classes = int(t.max().item()) + 1 if t.numel() else 0
        from torchkeras.backend._common import to_torch_dtype  # local: keep utils import light
        return torch.nn.functional.one_hot(t, int(num_classes)).to(to_torch_dtype(dtype))
    labels = np.array(y, dtype="int64")
    input_shape = labels.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = tuple(input_shape[:-1])
    labels = labels.ravel()
    if not num_classes:
        num_classes = int(np.max(labels)) + 1 if labels.size else 0
    n = labels.shape[0]
    categorical = np.zeros((n, int(num_classes)), dtype=dtype)
    categorical[np.arange(n), labels] = 1
    return np.reshape(categorical, tuple(input_shape) + (int(num_classes),))


def normalize(x, axis: int = -1, order: int = 2):
    """Divide ``x`` by its ``order``-norm along ``axis`` (zero norms are left unchanged)."""
    if torch.is_tensor(x):
        t = x if x.is_floating_point() else x.float()
        norm = torch.linalg.vector_norm(t, ord=order, dim=axis, keepdim=True)
        return t / torch.where(norm == 0, torch.ones_like(norm), norm)
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)
