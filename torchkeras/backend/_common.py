"""Shared helpers of the ``K.*`` function library: tensor conversion, dtypes, axes, devices.

Every backend function accepts torch tensors (CPU or CUDA), numpy arrays and Python scalars and
returns torch tensors. Conversions follow TensorFlow's conversion rules as Keras 2 saw them:
Python floats become ``floatx()``, and a Python/numpy operand combined with a tensor takes the
tensor's dtype and device (a "weak" operand), so ``K.maximum(x, 0)`` and ``x * np.float64(2)``
keep ``x``'s float32.

Device of tensors created from nothing (``K.random_normal(shape)``, ``K.constant(...)``): the
innermost ``device_scope(...)`` if any, else the device of the last tensor a ``K.*`` function
received (so ``K.random_normal((K.shape(z)[0], 2))`` lands next to a CUDA ``z``, as the classic VAE
sampling Lambda needs), else torch's default device.
"""
from __future__ import annotations

import contextlib
import numbers
from typing import Any, Iterable, Optional, Sequence, Tuple, Union

import numpy as np
import torch

from .config import dtype_name, floatx, standardize_dtype

AxisLike = Union[None, int, Sequence[int]]

_DEVICE_STACK: list = []
_LAST_DEVICE: list = [None]  # one-element box: the device of the last tensor seen


# ------------------------------------------------------------------------------------------
# devices
# ------------------------------------------------------------------------------------------
@contextlib.contextmanager
def device_scope(device):
    """Create ``K.*`` tensors that have no tensor input (random, constants...) on ``device``."""
    _DEVICE_STACK.append(torch.device(device))
    try:
        yield
    finally:
        _DEVICE_STACK.pop()


def default_device() -> torch.device:
    """Device for tensors made from scratch (see the module docstring)."""
    if _DEVICE_STACK:
        return _DEVICE_STACK[-1]
    if _LAST_DEVICE[0] is not None:
        return _LAST_DEVICE[0]
    getter = getattr(torch, "get_default_device", None)
    return getter() if getter is not None else torch.device("cpu")


def note_device(t: torch.Tensor) -> None:
    _LAST_DEVICE[0] = t.device


def reset_device_hint() -> None:
    _LAST_DEVICE[0] = None


# ------------------------------------------------------------------------------------------
# dtypes
# ------------------------------------------------------------------------------------------
def to_torch_dtype(dtype) -> torch.dtype:
    """A Keras dtype spelling (``'float32'``, ``np.int64``, ``torch.bool``...) -> torch dtype."""
    if dtype is None:
        return standardize_dtype(None)
    if isinstance(dtype, torch.dtype):
        return dtype
    if isinstance(dtype, type) and issubclass(dtype, (np.generic, bool, int, float)):
        dtype = np.dtype(dtype)
    if isinstance(dtype, np.dtype):
        dtype = dtype.name
    name = str(dtype)
    if name in ("int", "int_"):
        name = "int64"
    if name in ("float_",):
        name = "float64"
    if name == "uint16":
        return torch.uint16 if hasattr(torch, "uint16") else torch.int32
    if name in ("uint32", "uint64"):
        return torch.int64
    if name in ("complex64", "complex128"):
        return getattr(torch, name)
    return standardize_dtype(name)


def dtype_str(dtype: torch.dtype) -> str:
    """torch dtype -> Keras dtype string (``torch.float32`` -> ``'float32'``)."""
    return dtype_name(dtype)


def floatx_dtype() -> torch.dtype:
    return standardize_dtype(floatx())


def _float_of(t: torch.Tensor) -> torch.dtype:
    return t.dtype if t.is_floating_point() else floatx_dtype()


# ------------------------------------------------------------------------------------------
# conversion
# ------------------------------------------------------------------------------------------
def is_symbolic(x) -> bool:
    """A KerasTensor / placeholder of the engine (not a concrete torch tensor)."""
    return not torch.is_tensor(x) and type(x).__name__ in ("KerasTensor", "SymbolicTensor")


def _numpy_to_tensor(a: np.ndarray, dtype, device) -> torch.Tensor:
    if a.dtype == object:
        raise TypeError(f"Cannot convert a numpy array of dtype object to a tensor: {a!r:.200}")
    if a.dtype.kind in "US":
        raise TypeError(f"Cannot convert a numpy array of strings to a tensor: {a!r:.200}")
    if a.dtype == np.uint32 or a.dtype == np.uint64:
        a = a.astype(np.int64)
    if not a.flags.c_contiguous or not a.flags.writeable:
        a = a.copy()  # (np.ascontiguousarray would turn 0-d into 1-d)
    t = torch.from_numpy(a)
    return t.to(device=device, dtype=dtype if dtype is not None else t.dtype)


def to_tensor(x: Any, dtype=None, device=None) -> torch.Tensor:
    """Convert ``x`` to a torch tensor (torch tensors pass through, optionally cast).

    Python floats (and float lists) become ``floatx()``, Python ints int64, bools bool; numpy
    arrays keep their dtype. ``dtype`` casts; ``device`` defaults to :func:`default_device`.
    """
    tdtype = to_torch_dtype(dtype) if dtype is not None else None
    if torch.is_tensor(x):
        note_device(x)
        if tdtype is not None and x.dtype != tdtype:
            x = x.to(tdtype)
        if device is not None and x.device != torch.device(device):
            x = x.to(device)
        return x
    if is_symbolic(x):
        raise TypeError(
            f"This backend function needs a concrete tensor, but received the symbolic tensor {x!r}."
            " K.* functions run eagerly on torch tensors; call them inside a Lambda layer, a custom"
            " layer's call() or a loss function instead of on model inputs directly.")
    dev = torch.device(device) if device is not None else default_device()
    if hasattr(x, "__array__") and not isinstance(x, np.ndarray) and hasattr(x, "numpy"):
        x = np.asarray(x.numpy())  # tf tensors and other array-likes
    if isinstance(x, np.ndarray):
        return _numpy_to_tensor(x, tdtype, dev)
    if isinstance(x, np.generic):
        return _numpy_to_tensor(np.asarray(x), tdtype, dev)
    if isinstance(x, (bool, np.bool_)):
        return torch.tensor(bool(x), dtype=tdtype or torch.bool, device=dev)
    if isinstance(x, numbers.Integral):
        return torch.tensor(int(x), dtype=tdtype or torch.int64, device=dev)
    if isinstance(x, numbers.Real):
        return torch.tensor(float(x), dtype=tdtype or floatx_dtype(), device=dev)
    if isinstance(x, (list, tuple)):
        if any(torch.is_tensor(e) for e in x):
            parts = [to_tensor(e, dtype=dtype, device=device) for e in x]
            return torch.stack(parts)
        a = np.asarray(x)
        if a.dtype == np.float64 and tdtype is None:
            tdtype = floatx_dtype()
        return _numpy_to_tensor(a, tdtype, dev)
    raise TypeError(f"Expected a tensor, a numpy array or a Python number, got {type(x).__name__}: "
                    f"{x!r:.200}")


def _kind(dtype) -> str:
    if dtype == torch.bool:
        return "b"
    if dtype.is_floating_point:
        return "f"
    if dtype.is_complex:
        return "c"
    return "i"


def _weak_dtype(t: torch.Tensor, other: Any) -> torch.dtype:
    """dtype for a non-tensor operand combined with tensor ``t`` (TF-style weak typing)."""
    if isinstance(other, (bool, np.bool_)):
        okind = "b"
    elif isinstance(other, numbers.Integral):
        okind = "i"
    elif isinstance(other, numbers.Real):
        okind = "f"
    else:
        a = np.asarray(other)
        okind = {"b": "b", "i": "i", "u": "i", "f": "f", "c": "c"}.get(a.dtype.kind, "f")
    tkind = _kind(t.dtype)
    if okind == tkind or (okind in "bi" and tkind in "if") or (okind == "b"):
        return t.dtype
    if okind == "f" and tkind in "bi":
        return floatx_dtype()
    return t.dtype


def coerce_pair(a: Any, b: Any) -> Tuple[torch.Tensor, torch.Tensor]:
    """Convert two operands, giving a non-tensor operand the tensor's dtype and device."""
    ta, tb = torch.is_tensor(a), torch.is_tensor(b)
    if ta and tb:
        note_device(a)
        return a, b
    if ta:
        note_device(a)
        dt = _weak_dtype(a, b)
        return (a if a.dtype == dt else a.to(dt)), to_tensor(b, dtype=dt, device=a.device)
    if tb:
        note_device(b)
        dt = _weak_dtype(b, a)
        return to_tensor(a, dtype=dt, device=b.device), (b if b.dtype == dt else b.to(dt))
    return to_tensor(a), to_tensor(b)


def like(value: Any, ref: torch.Tensor) -> torch.Tensor:
    """``value`` as a tensor with ``ref``'s dtype and device."""
    return to_tensor(value, dtype=ref.dtype, device=ref.device)


# ------------------------------------------------------------------------------------------
# shapes and axes
# ------------------------------------------------------------------------------------------
def as_int(v: Any) -> int:
    if torch.is_tensor(v):
        return int(v.item())
    return int(v)


def as_shape(shape: Any) -> Tuple[int, ...]:
    """A Keras shape argument (tuple, list, torch.Size, 1-D tensor from ``K.shape``) -> ints."""
    if shape is None:
        return ()
    if torch.is_tensor(shape):
        return tuple(int(s) for s in shape.detach().cpu().reshape(-1).tolist())
    if isinstance(shape, np.ndarray):
        return tuple(int(s) for s in shape.reshape(-1).tolist())
    if isinstance(shape, numbers.Integral):
        return (int(shape),)
    return tuple(-1 if s is None else as_int(s) for s in shape)


def norm_axis(axis: int, ndim: int) -> int:
    a = int(axis)
    if a < -max(ndim, 1) or a >= max(ndim, 1):
        raise ValueError(f"Invalid axis {axis} for a tensor of rank {ndim}.")
    return a + ndim if a < 0 else a


def norm_axes(axis: AxisLike, ndim: int) -> Optional[Tuple[int, ...]]:
    """Keras ``axis`` (None, int, list/tuple) -> sorted unique non-negative axes (None = all)."""
    if axis is None:
        return None
    if torch.is_tensor(axis) or isinstance(axis, np.ndarray):
        axis = np.asarray(axis.cpu() if torch.is_tensor(axis) else axis).reshape(-1).tolist()
    if isinstance(axis, numbers.Integral):
        return (norm_axis(axis, ndim),)
    return tuple(sorted({norm_axis(a, ndim) for a in axis}))


def tensors(xs: Iterable[Any]):
    """Convert a list of operands to tensors on a common device/dtype (first tensor wins)."""
    xs = list(xs)
    ref = next((x for x in xs if torch.is_tensor(x)), None)
    if ref is None:
        return [to_tensor(x) for x in xs]
    note_device(ref)
    return [x if torch.is_tensor(x) else like(x, ref) for x in xs]


# ------------------------------------------------------------------------------------------
# Keras 1 spellings (``dim_ordering='th'``, ``border_mode=``...) accepted with a warning
# ------------------------------------------------------------------------------------------
_DIM_ORDERING = {"th": "channels_first", "tf": "channels_last", "default": None}


def _deprecated(message: str) -> None:
    import warnings
    warnings.warn(message, DeprecationWarning, stacklevel=4)


def norm_data_format(data_format) -> str:
    """Keras 2 ``data_format`` (None = the global setting); Keras 1 ``'th'``/``'tf'``/``'default'``
    are mapped to ``'channels_first'``/``'channels_last'``/None with a DeprecationWarning."""
    from .config import standardize_data_format
    if isinstance(data_format, str) and data_format in _DIM_ORDERING:
        _deprecated(f"dim_ordering={data_format!r} is the Keras 1 spelling; use "
                    f"data_format={_DIM_ORDERING[data_format]!r}.")
        data_format = _DIM_ORDERING[data_format]
    return standardize_data_format(data_format)


def legacy_kwargs(fn_name: str, kwargs: dict) -> dict:
    """Translate Keras 1 keyword names of backend functions (``border_mode`` -> ``padding``,
    ``dim_ordering`` -> ``data_format``, ``filter_dilation`` -> ``dilation_rate``, ``std`` ->
    ``stddev``, ``low``/``high`` -> ``minval``/``maxval``); Theano shape hints
    (``image_shape``, ``filter_shape``, ``volume_shape``) had no effect on results and are
    dropped. Anything else is a ``TypeError``."""
    renames = {"border_mode": "padding", "dim_ordering": "data_format",
               "filter_dilation": "dilation_rate", "std": "stddev", "low": "minval",
               "high": "maxval"}
    hints = ("image_shape", "filter_shape", "volume_shape")
    out = {}
    for key, value in kwargs.items():
        if key in renames:
            _deprecated(f"K.{fn_name}(): `{key}` is the Keras 1 name of `{renames[key]}`.")
            out[renames[key]] = value
        elif key in hints:
            _deprecated(f"K.{fn_name}(): `{key}` was a Theano shape hint without effect on the "
                        "result; it is not needed.")
        else:
            raise TypeError(f"K.{fn_name}() got an unexpected keyword argument {key!r}")
    return out
