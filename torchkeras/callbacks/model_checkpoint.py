"""``ModelCheckpoint``: save the model (or its weights) during ``fit``.

Keras semantics: ``filepath`` may hold ``str.format`` fields filled from ``epoch`` (1-based),
``batch`` (1-based, batch-level saving) and the logs, e.g. ``weights.{epoch:02d}-{val_loss:.2f}.h5``;
``save_best_only`` saves only when ``monitor`` improves (``initial_value_threshold`` as the
first best); ``save_freq='epoch'`` or an int number of batches; Keras 1/2's ``period=N`` saves
every N epochs. Saving calls ``model.save_weights(path, overwrite=True)`` or
``model.save(path, overwrite=True)`` (atomic in torchkeras's saving code), on rank 0 only,
followed by a barrier under DDP. Any extension is accepted (old scripts use ``.hdf5``); the format
is the saving code's choice. Messages as Keras (``\\nEpoch N: val_loss improved from inf to
0.41234, saving model to ...``), rank 0 only.

When the monitored key is missing: Keras 3 warns and saves anyway; Keras 2 warns and skips.
"""
from __future__ import annotations

import math
import os
import warnings

from ..backend.config import keras_era
from .base import Callback
from ._common import (auto_direction, barrier, check_mode, is_chief, monitor_value, print_msg,
                      to_float)

__all__ = ["ModelCheckpoint"]


class ModelCheckpoint(Callback):
    def __init__(self, filepath, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False,
                 mode: str = "auto", save_freq="epoch", initial_value_threshold=None,
                 options=None, period=None, **kwargs):
        super().__init__()
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments passed to ModelCheckpoint: {kwargs}")
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self.period = period
        self.options = options
        self._era = keras_era()
        cls = type(self).__name__
        self.mode = check_mode(mode, f"{cls} mode '{mode}' is unknown, fallback to auto mode.")
        self.best = initial_value_threshold
        self.monitor_op = None
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._epochs_since_last_save = 0
        self._current_epoch = 0
        if period is not None:
            warnings.warn("`period` argument is deprecated. Please use `save_freq` to specify "
                          "the frequency in number of batches seen.", stacklevel=2)
            if save_freq != "epoch":
                raise ValueError("`period` and an integer `save_freq` cannot be used together.")
        if self.save_freq != "epoch" and not isinstance(self.save_freq, int):
            raise ValueError(f"Unrecognized save_freq: {self.save_freq}. Expected save_freq are "
                             "'epoch' or integer values")

    # -- monitor -------------------------------------------------------------------------------
    def _set_monitor_op(self, key=None) -> None:
        if self.mode != "auto":
            direction = self.mode
        elif self._era != 3:  # tf-keras: 'acc' in the name (or 'fmeasure...') means maximise
            direction = "max" if ("acc" in self.monitor or
                                  self.monitor.startswith("fmeasure")) else "min"
        else:
            direction = auto_direction(key or self.monitor, self.model, 3)
            if direction is None:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor}, but Keras "
                    "isn't able to automatically determine whether that metric should be "
                    "maximized or minimized. Pass `mode='max'` in order to monitor based on the "
                    "highest metric value, or pass `mode='min'` in order to use the lowest value.")
        self._minimise = direction == "min"
        self.monitor_op = (lambda a, b: a < b) if self._minimise else (lambda a, b: a > b)
        if self.best is None:
            self.best = math.inf if self._minimise else -math.inf

    # -- hooks ---------------------------------------------------------------------------------
    def on_epoch_begin(self, epoch, logs=None) -> None:
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None) -> None:
        if self._should_save_on_batch(batch):
            self._save_model(epoch=self._current_epoch, batch=batch, logs=logs)

    def on_epoch_end(self, epoch, logs=None) -> None:
        if self.monitor_op is None:
            from ._common import resolve_key
            self._set_monitor_op(resolve_key(logs, self.monitor))
        if self.save_freq != "epoch":
            return
        if self.period is not None:
            self._epochs_since_last_save += 1
            if self._epochs_since_last_save < self.period:
                return
            self._epochs_since_last_save = 0
        self._save_model(epoch=epoch, batch=None, logs=logs)

    # -- saving --------------------------------------------------------------------------------
    def _should_save_on_batch(self, batch: int) -> bool:
        if self.save_freq == "epoch":
            return False
        if batch <= self._last_batch_seen:  # a new epoch started
            add = batch + 1
        else:
            add = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += add
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _get_file_path(self, epoch, batch, logs) -> str:
        logs = dict(logs or {})
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as e:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". '
                           f"Reason: {e}") from None

    def _should_save(self, epoch, logs, filepath) -> bool:
        if not self.save_best_only:
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        if self.monitor_op is None:
            from ._common import resolve_key
            self._set_monitor_op(resolve_key(logs, self.monitor))
        current, _ = monitor_value(logs, self.monitor)
        if current is None:
            if self._era != 3:
                warnings.warn(f"Can save best model only with {self.monitor} available, "
                              "skipping.", stacklevel=3)
                return False
            warnings.warn(f"Can save best model only with {self.monitor} available.",
                          stacklevel=3)
            return True
        current = to_float(current)
        if not isinstance(current, float):
            warnings.warn("Can save best model only when `monitor` is a scalar value. "
                          f"Received: {current}. Falling back to `save_best_only=False`.",
                          stacklevel=3)
            return True
        best_str = "None" if self.best is None else f"{self.best:.5f}"
        if self.monitor_op(current, self.best):
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best_str} to "
                          f"{current:.5f}, saving model to {filepath}")
            self.best = current
            return True
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best_str}")
        return False

    def _save_model(self, epoch, batch, logs) -> None:
        filepath = self._get_file_path(epoch, batch, logs)
        if not self._should_save(epoch, logs, filepath):
            return
        if is_chief():
            if os.path.isdir(filepath):
                raise IOError("Please specify a non-directory filepath for ModelCheckpoint. "
                              f"Filepath used is an existing directory: {filepath}")
            dirname = os.path.dirname(filepath)
            if dirname:
                os.makedirs(dirname, exist_ok=True)
        # every rank calls save: the saving code writes on rank 0 and then meets the others at
        # a barrier (calling it from rank 0 alone would leave the barriers unmatched)
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)
