"""`keras.optimizers.Nadam` (Keras 3 rule; tf-keras multiplies its momentum product once per
variable inside compiled steps, a bug this does not reproduce).

``u_t = beta_1 * (1 - 0.5 * 0.96^t)``, ``u_{t+1}`` likewise; ``u_product *= u_t`` once per step;
``m``, ``v`` as in Adam; ``m_hat = u_{t+1} * m / (1 - u_product * u_{t+1}) + (1 - u_t) * g /
(1 - u_product)``; ``v_hat = v / (1 - beta_2^t)``; ``var -= lr * m_hat / (sqrt(v_hat) + eps)``.
Defaults: ``learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7``. Variables (Keras 3
order): ``momentum``, ``velocity`` interleaved, then the scalar ``u_product``.
"""
from __future__ import annotations

import numpy as np
import torch

from ..backend.config import epsilon as _default_epsilon
from ._common import base_kwargs
from .base import Optimizer, _check_non_negative, _check_range, _legacy_warn
from .variables import StateVariable

_f32 = np.float32


class Nadam(Optimizer):
    """Keras ``Nadam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)``."""

    _config_keys = ("beta_1", "beta_2", "epsilon")
    _keras2_slot_names = {"momentum": "m", "velocity": "v"}

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        schedule_decay = kwargs.pop("schedule_decay", None)
        super().__init__(**base_kwargs(locals()))
        if schedule_decay is not None:
            _legacy_warn("Nadam's `schedule_decay` argument (Keras 1/2) is deprecated and has "
                         "no effect: the momentum schedule follows Keras 3 (0.96 ** step).")
        if epsilon is None:
            epsilon = _default_epsilon()
        _check_range("beta_1", beta_1, 0.0, 1.0)
        _check_range("beta_2", beta_2, 0.0, 1.0)
        _check_non_negative("epsilon", epsilon)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self._u_product = StateVariable(1.0, dtype=torch.float32, name="u_product")

    def _slot_layout(self, era=3):
        return [("momentum", "velocity")]

    def _extra_variables(self):
        return super()._extra_variables() + [("u_product", self._u_product)]

    def _prepare_step(self, step):
        self._u_t = _f32(self.beta_1) * (_f32(1) - _f32(0.5) * _f32(0.96) ** _f32(step))
        self._u_t1 = _f32(self.beta_1) * (_f32(1) - _f32(0.5) * _f32(0.96) ** _f32(step + 1))
        prod = _f32(float(self._u_product)) * self._u_t
        self._u_product.fill_(float(prod))

    def _update_step(self, params, grads, lr, step):
        u_t, u_t1 = self._u_t, self._u_t1
        u_prod = _f32(float(self._u_product))
        u_prod_1 = u_prod * u_t1
        b2p = _f32(self.beta_2) ** _f32(step)
        c_m = float(u_t1 / (_f32(1) - u_prod_1))
        c_g = float((_f32(1) - u_t) / (_f32(1) - u_prod))
        m = self._slots(params, "momentum")
        v = self._slots(params, "velocity")
        torch._foreach_lerp_(m, grads, 1.0 - float(self.beta_1))
        torch._foreach_lerp_(v, torch._foreach_mul(grads, grads), 1.0 - float(self.beta_2))
        m_hat = torch._foreach_mul(m, c_m)
        torch._foreach_add_(m_hat, grads, alpha=c_g)
        denom = torch._foreach_div(v, float(_f32(1) - b2p))
        torch._foreach_sqrt_(denom)
        torch._foreach_add_(denom, float(self.epsilon))
        torch._foreach_addcdiv_(params, m_hat, denom, value=-lr)
