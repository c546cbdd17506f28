"""`keras.activations`: activation functions on torch tensors.

Every function accepts a torch tensor (CPU or CUDA, autograd-friendly) or anything
``torch.as_tensor`` takes (numpy arrays, lists, scalars) and returns a torch tensor.
Definitions follow Keras 3 (``keras.src.activations``); where tf.keras 2 differs the
difference is noted. ``relu`` also takes Keras 1/2's ``alpha=`` keyword.

``hard_sigmoid`` is era dependent: tf.keras 2 (and Keras 1) compute ``clip(0.2x + 0.5, 0, 1)``,
Keras 3 computes ``relu6(x + 3) / 6``. ``get('hard_sigmoid')`` returns the definition of the
era current at the time of the call (``torchkeras.backend.config.keras_era()``), so a layer
resolving its activation at construction keeps that definition; calling the module-level
``hard_sigmoid`` dispatches on the era current at call time. Both serialize to
``'hard_sigmoid'``.

``get`` / ``serialize`` / ``deserialize`` mirror ``keras.activations``: ``get(None)`` is
``linear``, strings are looked up case-sensitively as Keras does (plus tf.keras's
``'softmax_v2'``), callables pass through, dicts are Keras 2/3 serialized configs.
"""
from __future__ import annotations

import sys
import types
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np
import torch
import torch.nn.functional as F

from torchkeras.backend import config as _config

TensorLike = Union[torch.Tensor, np.ndarray, float, int, Sequence]

__all__ = [
    "relu", "sigmoid", "hard_sigmoid", "tanh", "softmax", "log_softmax", "softplus", "softsign",
    "elu", "selu", "gelu", "swish", "silu", "mish", "relu6", "leaky_relu", "exponential",
    "linear", "hard_silu", "hard_swish", "celu", "glu", "hard_shrink", "hard_tanh",
    "log_sigmoid", "soft_shrink", "sparse_plus", "sparsemax", "squareplus", "tanh_shrink",
    "threshold", "get", "serialize", "deserialize",
]


def _tensor(x: TensorLike) -> torch.Tensor:
    """Convert to a floating torch tensor (numpy floats keep their dtype, the rest -> floatx)."""
    if not isinstance(x, torch.Tensor):
        if isinstance(x, np.ndarray) and x.dtype.kind == "f":
            x = torch.from_numpy(np.ascontiguousarray(x))
        else:
            x = torch.as_tensor(np.asarray(x), dtype=_config.standardize_dtype(None))
    if not (x.is_floating_point() or x.is_complex()):
        x = x.to(_config.standardize_dtype(None))
    return x


# ------------------------------------------------------------------------------------------
# ReLU family
# ------------------------------------------------------------------------------------------
def relu(x: TensorLike, negative_slope: float = 0.0, max_value: Optional[float] = None,
         threshold: float = 0.0, *, alpha: Optional[float] = None) -> torch.Tensor:
    """Rectified linear unit, Keras's generalised form.

    ``max(x, 0)`` by default; values below ``threshold`` are set to 0 (and, with a
    ``negative_slope``, replaced by ``negative_slope * (x - threshold)``); ``max_value`` caps
    the output. Matches ``keras.activations.relu`` (Keras 3) and ``K.relu`` (tf.keras 2, whose
    ``alpha`` keyword is accepted as a synonym of ``negative_slope``), including their quirks:
    with a threshold the positive part is ``x * (x > threshold)``, then clipped to
    ``[0, max_value]`` only when ``max_value`` is given.
    """
    if alpha is not None:
        negative_slope = alpha
    x = _tensor(x)
    if negative_slope != 0.0:
        if max_value is None and threshold == 0:
            return F.leaky_relu(x, negative_slope)
        negative_part = F.relu(threshold - x) if threshold != 0 else F.relu(-x)
    clip_max = max_value is not None
    if threshold != 0:
        y = x * (x > threshold).to(x.dtype)
    elif max_value == 6:
        y = F.relu6(x)
        clip_max = False
    else:
        y = F.relu(x)
    if clip_max:
        y = torch.clamp(y, 0.0, float(max_value))
    if negative_slope != 0.0:
        y = y - negative_slope * negative_part
    return y


def relu6(x: TensorLike) -> torch.Tensor:
    """``min(max(x, 0), 6)`` (``keras.activations.relu6``)."""
    return F.relu6(_tensor(x))


def leaky_relu(x: TensorLike, negative_slope: float = 0.2) -> torch.Tensor:
    """``x`` for ``x >= 0`` else ``negative_slope * x``; Keras's default slope is 0.2."""
    return F.leaky_relu(_tensor(x), negative_slope)


def elu(x: TensorLike, alpha: float = 1.0) -> torch.Tensor:
    """``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``."""
    return F.elu(_tensor(x), alpha=alpha)


def selu(x: TensorLike) -> torch.Tensor:
    """Scaled ELU with Keras's constants (alpha 1.67326324, scale 1.05070098)."""
    return F.selu(_tensor(x))


def celu(x: TensorLike, alpha: float = 1.0) -> torch.Tensor:
    """``max(x, 0) + min(0, alpha * (exp(x / alpha) - 1))`` (Keras 3 only)."""
    return F.celu(_tensor(x), alpha=alpha)


def threshold(x: TensorLike, threshold: float, default_value: float) -> torch.Tensor:
    """``x`` where ``x > threshold`` else ``default_value`` (``keras.activations.threshold``)."""
    x = _tensor(x)
    return torch.where(x > threshold, x, float(default_value))


# ------------------------------------------------------------------------------------------
# Sigmoid / tanh family
# ------------------------------------------------------------------------------------------
def sigmoid(x: TensorLike) -> torch.Tensor:
    """``1 / (1 + exp(-x))``."""
    return torch.sigmoid(_tensor(x))


def _hard_sigmoid_keras2(x: TensorLike) -> torch.Tensor:
    """tf.keras 2 / Keras 1 hard sigmoid: ``clip(0.2 * x + 0.5, 0, 1)``."""
    x = _tensor(x)
    return torch.clamp(x * 0.2 + 0.5, 0.0, 1.0)


def _hard_sigmoid_keras3(x: TensorLike) -> torch.Tensor:
    """Keras 3 hard sigmoid: ``relu6(x + 3) / 6``."""
    return F.relu6(_tensor(x) + 3.0) / 6.0


_hard_sigmoid_keras2.__name__ = _hard_sigmoid_keras3.__name__ = "hard_sigmoid"


def hard_sigmoid(x: TensorLike) -> torch.Tensor:
    """Hard sigmoid of the era current at call time (see the module docstring).

    Keras 3: ``relu6(x + 3) / 6``; tf.keras 2 / Keras 1: ``clip(0.2 * x + 0.5, 0, 1)``.
    """
    if _config.keras_era() >= 3:
        return _hard_sigmoid_keras3(x)
    return _hard_sigmoid_keras2(x)


def log_sigmoid(x: TensorLike) -> torch.Tensor:
    """``log(sigmoid(x))`` computed stably (Keras 3 only)."""
    return F.logsigmoid(_tensor(x))


def tanh(x: TensorLike) -> torch.Tensor:
    """Hyperbolic tangent."""
    return torch.tanh(_tensor(x))


def hard_tanh(x: TensorLike) -> torch.Tensor:
    """``clip(x, -1, 1)`` (Keras 3 only)."""
    return F.hardtanh(_tensor(x))


def tanh_shrink(x: TensorLike) -> torch.Tensor:
    """``x - tanh(x)`` (Keras 3 only)."""
    x = _tensor(x)
    return x - torch.tanh(x)


def silu(x: TensorLike) -> torch.Tensor:
    """``x * sigmoid(x)``; serializes as ``'silu'`` (Keras 3's name)."""
    return F.silu(_tensor(x))


def swish(x: TensorLike) -> torch.Tensor:
    """Same function as ``silu``; kept as its own object so it serializes as ``'swish'``
    (tf.keras 2's name), letting configs round-trip with the spelling they were written in."""
    return F.silu(_tensor(x))


def hard_silu(x: TensorLike) -> torch.Tensor:
    """``x * relu6(x + 3) / 6`` (Keras 3 only); serializes as ``'hard_silu'``."""
    return F.hardswish(_tensor(x))


def hard_swish(x: TensorLike) -> torch.Tensor:
    """Same function as ``hard_silu``; serializes as ``'hard_swish'``."""
    return F.hardswish(_tensor(x))


def mish(x: TensorLike) -> torch.Tensor:
    """``x * tanh(softplus(x))``."""
    return F.mish(_tensor(x))


def gelu(x: TensorLike, approximate: bool = False) -> torch.Tensor:
    """Gaussian error linear unit; exact erf form by default (both Keras 2 and 3),
    ``approximate=True`` gives the tanh approximation."""
    return F.gelu(_tensor(x), approximate="tanh" if approximate else "none")


# ------------------------------------------------------------------------------------------
# Soft* and shrink family
# ------------------------------------------------------------------------------------------
def softplus(x: TensorLike) -> torch.Tensor:
    """``log(exp(x) + 1)``."""
    return F.softplus(_tensor(x))


def softsign(x: TensorLike) -> torch.Tensor:
    """``x / (abs(x) + 1)``."""
    return F.softsign(_tensor(x))


def sparse_plus(x: TensorLike) -> torch.Tensor:
    """0 for ``x <= -1``, ``(x + 1)**2 / 4`` for ``-1 < x < 1``, ``x`` for ``x >= 1``
    (Keras 3 only)."""
    x = _tensor(x)
    mid = 0.25 * torch.square(x + 1.0)
    return torch.where(x <= -1.0, torch.zeros_like(x), torch.where(x < 1.0, mid, x))


def squareplus(x: TensorLike, b: float = 4) -> torch.Tensor:
    """``(x + sqrt(x**2 + b)) / 2`` (Keras 3 only)."""
    x = _tensor(x)
    return (x + torch.sqrt(torch.square(x) + b)) / 2.0


def hard_shrink(x: TensorLike, threshold: float = 0.5) -> torch.Tensor:
    """``x`` where ``|x| > threshold`` else 0 (Keras 3 only)."""
    return F.hardshrink(_tensor(x), lambd=threshold)


def soft_shrink(x: TensorLike, threshold: float = 0.5) -> torch.Tensor:
    """``x - threshold`` above, ``x + threshold`` below ``-threshold``, else 0 (Keras 3 only)."""
    return F.softshrink(_tensor(x), lambd=threshold)


def exponential(x: TensorLike) -> torch.Tensor:
    """``exp(x)``."""
    return torch.exp(_tensor(x))


def linear(x: TensorLike) -> torch.Tensor:
    """Identity (``keras.activations.linear``); numpy input is converted to a tensor."""
    return x if isinstance(x, torch.Tensor) else _tensor(x)


# ------------------------------------------------------------------------------------------
# Normalising activations
# ------------------------------------------------------------------------------------------
def _move_axes_last(x: torch.Tensor, axis):
    """-> (view with ``axis`` flattened into the last dim, function undoing it)."""
    axes = sorted(a % x.ndim for a in axis)
    rest = [d for d in range(x.ndim) if d not in axes]
    perm = rest + axes
    moved = x.permute(perm)
    shape_moved = moved.shape
    flat = moved.reshape(*shape_moved[:len(rest)], -1)
    inverse = [perm.index(d) for d in range(x.ndim)]
    return flat, lambda y: y.reshape(shape_moved).permute(inverse)


def _along_axis(fn, x: torch.Tensor, axis) -> torch.Tensor:
    if isinstance(axis, (tuple, list)):
        if len(axis) == 1:
            axis = axis[0]
        else:
            flat, undo = _move_axes_last(x, axis)
            return undo(fn(flat, -1))
    if x.ndim == 0:
        return fn(x.reshape(1), 0).reshape(())
    return fn(x, int(axis))


def softmax(x: TensorLike, axis: Union[int, Sequence[int]] = -1) -> torch.Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis`` (an int or, as Keras 3 allows, a tuple)."""
    return _along_axis(lambda t, d: torch.softmax(t, dim=d), _tensor(x), axis)


def log_softmax(x: TensorLike, axis: Union[int, Sequence[int]] = -1) -> torch.Tensor:
    """``x - log(sum(exp(x)))`` along ``axis``."""
    return _along_axis(lambda t, d: torch.log_softmax(t, dim=d), _tensor(x), axis)


def _sparsemax_lastdim(z: torch.Tensor, dim: int) -> torch.Tensor:
    z = z.movedim(dim, -1)
    z_sorted, _ = torch.sort(z, dim=-1, descending=True)
    cumsum = torch.cumsum(z_sorted, dim=-1)
    k = torch.arange(1, z.shape[-1] + 1, dtype=z.dtype, device=z.device)
    support = (z_sorted - (cumsum - 1.0) / k) > 0
    k_z = support.sum(dim=-1, keepdim=True).to(z.dtype)
    # Keras 3's threshold: (sum of the cumulative sums over the support - 1) / k.
    tau = (torch.where(support, cumsum, torch.zeros_like(cumsum)).sum(-1, keepdim=True)
           - 1.0) / k_z
    return torch.clamp(z - tau, min=0.0).movedim(-1, dim)


def sparsemax(x: TensorLike, axis: int = -1) -> torch.Tensor:
    """Sparsemax as Keras 3 computes it (Keras 3 only).

    Support size ``k`` = number of sorted values with ``z_(j) > (cumsum_j - 1) / j`` (as in
    Martins & Astudillo, 2016), but the threshold is Keras 3's
    ``tau = (sum_{j<=k} cumsum_j - 1) / k`` (all of its backends), not the paper's
    ``(cumsum_k - 1) / k``. The two agree when ``k == 1`` (one dominant logit); otherwise
    Keras's output does not sum to 1. Matched on purpose: real Keras numbers are the reference
    (oracle ``act_sparsemax``).
    """
    return _along_axis(_sparsemax_lastdim, _tensor(x), axis)


def glu(x: TensorLike, axis: int = -1) -> torch.Tensor:
    """Gated linear unit: split ``x`` in halves ``a, b`` along ``axis``, ``a * sigmoid(b)``
    (Keras 3 only)."""
    x = _tensor(x)
    if x.shape[axis] % 2 != 0:
        raise ValueError("axis size must be divisible by 2. "
                         f"Received: x.shape={tuple(x.shape)} with axis={axis}")
    return F.glu(x, dim=axis)


# ------------------------------------------------------------------------------------------
# get / serialize / deserialize
# ------------------------------------------------------------------------------------------
_BUILTINS: dict = {fn.__name__: fn for fn in (
    relu, relu6, leaky_relu, elu, selu, celu, sigmoid, log_sigmoid, tanh, hard_tanh,
    tanh_shrink, silu, swish, hard_silu, hard_swish, mish, gelu, softplus, softsign, sparse_plus,
    squareplus, hard_shrink, soft_shrink, exponential, linear, softmax, log_softmax, sparsemax,
    glu, threshold,
)}
_ALIASES = {"softmax_v2": "softmax"}  # tf.keras 2 wrote tf.nn.softmax's internal name

#: function object -> the name Keras writes for it
_NAMES = {fn: name for name, fn in _BUILTINS.items()}
_NAMES[hard_sigmoid] = _NAMES[_hard_sigmoid_keras2] = _NAMES[_hard_sigmoid_keras3] = "hard_sigmoid"


class _IdentifierError(ValueError, TypeError):
    """Raised for identifiers of the wrong kind: Keras 3 raises ValueError, tf.keras 2 TypeError."""


def _registered_custom_objects(custom_objects: Optional[dict]) -> dict:
    """User objects: the registry's global custom objects and every active
    ``CustomObjectScope`` (``saving.object_registry.active_custom_objects``), then
    ``custom_objects``."""
    from .saving.object_registry import active_custom_objects
    found = dict(active_custom_objects())
    if custom_objects:
        found.update(custom_objects)
    return found


def _lookup_name(name: str, custom_objects: Optional[dict] = None):
    custom = _registered_custom_objects(custom_objects)
    for key in (name, name.split(">")[-1]):
        if key in custom:
            return custom[key]
    if name == "hard_sigmoid":
        return _hard_sigmoid_keras3 if _config.keras_era() >= 3 else _hard_sigmoid_keras2
    name = _ALIASES.get(name, name)
    if name in _BUILTINS:
        return _BUILTINS[name]
    raise ValueError(
        f"Unknown activation function: '{name}'. Please ensure you are using a "
        "`keras.utils.custom_object_scope` and that this object is included in the scope, "
        f"or use one of {sorted(set(_BUILTINS) | {'hard_sigmoid'})}.")


def _layer_from_config(config: dict, custom_objects: Optional[dict]):
    """An activation given as a serialized layer (e.g. ``LeakyReLU``) -> layer instance."""
    class_name = config.get("class_name")
    cls = _registered_custom_objects(custom_objects).get(class_name)
    if cls is None:
        try:
            import importlib
            layers = importlib.import_module("torchkeras.layers")
            cls = getattr(layers, str(class_name), None)
        except ImportError:
            cls = None
    if cls is None:
        raise ValueError(f"Unknown activation function: '{class_name}'. Could not deserialize "
                         f"the activation config {config!r}.")
    inner = config.get("config") or {}
    if hasattr(cls, "from_config"):
        return cls.from_config(inner)
    return cls(**inner)


def deserialize(config: Union[str, dict], custom_objects: Optional[dict] = None) -> Callable:
    """A name or a Keras 2/3 serialized activation -> the activation callable.

    Accepts ``'relu'``; Keras 3's ``{"module": "keras.activations", "class_name": "function",
    "config": "relu", ...}``; a serialized layer used as activation
    (``{"class_name": "LeakyReLU", "config": {...}}``).
    """
    if isinstance(config, str):
        return _lookup_name(config, custom_objects)
    if isinstance(config, dict):
        class_name = config.get("class_name")
        inner = config.get("config")
        if class_name == "function" or (class_name is None and isinstance(inner, str)):
            registered = config.get("registered_name")
            name = inner if isinstance(inner, str) else registered
            if registered and registered not in ("function", name):
                try:
                    return _lookup_name(registered, custom_objects)
                except ValueError:
                    pass
            return _lookup_name(str(name), custom_objects)
        if isinstance(class_name, str) and (class_name in _BUILTINS or class_name in _ALIASES
                                            or class_name == "hard_sigmoid"):
            return _lookup_name(class_name, custom_objects)
        if "name" in config and class_name is None:  # Keras 1 style {"name": ...}
            return _lookup_name(str(config["name"]), custom_objects)
        return _layer_from_config(config, custom_objects)
    raise _IdentifierError(
        f"Could not interpret activation function identifier: {config!r}. Expected a string "
        f"name or a serialized config dict, received an object of type {type(config).__name__}.")


def get(identifier: Any) -> Callable:
    """``keras.activations.get``: None -> ``linear``; a name or config -> the function; a
    callable is returned as is. ``'hard_sigmoid'`` resolves in the current era."""
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise _IdentifierError(
        f"Could not interpret activation function identifier: {identifier!r}. Expected None, "
        f"a string, a config dict or a callable, received type {type(identifier).__name__}.")


def serialize(activation: Callable) -> Union[str, dict]:
    """The name Keras writes for a built-in activation (``'relu'``, ``'hard_sigmoid'``...).

    A layer (or other object with ``get_config``) used as activation gives Keras 3's
    ``{"module", "class_name", "config", "registered_name"}`` dict; a custom function gives
    Keras 3's ``{"class_name": "function", "config": <name>, ...}`` dict.
    """
    try:
        name = _NAMES.get(activation)
    except TypeError:  # unhashable callable object
        name = None
    if name is not None:
        return name
    if hasattr(activation, "get_config") and not isinstance(activation, types.FunctionType):
        cls = type(activation)
        return {"module": getattr(cls, "__module__", None), "class_name": cls.__name__,
                "config": activation.get_config(), "registered_name": None}
    fn_name = getattr(activation, "__name__", None)
    if isinstance(activation, types.FunctionType) and fn_name and fn_name != "<lambda>":
        registered = getattr(activation, "_keras_registered_name", None) or fn_name
        return {"module": activation.__module__, "class_name": "function",
                "config": registered, "registered_name": "function"}
    raise ValueError(f"Unknown activation function '{activation!r}' cannot be serialized: it is "
                     "neither a built-in activation, a named function nor an object with "
                     "`get_config()`.")
