"""``keras.ops`` (Keras 3): the common numpy-like and nn ops on torch tensors.

Each name maps to the matching ``keras.backend`` function (Keras 2 semantics where they
coincide) or directly to torch. Inputs may be numpy arrays or Python numbers.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from . import activations as _act
from .backend import config as _config


def convert_to_tensor(x, dtype=None, sparse=None):
    if isinstance(x, torch.Tensor):
        t = x
    else:
        arr = np.asarray(x)
        if arr.dtype == np.float64 and dtype is None:
            arr = arr.astype(np.float32)
        t = torch.as_tensor(arr)
    if dtype is not None:
        t = t.to(_config.standardize_dtype(dtype))
    return t


def convert_to_numpy(x):
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def _t(x):
    return x if isinstance(x, torch.Tensor) else convert_to_tensor(x)


def cast(x, dtype):
    return _t(x).to(_config.standardize_dtype(dtype))


def shape(x):
    return tuple(_t(x).shape)


def reshape(x, newshape):
    return _t(x).reshape(newshape)


def transpose(x, axes=None):
    x = _t(x)
    return x.permute(*axes) if axes is not None else x.permute(*reversed(range(x.dim())))


def expand_dims(x, axis):
    return _t(x).unsqueeze(axis)


def squeeze(x, axis=None):
    x = _t(x)
    return x.squeeze() if axis is None else x.squeeze(axis)


def concatenate(xs, axis=0):
    return torch.cat([_t(x) for x in xs], dim=axis)


def stack(xs, axis=0):
    return torch.stack([_t(x) for x in xs], dim=axis)


def _reduce(fn):
    def op(x, axis=None, keepdims=False):
        x = _t(x)
        if axis is None:
            out = fn(x)
            return out.reshape([1] * x.dim()) if keepdims else out
        return fn(x, dim=axis, keepdim=keepdims)
    return op


sum = _reduce(torch.sum)  # noqa: A001
mean = _reduce(torch.mean)


def max(x, axis=None, keepdims=False):  # noqa: A001
    x = _t(x)
    return x.amax() if axis is None else x.amax(dim=axis, keepdim=keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001
    x = _t(x)
    return x.amin() if axis is None else x.amin(dim=axis, keepdim=keepdims)


def argmax(x, axis=None, keepdims=False):
    return torch.argmax(_t(x), dim=axis, keepdim=keepdims)


def argmin(x, axis=None, keepdims=False):
    return torch.argmin(_t(x), dim=axis, keepdim=keepdims)


def matmul(a, b):
    return torch.matmul(_t(a), _t(b))


def dot(a, b):
    return torch.matmul(_t(a), _t(b))


def einsum(subscripts, *operands):
    return torch.einsum(subscripts, *[_t(o) for o in operands])


def where(condition, x=None, y=None):
    if x is None and y is None:
        return torch.nonzero(_t(condition), as_tuple=True)
    return torch.where(_t(condition), _t(x), _t(y))


def clip(x, x_min, x_max):
    return torch.clamp(_t(x), x_min, x_max)


def one_hot(x, num_classes, axis=-1, dtype=None):
    out = F.one_hot(_t(x).long(), num_classes).to(_config.standardize_dtype(dtype))
    return out.movedim(-1, axis) if axis != -1 else out


def abs(x):  # noqa: A001
    return torch.abs(_t(x))


def sqrt(x):
    return torch.sqrt(_t(x))


def square(x):
    return torch.square(_t(x))


def exp(x):
    return torch.exp(_t(x))


def log(x):
    return torch.log(_t(x))


def maximum(a, b):
    return torch.maximum(_t(a), _t(b))


def minimum(a, b):
    return torch.minimum(_t(a), _t(b))


def add(a, b):
    return _t(a) + _t(b)


def subtract(a, b):
    return _t(a) - _t(b)


def multiply(a, b):
    return _t(a) * _t(b)


def divide(a, b):
    return _t(a) / _t(b)


def zeros(shape, dtype=None):
    return torch.zeros(shape, dtype=_config.standardize_dtype(dtype))


def ones(shape, dtype=None):
    return torch.ones(shape, dtype=_config.standardize_dtype(dtype))


def arange(start, stop=None, step=1, dtype=None):
    return torch.arange(start, stop, step) if stop is not None else torch.arange(start)


def softmax(x, axis=-1):
    return torch.softmax(_t(x), dim=axis)


def log_softmax(x, axis=-1):
    return torch.log_softmax(_t(x), dim=axis)


def stop_gradient(x):
    return _t(x).detach()


relu = _act.relu
sigmoid = _act.sigmoid
tanh = _act.tanh
gelu = _act.gelu
silu = _act.silu
softplus = _act.softplus
