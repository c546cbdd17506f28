"""`keras.optimizers.Adafactor` (Keras 3 rule).

With ``t = iterations + 1``: ``rho_t = min(lr, 1 / sqrt(t))``; ``alpha_t = max(epsilon_2,
rms(var)) * rho_t``; ``G = g^2 + epsilon_1``; ``beta_2_t = 1 - t^beta_2_decay``. Variables of
rank >= 2 keep factored row/column statistics ``r``, ``c`` of the last two axes and
``v = (r / mean(r)) [..., None] * c[..., None, :]``; others ``v = beta_2_t * v + (1 - beta_2_t) * G``.
``u = g / sqrt(v)``; ``var -= alpha_t * u / max(1, rms(u) / clip_threshold)``.
Defaults: ``learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
clip_threshold=1.0, relative_step=True``. Variables per trainable variable (Keras 3 order):
``r``, ``c`` (scalar placeholders for rank < 2), ``velocity``.
"""
from __future__ import annotations

import math

import torch

from ._common import base_kwargs
from .base import Optimizer


class Adafactor(Optimizer):
    """Keras ``Adafactor(learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30,
    epsilon_2=1e-3, clip_threshold=1.0, relative_step=True)``."""

    _config_keys = ("beta_2_decay", "epsilon_1", "epsilon_2", "clip_threshold", "relative_step")

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(**base_kwargs(locals()))
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def _slot_layout(self, era=3):
        if era == 3:
            return [("r", "c", "velocity")]
        return [("velocity",)]

    def _slot_in_keras_layout(self, slot):
        return True  # the factored statistics follow the Keras layout's last two axes

    def _keras_view(self, p, t):
        meta = self._meta.get(id(p))
        return meta.to_keras(t) if meta is not None and meta.to_keras is not None else t

    def _make_slot(self, p, slot):
        p = self._keras_view(p, p.detach())
        if slot in ("r", "c"):
            if p.dim() < 2:  # Keras keeps scalar placeholders for unfactored variables
                return torch.zeros((), dtype=p.dtype, device=p.device)
            shape = p.shape[:-1] if slot == "r" else p.shape[:-2] + p.shape[-1:]
            return torch.zeros(shape, dtype=p.dtype, device=p.device)
        return torch.zeros(p.shape, dtype=p.dtype, device=p.device)

    def _update_step(self, params, grads, lr, step):
        rho_t = min(lr, 1.0 / math.sqrt(step))
        beta_2_t = 1.0 - step ** float(self.beta_2_decay)
        eps1, eps2 = float(self.epsilon_1), float(self.epsilon_2)
        clip = float(self.clip_threshold)
        for param, grad in zip(params, grads):
            st = self.state[param]
            p = self._keras_view(param, param.detach())
            g = self._keras_view(param, grad)
            rms_var = torch.sqrt(torch.mean(torch.square(p)))
            alpha_t = torch.clamp(rms_var, min=eps2) * rho_t
            reg = torch.square(g) + eps1
            v = st["velocity"]
            if p.dim() >= 2:
                r, c = st["r"], st["c"]
                r.mul_(beta_2_t).add_(reg.mean(dim=-1), alpha=1.0 - beta_2_t)
                c.mul_(beta_2_t).add_(reg.mean(dim=-2), alpha=1.0 - beta_2_t)
                v.copy_((r / r.mean(dim=-1, keepdim=True)).unsqueeze(-1) * c.unsqueeze(-2))
            else:
                v.mul_(beta_2_t).add_(reg, alpha=1.0 - beta_2_t)
            u = g / torch.sqrt(v)
            rms_u = torch.sqrt(torch.mean(torch.square(u)))
            u_hat = u / torch.clamp(rms_u / clip, min=1.0)
            step_k = alpha_t * u_hat
            meta = self._meta.get(id(param))
            if meta is not None and meta.from_keras is not None:
                step_k = meta.from_keras(step_k)
            param.sub_(step_k.reshape(param.shape))
