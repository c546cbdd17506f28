"""Keras optimizers as ``torch.optim.Optimizer`` subclasses: the shared machinery.

Matches Keras 3's ``BaseOptimizer`` (``keras/src/optimizers/base_optimizer.py``):

* built lazily: ``Adam(learning_rate=...)`` takes no parameters; ``build(var_list)`` (or the first
  ``apply`` / ``apply_gradients``) binds them and then runs ``torch.optim.Optimizer.__init__``, so
  ``param_groups``, ``state``, ``zero_grad``, ``state_dict`` and torch LR schedulers work;
* one update (``step()`` torch style from ``p.grad``, or ``apply`` / ``apply_gradients``): unscale
  by ``loss_scale_factor``, gradient accumulation, clipping (``clipnorm`` per variable,
  ``global_clipnorm`` jointly, ``clipvalue`` elementwise), decoupled weight decay
  ``var -= var * wd * lr``, the optimizer's own update, variable constraints, EMA, then
  ``iterations += 1``. The learning rate (a schedule included) is read at ``iterations`` before
  the increment;
* ``learning_rate`` / ``lr`` is a 0-d float32 CPU tensor (:class:`StateVariable`) that
  ``K.set_value`` / ``.assign`` change in place; torch LR schedulers that edit
  ``param_groups[i]['lr']`` are honoured too, and the two are kept in step;
* the state layout of Keras 3 (``keras_variables()``: ``iteration``, ``learning_rate``, slots) and
  of tf-keras 2.11+ (``era=2``: ``iteration``, slots) for the file formats.

Keras 2 arguments ``lr`` (alias of ``learning_rate``) and ``decay`` (time-based decay
``lr / (1 + decay * iterations)``, as tf.keras ``OptimizerV2`` did) are honoured with a
``DeprecationWarning``. Per-step code paths use ``torch._foreach_*`` kernels and no host sync:
the only host reads are of the CPU scalars above.
"""
from __future__ import annotations

import math
import re
import warnings
from collections import OrderedDict, defaultdict
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import torch

from ..legacy import edge as _edge
from . import schedules as _schedules
from .variables import StateVariable

__all__ = ["Optimizer", "StateVariable"]

_f32 = np.float32

# Base-class hyper-parameters, in Keras 3 ``get_config`` order.
_BASE_CONFIG_KEYS = ("name", "learning_rate", "weight_decay", "clipnorm", "global_clipnorm",
                     "clipvalue", "use_ema", "ema_momentum", "ema_overwrite_frequency",
                     "loss_scale_factor", "gradient_accumulation_steps")
# tf-keras config keys without meaning here (XLA flag, "new optimizer" marker).
_IGNORED_CONFIG_KEYS = ("jit_compile", "is_legacy_optimizer")


def to_snake_case(name: str) -> str:
    """Keras's ``to_snake_case``: ``RMSprop`` -> ``rm_sprop``, ``AdamW`` -> ``adam_w``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


def _as_float(value, what: str) -> float:
    """A Python float from a number / numpy scalar / 0-d tensor (one host read, at set time)."""
    if isinstance(value, bool):
        raise ValueError(f"Argument `{what}` should be a float. Received: {what}={value!r}")
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise ValueError(f"Argument `{what}` should be a scalar. Received a tensor of shape "
                             f"{tuple(value.shape)}")
        return float(value.detach().reshape(-1)[0].item())
    try:
        arr = np.asarray(value)
        if arr.size != 1 or arr.dtype.kind not in "iuf":
            raise TypeError
        return float(arr.reshape(-1)[0])
    except (TypeError, ValueError):
        raise ValueError(
            f"Argument `{what}` should be a float, or an instance of LearningRateSchedule, or a "
            f"callable (that takes no arguments and returns the learning rate value). "
            f"Received instead: {what}={value!r}") from None


def _check_range(name: str, value, low: float, high: float, *, low_open: bool = False,
                 high_open: bool = False) -> None:
    """``ValueError`` naming ``name`` when ``value`` is outside the interval (callables pass)."""
    if value is None or callable(value):
        return
    v = float(value)
    bad = (v < low or v > high or (low_open and v == low) or (high_open and v == high)
           or math.isnan(v))
    if bad:
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        raise ValueError(f"Argument `{name}` must be in the range {lo}{low}, {high}{hi}. "
                         f"Received: {name}={value!r}")


def _check_non_negative(name: str, value) -> None:
    if value is None:
        return
    if float(value) < 0 or math.isnan(float(value)):
        raise ValueError(f"Argument `{name}` must be >= 0. Received: {name}={value!r}")


def _legacy_warn(message: str) -> None:
    warnings.warn(message, DeprecationWarning, stacklevel=4)


class _VarMeta:
    """What the optimizer knows of a variable beyond its torch tensor: Keras name/path, the
    mapping between the torch layout and the Keras layout, and its constraint."""

    __slots__ = ("name", "to_keras", "from_keras", "constraint", "keras_shape")

    def __init__(self, name=None, to_keras=None, from_keras=None, constraint=None,
                 keras_shape=None):
        self.name = name
        self.to_keras = to_keras
        self.from_keras = from_keras
        self.constraint = constraint
        self.keras_shape = tuple(keras_shape) if keras_shape is not None else None


def _unwrap_variable(v) -> Tuple[torch.Tensor, Optional[_VarMeta], bool]:
    """``(tensor, meta, keras_view)`` for a variable given as a torch tensor, a torchkeras
    ``KerasVariable`` (``layer.weights`` item: Keras-layout view over a torch tensor) or a
    ``WeightSpec``. ``keras_view`` says gradients passed with it are in the Keras layout."""
    if isinstance(v, torch.Tensor):
        c = getattr(v, "constraint", None)
        return v, (_VarMeta(constraint=c) if c is not None else None), False
    spec = getattr(v, "_spec", None)
    if spec is None and isinstance(getattr(v, "tensor", None), torch.Tensor) \
            and hasattr(v, "keras_shape"):
        spec = v
    if spec is not None and isinstance(getattr(spec, "tensor", None), torch.Tensor):
        name = getattr(v, "path", None) or getattr(spec, "name", None)
        owner = getattr(spec, "owner", None)
        if spec is v and owner is not None and getattr(owner, "name", None):
            name = f"{owner.name}/{spec.name}"
        meta = _VarMeta(name=name, to_keras=getattr(spec, "to_keras", None),
                        from_keras=getattr(spec, "from_keras", None),
                        constraint=getattr(spec, "constraint", None),
                        keras_shape=getattr(spec, "keras_shape", None))
        return spec.tensor, meta, True
    tensor = getattr(v, "tensor", None)
    if isinstance(tensor, torch.Tensor):
        return tensor, _VarMeta(name=getattr(v, "path", None) or getattr(v, "name", None)), True
    raise TypeError(f"Optimizer variables must be torch tensors (e.g. `nn.Parameter`) or Keras "
                    f"variables; received {v!r} of type {type(v).__name__}")


class Optimizer(torch.optim.Optimizer):
    """Base class of Keras optimizers on torch (``keras.optimizers.Optimizer``).

    Subclasses define ``_config_keys`` (their ``get_config`` hyper-parameters, in Keras order),
    ``_slot_layout(era)`` (the slot variables per trainable variable, in Keras order) and
    ``_update_step(params, grads, lr, step)`` (the update on lists of tensors; ``step`` is
    Keras's ``iterations + 1`` as a float).
    """

    _config_keys: Tuple[str, ...] = ()
    # tf-keras short slot names (``Adam/m/dense/kernel:0``) for ``keras_variables(era=2)``.
    _keras2_slot_names: Dict[str, str] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _edge.install(cls)

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        # ---- Keras 2 spellings ---------------------------------------------------------
        if "lr" in kwargs:
            lr = kwargs.pop("lr")
            _legacy_warn(f"The `lr` argument of {type(self).__name__} is deprecated, use "
                         "`learning_rate` instead.")
            if lr is not None:
                learning_rate = lr
        decay = kwargs.pop("decay", None)
        if decay is not None:
            _legacy_warn(
                f"The `decay` argument of {type(self).__name__} is deprecated (Keras 3 ignores "
                "it); it is applied as Keras 2 did: lr / (1 + decay * iterations). Use "
                "`keras.optimizers.schedules.InverseTimeDecay` instead.")
        for key in _IGNORED_CONFIG_KEYS:
            kwargs.pop(key, None)
        if kwargs:
            names = ", ".join(repr(k) for k in kwargs)
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected keyword "
                            f"argument(s): {names}")

        self._init_torch_bookkeeping()
        self.name = name if name is not None else to_snake_case(type(self).__name__)

        # ---- validation (Keras's checks, plus value ranges) ----------------------------
        clip_set = [k for k, v in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                                   ("global_clipnorm", global_clipnorm)) if v is not None]
        if len(clip_set) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}")
        for key, value in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                           ("global_clipnorm", global_clipnorm), ("weight_decay", weight_decay),
                           ("decay", decay)):
            _check_non_negative(key, value)
        if loss_scale_factor is not None and float(loss_scale_factor) <= 0:
            raise ValueError("Argument `loss_scale_factor` must be > 0. Received: "
                             f"loss_scale_factor={loss_scale_factor!r}")
        if gradient_accumulation_steps:
            if (not isinstance(gradient_accumulation_steps, (int, np.integer))
                    or gradient_accumulation_steps < 2):
                raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. "
                                 f"Received: gradient_accumulation_steps="
                                 f"{gradient_accumulation_steps}")
        if use_ema:
            _check_range("ema_momentum", ema_momentum, 0.0, 1.0)
            if ema_overwrite_frequency and (
                    not isinstance(ema_overwrite_frequency, (int, np.integer))
                    or ema_overwrite_frequency < 1):
                raise ValueError("`ema_overwrite_frequency` must be an integer >= 1 or None. "
                                 f"Received: ema_overwrite_frequency={ema_overwrite_frequency}")

        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = bool(use_ema)
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = (int(gradient_accumulation_steps)
                                            if gradient_accumulation_steps else None)
        self._decay = float(decay) if decay else 0.0

        self.built = False
        self._trainable_variables: List[torch.Tensor] = []
        self._variable_names: List[str] = []
        self._var_index: Dict[int, int] = {}
        self._group_of: Dict[int, int] = {}
        self._meta: Dict[int, _VarMeta] = {}
        self._exclude_wd_ids: set = set()
        self._exclude_wd_pattern = None
        self._wd_cache: Dict[int, bool] = {}

        self._iterations = StateVariable(0, dtype=torch.int64, name="iteration")
        self._lr_var: Optional[StateVariable] = None
        self._lr_obj = None
        self._set_learning_rate(learning_rate)

    # =================================================================================
    # torch.optim.Optimizer plumbing
    # =================================================================================
    def _init_torch_bookkeeping(self) -> None:
        """What ``torch.optim.Optimizer.__init__`` sets up, minus the parameters (bound later)."""
        self.defaults = {"lr": 0.0}
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        self._patch_step_function()
        self.state = defaultdict(dict)
        self.param_groups = []

    def __getstate__(self):
        return self.__dict__.copy()

    def __setstate__(self, state):
        super().__setstate__(state)

    def __repr__(self):
        if self._lr_var is not None:
            lr = repr(float(self._lr_var))
        else:
            lr = type(self._lr_obj).__name__
        return (f"<{type(self).__name__} name={self.name!r} learning_rate={lr} "
                f"built={self.built}>")

    # =================================================================================
    # learning rate and iterations
    # =================================================================================
    def _set_learning_rate(self, value) -> None:
        if isinstance(value, dict):
            value = _schedules.deserialize(value)
        if isinstance(value, _schedules.LearningRateSchedule) or (
                callable(value) and not isinstance(value, torch.Tensor)):
            self._lr_obj = value
            self._lr_var = None
            return
        lr = _as_float(value, "learning_rate")
        if lr < 0 or math.isnan(lr):
            raise ValueError(f"Argument `learning_rate` must be >= 0. Received: "
                             f"learning_rate={value!r}")
        if self._lr_var is None:
            self._lr_var = StateVariable(lr, dtype=torch.float32, name="learning_rate")
        else:
            self._lr_var.fill_(lr)
        self._lr_obj = None
        self._lr_var_seen = float(self._lr_var)
        for group in self.param_groups:
            self._write_group_lr(group, self._lr_var_seen)
        self._lr_group_seen = self._lr_var_seen

    @staticmethod
    def _write_group_lr(group, value: float) -> None:
        if isinstance(group.get("lr"), torch.Tensor):
            group["lr"].fill_(value)
        else:
            group["lr"] = value

    @staticmethod
    def _read_group_lr(group) -> float:
        lr = group["lr"]
        return float(lr.item()) if isinstance(lr, torch.Tensor) else float(lr)

    def _sync_lr(self) -> None:
        """Reconcile the Keras ``learning_rate`` variable and ``param_groups[i]['lr']``.

        Whichever side changed since the last sync wins: a torch LR scheduler (or a user)
        editing ``param_groups[0]['lr']`` updates the variable; ``K.set_value`` /
        ``assign`` on the variable updates every group.
        """
        var = self._lr_var
        if var is None:
            return
        v = float(var)
        if self.param_groups:
            g = self._read_group_lr(self.param_groups[0])
            if g != self._lr_group_seen:
                var.fill_(g)
            elif v != self._lr_var_seen:
                for group in self.param_groups:
                    self._write_group_lr(group, v)
            self._lr_group_seen = self._read_group_lr(self.param_groups[0])
        self._lr_var_seen = float(var)

    def _base_lr_value(self, iteration: int) -> float:
        """The undecayed rate for ``iteration`` when it comes from a schedule or callable."""
        obj = self._lr_obj
        if isinstance(obj, _schedules.LearningRateSchedule):
            return obj._value(iteration)
        value = obj()
        return _as_float(value, "learning_rate")

    def _group_lrs(self, iteration: int) -> List[float]:
        """Per-group learning rates for this step (schedule read at ``iteration``)."""
        groups = self.param_groups
        if self._lr_var is not None:
            self._sync_lr()
            lrs = [self._read_group_lr(g) for g in groups]
        else:
            lr = self._base_lr_value(iteration)
            for g in groups:
                self._write_group_lr(g, lr)
            lrs = [lr] * len(groups)
        if self._decay:
            factor = 1.0 / (1.0 + self._decay * iteration)
            lrs = [lr * factor for lr in lrs]
        return lrs

    @property
    def learning_rate(self):
        """The learning rate: the variable itself (writable in place) for a constant rate, the
        current value (0-d float32 tensor) for a schedule or callable."""
        if self._lr_var is not None:
            self._sync_lr()
            return self._lr_var
        it = int(self._iterations)
        value = self._base_lr_value(it)
        return torch.tensor(value, dtype=torch.float32)

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if isinstance(value, dict):
            value = _schedules.deserialize(value)
        is_schedule = isinstance(value, _schedules.LearningRateSchedule) or (
            callable(value) and not isinstance(value, torch.Tensor))
        if not is_schedule and isinstance(self._lr_obj, _schedules.LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not settable. "
                "If you need the learning rate to be settable, you should instantiate the "
                "optimizer with a float `learning_rate` argument.")
        if self._lr_var is not None and not is_schedule:
            self._sync_lr()
        if value is self._lr_var:
            return
        self._set_learning_rate(value)

    lr = learning_rate  # Keras 2 spelling: ``optimizer.lr``

    def _decayed_lr(self, var_dtype=None) -> torch.Tensor:
        """tf.keras ``OptimizerV2._decayed_lr``: the rate the next step will use (schedule and
        Keras 2 ``decay`` applied), as a 0-d float32 tensor."""
        it = int(self._iterations)
        if self._lr_var is not None:
            self._sync_lr()
            lr = float(self._lr_var)
        else:
            lr = self._base_lr_value(it)
        if self._decay:
            lr = lr / (1.0 + self._decay * it)
        return torch.tensor(lr, dtype=torch.float32)

    @property
    def decay(self) -> float:
        """Keras 2 time-based decay (``lr / (1 + decay * iterations)``); 0 when unused."""
        return self._decay

    @decay.setter
    def decay(self, value) -> None:
        _check_non_negative("decay", value)
        self._decay = float(value or 0.0)

    @property
    def iterations(self) -> torch.Tensor:
        """Number of update steps taken (int64 0-d CPU tensor; Keras ``optimizer.iterations``).
        With gradient accumulation, the number of applied (accumulated) updates."""
        if self.gradient_accumulation_steps:
            return self._iterations // self.gradient_accumulation_steps
        return self._iterations

    @iterations.setter
    def iterations(self, value) -> None:
        self._iterations.assign(int(_as_float(value, "iterations")))

    # =================================================================================
    # building
    # =================================================================================
    def build(self, var_list) -> None:
        """Bind the trainable variables (Keras ``optimizer.build(model.trainable_variables)``).

        ``var_list``: tensors (``nn.Parameter``), ``(name, tensor)`` pairs, or torch param
        group dicts (``{"params": [...], "lr": ..., "weight_decay": ...}``). Creates the slot
        variables, then runs ``torch.optim.Optimizer.__init__``. A second call is a no-op.
        """
        if self.built:
            return
        groups = self._normalise_groups(var_list)
        if not groups or not any(g["params"] for g in groups):
            raise ValueError(f"{type(self).__name__}.build() got an empty list of variables.")
        hooks = {k: v for k, v in self.__dict__.items() if k.startswith("_optimizer_")}
        lr0 = float(self._lr_var) if self._lr_var is not None else self._base_lr_value(
            int(self._iterations))
        defaults = {"lr": lr0}
        torch.optim.Optimizer.__init__(self, groups, defaults)
        for k, v in hooks.items():  # hooks registered before build survive
            getattr(self, k).update(v)
        self.built = True
        for gi, group in enumerate(self.param_groups):
            names = group.get("param_names")
            for j, p in enumerate(group["params"]):
                self._register_variable(p, gi, names[j] if names else None)
        if self._lr_var is not None:
            self._lr_group_seen = self._read_group_lr(self.param_groups[0])
            self._lr_var_seen = float(self._lr_var)
        self._create_slots(self._trainable_variables)
        self._build_extra()

    def _normalise_groups(self, var_list) -> List[dict]:
        """torch param groups of plain tensors (or ``(name, tensor)`` pairs); the Keras
        metadata of ``KerasVariable`` / ``WeightSpec`` items is kept in ``self._meta``."""
        if isinstance(var_list, torch.Tensor) or not isinstance(var_list, (list, tuple, dict)) \
                and hasattr(var_list, "_spec"):
            var_list = [var_list]
        items = list(var_list)
        groups = [dict(g) for g in items] if items and isinstance(items[0], dict) \
            else ([{"params": items}] if items else [])
        for group in groups:
            params = group["params"]
            if isinstance(params, torch.Tensor):
                params = [params]
            unwrapped = []
            for item in list(params):
                if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
                    tensor, meta, _ = _unwrap_variable(item[1])
                    unwrapped.append((item[0], tensor))
                else:
                    tensor, meta, _ = _unwrap_variable(item)
                    unwrapped.append(tensor)
                if meta is not None:
                    self._meta.setdefault(id(tensor), meta)
            group["params"] = unwrapped
        return groups

    def _register_variable(self, p: torch.Tensor, group_index: int, name: Optional[str]) -> None:
        if id(p) in self._var_index:
            return
        index = len(self._trainable_variables)
        self._var_index[id(p)] = index
        self._group_of[id(p)] = group_index
        self._trainable_variables.append(p)
        meta = self._meta.get(id(p))
        if meta is not None and meta.name:
            name = meta.name
        self._variable_names.append(self._name_of(p, name, index))

    @staticmethod
    def _name_of(p, name, index) -> str:
        """The variable's Keras path (``dense/kernel``) when known, else its torch name, else
        ``variable_<i>``."""
        if name:
            return str(name)
        for attr in ("path", "_keras_path"):
            value = getattr(p, attr, None)
            if isinstance(value, str) and value:
                return value
        value = getattr(p, "_keras_name", None) or getattr(p, "name", None)
        if isinstance(value, str) and value:
            return value
        return f"variable_{index}"

    def add_param_group(self, param_group: Dict[str, Any]) -> None:
        """torch ``add_param_group``; after build the new variables get their slots too."""
        param_group = self._normalise_groups([param_group])[0]
        super().add_param_group(param_group)
        if getattr(self, "built", False):
            gi = len(self.param_groups) - 1
            group = self.param_groups[gi]
            names = group.get("param_names")
            new = []
            for j, p in enumerate(group["params"]):
                if id(p) not in self._var_index:
                    self._register_variable(p, gi, names[j] if names else None)
                    new.append(p)
            self._create_slots(new)

    # ---- slots ------------------------------------------------------------------------
    def _slot_layout(self, era: int = 3) -> List[Tuple[str, ...]]:
        """Blocks of slot names: within a block the slots are interleaved per variable
        (``v0.m, v0.v, v1.m, v1.v``); blocks follow each other (Keras build order)."""
        return []

    def _base_slot_block(self) -> Tuple[str, ...]:
        block = ()
        if self.use_ema:
            block += ("average",)
        if self.gradient_accumulation_steps:
            block += ("gradient_accumulator",)
        return block

    def _full_layout(self, era: int = 3) -> List[Tuple[str, ...]]:
        base = self._base_slot_block() if era == 3 else ()
        blocks = [base] if base else []
        return blocks + [b for b in self._slot_layout(era) if b]

    def _slot_initial_value(self, slot: str) -> float:
        return 0.0

    def _make_slot(self, p: torch.Tensor, slot: str) -> torch.Tensor:
        value = self._slot_initial_value(slot)
        if value == 0.0:
            return torch.zeros_like(p, memory_format=torch.preserve_format)
        return torch.full_like(p, value, memory_format=torch.preserve_format)

    def _create_slots(self, params: Sequence[torch.Tensor]) -> None:
        names = [s for block in self._full_layout(3) for s in block]
        with torch.no_grad():
            for p in params:
                st = self.state[p]
                for s in names:
                    if s not in st:
                        st[s] = self._make_slot(p, s)

    def _build_extra(self) -> None:
        """Non-slot variables created at build (Nadam's ``u_product``...)."""

    def _extra_variables(self) -> List[Tuple[str, torch.Tensor]]:
        """Non-slot variables, in Keras order (subclasses add theirs after the custom ones)."""
        return [(n, t) for n, t in getattr(self, "_custom_variables", [])]

    # ---- Keras 3 custom-optimizer API (``build`` + ``update_step``) ----------------------
    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="mean",
                     name=None) -> torch.Tensor:
        """Keras ``add_variable``: a state tensor saved with the optimizer (custom optimizers)."""
        from ..backend.config import standardize_dtype
        dtype = standardize_dtype(dtype)
        device = self._trainable_variables[0].device if self._trainable_variables else None
        shape = tuple(int(d) for d in (shape if isinstance(shape, (tuple, list, torch.Size))
                                       else (shape,)))
        value = self._initial_tensor(initializer, shape, dtype, device)
        self._register_custom_variable(name or "variable", value)
        return value

    def add_variable_from_reference(self, reference_variable, name=None,
                                    initializer="zeros") -> torch.Tensor:
        """Keras ``add_variable_from_reference``: zeros (or ``initializer``) shaped like a
        trainable variable (its torch tensor)."""
        ref, meta, _ = _unwrap_variable(reference_variable)
        vname = (meta.name if meta is not None and meta.name else None) or self._name_of(
            ref, None, self._var_index.get(id(ref), 0))
        value = self._initial_tensor(initializer, tuple(ref.shape), ref.dtype, ref.device)
        self._register_custom_variable(f"{vname.replace('/', '_')}_{name or 'var'}", value)
        return value

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """Keras ``add_optimizer_variables``: one variable per trainable variable and name
        (interleaved per variable when ``name`` is a list, as Keras does)."""
        names = [name] if isinstance(name, str) else list(name)
        inits = initializer if isinstance(initializer, (list, tuple)) else [initializer] * len(names)
        out = tuple([] for _ in names)
        for v in trainable_variables:
            for i, (n, init) in enumerate(zip(names, inits)):
                out[i].append(self.add_variable_from_reference(v, n, init))
        return out[0] if isinstance(name, str) else out

    def _register_custom_variable(self, name: str, value: torch.Tensor) -> None:
        if "_custom_variables" not in self.__dict__:
            self._custom_variables = []
        self._custom_variables.append((name, value))

    @staticmethod
    def _initial_tensor(initializer, shape, dtype, device) -> torch.Tensor:
        if isinstance(initializer, (int, float)):
            return torch.full(shape, float(initializer), dtype=dtype, device=device)
        if initializer in (None, "zeros"):
            return torch.zeros(shape, dtype=dtype, device=device)
        if initializer == "ones":
            return torch.ones(shape, dtype=dtype, device=device)
        if callable(initializer):
            value = initializer(shape, dtype=dtype) if not isinstance(initializer, type) \
                else initializer()(shape, dtype=dtype)
        else:
            from .. import initializers
            value = initializers.get(initializer)(shape, dtype=dtype)
        return torch.as_tensor(value).to(device=device, dtype=dtype).reshape(shape)

    def _get_variable_index(self, variable) -> int:
        return self._var_index[id(_unwrap_variable(variable)[0])]

    def _var_key(self, variable) -> int:
        return id(_unwrap_variable(variable)[0])

    @torch.no_grad()
    def assign(self, variable, value) -> None:
        """Keras ``assign``: in-place write into a variable (model or optimizer)."""
        variable = _unwrap_variable(variable)[0]
        variable.copy_(value if isinstance(value, torch.Tensor) else torch.as_tensor(value))

    @torch.no_grad()
    def assign_add(self, variable, value) -> None:
        _unwrap_variable(variable)[0].add_(value)

    @torch.no_grad()
    def assign_sub(self, variable, value) -> None:
        _unwrap_variable(variable)[0].sub_(value)

    def update_step(self, gradient, variable, learning_rate) -> None:
        """Keras 3 per-variable update, for custom optimizers (built-ins use ``_update_step``)."""
        raise NotImplementedError(f"{type(self).__name__}.update_step() must be implemented.")

    def _slot_in_keras_layout(self, slot: str) -> bool:
        """True for slots kept in the Keras layout already (Adafactor's factored statistics)."""
        return False

    def _to_keras_layout(self, p, slot: str, t: torch.Tensor) -> torch.Tensor:
        meta = self._meta.get(id(p))
        if meta is None or meta.to_keras is None or self._slot_in_keras_layout(slot) \
                or t.shape != p.shape:
            return t
        return meta.to_keras(t)

    def _from_keras_layout(self, p, slot: str, value: torch.Tensor) -> torch.Tensor:
        meta = self._meta.get(id(p))
        if meta is None or meta.from_keras is None or self._slot_in_keras_layout(slot):
            return value
        return meta.from_keras(value)

    def _slots(self, params: Sequence[torch.Tensor], slot: str) -> List[torch.Tensor]:
        state = self.state
        return [state[p][slot] for p in params]

    # =================================================================================
    # Keras state layout (file formats)
    # =================================================================================
    def keras_variables(self, era: int = 3) -> List[Tuple[str, torch.Tensor]]:
        """``(name, tensor)`` in the order Keras saves the optimizer's variables.

        ``era=3`` (Keras 3 ``optimizer.variables``): ``iteration`` (int64), ``learning_rate``
        (float32; only when the rate is a constant, not a schedule), then the slot variables,
        then extras (Nadam ``u_product``). ``era=2`` (tf-keras 2.11+ ``optimizer.variables()``):
        ``iteration`` then the slots. Before ``build`` only the scalars are listed (as in a
        file saved from an untrained model). The tensors are the live state (not copies).
        """
        era = 3 if int(era) == 3 else 2
        out: List[Tuple[str, torch.Tensor]] = []
        if era == 3:
            out.append((f"{self.name}/iteration", self._iterations))
            if self._lr_var is not None:
                self._sync_lr()
                out.append((f"{self.name}/learning_rate", self._lr_var))
        else:
            out.append(("iteration:0", self._iterations))
        if not self.built:
            return out
        for name, p, slot, t in self._slot_entries(era):
            out.append((name, self._to_keras_layout(p, slot, t)))
        if era == 3:
            out.extend((f"{self.name}/{n}", t) for n, t in self._extra_variables())
        return out

    def _slot_entries(self, era: int):
        """``(name, param, slot, tensor)`` for every slot variable in Keras order."""
        k2name = type(self).__name__
        entries = []
        for block in self._full_layout(era):
            for i, p in enumerate(self._trainable_variables):
                vname = self._variable_names[i]
                st = self.state[p]
                for slot in block:
                    t = st.get(slot)
                    if t is None:  # a slot tf-keras always has and Keras 3 may omit
                        t = torch.zeros_like(p)
                    if era == 3:
                        name = f"{self.name}/{vname.replace('/', '_')}_{slot}"
                    else:
                        name = f"{k2name}/{self._keras2_slot_names.get(slot, slot)}/{vname}:0"
                    entries.append((name, p, slot, t))
        return entries

    def set_keras_variables(self, values: Sequence[Any], era: int = 3) -> None:
        """Restore state saved in Keras layout (see :meth:`keras_variables`). ``values`` are
        arrays/tensors in that order; a count or shape mismatch raises ``ValueError`` (Keras 3
        itself warns and skips loading when the counts differ)."""
        era = 3 if int(era) == 3 else 2
        targets = [(n, t, None, None) for n, t in self.keras_variables(era)]
        if self.built:  # slots: write into the live tensors, converting from the Keras layout
            n_head = 1 + (1 if era == 3 and self._lr_var is not None else 0)
            entries = self._slot_entries(era)
            for k, (name, p, slot, t) in enumerate(entries):
                targets[n_head + k] = (name, self._to_keras_layout(p, slot, t), p, (slot, t))
        values = list(values)
        if len(values) != len(targets):
            raise ValueError(
                f"Optimizer '{self.name}' ({type(self).__name__}) has {len(targets)} variables "
                f"in the Keras {'3' if int(era) == 3 else '2'} layout "
                f"({'built' if self.built else 'not built yet: call build(variables) first'}), "
                f"but {len(values)} values were given.")
        converted = []
        for (name, shown, p, live), v in zip(targets, values):
            v = v.detach() if isinstance(v, torch.Tensor) else torch.as_tensor(np.asarray(v))
            if tuple(v.shape) != tuple(shown.shape):
                raise ValueError(f"Optimizer variable {name!r} has shape {tuple(shown.shape)}, "
                                 f"not compatible with the value of shape {tuple(v.shape)}.")
            if live is not None:
                slot, t = live
                v = self._from_keras_layout(p, slot, v.to(device=t.device, dtype=t.dtype))
                converted.append((t, v))
            else:
                converted.append((shown, v))
        with torch.no_grad():
            for t, v in converted:
                t.copy_(v.to(device=t.device, dtype=t.dtype).reshape(t.shape))
        if self._lr_var is not None and self.param_groups:
            v = float(self._lr_var)
            for group in self.param_groups:
                self._write_group_lr(group, v)
            self._lr_group_seen = self._read_group_lr(self.param_groups[0])
            self._lr_var_seen = v

    @property
    def variables(self) -> List[torch.Tensor]:
        """Keras 3 ``optimizer.variables`` (tensors, in saving order)."""
        return [t for _, t in self.keras_variables(3)]

    @property
    def weights(self) -> List[torch.Tensor]:
        """tf.keras ``optimizer.weights``: the state tensors in the current era's layout."""
        from ..backend.config import keras_era
        return [t for _, t in self.keras_variables(keras_era())]

    def get_weights(self) -> List[np.ndarray]:
        """Optimizer state as numpy arrays, in the layout of the current Keras era."""
        from ..backend.config import keras_era
        return [t.detach().cpu().numpy() for _, t in self.keras_variables(keras_era())]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Inverse of :meth:`get_weights` (the optimizer must be built, as in Keras)."""
        from ..backend.config import keras_era
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet been built. "
                "Please call `optimizer.build(trainable_variables)` to create the optimizer "
                "weights before calling `set_weights()`.")
        self.set_keras_variables(weights, era=keras_era())

    # ---- torch state_dict -------------------------------------------------------------
    def state_dict(self) -> Dict[str, Any]:
        """torch ``state_dict`` plus the Keras scalars under ``"keras"``."""
        sd = super().state_dict()
        sd["keras"] = {
            "iterations": int(self._iterations),
            "learning_rate": float(self.learning_rate) if self._lr_var is not None else None,
            "extra": {n: t.detach().cpu().clone().as_subclass(torch.Tensor)
                      for n, t in self._extra_variables()},
        }
        return sd

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        state_dict = dict(state_dict)
        keras_state = state_dict.pop("keras", None)
        if self.built:
            super().load_state_dict(state_dict)
            self._create_slots(self._trainable_variables)
        elif state_dict.get("param_groups"):
            raise ValueError(f"Optimizer '{self.name}' must be built (bound to its variables) "
                             "before loading a state dict with parameter state.")
        if keras_state:
            self._iterations.fill_(int(keras_state.get("iterations", 0)))
            extras = dict(self._extra_variables())
            with torch.no_grad():
                for n, t in (keras_state.get("extra") or {}).items():
                    if n in extras:
                        extras[n].copy_(t)
            if self._lr_var is not None and keras_state.get("learning_rate") is not None:
                self._lr_var.fill_(float(keras_state["learning_rate"]))
        if self._lr_var is not None:
            self._lr_var_seen = float(self._lr_var)
            if self.param_groups:
                for group in self.param_groups:
                    self._write_group_lr(group, self._lr_var_seen)
                self._lr_group_seen = self._read_group_lr(self.param_groups[0])

    # =================================================================================
    # updating
    # =================================================================================
    @torch.no_grad()
    def step(self, closure=None):
        """torch-style update from ``p.grad`` of every bound parameter (None grads skipped)."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        if not self.built:
            raise ValueError(
                f"{type(self).__name__}.step() needs the optimizer to be built on its variables: "
                "call `optimizer.build(model.trainable_variables)` (or `apply_gradients`) first.")
        grads, params = [], []
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    params.append(p)
                    grads.append(p.grad)
        if params:
            self._apply_updates(grads, params)
        return loss

    def apply_gradients(self, grads_and_vars: Iterable[Tuple[Any, torch.Tensor]], name=None,
                        skip_gradients_aggregation: bool = False, **kwargs):
        """Keras ``apply_gradients(zip(grads, vars))``; returns ``iterations``."""
        pairs = list(grads_and_vars)
        if not pairs:
            return self._iterations
        grads, variables = zip(*pairs)
        self.apply(list(grads), list(variables))
        return self._iterations

    def apply(self, grads: Sequence[Any], trainable_variables: Optional[Sequence] = None) -> None:
        """Keras 3 ``apply(grads, trainable_variables=None)``; builds on first use."""
        grads = list(grads)
        if len(grads) == 0:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be "
                    "built on a list of variables. Call `optimizer.build(trainable_variables)` "
                    "first.")
            if len(grads) != len(self._trainable_variables):
                raise ValueError(
                    "When passing `grads` as a list of gradient tensors, the gradients must "
                    f"match `optimizer.variables` one-to-one. Received a list of {len(grads)} "
                    f"gradients, but the optimizer is tracking {len(self._trainable_variables)} "
                    "trainable variables.")
            variables = self._trainable_variables
        else:
            given = list(trainable_variables)
            if not self.built:
                self.build(given)
            variables, views = [], []
            for v in given:
                tensor, _, keras_view = _unwrap_variable(v)
                variables.append(tensor)
                views.append(keras_view)
            if any(views):  # gradients of Keras-layout views are in the Keras layout
                grads = [self._grad_from_keras(g, t) if view and g is not None else g
                         for g, t, view in zip(grads, variables, views)]
            unknown = [v for v in variables if id(v) not in self._var_index]
            if unknown:
                raise ValueError(
                    f"Unknown variable(s): {[tuple(v.shape) for v in unknown]} (shapes). This "
                    "optimizer can only be called for the variables it was originally built "
                    "with. When working with a new set of variables, you should recreate a new "
                    "optimizer instance.")
        kept_g, kept_v, missing = [], [], []
        for g, v in zip(grads, variables):
            if g is None:
                missing.append(self._variable_names[self._var_index[id(v)]])
                continue
            if not isinstance(g, torch.Tensor):
                g = torch.as_tensor(np.asarray(g), device=v.device)
            if g.device != v.device:
                g = g.to(v.device)
            kept_g.append(g)
            kept_v.append(v)
        if not kept_g:
            raise ValueError("No gradients provided for any variable.")
        if missing:
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the "
                          "loss. If using `model.compile()`, did you forget to provide a `loss` "
                          "argument?", UserWarning, stacklevel=2)
        with torch.no_grad():
            self._apply_updates(kept_g, kept_v)
        self._opt_called = True  # torch LR schedulers check that the optimizer stepped

    def _grad_from_keras(self, g, tensor: torch.Tensor):
        """A gradient passed with a Keras variable is in the Keras layout (as
        ``tape.gradient(loss, model.trainable_weights)`` gives it); one already shaped like the
        torch tensor (and not like the Keras weight) is taken as is."""
        meta = self._meta.get(id(tensor))
        if meta is None or meta.from_keras is None:
            return g
        if not isinstance(g, torch.Tensor):
            g = torch.as_tensor(np.asarray(g), device=tensor.device)
        shape = tuple(g.shape)
        if shape == tuple(tensor.shape) and meta.keras_shape is not None \
                and shape != meta.keras_shape:
            return g
        return meta.from_keras(g)

    def minimize(self, loss, var_list, tape=None) -> torch.Tensor:
        """tf.keras ``minimize``: ``loss`` is a scalar tensor or a zero-argument callable."""
        if callable(loss) and not isinstance(loss, torch.Tensor):
            with torch.enable_grad():
                loss = loss()
        var_list = list(var_list() if callable(var_list) else var_list)
        tensors = [_unwrap_variable(v)[0] for v in var_list]
        grads = torch.autograd.grad(loss, tensors, allow_unused=True)
        self.apply(list(grads), tensors)
        return self._iterations

    # ---- the update pipeline ----------------------------------------------------------
    def _apply_updates(self, grads: List[torch.Tensor], params: List[torch.Tensor]) -> None:
        grads = [self._densify(g, p) for g, p in zip(grads, params)]
        raw_iteration = int(self._iterations)
        lrs = self._group_lrs(raw_iteration)
        if self.loss_scale_factor is not None:
            grads = torch._foreach_div(grads, float(self.loss_scale_factor))
        accum = self.gradient_accumulation_steps
        keras_iteration = raw_iteration // accum if accum else raw_iteration
        if accum:
            accs = self._slots(params, "gradient_accumulator")
            if (raw_iteration + 1) % accum != 0:
                torch._foreach_add_(accs, grads)
                self._finish_step(params, keras_iteration)
                return
            grads = torch._foreach_add(grads, accs)
            torch._foreach_div_(grads, float(accum))
        grads = self._clip_gradients(grads)
        self._prepare_step(float(keras_iteration + 1))
        if len(self.param_groups) == 1:
            self._update_group(params, grads, lrs[0], keras_iteration, self.param_groups[0])
        else:
            by_group: Dict[int, Tuple[list, list]] = {}
            for g, p in zip(grads, params):
                ps, gs = by_group.setdefault(self._group_of[id(p)], ([], []))
                ps.append(p)
                gs.append(g)
            for gi, (ps, gs) in sorted(by_group.items()):
                self._update_group(ps, gs, lrs[gi], keras_iteration, self.param_groups[gi])
        if accum:
            torch._foreach_zero_(accs)
        self._apply_constraints(params)
        self._finish_step(params, keras_iteration)

    @staticmethod
    def _densify(g: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
        if g.is_sparse:
            g = g.coalesce().to_dense()
        if g.dtype != p.dtype:
            g = g.to(p.dtype)
        return g

    def _update_group(self, params, grads, lr: float, keras_iteration: int, group) -> None:
        wd = group.get("weight_decay", self.weight_decay)
        if wd:
            decayed = [p for p in params if self._use_weight_decay(p)]
            if decayed:
                torch._foreach_mul_(decayed, 1.0 - float(_f32(wd) * _f32(lr)))
        self._update_step(params, grads, lr, float(keras_iteration + 1))

    def _prepare_step(self, step: float) -> None:
        """Once per update, before the per-group updates (Nadam's momentum product)."""

    def _update_step(self, params: List[torch.Tensor], grads: List[torch.Tensor], lr: float,
                     step: float) -> None:
        """Vectorised update of one parameter group. The default calls the Keras 3 per-variable
        ``update_step(gradient, variable, learning_rate)`` of custom optimizers, with the rate
        as a 0-d CPU float32 tensor (usable with tensors on any device)."""
        if type(self).update_step is Optimizer.update_step:
            raise NotImplementedError(
                f"{type(self).__name__} must implement `update_step(gradient, variable, "
                "learning_rate)` (Keras 3 custom optimizer API).")
        lr_t = torch.tensor(lr, dtype=torch.float32)
        for g, p in zip(grads, params):
            self.update_step(g, p, lr_t)

    def _finish_step(self, params, keras_iteration: int) -> None:
        if self.use_ema:
            self._update_ema(keras_iteration)
        self._iterations.add_(1)

    #: Keras 3 optimizers apply each variable's constraint after the update; a training loop
    #: that projects the weights itself can set this to False.
    apply_constraints: bool = True

    def _apply_constraints(self, params) -> None:
        """Keras applies ``variable.constraint`` after each update (constraints known from the
        Keras variables / weight specs the optimizer was built on)."""
        meta_of = self._meta
        if not meta_of or not self.apply_constraints:
            return
        for p in params:
            meta = meta_of.get(id(p))
            if meta is None or meta.constraint is None:
                continue
            if meta.to_keras is not None:
                value = meta.constraint(meta.to_keras(p))
                p.copy_(meta.from_keras(value) if meta.from_keras is not None else value)
            else:
                p.copy_(meta.constraint(p))

    # ---- clipping (Keras ``_clip_gradients``) -------------------------------------------
    def _clip_gradients(self, grads: List[torch.Tensor]) -> List[torch.Tensor]:
        if self.clipnorm and self.clipnorm > 0:
            c = float(self.clipnorm)
            norms = torch._foreach_norm(grads)
            factors = torch._foreach_maximum(norms, c)
            torch._foreach_reciprocal_(factors)
            torch._foreach_mul_(factors, c)
            return torch._foreach_mul(grads, factors)
        if self.global_clipnorm and self.global_clipnorm > 0:
            c = float(self.global_clipnorm)
            device = grads[0].device
            norms = torch._foreach_norm(grads)
            try:
                stacked = torch.stack(norms)
            except RuntimeError:  # mixed devices / dtypes
                stacked = torch.stack([n.to(device=device, dtype=torch.float32) for n in norms])
            total = torch.linalg.vector_norm(stacked.float())
            # clip * min(1 / norm, 1 / clip); + (norm - norm) propagates NaN / inf, as in Keras
            scale = torch.clamp_max(torch.reciprocal(total), 1.0 / c) * c + (total - total)
            if all(g.device == device and g.dtype == torch.float32 for g in grads):
                return torch._foreach_mul(grads, scale)
            return [g * scale.to(device=g.device, dtype=g.dtype) for g in grads]
        if self.clipvalue and self.clipvalue > 0:
            v = float(self.clipvalue)
            clipped = torch._foreach_clamp_max(grads, v)
            torch._foreach_clamp_min_(clipped, -v)
            return clipped
        return grads

    # ---- weight decay exclusion (Keras ``exclude_from_weight_decay``) -------------------
    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Exclude variables (or those whose name contains one of ``var_names``) from decay."""
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the "
                             "optimizer is built.")
        self._exclude_wd_ids = {id(v) for v in (var_list or [])}
        self._exclude_wd_pattern = re.compile("|".join(set(var_names))) if var_names else None
        self._wd_cache = {}

    def _use_weight_decay(self, p) -> bool:
        key = id(p)
        cached = self._wd_cache.get(key)
        if cached is not None:
            return cached
        use = key not in self._exclude_wd_ids
        if use and self._exclude_wd_pattern is not None:
            idx = self._var_index.get(key)
            names = [getattr(p, "name", None), getattr(p, "path", None),
                     self._variable_names[idx] if idx is not None else None]
            if any(isinstance(n, str) and self._exclude_wd_pattern.search(n) for n in names):
                use = False
        self._wd_cache[key] = use
        return use

    # ---- EMA (Keras ``use_ema``) ------------------------------------------------------
    def _update_ema(self, keras_iteration: int) -> None:
        params = self._trainable_variables
        averages = self._slots(params, "average")
        momentum = float(self.ema_momentum) if keras_iteration != 0 else 0.0
        torch._foreach_lerp_(averages, [p.detach() for p in params], 1.0 - momentum)
        freq = self.ema_overwrite_frequency
        if freq and (keras_iteration + 1) % freq == 0:
            torch._foreach_copy_(params, averages)

    def finalize_variable_values(self, var_list=None) -> None:
        """With ``use_ema``, overwrite the variables with their moving averages (Keras calls this
        at the end of ``fit``)."""
        if not self.use_ema or not self.built:
            return
        params = list(var_list) if var_list is not None else self._trainable_variables
        with torch.no_grad():
            for p in params:
                st = self.state.get(p)
                if st and "average" in st:
                    p.copy_(st["average"])

    def scale_loss(self, loss):
        """Multiply the loss by ``loss_scale_factor`` (Keras ``scale_loss``)."""
        if self.loss_scale_factor is not None:
            return loss * self.loss_scale_factor
        return loss

    # =================================================================================
    # config
    # =================================================================================
    def get_config(self) -> Dict[str, Any]:
        """Keras 3 config (same keys and order as ``keras.optimizers.<Class>.get_config()``)."""
        if self._lr_var is not None:
            lr: Any = float(self.learning_rate)
            if self._decay:
                lr = _schedules.serialize(_schedules.InverseTimeDecay(
                    lr, decay_steps=1, decay_rate=self._decay))
        elif isinstance(self._lr_obj, _schedules.LearningRateSchedule):
            sched = self._lr_obj
            if self._decay:
                sched = _schedules._TimeDecayed(sched, self._decay)
            lr = _schedules.serialize(sched)
        else:  # a plain callable is not serialisable: store its current value
            lr = float(self.learning_rate)
        config = {"name": self.name, "learning_rate": lr}
        for key in _BASE_CONFIG_KEYS[2:]:
            config[key] = getattr(self, key)
        for key in self._config_keys:
            config[key] = getattr(self, key)
        return config

    @classmethod
    def from_config(cls, config: Dict[str, Any], custom_objects=None):
        """Inverse of ``get_config``; also reads tf-keras and Keras 1/2 configs (``lr``,
        ``decay``, ``jit_compile``, ``is_legacy_optimizer``...)."""
        config = dict(config)
        for key in _IGNORED_CONFIG_KEYS:
            config.pop(key, None)
        for key in ("learning_rate", "lr"):
            if isinstance(config.get(key), dict):
                config[key] = _schedules.deserialize(config[key], custom_objects=custom_objects)
        return cls(**config)


_edge.install(Optimizer)
