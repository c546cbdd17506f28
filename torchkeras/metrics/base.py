"""`keras.metrics.Metric` on PyTorch: a ``torch.nn.Module`` holding streaming state tensors.

Keras API: ``Metric(name=None, dtype=None)``, ``add_variable(shape, initializer='zeros',
dtype=None, aggregation='sum', name=None)`` (alias ``add_weight``, Keras 2's ``add_weight(name,
shape, ...)`` too), ``update_state``, ``result``, ``reset_state`` / ``reset_states``,
``__call__`` (update, then result), ``variables``, ``name``, ``dtype``, ``get_config`` /
``from_config``.

State and devices
-----------------
Every state is a non-persistent buffer (so ``metric.to(device)`` moves it and a model's
``state_dict`` is not polluted) of type :class:`MetricVariable`: a plain tensor with Keras's
``assign`` / ``assign_add`` / ``assign_sub`` / ``numpy`` / ``name`` / ``path`` for ported code.
States keep the metric's dtype (``float32`` by default) even if ``.half()`` is applied.
``update_state`` runs under ``torch.no_grad()``; numpy inputs are moved to the metric's device;
a metric still on the CPU that receives accelerator tensors moves itself there once. Nothing in
``update_state`` reads values back to the host.

Multi-process training
----------------------
Each state carries a reduction telling how per-process copies combine:
``metric.state_reductions()`` is a list aligned with ``metric.variables`` (also
``variable.aggregation``). Values: ``'sum'`` (every built-in state: totals, counts, confusion
matrices -- additive, so summing over ranks gives the global state), ``'mean'``, ``'max'``,
``'min'``, or ``'none'`` / ``'only_first_replica'`` (take rank 0's value). :func:`all_reduce_states`
reduces in place; :func:`reduced_result` computes the global result without touching the local
states. Keep metrics out of a DDP-wrapped module: DDP broadcasts rank 0's buffers every forward.
"""
from __future__ import annotations

import copy
import functools
from typing import Any, Callable, Dict, List, Optional, Sequence

import numpy as np
import torch

from torchkeras.backend import config as _config
from torchkeras.losses._utils import auto_name, to_tensor

AGGREGATIONS = ("sum", "mean", "max", "min", "none", "only_first_replica")


class MetricVariable(torch.Tensor):
    """A metric state tensor with Keras-variable conveniences (ops return plain tensors)."""

    __torch_function__ = torch._C._disabled_torch_function_impl

    @property
    def name(self) -> Optional[str]:  # type: ignore[override]
        return self.__dict__.get("_keras_name")

    @property
    def path(self) -> Optional[str]:
        return self.__dict__.get("_keras_path")

    @property
    def aggregation(self) -> str:
        return self.__dict__.get("_aggregation", "sum")

    @property
    def value(self) -> torch.Tensor:
        return self.as_subclass(torch.Tensor)

    def _coerce(self, value) -> torch.Tensor:
        value = to_tensor(value, dtype=self.dtype, device=self.device)
        return value.detach()

    @torch.no_grad()
    def assign(self, value):
        self.copy_(self._coerce(value).expand_as(self) if self.dim() else
                   self._coerce(value).reshape(()))
        return self

    @torch.no_grad()
    def assign_add(self, value):
        self.add_(self._coerce(value))
        return self

    @torch.no_grad()
    def assign_sub(self, value):
        self.sub_(self._coerce(value))
        return self

    def numpy(self, *args, **kwargs) -> np.ndarray:  # type: ignore[override]
        return self.detach().as_subclass(torch.Tensor).cpu().numpy()

    def __deepcopy__(self, memo):
        new = self.detach().clone().as_subclass(type(self))
        new.__dict__.update(copy.deepcopy(self.__dict__, memo))
        memo[id(self)] = new
        return new

    def __repr__(self, **kwargs) -> str:  # pragma: no cover - cosmetic
        return f"<MetricVariable {self.name!r} {self.as_subclass(torch.Tensor)!r}>"


def _wrap_state(t: torch.Tensor, info: Dict[str, Any]) -> MetricVariable:
    v = t.as_subclass(MetricVariable) if type(t) is not MetricVariable else t
    v.__dict__.update(info)
    return v


def _initial_value(initializer, shape, dtype, device) -> torch.Tensor:
    if initializer is None or initializer == "zeros" or initializer == "Zeros":
        return torch.zeros(shape, dtype=dtype, device=device)
    if initializer in ("ones", "Ones"):
        return torch.ones(shape, dtype=dtype, device=device)
    if isinstance(initializer, (int, float)):
        return torch.full(shape, float(initializer), dtype=dtype, device=device)
    if isinstance(initializer, (np.ndarray, torch.Tensor, list)):
        return to_tensor(initializer, dtype=dtype, device=device).reshape(shape).clone()
    name = type(initializer).__name__
    if name == "Zeros":
        return torch.zeros(shape, dtype=dtype, device=device)
    if name == "Ones":
        return torch.ones(shape, dtype=dtype, device=device)
    if isinstance(initializer, str):
        try:
            from torchkeras import initializers as _inits  # optional, owned elsewhere
            initializer = _inits.get(initializer)
        except Exception:
            raise ValueError(f"Unknown initializer for a metric variable: {initializer!r}. "
                             "Use 'zeros', 'ones', a number or a callable.") from None
    if callable(initializer):
        value = initializer(tuple(shape), dtype=_config.dtype_name(dtype))
        return to_tensor(value, dtype=dtype, device=device).reshape(shape).clone()
    raise ValueError(f"Unknown initializer for a metric variable: {initializer!r}")


def _accelerator_device(args, kwargs) -> Optional[torch.device]:
    for a in args:
        if isinstance(a, torch.Tensor) and a.device.type != "cpu":
            return a.device
    for a in kwargs.values():
        if isinstance(a, torch.Tensor) and a.device.type != "cpu":
            return a.device
    return None


def _wrap_update_state(fn: Callable) -> Callable:
    if getattr(fn, "_tk_wrapped", False):
        return fn

    @functools.wraps(fn)
    def update_state(self, *args, **kwargs):
        dev = _accelerator_device(args, kwargs)
        if dev is not None and self._device != dev and self._device.type == "cpu":
            self.to(dev)
        with torch.no_grad():
            return fn(self, *args, **kwargs)

    update_state._tk_wrapped = True
    return update_state


class Metric(torch.nn.Module):
    """Base class of stateful streaming metrics (see the module docstring)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "update_state" in cls.__dict__:
            cls.update_state = _wrap_update_state(cls.__dict__["update_state"])
        try:
            from torchkeras.saving.object_registry import register_builtin
            if cls.__module__.startswith("torchkeras.metrics"):
                register_builtin("metric", cls.__name__, cls)
        except ImportError:  # pragma: no cover
            pass

    def __init__(self, name: Optional[str] = None, dtype=None, **kwargs):
        super().__init__()
        d = self.__dict__
        d["_state_names"] = []
        d["_state_info"] = {}
        d["_state_inits"] = {}
        d["_state_aliases"] = {}
        d["_device"] = torch.device("cpu")
        self.name = name or auto_name(self.__class__.__name__)
        self._dtype_arg = dtype
        self._state_dtype = _config.standardize_dtype(dtype)
        if self._state_dtype not in (torch.float16, torch.bfloat16, torch.float32,
                                     torch.float64):
            self._state_dtype = torch.float32
        self._direction = None

    # ------------------------------------------------------------------ attributes
    def __setattr__(self, name: str, value) -> None:
        d = self.__dict__
        if isinstance(value, torch.Tensor) and "_state_names" in d:
            aliases = d["_state_aliases"]
            for bname in d["_state_names"]:
                if self._buffers.get(bname) is value:
                    if name != bname:
                        aliases[name] = bname
                        d.pop(name, None)
                        return
                    break
            else:
                if name in aliases:  # re-binding an alias to a new tensor: update the state
                    self._buffers[aliases[name]] = _wrap_state(
                        value, self._state_info[aliases[name]])
                    return
        super().__setattr__(name, value)

    def __getattr__(self, name: str):
        aliases = self.__dict__.get("_state_aliases")
        if aliases and name in aliases:
            return self._buffers[aliases[name]]
        return super().__getattr__(name)

    @property
    def dtype(self) -> str:
        return _config.dtype_name(self._state_dtype)

    @property
    def device(self) -> torch.device:
        return self._device

    # ------------------------------------------------------------------ variables
    def add_variable(self, shape=(), initializer="zeros", dtype=None, aggregation: str = "sum",
                     name: Optional[str] = None) -> MetricVariable:
        """Create a state tensor (a non-persistent buffer) and return it."""
        if aggregation is None:
            aggregation = "sum"
        aggregation = getattr(aggregation, "name", aggregation)
        aggregation = str(aggregation).lower()
        if aggregation not in AGGREGATIONS:
            raise ValueError(f"Invalid `aggregation` for metric variable {name!r} of metric "
                             f"'{self.name}': {aggregation!r}. Expected one of {AGGREGATIONS}.")
        if isinstance(shape, int):
            shape = (shape,)
        shape = tuple(int(s) for s in (shape or ()))
        tdtype = self._state_dtype if dtype is None else _config.standardize_dtype(dtype)
        base = name or "variable"
        key = "".join(c if (c.isalnum() or c == "_") else "_" for c in base) or "variable"
        if key[0].isdigit():
            key = "_" + key
        candidate, i = key, 1
        while (candidate in self._buffers or candidate in self._parameters
               or candidate in self._modules or (hasattr(type(self), candidate))
               or candidate in self.__dict__):
            candidate = f"{key}_{i}"
            i += 1
        info = {"_keras_name": base, "_keras_path": f"{self.name}/{base}",
                "_aggregation": aggregation, "_declared_dtype": tdtype}
        with torch.inference_mode(False), torch.no_grad():
            value = _initial_value(initializer, shape, tdtype, self._device)
        var = _wrap_state(value, info)
        self.register_buffer(candidate, var, persistent=False)
        self._state_names.append(candidate)
        self._state_info[candidate] = info
        self._state_inits[candidate] = (initializer, shape, tdtype)
        return var

    def add_weight(self, *args, **kwargs) -> MetricVariable:
        """``add_variable`` with Keras 2's ``add_weight(name, shape=(), aggregation=...,
        synchronization=..., initializer=None, dtype=None)`` accepted too."""
        if args and isinstance(args[0], str):
            kwargs.setdefault("name", args[0])
            args = args[1:]
        names = ("shape", "initializer", "dtype", "aggregation", "name")
        for k, v in zip(names, args):
            kwargs.setdefault(k, v)
        kwargs.pop("synchronization", None)
        kwargs.pop("trainable", None)
        if kwargs.get("initializer") is None:
            kwargs["initializer"] = "zeros"
        return self.add_variable(**kwargs)

    def _own_variables(self) -> List[MetricVariable]:
        return [self._buffers[n] for n in self._state_names]

    def _child_metrics(self) -> List["Metric"]:
        out = []
        for m in self.children():
            if isinstance(m, Metric):
                out.append(m)
            else:
                out.extend(x for x in m.modules() if isinstance(x, Metric) and x is not m)
        return out

    @property
    def variables(self) -> List[MetricVariable]:
        """All state tensors: this metric's (creation order), then sub-metrics'."""
        out = self._own_variables()
        for m in self._child_metrics():
            out.extend(m.variables)
        return out

    @property
    def non_trainable_variables(self) -> List[MetricVariable]:
        return self.variables

    @property
    def trainable_variables(self) -> list:
        return []

    @property
    def weights(self) -> List[MetricVariable]:
        return self.variables

    def state_reductions(self) -> List[str]:
        """How each entry of ``variables`` combines across processes ('sum' for built-ins)."""
        out = [self._state_info[n]["_aggregation"] for n in self._state_names]
        for m in self._child_metrics():
            out.extend(m.state_reductions())
        return out

    def get_state(self) -> List[torch.Tensor]:
        """Detached copies of ``variables`` (e.g. for checkpointing)."""
        return [v.detach().clone().as_subclass(torch.Tensor) for v in self.variables]

    def set_state(self, values: Sequence) -> None:
        vars_ = self.variables
        if len(values) != len(vars_):
            raise ValueError(f"Metric '{self.name}' has {len(vars_)} state variables, received "
                             f"{len(values)} values.")
        for v, x in zip(vars_, values):
            v.assign(x)

    # ------------------------------------------------------------------ device / dtype
    def _apply(self, fn, *args, **kwargs):
        super()._apply(fn, *args, **kwargs)
        probe = fn(torch.empty(0, device=self._device))
        self.__dict__["_device"] = probe.device
        for n in self._state_names:
            b = self._buffers[n]
            info = self._state_info[n]
            if b.dtype != info["_declared_dtype"]:
                b = b.to(info["_declared_dtype"])
            self._buffers[n] = _wrap_state(b, info)
        return self

    def _tensor(self, x, dtype=None) -> torch.Tensor:
        """Input -> tensor on this metric's device (numpy and CPU tensors are moved)."""
        return to_tensor(x, dtype=dtype, device=self._device)

    # ------------------------------------------------------------------ Keras API
    def update_state(self, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError(f"Metric {self.__class__.__name__} must implement "
                                  "`update_state()`.")

    def result(self):  # pragma: no cover - abstract
        raise NotImplementedError(f"Metric {self.__class__.__name__} must implement `result()`.")

    @torch.no_grad()
    def reset_state(self) -> None:
        """Put every state back to its initial value (in place, on its device)."""
        for n in self._state_names:
            buf = self._buffers[n]
            initializer, shape, dtype = self._state_inits[n]
            if initializer is None or initializer in ("zeros", "Zeros") or \
                    type(initializer).__name__ == "Zeros":
                buf.zero_()
            else:
                buf.copy_(_initial_value(initializer, tuple(buf.shape), buf.dtype, buf.device))
        for m in self._child_metrics():
            m.reset_state()

    def reset_states(self) -> None:
        """Keras 2 spelling of ``reset_state``."""
        self.reset_state()

    def __call__(self, *args, **kwargs):
        """``update_state(*args, **kwargs)`` then ``result()``."""
        self.update_state(*args, **kwargs)
        return self.result()

    forward = __call__

    def get_config(self) -> Dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: Dict[str, Any]):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__} name={self.name}>"

    def extra_repr(self) -> str:  # pragma: no cover - cosmetic
        return f"name={self.name}"


# ---------------------------------------------------------------------------------------------
# Multi-process helpers
# ---------------------------------------------------------------------------------------------
def _dist_ready(group=None) -> bool:
    import torch.distributed as dist
    return dist.is_available() and dist.is_initialized() and dist.get_world_size(group) > 1


def all_reduce_states(metric: Metric, group=None) -> None:
    """Combine each state in place across processes according to its reduction."""
    if not _dist_ready(group):
        return
    import torch.distributed as dist
    world = dist.get_world_size(group)
    ops = {"sum": dist.ReduceOp.SUM, "mean": dist.ReduceOp.SUM, "max": dist.ReduceOp.MAX,
           "min": dist.ReduceOp.MIN}
    with torch.no_grad():
        for v, red in zip(metric.variables, metric.state_reductions()):
            if red in ops:
                dist.all_reduce(v, op=ops[red], group=group)
                if red == "mean":
                    v.div_(world)
            else:
                dist.broadcast(v, src=0, group=group)


def reduced_result(metric: Metric, group=None):
    """``metric.result()`` over the states of all processes; local states are left unchanged."""
    if not _dist_ready(group):
        return metric.result()
    saved = [v.detach().clone() for v in metric.variables]
    try:
        all_reduce_states(metric, group)
        out = metric.result()
        if isinstance(out, torch.Tensor):
            out = out.clone()
        return out
    finally:
        with torch.no_grad():
            for v, s in zip(metric.variables, saved):
                v.copy_(s)
