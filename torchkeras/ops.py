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


def split(x, indices_or_sections, axis=0):
    """numpy-style split: an int (equal sections) or a list of split indices."""
    x = _t(x)
    if isinstance(indices_or_sections, int):
        return list(torch.tensor_split(x, indices_or_sections, dim=axis))
    return list(torch.tensor_split(x, list(indices_or_sections), dim=axis))


def exp2(x):
    return torch.exp2(_t(x))


def power(a, b):
    return torch.pow(_t(a), b if not isinstance(b, (list, tuple)) else _t(b))


def negative(x):
    return -_t(x)


def tile(x, repeats):
    return _t(x).repeat(*repeats) if isinstance(repeats, (list, tuple)) else _t(x).repeat(repeats)


def take(x, indices, axis=None):
    x = _t(x)
    idx = _t(indices).long()
    if axis is None:
        return x.reshape(-1)[idx]
    return torch.index_select(x, axis, idx.reshape(-1)).reshape(
        x.shape[:axis] + idx.shape + x.shape[axis + 1:])


def var(x, axis=None, keepdims=False):
    x = _t(x)
    return x.var(unbiased=False) if axis is None else x.var(dim=axis, keepdim=keepdims,
                                                             unbiased=False)


def std(x, axis=None, keepdims=False):
    return torch.sqrt(var(x, axis, keepdims))


def norm(x, ord=None, axis=None, keepdims=False):
    return torch.linalg.norm(_t(x), ord=ord, dim=axis, keepdim=keepdims)


def logsumexp(x, axis=None, keepdims=False):
    x = _t(x)
    if axis is None:
        return torch.logsumexp(x.reshape(-1), 0)
    return torch.logsumexp(x, dim=axis, keepdim=keepdims)


def cumsum(x, axis=None):
    x = _t(x)
    return torch.cumsum(x.reshape(-1) if axis is None else x, dim=0 if axis is None else axis)


def sign(x):
    return torch.sign(_t(x))


def round(x):  # noqa: A001
    return torch.round(_t(x))


def floor(x):
    return torch.floor(_t(x))


def ceil(x):
    return torch.ceil(_t(x))


def equal(a, b):
    return torch.eq(_t(a), _t(b))


def not_equal(a, b):
    return torch.ne(_t(a), _t(b))


def greater(a, b):
    return torch.gt(_t(a), _t(b))


def less(a, b):
    return torch.lt(_t(a), _t(b))


def logical_and(a, b):
    return torch.logical_and(_t(a), _t(b))


def logical_or(a, b):
    return torch.logical_or(_t(a), _t(b))


def logical_not(x):
    return torch.logical_not(_t(x))


def zeros_like(x, dtype=None):
    t = torch.zeros_like(_t(x))
    return t if dtype is None else t.to(_config.standardize_dtype(dtype))


def ones_like(x, dtype=None):
    t = torch.ones_like(_t(x))
    return t if dtype is None else t.to(_config.standardize_dtype(dtype))


def full(shape, fill_value, dtype=None):
    return torch.full(tuple(shape), fill_value, dtype=_config.standardize_dtype(dtype))


def eye(n, m=None, dtype=None):
    return torch.eye(n, m if m is not None else n, dtype=_config.standardize_dtype(dtype))


def sort(x, axis=-1):
    return torch.sort(_t(x), dim=axis).values


def argsort(x, axis=-1):
    return torch.argsort(_t(x), dim=axis)


def top_k(x, k, sorted=True):  # noqa: A002
    r = torch.topk(_t(x), k, sorted=sorted)
    return r.values, r.indices


def flip(x, axis=None):
    x = _t(x)
    dims = list(range(x.dim())) if axis is None else ([axis] if isinstance(axis, int) else axis)
    return torch.flip(x, dims)


def moveaxis(x, source, destination):
    return torch.movedim(_t(x), source, destination)


def swapaxes(x, a, b):
    return torch.swapaxes(_t(x), a, b)


def pad(x, pad_width, mode="constant", constant_values=0):
    import torch.nn.functional as F  # noqa: F811
    x = _t(x)
    flat = []
    for before, after in reversed([tuple(p) for p in pad_width]):
        flat += [before, after]
    return F.pad(x, flat, mode=mode, value=constant_values) if mode == "constant" else \
        F.pad(x, flat, mode=mode)


def slice(x, start_indices, shape):  # noqa: A001
    x = _t(x)
    import builtins
    idx = tuple(builtins.slice(int(s), int(s) + int(n)) for s, n in zip(start_indices, shape))
    return x[idx]


def elu(x, alpha=1.0):
    return _act.elu(x, alpha)


def leaky_relu(x, negative_slope=0.2):
    return _act.leaky_relu(x, negative_slope)


def binary_crossentropy(target, output, from_logits=False):
    from . import losses as _losses
    return _losses.binary_crossentropy(target, output, from_logits=from_logits)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    from . import losses as _losses
    return _losses.categorical_crossentropy(target, output, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    from . import losses as _losses
    return _losses.sparse_categorical_crossentropy(target, output, from_logits=from_logits,
                                                   axis=axis)
