"""`keras.optimizers.Adam` and `AdamW` (Keras 3 rule).

``m += (g - m) * (1 - beta_1)``, ``v += (g^2 - v) * (1 - beta_2)``; with ``amsgrad``
``v_hat = max(v_hat, v)`` replaces ``v``; ``alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)``;
``var -= alpha * m / (sqrt(v) + epsilon)`` (epsilon *outside* the square root of the
uncorrected ``v``). Defaults: ``learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7``.
``AdamW`` is Adam with the base class's decoupled weight decay (default ``0.004``).
Slots (Keras order): ``momentum``, ``velocity`` interleaved per variable, then all
``velocity_hat`` (amsgrad).
"""
from __future__ import annotations

import numpy as np
import torch

from ..backend.config import epsilon as _default_epsilon
from .base import Optimizer, _check_non_negative, _check_range

_f32 = np.float32


class Adam(Optimizer):
    """Keras ``Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False)``."""

    _config_keys = ("beta_1", "beta_2", "epsilon", "amsgrad")
    _keras2_slot_names = {"momentum": "m", "velocity": "v", "velocity_hat": "vhat"}

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
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
        if epsilon is None:
            epsilon = _default_epsilon()
        _check_range("beta_1", beta_1, 0.0, 1.0)
        _check_range("beta_2", beta_2, 0.0, 1.0)
        _check_non_negative("epsilon", epsilon)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = bool(amsgrad)

    def _slot_layout(self, era=3):
        blocks = [("momentum", "velocity")]
        if self.amsgrad:
            blocks.append(("velocity_hat",))
        return blocks

    def _update_step(self, params, grads, lr, step):
        b1, b2 = _f32(self.beta_1), _f32(self.beta_2)
        t = _f32(step)
        alpha = float(_f32(lr) * np.sqrt(_f32(1) - b2 ** t) / (_f32(1) - b1 ** t))
        m = self._slots(params, "momentum")
        v = self._slots(params, "velocity")
        torch._foreach_lerp_(m, grads, 1.0 - float(self.beta_1))
        torch._foreach_lerp_(v, torch._foreach_mul(grads, grads), 1.0 - float(self.beta_2))
        if self.amsgrad:
            v_hat = self._slots(params, "velocity_hat")
            torch._foreach_maximum_(v_hat, v)
            v = v_hat
        denom = torch._foreach_sqrt(v)
        torch._foreach_add_(denom, float(self.epsilon))
        torch._foreach_addcdiv_(params, m, denom, value=-alpha)


class AdamW(Adam):
    """Keras ``AdamW(learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
    epsilon=1e-7, amsgrad=False)``: Adam with decoupled weight decay."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        if weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: "
                             "weight_decay=None")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm,
                         use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
