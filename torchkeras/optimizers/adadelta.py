"""`keras.optimizers.Adadelta` (Keras 3 rule, epsilon inside the square roots).

``ag = rho * ag + (1 - rho) * g^2``; ``delta = -sqrt(ad + eps) * g / sqrt(ag + eps)``;
``ad = rho * ad + (1 - rho) * delta^2``; ``var += lr * delta``. Defaults: ``learning_rate=0.001,
rho=0.95, epsilon=1e-7``. Slots: ``accumulated_grad``, ``accumulated_delta_var`` (interleaved).
"""
from __future__ import annotations

import torch

from ..backend.config import epsilon as _default_epsilon
from ._common import base_kwargs
from .base import Optimizer, _check_non_negative, _check_range


class Adadelta(Optimizer):
    """Keras ``Adadelta(learning_rate=0.001, rho=0.95, epsilon=1e-7)``."""

    _config_keys = ("rho", "epsilon")

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(**base_kwargs(locals()))
        if epsilon is None:
            epsilon = _default_epsilon()
        _check_range("rho", rho, 0.0, 1.0)
        _check_non_negative("epsilon", epsilon)
        self.rho = rho
        self.epsilon = epsilon

    def _slot_layout(self, era=3):
        return [("accumulated_grad", "accumulated_delta_var")]

    def _update_step(self, params, grads, lr, step):
        rho, eps = float(self.rho), float(self.epsilon)
        ag = self._slots(params, "accumulated_grad")
        ad = self._slots(params, "accumulated_delta_var")
        torch._foreach_mul_(ag, rho)
        torch._foreach_addcmul_(ag, grads, grads, value=1.0 - rho)
        num = torch._foreach_add(ad, eps)
        torch._foreach_sqrt_(num)
        den = torch._foreach_add(ag, eps)
        torch._foreach_sqrt_(den)
        delta = torch._foreach_mul(num, grads)
        torch._foreach_div_(delta, den)  # delta_var = -delta
        torch._foreach_mul_(ad, rho)
        torch._foreach_addcmul_(ad, delta, delta, value=1.0 - rho)
        torch._foreach_add_(params, delta, alpha=-lr)
