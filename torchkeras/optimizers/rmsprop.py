"""`keras.optimizers.RMSprop` (Keras 3 rule: epsilon *inside* the square root).

``v = rho * v + (1 - rho) * g^2``; centered: ``a = rho * a + (1 - rho) * g`` and
``denominator = v - a^2 + eps``, else ``v + eps``; ``increment = lr * g / sqrt(denominator)``;
with momentum ``mom = momentum * mom + increment; var -= mom``, else ``var -= increment``.
Defaults: ``learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False``.
Slots (Keras order): all ``velocity``, then all ``momentum`` (momentum > 0), then all
``average_gradient`` (centered).
"""
from __future__ import annotations

import torch

from ..backend.config import epsilon as _default_epsilon
from .base import Optimizer, _check_non_negative, _check_range


class RMSprop(Optimizer):
    """Keras ``RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False)``."""

    _config_keys = ("rho", "momentum", "epsilon", "centered")

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm,
                         use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        if epsilon is None:  # Keras 2.2: epsilon=None meant K.epsilon()
            epsilon = _default_epsilon()
        _check_range("rho", rho, 0.0, 1.0)
        _check_range("momentum", momentum, 0.0, 1.0)
        _check_non_negative("epsilon", epsilon)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = bool(centered)

    def _slot_layout(self, era=3):
        blocks = [("velocity",)]
        if self.momentum > 0:
            blocks.append(("momentum",))
        if self.centered:
            blocks.append(("average_gradient",))
        return blocks

    def _update_step(self, params, grads, lr, step):
        rho = float(self.rho)
        eps = float(self.epsilon)
        v = self._slots(params, "velocity")
        torch._foreach_lerp_(v, torch._foreach_mul(grads, grads), 1.0 - rho)
        if self.centered:
            a = self._slots(params, "average_gradient")
            torch._foreach_lerp_(a, grads, 1.0 - rho)
            denom = torch._foreach_addcmul(v, a, a, value=-1.0)
            torch._foreach_add_(denom, eps)
        else:
            denom = torch._foreach_add(v, eps)
        torch._foreach_sqrt_(denom)
        if self.momentum > 0:
            mom = self._slots(params, "momentum")
            torch._foreach_mul_(mom, float(self.momentum))
            torch._foreach_addcdiv_(mom, grads, denom, value=lr)
            torch._foreach_sub_(params, mom)
        else:
            torch._foreach_addcdiv_(params, grads, denom, value=-lr)
