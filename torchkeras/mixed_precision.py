"""``keras.mixed_precision``: dtype policies.

``set_global_policy('mixed_float16' | 'mixed_bfloat16')`` makes new layers keep float32
weights and compute in half precision: the trainer runs the forward pass under
``torch.autocast`` (and scales the loss for float16). A layer created with ``dtype='float32'``
keeps computing in float32 (autocast is disabled inside it).
"""
from __future__ import annotations

from .backend import config

_VALID = ("float16", "bfloat16", "float32", "float64", "mixed_float16", "mixed_bfloat16",
          "int32", "int64", "uint8", "bool", "int8", "int16")


class Policy:
    """Keras's ``DTypePolicy``: ``name``, ``compute_dtype``, ``variable_dtype``."""

    def __init__(self, name: str):
        if isinstance(name, Policy):
            name = name.name
        if name not in _VALID:
            raise ValueError(f"Cannot convert value {name!r} to a mixed precision Policy. Valid "
                             "policies include 'mixed_float16', 'mixed_bfloat16', and the name of "
                             "any float dtype such as 'float32'.")
        self.name = name

    @property
    def compute_dtype(self) -> str:
        return {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}.get(self.name, self.name)

    @property
    def variable_dtype(self) -> str:
        return "float32" if self.name.startswith("mixed_") else self.name

    def __repr__(self):
        return f'<Policy "{self.name}">'

    def __eq__(self, other):
        return isinstance(other, Policy) and other.name == self.name

    def __hash__(self):
        return hash(self.name)

    def get_config(self):
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(config["name"])


DTypePolicy = Policy
_GLOBAL = None


def global_policy() -> Policy:
    return _GLOBAL if _GLOBAL is not None else Policy(config.floatx())


def set_global_policy(policy) -> None:
    """Set the policy new layers get ('mixed_float16', 'mixed_bfloat16', 'float32', ...)."""
    global _GLOBAL
    if policy is None:
        _GLOBAL = None
        return
    _GLOBAL = policy if isinstance(policy, Policy) else Policy(str(policy))


def dtype_policy() -> Policy:
    return global_policy()


def set_dtype_policy(policy) -> None:
    set_global_policy(policy)


class LossScaleOptimizer:  # pragma: no cover - documented stand-in
    """Keras's wrapper: torchkeras scales losses inside ``fit`` under a float16 policy, so this
    returns the wrapped optimizer unchanged (kept for scripts that construct it)."""

    def __new__(cls, inner_optimizer, *args, **kwargs):
        return inner_optimizer
