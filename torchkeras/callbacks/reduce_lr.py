"""``ReduceLROnPlateau``: multiply the learning rate by ``factor`` when a metric plateaus.

Keras semantics: improvement means ``current < best - min_delta`` (``min`` mode; ``max``:
``current > best + min_delta``); ``auto`` means ``max`` only when ``'acc'`` is in the monitored
name; after ``patience`` epochs without improvement the rate becomes
``max(lr * factor, min_lr)`` (only if ``lr > min_lr``), then ``cooldown`` epochs are ignored.
The current rate is added to the epoch logs (``learning_rate`` in Keras 3, ``lr`` in Keras 2),
so ``History`` records it. Reads ``model.optimizer.learning_rate`` (a 0-d tensor) once per epoch
and writes it with ``model.optimizer.learning_rate = new_value``. Keras 2.0's ``epsilon=`` is
accepted as ``min_delta``. Decisions use the epoch logs, identical on every rank; the message
prints on rank 0 only.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ..backend.config import keras_era
from .base import Callback
from ._common import monitor_value, print_msg

__all__ = ["ReduceLROnPlateau"]


def read_lr(optimizer) -> float:
    """The optimizer's current learning rate as a Python float."""
    lr = optimizer.learning_rate
    if hasattr(lr, "detach"):
        return float(lr.detach().reshape(()).item())
    return float(np.asarray(lr).reshape(()))


class ReduceLROnPlateau(Callback):
    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 verbose: int = 0, mode: str = "auto", min_delta: float = 1e-4,
                 cooldown: int = 0, min_lr: float = 0.0, **kwargs):
        super().__init__()
        if "epsilon" in kwargs:
            min_delta = kwargs.pop("epsilon")
            warnings.warn("`epsilon` argument is deprecated and will be removed, use "
                          "`min_delta` instead.", stacklevel=2)
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments passed to ReduceLROnPlateau: "
                            f"{kwargs}")
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0. "
                             f"Received factor={factor}")
        self.monitor = monitor
        self.factor = factor
        self.min_lr = min_lr
        self.min_delta = min_delta
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0
        self.best = 0
        self.mode = mode
        self.monitor_op = None
        self._era = keras_era()
        self._reset()

    def _reset(self) -> None:
        if self.mode not in ("auto", "min", "max"):
            warnings.warn(f"Learning rate reduction mode {self.mode} is unknown, fallback to "
                          "auto mode.", stacklevel=2)
            self.mode = "auto"
        if self.mode == "min" or (self.mode == "auto" and "acc" not in self.monitor):
            self.monitor_op = lambda a, b: a < b - self.min_delta
            self.best = math.inf
        else:
            self.monitor_op = lambda a, b: a > b + self.min_delta
            self.best = -math.inf
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None) -> None:
        self._reset()

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None) -> None:
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        logs["learning_rate" if self._era == 3 else "lr"] = read_lr(optimizer)
        current, _ = monitor_value(logs, self.monitor)
        if current is None:
            warnings.warn("Learning rate reduction is conditioned on metric "
                          f"`{self.monitor}` which is not available. Available metrics are: "
                          f"{','.join(list(logs.keys()))}.", stacklevel=2)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = read_lr(optimizer)
                if old_lr > np.float32(self.min_lr):
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    optimizer.learning_rate = new_lr
                    if self.verbose > 0:
                        print_msg(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning "
                                  f"rate to {new_lr}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0
