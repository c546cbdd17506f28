"""`keras.optimizers.Ftrl` (Follow The Regularized Leader, Keras 3 rule).

With ``p = -learning_rate_power``: ``g' = g + 2 * l2_shrinkage * var``; ``n' = n + g^2``;
``linear += g' - (n'^p - n^p) / lr * var``; ``quadratic = n'^p / lr + 2 * (l2 + beta / (2 lr))``;
``var = (clip(linear, -l1, l1) - linear) / quadratic``; ``n = n'``. Defaults:
``learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1``, all strengths 0.
Slots: ``accumulator``, ``linear`` (interleaved).
"""
from __future__ import annotations

import torch

from ._common import base_kwargs
from .base import Optimizer


class Ftrl(Optimizer):
    """Keras ``Ftrl(learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
    l1_regularization_strength=0.0, l2_regularization_strength=0.0,
    l2_shrinkage_regularization_strength=0.0, beta=0.0)``."""

    _config_keys = ("learning_rate_power", "initial_accumulator_value",
                    "l1_regularization_strength", "l2_regularization_strength",
                    "l2_shrinkage_regularization_strength", "beta")

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(**base_kwargs(locals()))
        checks = (("initial_accumulator_value", initial_accumulator_value, "positive or zero"),
                  ("l1_regularization_strength", l1_regularization_strength, "positive or zero"),
                  ("l2_regularization_strength", l2_regularization_strength, "positive or zero"),
                  ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength,
                   "positive or zero"))
        for key, value, what in checks:
            if value < 0.0:
                raise ValueError(f"`{key}` needs to be {what}. Received: {key}={value}.")
        if learning_rate_power > 0.0:
            raise ValueError("`learning_rate_power` needs to be negative or zero. Received: "
                             f"learning_rate_power={learning_rate_power}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def _slot_layout(self, era=3):
        return [("accumulator", "linear")]

    def _slot_initial_value(self, slot):
        return float(self.initial_accumulator_value) if slot == "accumulator" else 0.0

    def _update_step(self, params, grads, lr, step):
        power = -float(self.learning_rate_power)
        l1 = float(self.l1_regularization_strength)
        l2 = float(self.l2_regularization_strength) + float(self.beta) / (2.0 * lr)
        shrink = float(self.l2_shrinkage_regularization_strength)
        accum = self._slots(params, "accumulator")
        linear = self._slots(params, "linear")
        if shrink:
            g_use = torch._foreach_add(grads, params, alpha=2.0 * shrink)
        else:
            g_use = grads
        new_accum = torch._foreach_addcmul(accum, grads, grads)
        new_pow = torch._foreach_pow(new_accum, power)
        old_pow = torch._foreach_pow(accum, power)
        sigma = torch._foreach_sub(new_pow, old_pow)
        torch._foreach_div_(sigma, lr)
        torch._foreach_add_(linear, g_use)
        torch._foreach_sub_(linear, torch._foreach_mul(sigma, params))
        quadratic = torch._foreach_div(new_pow, lr)
        torch._foreach_add_(quadratic, 2.0 * l2)
        clipped = torch._foreach_clamp_min(torch._foreach_clamp_max(linear, l1), -l1)
        torch._foreach_sub_(clipped, linear)
        torch._foreach_div_(clipped, quadratic)
        torch._foreach_copy_(params, clipped)
        torch._foreach_copy_(accum, new_accum)
