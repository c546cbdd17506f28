"""``EarlyStopping``: stop ``fit`` when a monitored quantity stops improving.

Keras semantics: ``wait`` counts epochs without improvement (``min_delta`` required), training
stops once ``wait >= patience`` (never at epoch 0), a ``baseline`` must also be beaten to reset
``wait``, nothing is monitored before ``start_from_epoch``. ``restore_best_weights``: Keras 3
restores the best epoch's weights at the end of training whenever a best epoch exists; Keras 2
(tf-keras, era 2) only when it stopped early. Messages: ``Epoch N: early stopping`` and
``Restoring model weights from the end of the best epoch: N.`` (rank 0 only).

``monitor='val_acc'`` finds ``val_accuracy`` (and vice versa). A missing key warns with Keras's
message and the epoch is skipped. The decision uses the epoch logs, identical on every rank.
"""
from __future__ import annotations

import math
import warnings

from ..backend.config import keras_era
from .base import Callback
from ._common import auto_direction, check_mode, monitor_value, print_msg

__all__ = ["EarlyStopping"]


class EarlyStopping(Callback):
    def __init__(self, monitor: str = "val_loss", min_delta: float = 0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline=None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0):
        super().__init__()
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.min_delta = abs(min_delta)
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self.best_epoch = 0
        self.start_from_epoch = start_from_epoch
        self.mode = check_mode(mode, f"EarlyStopping mode {mode} is unknown, fallback to auto "
                                     "mode.")
        self.monitor_op = None
        self.best = None
        self._era = keras_era()
        if self._era != 3:
            self._set_monitor_op()

    def _set_monitor_op(self, key=None) -> None:
        direction = self.mode if self.mode != "auto" else \
            auto_direction(key or self.monitor, self.model, self._era)
        if direction is None:
            raise ValueError(
                f"EarlyStopping callback received monitor={self.monitor} but Keras isn't able "
                "to automatically determine whether that metric should be maximized or "
                "minimized. Pass `mode='max'` in order to do early stopping based on the "
                "highest metric value, or pass `mode='min'` in order to use the lowest value.")
        # improvement: value + min_delta < best (min) / value - min_delta > best (max)
        self._sign = 1.0 if direction == "min" else -1.0
        self.monitor_op = (lambda a, b: a < b) if direction == "min" else (lambda a, b: a > b)
        self.best = math.inf if direction == "min" else -math.inf

    def _is_improvement(self, value, reference) -> bool:
        if reference is None:
            return True
        return bool(self.monitor_op(value + self._sign * self.min_delta, reference))

    def on_train_begin(self, logs=None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights = None
        self.best_epoch = 0
        if self.monitor_op is not None:
            self.best = math.inf if self._sign > 0 else -math.inf

    def get_monitor_value(self, logs):
        value, key = monitor_value(logs, self.monitor)
        if value is None:
            warnings.warn(f"Early stopping conditioned on metric `{self.monitor}` which is not "
                          f"available. Available metrics are: {','.join(list((logs or {}).keys()))}",
                          stacklevel=2)
        return value

    def on_epoch_end(self, epoch, logs=None) -> None:
        if self.monitor_op is None:
            from ._common import resolve_key
            self._set_monitor_op(resolve_key(logs, self.monitor))
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self._era != 3 and self.restore_best_weights and self.best_weights is not None:
                if self.verbose > 0:
                    print_msg("Restoring model weights from the end of the best epoch: "
                              f"{self.best_epoch + 1}.")
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self._era == 3 and self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg("Restoring model weights from the end of the best epoch: "
                          f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)
