"""`keras.optimizers.Adamax` (Keras 3 rule).

``m += (g - m) * (1 - beta_1)``; ``u = max(beta_2 * u, |g|)``;
``var -= lr * m / ((1 - beta_1^t) * (u + epsilon))``. Defaults: ``learning_rate=0.001,
beta_1=0.9, beta_2=0.999, epsilon=1e-7``. Slots: ``momentum``, ``norm`` (interleaved).
"""
from __future__ import annotations

import numpy as np
import torch

from ..backend.config import epsilon as _default_epsilon
from ._common import base_kwargs
from .base import Optimizer, _check_non_negative, _check_range

_f32 = np.float32


class Adamax(Optimizer):
    """Keras ``Adamax(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)``."""

    _config_keys = ("beta_1", "beta_2", "epsilon")
    _keras2_slot_names = {"momentum": "m", "norm": "u"}

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(**base_kwargs(locals()))
        if epsilon is None:
            epsilon = _default_epsilon()
        _check_range("beta_1", beta_1, 0.0, 1.0)
        _check_range("beta_2", beta_2, 0.0, 1.0)
        _check_non_negative("epsilon", epsilon)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _slot_layout(self, era=3):
        return [("momentum", "norm")]

    def _update_step(self, params, grads, lr, step):
        b1 = _f32(self.beta_1)
        correction = float(_f32(1) - b1 ** _f32(step))
        m = self._slots(params, "momentum")
        u = self._slots(params, "norm")
        torch._foreach_lerp_(m, grads, 1.0 - float(self.beta_1))
        torch._foreach_mul_(u, float(self.beta_2))
        torch._foreach_maximum_(u, torch._foreach_abs(grads))
        denom = torch._foreach_add(u, float(self.epsilon))
        torch._foreach_mul_(denom, correction)
        torch._foreach_addcdiv_(params, m, denom, value=-lr)
