"""Functions applied to KerasTensors become graph nodes (Keras 2's ``TFOpLambda``).

Old scripts compute symbolic terms with backend / loss functions, e.g. a VAE's
``K.mean(binary_crossentropy(x, x_decoded) - 0.5 * K.sum(1 + z_log_var - K.square(z_mean)
- K.exp(z_log_var), axis=-1))`` followed by ``model.add_loss(...)``. ``symbolic_aware(fn)``
makes ``fn`` record an op layer when any argument is a KerasTensor and run unchanged otherwise.
"""
from __future__ import annotations

import functools

from . import tree

_KT = None  # KerasTensor, imported on first use (keras_tensor imports the backend package)


def _has_kt(args, kwargs) -> bool:
    global _KT
    if _KT is None:
        from .keras_tensor import KerasTensor
        _KT = KerasTensor
    KerasTensor = _KT
    for a in args:
        if isinstance(a, KerasTensor):
            return True
        if isinstance(a, (list, tuple)) and any(isinstance(t, KerasTensor) for t in tree.flatten(a)):
            return True
    for v in kwargs.values():
        if isinstance(v, KerasTensor):
            return True
    return False


def symbolic_aware(fn):
    if getattr(fn, "_symbolic_aware", False):
        return fn

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if args and not _has_kt(args, kwargs):
            return fn(*args, **kwargs)
        if not args and not _has_kt((), kwargs):
            return fn(*args, **kwargs)
        return _apply_symbolic(fn, args, kwargs)

    wrapper._symbolic_aware = True
    return wrapper


def _apply_symbolic(fn, args, kwargs):
    from ..layers.core import _OpLayer
    from .keras_tensor import KerasTensor
    from .base_layer import unique_name
    struct = (list(args), dict(kwargs))
    flat = tree.flatten(struct)
    positions = [i for i, v in enumerate(flat) if isinstance(v, KerasTensor)]
    tensors = [flat[i] for i in positions]

    def run(values, _flat=flat, _positions=positions, _struct=struct):
        filled = list(_flat)
        for i, v in zip(_positions, values if isinstance(values, (list, tuple)) else [values]):
            filled[i] = v
        a, kw = tree.pack_sequence_as(_struct, filled)
        return fn(*a, **kw)

    name = unique_name(getattr(fn, "__name__", "op").strip("_") or "op")
    layer = _OpLayer(run, name=name)
    return layer(tensors if len(tensors) > 1 else tensors[0])


def wrap_namespace(namespace: dict, names) -> None:
    """Replace each public function named in ``names`` by its symbolic-aware wrapper."""
    import inspect
    for n in names:
        f = namespace.get(n)
        if inspect.isfunction(f):
            namespace[n] = symbolic_aware(f)
