"""`keras.optimizers.Lamb` (Keras 3 rule).

``m``, ``v`` as in Adam; ``update = (m / (1 - beta_1^t)) / (sqrt(v / (1 - beta_2^t)) + eps)``;
``ratio = ||var|| / ||update||`` when both norms are > 0, else 1; ``var -= ratio * lr * update``.
Defaults: ``learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7``.
Slots: ``momentum``, ``velocity`` (interleaved).
"""
from __future__ import annotations

import numpy as np
import torch

from ._common import base_kwargs
from .base import Optimizer, _check_non_negative, _check_range

_f32 = np.float32


class Lamb(Optimizer):
    """Keras ``Lamb(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)``."""

    _config_keys = ("beta_1", "beta_2", "epsilon")
    _keras2_slot_names = {"momentum": "m", "velocity": "v"}

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(**base_kwargs(locals()))
        _check_range("beta_1", beta_1, 0.0, 1.0)
        _check_range("beta_2", beta_2, 0.0, 1.0)
        _check_non_negative("epsilon", epsilon)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _slot_layout(self, era=3):
        return [("momentum", "velocity")]

    def _update_step(self, params, grads, lr, step):
        t = _f32(step)
        c1 = float(_f32(1) - _f32(self.beta_1) ** t)
        c2 = float(_f32(1) - _f32(self.beta_2) ** t)
        m = self._slots(params, "momentum")
        v = self._slots(params, "velocity")
        torch._foreach_lerp_(m, grads, 1.0 - float(self.beta_1))
        torch._foreach_lerp_(v, torch._foreach_mul(grads, grads), 1.0 - float(self.beta_2))
        denom = torch._foreach_div(v, c2)
        torch._foreach_sqrt_(denom)
        torch._foreach_add_(denom, float(self.epsilon))
        update = torch._foreach_div(m, c1)
        torch._foreach_div_(update, denom)
        w_norms = torch._foreach_norm(params)
        u_norms = torch._foreach_norm(update)
        try:  # one where() for all variables (same device and dtype: the usual case)
            w, u = torch.stack(w_norms), torch.stack(u_norms)
            ratios = list(torch.where((w > 0) & (u > 0), w / u, torch.ones_like(w)).unbind())
        except RuntimeError:
            ratios = [torch.where((w > 0) & (u > 0), w / u, torch.ones_like(w))
                      for w, u in zip(w_norms, u_norms)]
        torch._foreach_mul_(update, ratios)
        torch._foreach_add_(params, update, alpha=-lr)
