"""Keras 2 backend: variables, constants, shape/dtype queries and value access.

Matches ``keras.backend`` (tf-keras 2.x / Keras 2.0-2.3): ``variable`` returns a trainable
tensor (a ``torch.nn.Parameter`` subclass with Keras's ``name``/``assign``/``numpy``),
``zeros``/``ones``/``eye`` return variables, ``*_like``/``constant`` return plain tensors,
``get_value``/``eval`` return numpy, ``set_value`` writes in place.
"""
from __future__ import annotations

import contextlib
import numbers
from typing import Any, Iterable, List, Optional, Tuple

import numpy as np
import torch

from ._common import (as_shape, default_device, dtype_str, floatx_dtype, is_symbolic, note_device,
                      to_tensor, to_torch_dtype)
from .config import floatx
from .session import get_uid

__all__ = [
    "Variable", "variable", "constant", "zeros", "ones", "eye", "zeros_like", "ones_like",
    "identity", "placeholder", "is_placeholder", "is_tensor", "is_keras_tensor", "is_variable",
    "is_sparse", "to_dense", "int_shape", "shape", "ndim", "dtype", "count_params",
    "get_variable_shape", "cast", "cast_to_floatx", "get_value", "set_value", "batch_get_value",
    "batch_set_value", "eval", "print_tensor", "update", "update_add", "update_sub",
    "moving_average_update", "name_scope", "manual_variable_initialization", "symbolic", "eager",
]


class Variable(torch.nn.Parameter):
    """A Keras backend variable: a ``torch.nn.Parameter`` with a Keras ``name``.

    Integer/bool variables are non-trainable (``requires_grad=False``). Adds the TF variable
    methods old code calls: ``assign``, ``assign_add``, ``assign_sub``, ``numpy``.
    """

    def __new__(cls, data=None, requires_grad: bool = True, name: Optional[str] = None,
                constraint=None):
        if data is None:
            data = torch.empty(0)
        if not (data.is_floating_point() or data.is_complex()):
            requires_grad = False
        obj = super().__new__(cls, data, requires_grad)
        obj._keras_name = name
        obj.constraint = constraint
        return obj

    @property
    def name(self) -> Optional[str]:  # type: ignore[override]
        return self._keras_name

    def assign(self, value) -> "Variable":
        set_value(self, value)
        return self

    def assign_add(self, value) -> "Variable":
        with torch.no_grad():
            self.add_(to_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def assign_sub(self, value) -> "Variable":
        with torch.no_grad():
            self.sub_(to_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def numpy(self, *, force: bool = False) -> np.ndarray:  # type: ignore[override]
        return _to_numpy(self)

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(memory_format=torch.preserve_format),
                            self.requires_grad, self._keras_name, self.constraint)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto):
        return (_rebuild_variable, (self.data.detach().cpu(), self.requires_grad,
                                    self._keras_name))

    def __repr__(self) -> str:
        return f"<KerasVariable name={self._keras_name!r} shape={tuple(self.shape)} " \
               f"dtype={dtype_str(self.dtype)}>\n{self.data!r}"


def _rebuild_variable(data, requires_grad, name):
    return Variable(data, requires_grad, name)


def _auto_name(prefix: str) -> str:
    uid = get_uid(prefix)
    return prefix if uid == 1 else f"{prefix}_{uid - 1}"


# ------------------------------------------------------------------------------------------
# creation
# ------------------------------------------------------------------------------------------
def variable(value: Any, dtype=None, name: Optional[str] = None, constraint=None) -> Variable:
    """``K.variable``: a variable holding ``value`` (dtype defaults to ``floatx()``)."""
    tdtype = to_torch_dtype(dtype) if dtype is not None else floatx_dtype()
    if torch.is_tensor(value):
        data = value.detach().to(tdtype).clone()
    else:
        data = to_tensor(np.asarray(value), dtype=tdtype)
    return Variable(data, True, name or _auto_name("Variable"), constraint)


def constant(value: Any, dtype=None, shape=None, name: Optional[str] = None) -> torch.Tensor:
    """``K.constant``: a tensor (dtype ``floatx()`` by default); a scalar fills ``shape``."""
    tdtype = to_torch_dtype(dtype) if dtype is not None else floatx_dtype()
    t = to_tensor(value.detach() if torch.is_tensor(value) else np.asarray(value), dtype=tdtype)
    if shape is not None:
        shp = as_shape(shape)
        if t.numel() == 1:
            t = t.reshape(()).expand(shp).clone()
        else:
            t = t.reshape(shp)
    return t


def zeros(shape, dtype=None, name: Optional[str] = None) -> Variable:
    """``K.zeros``: an all-zeros variable."""
    tdtype = to_torch_dtype(dtype) if dtype is not None else floatx_dtype()
    return Variable(torch.zeros(as_shape(shape), dtype=tdtype, device=default_device()), True,
                    name or _auto_name("zeros"))


def ones(shape, dtype=None, name: Optional[str] = None) -> Variable:
    """``K.ones``: an all-ones variable."""
    tdtype = to_torch_dtype(dtype) if dtype is not None else floatx_dtype()
    return Variable(torch.ones(as_shape(shape), dtype=tdtype, device=default_device()), True,
                    name or _auto_name("ones"))


def eye(size, dtype=None, name: Optional[str] = None) -> Variable:
    """``K.eye``: an identity-matrix variable; ``size`` is ``n`` or ``(rows, cols)``."""
    tdtype = to_torch_dtype(dtype) if dtype is not None else floatx_dtype()
    if isinstance(size, (list, tuple)):
        n, m = (int(s) for s in size)
    else:
        n = m = int(size)
    return Variable(torch.eye(n, m, dtype=tdtype, device=default_device()), True,
                    name or _auto_name("eye"))


def zeros_like(x, dtype=None, name: Optional[str] = None) -> torch.Tensor:
    t = to_tensor(x)
    return torch.zeros_like(t, dtype=to_torch_dtype(dtype) if dtype is not None else t.dtype)


def ones_like(x, dtype=None, name: Optional[str] = None) -> torch.Tensor:
    t = to_tensor(x)
    return torch.ones_like(t, dtype=to_torch_dtype(dtype) if dtype is not None else t.dtype)


def identity(x, name: Optional[str] = None) -> torch.Tensor:
    """A tensor with the same content as ``x`` (gradient flows through)."""
    return to_tensor(x).clone()


def placeholder(shape=None, ndim: Optional[int] = None, dtype=None, sparse: bool = False,
                name: Optional[str] = None, ragged: bool = False):
    """``K.placeholder``: a symbolic input (the engine's ``Input``), when the engine provides one.

    Graph placeholders only make sense together with ``K.function``/a model; with eager torch
    tensors pass real data instead.
    """
    if shape is None and ndim is not None:
        shape = (None,) * int(ndim)
    try:
        from torchkeras.engine.input_layer import Input  # provided by the engine
    except ImportError as e:  # pragma: no cover - depends on the engine being present
        raise RuntimeError(
            "K.placeholder() needs the symbolic engine (torchkeras.engine.input_layer.Input), "
            "which is not available. torchkeras runs K.* functions eagerly on torch tensors: "
            "pass concrete tensors instead of placeholders.") from e
    kwargs = {"batch_shape": tuple(shape) if shape is not None else None, "name": name}
    if dtype is not None:
        kwargs["dtype"] = dtype
    x = Input(**kwargs)
    try:
        x._is_placeholder = True
    except Exception:  # pragma: no cover
        pass
    return x


def is_placeholder(x) -> bool:
    return bool(getattr(x, "_is_placeholder", False))


def is_tensor(x) -> bool:
    """True for torch tensors and symbolic Keras tensors."""
    return torch.is_tensor(x) or is_symbolic(x)


def is_keras_tensor(x) -> bool:
    """True for symbolic tensors made by the Keras engine (``Input()``, layer outputs).

    Plain torch tensors are not Keras tensors (False); non-tensors raise ``ValueError`` as in Keras.
    """
    if is_symbolic(x):
        return True
    if torch.is_tensor(x):
        return getattr(x, "_keras_history", None) is not None
    raise ValueError(f"Unexpectedly found an instance of type `{type(x)}`. "
                     "Expected a symbolic tensor instance.")


def is_variable(x) -> bool:
    return isinstance(x, torch.nn.Parameter)


def is_sparse(tensor) -> bool:
    return torch.is_tensor(tensor) and tensor.layout != torch.strided


def to_dense(tensor) -> torch.Tensor:
    t = to_tensor(tensor)
    return t.to_dense() if t.layout != torch.strided else t


# ------------------------------------------------------------------------------------------
# shape / dtype queries
# ------------------------------------------------------------------------------------------
def int_shape(x) -> Optional[Tuple[Optional[int], ...]]:
    """Static shape as a tuple of ints (``None`` for unknown dims of symbolic tensors)."""
    if torch.is_tensor(x):
        note_device(x)
        return tuple(int(d) for d in x.shape)
    s = getattr(x, "shape", None)
    if s is None:
        if isinstance(x, (numbers.Number, list, tuple)):
            return tuple(np.shape(x))
        return None
    return tuple(None if d is None else int(d) for d in s)


def shape(x) -> torch.Tensor:
    """Dynamic shape: a 1-D int32 CPU tensor (``K.shape(x)[0]`` is the batch size)."""
    if torch.is_tensor(x):
        note_device(x)
        return torch.tensor(tuple(x.shape), dtype=torch.int32)
    if is_symbolic(x):
        raise TypeError(f"K.shape() needs a concrete tensor; {x!r} is symbolic. Use K.int_shape() "
                        "for the static shape.")
    return torch.tensor(np.shape(x), dtype=torch.int32)


def ndim(x) -> int:
    if torch.is_tensor(x):
        return x.dim()
    s = int_shape(x)
    return len(s) if s is not None else 0


def dtype(x) -> str:
    """The dtype of ``x`` as a Keras string, e.g. ``'float32'``."""
    if torch.is_tensor(x):
        return dtype_str(x.dtype)
    d = getattr(x, "dtype", None)
    if d is not None:
        if isinstance(d, torch.dtype):
            return dtype_str(d)
        return np.dtype(d).name if not isinstance(d, str) else d
    return dtype_str(to_tensor(x).dtype)


def count_params(x) -> int:
    """Number of scalars in ``x``."""
    if torch.is_tensor(x):
        return int(x.numel())
    return int(np.prod(int_shape(x) or ()))


def get_variable_shape(x) -> Tuple[int, ...]:
    return int_shape(x)


def cast(x, dtype) -> torch.Tensor:
    """``K.cast``: ``x`` as ``dtype`` (float -> int truncates toward zero, like ``tf.cast``)."""
    return to_tensor(x).to(to_torch_dtype(dtype))


def cast_to_floatx(x):
    """Keras semantics: tensors are cast to ``floatx()``; anything else becomes a numpy array."""
    if torch.is_tensor(x):
        return x.to(floatx_dtype())
    return np.asarray(x, dtype=floatx())


# ------------------------------------------------------------------------------------------
# values
# ------------------------------------------------------------------------------------------
def _to_numpy(t: torch.Tensor):
    t = t.detach()
    if t.dtype == torch.bfloat16:
        t = t.float()
    a = t.cpu().numpy()
    return a[()] if a.ndim == 0 else a


def get_value(x):
    """``K.get_value``: the value of a variable/tensor as numpy (0-d -> numpy scalar).

    Also accepts numpy arrays, Python numbers and objects with ``numpy()`` or ``value``
    (e.g. an optimizer's learning-rate variable).
    """
    if torch.is_tensor(x):
        return _to_numpy(x)
    if isinstance(x, (np.ndarray, np.generic, numbers.Number)):
        return x
    if hasattr(x, "numpy") and callable(x.numpy):
        return x.numpy()
    if hasattr(x, "value"):
        v = x.value() if callable(x.value) else x.value
        return get_value(v)
    if hasattr(x, "__float__"):
        return float(x)
    if isinstance(x, (list, tuple)):
        return np.asarray(x)
    raise TypeError(f"`get_value` expects a variable or tensor, got {type(x).__name__}: {x!r:.200}")


def eval(x):  # noqa: A001  (Keras name)
    """``K.eval``: evaluate a tensor to numpy."""
    return get_value(x)


def set_value(x, value) -> None:
    """``K.set_value``: overwrite a variable in place (shape must match).

    ``x`` is a torch tensor / ``nn.Parameter`` or any object with ``assign(value)`` (e.g. an
    optimizer's learning rate variable).
    """
    if torch.is_tensor(x):
        v = value.detach() if torch.is_tensor(value) else np.asarray(value)
        v = to_tensor(v, dtype=x.dtype, device=x.device)
        if tuple(v.shape) != tuple(x.shape):
            if v.numel() != x.numel():
                raise ValueError(f"`set_value`: cannot assign a value of shape {tuple(v.shape)} to "
                                 f"a variable of shape {tuple(x.shape)}.")
            v = v.reshape(x.shape)
        with torch.no_grad():
            x.copy_(v)
        return
    assign = getattr(x, "assign", None)
    if callable(assign):
        assign(value)
        return
    raise TypeError(f"`set_value` expects a variable (a torch tensor or an object with "
                    f"`assign()`), got {type(x).__name__}: {x!r:.200}. If this is an optimizer "
                    "hyperparameter, set the attribute directly instead.")


def batch_get_value(tensors: Iterable[Any]) -> List[Any]:
    return [get_value(t) for t in tensors]


def batch_set_value(tuples: Iterable[Tuple[Any, Any]]) -> None:
    for x, value in tuples:
        set_value(x, value)


def print_tensor(x, message: str = "", summarize: int = 3):
    """Print ``message`` and the value of ``x``; returns ``x`` (as ``K.print_tensor``)."""
    value = get_value(x) if torch.is_tensor(x) else x
    print(message, value) if message else print(value)
    return x


def update(x, new_x):
    """Assign ``new_x`` to variable ``x`` in place; returns ``x``."""
    set_value(x, new_x)
    return x


def update_add(x, increment):
    with torch.no_grad():
        x.add_(to_tensor(increment, dtype=x.dtype, device=x.device))
    return x


def update_sub(x, decrement):
    with torch.no_grad():
        x.sub_(to_tensor(decrement, dtype=x.dtype, device=x.device))
    return x


def moving_average_update(x, value, momentum):
    """``x = x * momentum + value * (1 - momentum)`` in place (Keras's moving statistics)."""
    with torch.no_grad():
        v = to_tensor(value.detach() if torch.is_tensor(value) else value, dtype=x.dtype,
                      device=x.device)
        x.mul_(momentum).add_(v * (1.0 - momentum))
    return x


@contextlib.contextmanager
def name_scope(name: str):
    """No-op context manager (torch has no graph name scopes)."""
    yield name


def manual_variable_initialization(value: bool) -> None:
    """Accepted for compatibility; torch variables are always initialised on creation."""
    return None


def symbolic(func):
    """Decorator accepted for compatibility (tf-keras ``K.symbolic``); returns ``func``."""
    return func


def eager(func):
    """Decorator accepted for compatibility (tf-keras ``K.eager``); returns ``func``."""
    return func
