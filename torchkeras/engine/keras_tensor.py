"""Symbolic tensors: what ``keras.Input`` returns and what calling a layer on one produces.

A ``KerasTensor`` carries a shape (``None`` for unknown dimensions), a dtype and its
``_keras_history`` ``(layer, node_index, tensor_index)``; calling layers on it records
``Node`` objects from which ``Functional`` models are built.
"""
from __future__ import annotations

from typing import Optional, Tuple

import torch

from ..backend import config


class KerasTensor:
    def __init__(self, shape, dtype=None, name: Optional[str] = None, sparse: bool = False):
        self.shape: Tuple = tuple(None if d is None else int(d) for d in shape)
        self.dtype = config.standardize_dtype(dtype) if dtype is not None else \
            config.standardize_dtype(config.floatx())
        self.name = name
        self.sparse = sparse
        self._keras_history = None  # (layer, node_index, tensor_index)

    # Keras API ---------------------------------------------------------------------------
    @property
    def ndim(self) -> int:
        return len(self.shape)

    def get_shape(self):
        return self.shape

    @property
    def node(self):
        layer, node_index, _ = self._keras_history
        return layer._inbound_nodes[node_index]

    def __repr__(self):
        dt = config.dtype_name(self.dtype)
        return f"<KerasTensor shape={self.shape}, dtype={dt}, name={self.name}>"

    def __len__(self):
        raise TypeError("A KerasTensor is symbolic: it has no length. Use `.shape`.")

    def __iter__(self):
        raise TypeError("A KerasTensor is symbolic and cannot be iterated over. "
                        "Use a Lambda layer or a layer's call() to operate on its values.")

    def __bool__(self):
        raise TypeError("A KerasTensor is symbolic: it cannot be used as a Python boolean.")

    def __array__(self, *args, **kwargs):
        raise TypeError(
            "A KerasTensor cannot be used as input to a NumPy or torch function. It is a symbolic "
            "placeholder for a model's graph; wrap the computation in a layer (e.g. Lambda).")

    # Operators on symbolic tensors create Lambda-like op layers (Keras's TFOpLambda). The
    # function is compiled from source with its constants inlined, so it can be saved.
    def _op(self, expr: str, other=None, name="op", reverse=False):
        from ..layers.core import _OpLayer
        from .base_layer import unique_name
        import torch as _torch  # noqa: F401  (used by the compiled lambdas)
        if isinstance(other, KerasTensor):
            a, b = ("ab[1]", "ab[0]") if reverse else ("ab[0]", "ab[1]")
            fn = eval("lambda ab: " + expr.format(a=a, b=b), {"torch": _torch})
            return _OpLayer(fn, name=unique_name(name))([self, other])
        const = repr(other)
        a, b = (const, "x") if reverse else ("x", const)
        fn = eval("lambda x: " + expr.format(a=a, b=b), {"torch": _torch})
        return _OpLayer(fn, name=unique_name(name))(self)

    def __add__(self, o): return self._op("{a} + {b}", o, "add")
    def __radd__(self, o): return self._op("{a} + {b}", o, "add", True)
    def __sub__(self, o): return self._op("{a} - {b}", o, "subtract")
    def __rsub__(self, o): return self._op("{a} - {b}", o, "subtract", True)
    def __mul__(self, o): return self._op("{a} * {b}", o, "multiply")
    def __rmul__(self, o): return self._op("{a} * {b}", o, "multiply", True)
    def __truediv__(self, o): return self._op("{a} / {b}", o, "truediv")
    def __rtruediv__(self, o): return self._op("{a} / {b}", o, "truediv", True)
    def __pow__(self, o): return self._op("{a} ** {b}", o, "pow")
    def __matmul__(self, o): return self._op("torch.matmul({a}, {b})", o, "matmul")
    def __neg__(self): return self._op("-{a}", None, "negative")
    def __abs__(self): return self._op("torch.abs({a})", None, "abs")

    def __getitem__(self, key):
        return self._op("{a}[" + repr(key) + "]", None, "slice")


def is_keras_tensor(x) -> bool:
    return isinstance(x, KerasTensor)
