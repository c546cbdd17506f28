"""`keras.optimizers.SGD`: gradient descent with optional (Nesterov) momentum (Keras 3 rule).

``m = momentum * m - lr * g``; plain: ``var += m``; Nesterov: ``var += momentum * m - lr * g``;
without momentum ``var -= lr * g``. Defaults: ``learning_rate=0.01``, ``momentum=0.0``.
"""
from __future__ import annotations

import torch

from .base import Optimizer, _check_range


class SGD(Optimizer):
    """Keras ``SGD(learning_rate=0.01, momentum=0.0, nesterov=False, ...)``."""

    _config_keys = ("momentum", "nesterov")
    _keras2_slot_names = {"momentum": "m"}

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm,
                         use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        _check_range("momentum", momentum, 0.0, 1.0)
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def _slot_layout(self, era=3):
        # Keras 3 creates momentum slots only for momentum != 0; tf-keras always does.
        if self.momentum != 0 or era != 3:
            return [("momentum",)]
        return []

    def _update_step(self, params, grads, lr, step):
        if self.momentum == 0:
            torch._foreach_add_(params, grads, alpha=-lr)
            return
        m = self._slots(params, "momentum")
        torch._foreach_mul_(m, self.momentum)
        torch._foreach_add_(m, grads, alpha=-lr)
        if self.nesterov:
            upd = torch._foreach_mul(m, self.momentum)
            torch._foreach_add_(upd, grads, alpha=-lr)
            torch._foreach_add_(params, upd)
        else:
            torch._foreach_add_(params, m)
