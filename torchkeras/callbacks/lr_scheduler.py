"""``LearningRateScheduler``: set the learning rate from ``schedule`` at each epoch start.

``schedule(epoch)`` (Keras 1/2) or ``schedule(epoch, lr)`` (Keras 2.2+/3), ``epoch`` counted from
0, ``lr`` the current rate as a float. The result must be a float (Python, numpy or a 0-d float
tensor), else Keras's ``ValueError``. The rate is logged at epoch end (``learning_rate`` in
Keras 3, ``lr`` in Keras 2). ``verbose=1`` prints Keras's message (rank 0 only).
"""
from __future__ import annotations

import inspect

import numpy as np

from ..backend.config import keras_era
from .base import Callback
from ._common import print_msg
from .reduce_lr import read_lr

__all__ = ["LearningRateScheduler"]


def _takes_lr(fn) -> bool:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return True
    n = 0
    for p in sig.parameters.values():
        if p.kind == p.VAR_POSITIONAL:
            return True
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            n += 1
    return n >= 2


class LearningRateScheduler(Callback):
    def __init__(self, schedule, verbose: int = 0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"`schedule` must be callable. Received: {schedule!r}")
        self.schedule = schedule
        self.verbose = verbose
        self._era = keras_era()

    def _new_lr(self, optimizer, epoch: int) -> float:
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        if _takes_lr(self.schedule):
            lr = self.schedule(epoch, read_lr(optimizer))
        else:
            lr = self.schedule(epoch)
        if hasattr(lr, "detach") and lr.numel() == 1 and lr.dtype.is_floating_point:
            lr = float(lr.detach().reshape(()).item())
        if not isinstance(lr, (float, np.floating)):
            raise ValueError("The output of the `schedule` function should be a float. "
                             f"Got: {lr}")
        optimizer.learning_rate = float(lr)
        return lr

    def on_epoch_begin(self, epoch, logs=None) -> None:
        optimizer = self.model.optimizer
        if hasattr(optimizer, "optimizers"):
            for idx, opt in enumerate(optimizer.optimizers):
                lr = self._new_lr(opt, epoch)
                if self.verbose > 0:
                    print_msg(f"\nEpoch {epoch + 1}: LearningRateScheduler setting "
                              f"{getattr(opt, 'name', 'optimizer')}_{idx} learning rate to {lr}.")
        else:
            lr = self._new_lr(optimizer, epoch)
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                          f"{lr}.")

    def on_epoch_end(self, epoch, logs=None) -> None:
        if logs is None:
            return
        optimizer = self.model.optimizer
        if hasattr(optimizer, "optimizers"):
            for idx, opt in enumerate(optimizer.optimizers):
                logs[f"learning_rate_{getattr(opt, 'name', 'optimizer')}_{idx}"] = read_lr(opt)
        else:
            logs["learning_rate" if self._era == 3 else "lr"] = read_lr(optimizer)
