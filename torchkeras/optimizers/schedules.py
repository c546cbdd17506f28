"""`keras.optimizers.schedules`: learning-rate schedules (Keras 3 semantics).

Every built-in schedule computes in float32, as Keras does on every backend, so values agree with
real Keras to float32 rounding (the oracle cases ``schedule_*`` check steps 0..50). ``__call__``
accepts an int, a numpy scalar or a torch tensor step and returns a 0-d float32 CPU tensor.
Optimizers call the private ``_value(step: int) -> float`` instead, which does the same float32
arithmetic on numpy scalars (no tensor allocation, no device sync in the training loop).

Serialisation follows Keras 3 (``{"module": "keras.optimizers.schedules", "class_name": ...,
"config": ..., "registered_name": None}``); ``deserialize`` also reads Keras 2 dicts
(``{"class_name": ..., "config": ...}``, ``name: None``).
"""
from __future__ import annotations

import math
from typing import Any, Dict, Optional

import numpy as np
import torch

__all__ = [
    "LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay", "PolynomialDecay",
    "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts", "serialize", "deserialize", "get",
]

_f32 = np.float32


def _step_to_int(step) -> int:
    """An int from a step given as int / numpy scalar / 0-d tensor (CPU: no device sync)."""
    if isinstance(step, (int, np.integer)):
        return int(step)
    if isinstance(step, torch.Tensor):
        return int(step.detach().reshape(-1)[0].item())
    arr = np.asarray(step)
    return int(arr.reshape(-1)[0])


def _step_to_f32(step) -> np.float32:
    if isinstance(step, torch.Tensor):
        return _f32(step.detach().reshape(-1)[0].item())
    return _f32(np.asarray(step).reshape(-1)[0])


class LearningRateSchedule:
    """Base class of learning-rate schedules (``keras.optimizers.schedules.LearningRateSchedule``).

    Subclasses implement ``__call__(step)`` (and ``get_config`` to be serialisable). A user
    subclass may return a Python float, numpy scalar or tensor; optimizers accept all three.
    """

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' must override "
            "`__call__(self, step)`.")

    def _value(self, step: int) -> float:
        """The rate at ``step`` as a Python float (used by optimizers once per step)."""
        value = self(step)
        if isinstance(value, torch.Tensor):
            return float(value.detach().reshape(-1)[0].item())
        return float(np.asarray(value).reshape(-1)[0])

    def get_config(self) -> Dict[str, Any]:
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' must override "
            "`get_config()` in order to be serializable.")

    @classmethod
    def from_config(cls, config: Dict[str, Any]):
        """Instantiate from ``get_config()`` output."""
        return cls(**config)


class _BuiltinSchedule(LearningRateSchedule):
    """Built-ins: float32 arithmetic in ``_compute`` shared by ``__call__`` and ``_value``."""

    def _compute(self, step: np.float32) -> np.float32:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, step):
        with np.errstate(all="ignore"):
            value = self._compute(_step_to_f32(step))
        return torch.tensor(float(value), dtype=torch.float32)

    def _value(self, step: int) -> float:
        with np.errstate(all="ignore"):
            return float(self._compute(_f32(step)))


def _check_positive_steps(name: str, value) -> None:
    if value is None or value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


class ExponentialDecay(_BuiltinSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``; ``staircase`` floors the
    exponent (Keras ``ExponentialDecay``)."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False, name: str = "ExponentialDecay"):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_positive_steps("decay_steps", decay_steps)

    def _compute(self, step):
        p = step / _f32(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return _f32(self.initial_learning_rate) * np.power(_f32(self.decay_rate), p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(_BuiltinSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` after (Keras
    ``PiecewiseConstantDecay``)."""

    def __init__(self, boundaries, values, name: str = "PiecewiseConstant"):
        super().__init__()
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}.")
        self.boundaries = list(boundaries)
        self.values = list(values)
        self.name = name

    def _compute(self, step):
        for b, v in zip(self.boundaries, self.values):
            if step <= b:
                return _f32(v)
        return _f32(self.values[-1])

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(_BuiltinSchedule):
    """Polynomial decay from ``initial_learning_rate`` to ``end_learning_rate`` over
    ``decay_steps`` (``cycle`` restarts at multiples of ``decay_steps``) (Keras ``PolynomialDecay``)."""

    def __init__(self, initial_learning_rate: float, decay_steps: int,
                 end_learning_rate: float = 0.0001, power: float = 1.0, cycle: bool = False,
                 name: str = "PolynomialDecay"):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        _check_positive_steps("decay_steps", decay_steps)

    def _compute(self, step):
        init = _f32(self.initial_learning_rate)
        end = _f32(self.end_learning_rate)
        decay_steps = _f32(self.decay_steps)
        if self.cycle:
            mult = _f32(1.0) if step == 0 else _f32(np.ceil(step / decay_steps))
            decay_steps = decay_steps * mult
        else:
            step = min(step, decay_steps)
        p = step / decay_steps
        return (init - end) * np.power(_f32(1) - p, _f32(self.power)) + end

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class InverseTimeDecay(_BuiltinSchedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)`` (``staircase`` floors
    ``step / decay_steps``) (Keras ``InverseTimeDecay``). Keras 2's optimizer argument
    ``decay`` is this schedule with ``decay_steps=1``."""

    def __init__(self, initial_learning_rate: float, decay_steps, decay_rate: float,
                 staircase: bool = False, name: str = "InverseTimeDecay"):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_positive_steps("decay_steps", decay_steps)

    def _compute(self, step):
        p = step / _f32(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return _f32(self.initial_learning_rate) / (_f32(1) + _f32(self.decay_rate) * p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class CosineDecay(_BuiltinSchedule):
    """Cosine decay with optional linear warmup (Keras 3 ``CosineDecay``).

    Without ``warmup_target``: ``lr0 * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps)
    / decay_steps)) + alpha)``. With it: linear from ``initial_learning_rate`` to ``warmup_target``
    over ``warmup_steps``, then the cosine decay from ``warmup_target``.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0,
                 name: str = "CosineDecay", warmup_target: Optional[float] = None,
                 warmup_steps: int = 0):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        _check_positive_steps("decay_steps", decay_steps)

    def _decay(self, step, decay_steps, decay_from):
        fraction = step / decay_steps
        cosine = _f32(0.5) * (_f32(1) + np.cos(_f32(math.pi) * fraction))
        alpha = _f32(self.alpha)
        return decay_from * ((_f32(1) - alpha) * cosine + alpha)

    def _compute(self, step):
        init = _f32(self.initial_learning_rate)
        decay_steps = _f32(self.decay_steps)
        if self.warmup_target is None:
            return self._decay(min(step, decay_steps), decay_steps, init)
        target = _f32(self.warmup_target)
        warmup_steps = _f32(self.warmup_steps)
        step = min(step, decay_steps + warmup_steps)
        if step < warmup_steps:
            return (target - init) * (step / warmup_steps) + init
        return self._decay(step - warmup_steps, decay_steps, target)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(_BuiltinSchedule):
    """SGDR cosine decay with warm restarts (Keras ``CosineDecayRestarts``): period ``i`` lasts
    ``first_decay_steps * t_mul**i`` steps and starts at ``m_mul**i`` times the initial rate."""

    def __init__(self, initial_learning_rate: float, first_decay_steps: int, t_mul: float = 2.0,
                 m_mul: float = 1.0, alpha: float = 0.0, name: str = "SGDRDecay"):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name
        _check_positive_steps("first_decay_steps", first_decay_steps)

    @property
    def t_mul(self):
        return self._t_mul

    @property
    def m_mul(self):
        return self._m_mul

    def _compute(self, step):
        init = _f32(self.initial_learning_rate)
        t_mul = _f32(self._t_mul)
        m_mul = _f32(self._m_mul)
        alpha = _f32(self.alpha)
        fraction = step / _f32(self.first_decay_steps)
        if t_mul == _f32(1.0):
            i_restart = np.floor(fraction)
            fraction = fraction - i_restart
        else:
            i_restart = np.floor(np.log(_f32(1.0) - fraction * (_f32(1.0) - t_mul)) / np.log(t_mul))
            sum_r = (_f32(1.0) - np.power(t_mul, i_restart)) / (_f32(1.0) - t_mul)
            fraction = (fraction - sum_r) / np.power(t_mul, i_restart)
        m_fac = np.power(m_mul, i_restart)
        cosine = _f32(0.5) * m_fac * (_f32(1.0) + np.cos(_f32(math.pi) * fraction))
        return init * ((_f32(1) - alpha) * cosine + alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


class _TimeDecayed(LearningRateSchedule):
    """Keras 2's ``decay`` argument applied on top of another schedule:
    ``schedule(step) / (1 + decay * step)`` (tf.keras ``OptimizerV2._decayed_lr``)."""

    def __init__(self, schedule: LearningRateSchedule, decay: float):
        self.schedule = schedule
        self.decay = decay

    def __call__(self, step):
        return torch.tensor(self._value(_step_to_int(step)), dtype=torch.float32)

    def _value(self, step: int) -> float:
        return float(_f32(self.schedule._value(step)) / (_f32(1) + _f32(self.decay) * _f32(step)))

    def get_config(self):
        return {"schedule": serialize(self.schedule), "decay": self.decay}

    @classmethod
    def from_config(cls, config):
        return cls(deserialize(config["schedule"]), config["decay"])


_BUILTINS = {c.__name__: c for c in (ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay,
                                      InverseTimeDecay, CosineDecay, CosineDecayRestarts)}
_ALIASES = {"PiecewiseConstant": PiecewiseConstantDecay, "SGDRDecay": CosineDecayRestarts,
            "_TimeDecayed": _TimeDecayed}


def serialize(learning_rate_schedule: LearningRateSchedule) -> Dict[str, Any]:
    """Keras 3 dict form: ``{"module", "class_name", "config", "registered_name"}``."""
    if not isinstance(learning_rate_schedule, LearningRateSchedule):
        raise TypeError("`serialize` expects a `LearningRateSchedule` instance. Received: "
                        f"{learning_rate_schedule!r} of type {type(learning_rate_schedule).__name__}")
    cls = type(learning_rate_schedule)
    builtin = cls.__name__ in _BUILTINS and _BUILTINS[cls.__name__] is cls
    return {"module": "keras.optimizers.schedules" if builtin else cls.__module__,
            "class_name": cls.__name__, "config": learning_rate_schedule.get_config(),
            "registered_name": None if builtin else cls.__name__}


def _strip_class_name(name: str) -> str:
    if ">" in name:  # "Custom>ExponentialDecay", "keras_cv>WarmUp"
        name = name.split(">")[-1]
    return name.split(".")[-1]


def deserialize(config, custom_objects: Optional[Dict[str, Any]] = None) -> LearningRateSchedule:
    """Schedule from a Keras 3 or Keras 2 serialised dict (``{"class_name", "config", ...}``)."""
    if isinstance(config, LearningRateSchedule):
        return config
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("Could not interpret learning rate schedule config: expected a dict "
                         f"with keys 'class_name' and 'config'. Received: {config!r}")
    raw_name = config["class_name"]
    cfg = dict(config.get("config") or {})
    custom_objects = custom_objects or {}
    cls = None
    for key in (raw_name, config.get("registered_name"), _strip_class_name(str(raw_name))):
        if key and key in custom_objects:
            cls = custom_objects[key]
            break
    if cls is None:
        name = _strip_class_name(str(raw_name))
        cls = _BUILTINS.get(name) or _ALIASES.get(name)
    if cls is None:
        raise ValueError(f"Unknown learning rate schedule: {raw_name!r}. Please ensure it is "
                         "a built-in schedule or pass it in `custom_objects`.")
    if cfg.get("name", "") is None:  # Keras 2 writes name=None
        cfg.pop("name")
    return cls.from_config(cfg)


def get(identifier, custom_objects=None) -> LearningRateSchedule:
    """A schedule from an instance or a serialised dict."""
    if isinstance(identifier, LearningRateSchedule):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier, custom_objects)
    raise ValueError(f"Could not interpret learning rate schedule identifier: {identifier!r}")
