"""`keras.optimizers.Lion` (Keras 3 rule).

``var -= lr * sign(beta_1 * m + (1 - beta_1) * g)``; then ``m = beta_2 * m + (1 - beta_2) * g``.
Defaults: ``learning_rate=0.001, beta_1=0.9, beta_2=0.99``. Slot: ``momentum``.
"""
from __future__ import annotations

import torch

from ._common import base_kwargs
from .base import Optimizer, _check_range


class Lion(Optimizer):
    """Keras ``Lion(learning_rate=0.001, beta_1=0.9, beta_2=0.99)``."""

    _config_keys = ("beta_1", "beta_2")
    _keras2_slot_names = {"momentum": "m"}

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(**base_kwargs(locals()))
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError("Argument `beta_1` must be in the [0, 1] range. Otherwise, the "
                             f"optimizer degenerates to SignSGD. Received: beta_1={beta_1}.")
        _check_range("beta_2", beta_2, 0.0, 1.0)
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    def _slot_layout(self, era=3):
        return [("momentum",)]

    def _update_step(self, params, grads, lr, step):
        b1, b2 = float(self.beta_1), float(self.beta_2)
        m = self._slots(params, "momentum")
        direction = torch._foreach_mul(m, b1)
        torch._foreach_add_(direction, grads, alpha=1.0 - b1)
        torch._foreach_sign_(direction)
        torch._foreach_add_(params, direction, alpha=-lr)
        torch._foreach_mul_(m, b2)
        torch._foreach_add_(m, grads, alpha=1.0 - b2)
