"""`keras.optimizers.Adagrad` (Keras 3 rule: accumulator starts at 0.1, epsilon inside the sqrt).

``acc += g^2``; ``var -= lr * g / sqrt(acc + epsilon)``. Defaults: ``learning_rate=0.001,
initial_accumulator_value=0.1, epsilon=1e-7``. Slot: ``accumulator``.
"""
from __future__ import annotations

import torch

from ..backend.config import epsilon as _default_epsilon
from ._common import base_kwargs
from .base import Optimizer, _check_non_negative


class Adagrad(Optimizer):
    """Keras ``Adagrad(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7)``."""

    _config_keys = ("initial_accumulator_value", "epsilon")

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(**base_kwargs(locals()))
        if epsilon is None:
            epsilon = _default_epsilon()
        _check_non_negative("initial_accumulator_value", initial_accumulator_value)
        _check_non_negative("epsilon", epsilon)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def _slot_layout(self, era=3):
        return [("accumulator",)]

    def _slot_initial_value(self, slot):
        return float(self.initial_accumulator_value) if slot == "accumulator" else 0.0

    def _update_step(self, params, grads, lr, step):
        acc = self._slots(params, "accumulator")
        torch._foreach_addcmul_(acc, grads, grads)
        denom = torch._foreach_add(acc, float(self.epsilon))
        torch._foreach_sqrt_(denom)
        torch._foreach_addcdiv_(params, grads, denom, value=-lr)
