"""``BackupAndRestore``: resume an interrupted ``fit`` where it stopped.

At the end of every epoch (``save_freq='epoch'``) or every ``save_freq`` batches, the training
state is written to ``backup_dir/latest.pt`` with ``torch.save`` — atomically (a temporary file
renamed over the old one, so a run killed while writing leaves the previous backup intact):

* ``model``: ``model.state_dict()``; ``optimizer``: ``model.optimizer.state_dict()`` (slots,
  iteration count, learning rate);
* ``epoch``: the epoch to resume from (the number of completed epochs; a batch-level backup
  taken during epoch ``e`` resumes at ``e``, re-running that epoch, as Keras does); ``batch``;
* the global random states (``torch``, CUDA when initialised, ``numpy``, ``random``), so that a
  resumed run draws the same shuffles and dropout masks as an uninterrupted one would.

At the start of the next ``fit`` (``on_train_begin``) an existing backup is loaded back into the
model and its optimizer, and **``backup.resume_epoch``** is set to the epoch to resume from
(``None`` when there was nothing to restore); the trainer starts its epoch loop there (Keras 3
spells this ``model._initial_epoch``, which is set too). When ``fit`` completes, the backup
directory is deleted (``delete_checkpoint=True``). Only rank 0 writes; every rank reads the
backup (after a barrier), so all ranks resume identically.
"""
from __future__ import annotations

import os
import random
import shutil
from typing import Optional

import numpy as np
import torch

from .base import Callback
from ._common import barrier, is_chief

__all__ = ["BackupAndRestore"]

_FORMAT = "torchkeras.BackupAndRestore/1"


def _rng_state():
    state = {"torch": torch.get_rng_state(), "numpy": np.random.get_state(),
             "python": random.getstate()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state) -> None:
    if not state:
        return
    if "torch" in state:
        torch.set_rng_state(state["torch"])
    if "numpy" in state:
        np.random.set_state(state["numpy"])
    if "python" in state:
        random.setstate(state["python"])
    if "cuda" in state and torch.cuda.is_available():
        try:
            torch.cuda.set_rng_state_all(state["cuda"])
        except Exception:  # different number of devices: keep the current states
            pass


def _load_model_state(model, saved) -> None:
    """``load_state_dict``; when the keys differ only by layer names (a model rebuilt in the same
    process gets ``dense_2`` instead of ``dense``), match entries by position and shape."""
    current = model.state_dict()
    if set(current) == set(saved):
        model.load_state_dict(saved)
        return
    cur_items, saved_items = list(current.items()), list(saved.items())
    if len(cur_items) != len(saved_items) or any(
            tuple(a.shape) != tuple(b.shape) for (_, a), (_, b) in zip(cur_items, saved_items)):
        raise ValueError("The backup in BackupAndRestore's `backup_dir` was written by a "
                         "different model: its weights do not match this model's "
                         f"({len(saved_items)} tensors saved, {len(cur_items)} expected).")
    model.load_state_dict({k: v for (k, _), (_, v) in zip(cur_items, saved_items)})


class BackupAndRestore(Callback):
    """Args:
        backup_dir: folder for the backup (used by this callback only).
        save_freq: ``'epoch'``, an int number of batches, or ``False`` (never save).
        delete_checkpoint: delete ``backup_dir`` once ``fit`` completes.
    """

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint: bool = True,
                 save_before_preemption: bool = False):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq != "epoch" and save_freq is not False and not isinstance(save_freq, int):
            raise ValueError("Invalid value for argument `save_freq`. Received: "
                             f"save_freq={save_freq}. Expected either 'epoch' or an integer "
                             "value.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = delete_checkpoint
        self.save_before_preemption = save_before_preemption
        self.resume_epoch: Optional[int] = None
        self._path = os.path.join(self.backup_dir, "latest.pt")
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0

    # -- restore -------------------------------------------------------------------------------
    def on_train_begin(self, logs=None) -> None:
        self.resume_epoch = None
        self._current_epoch = 0
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        if not getattr(self.model, "built", True):
            raise ValueError("To use the BackupAndRestore callback, you model must be built "
                             f"before you call `fit()`. Model {self.model} is unbuilt. You can "
                             "build it beforehand by calling it on a batch of data.")
        if not os.path.exists(self._path):
            return
        state = torch.load(self._path, map_location="cpu", weights_only=False)
        if not isinstance(state, dict) or state.get("format") != _FORMAT:
            raise ValueError(f"{self._path} is not a torchkeras BackupAndRestore backup.")
        _load_model_state(self.model, state["model"])
        opt = getattr(self.model, "optimizer", None)
        if opt is not None and state.get("optimizer") is not None:
            if not getattr(opt, "built", True):
                prepare = getattr(self.model, "_prepare", None)
                if prepare is not None:
                    prepare()
                else:
                    opt.build(self.model.trainable_variables)
            opt.load_state_dict(state["optimizer"])
        _set_rng_state(state.get("rng"))
        self._current_epoch = int(state["epoch"])
        self.resume_epoch = self._current_epoch
        try:
            self.model._initial_epoch = self._current_epoch
        except Exception:  # pragma: no cover
            pass

    # -- backup --------------------------------------------------------------------------------
    def on_epoch_end(self, epoch, logs=None) -> None:
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save()

    def on_train_batch_end(self, batch, logs=None) -> None:
        if self._should_save_on_batch(batch):
            self._save()

    def _should_save_on_batch(self, batch: int) -> bool:
        if self.save_freq == "epoch" or self.save_freq is False:
            return False
        if batch <= self._last_batch_seen:
            add = batch + 1
        else:
            add = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += add
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _save(self) -> None:
        if is_chief():
            opt = getattr(self.model, "optimizer", None)
            state = {
                "format": _FORMAT,
                "model": self.model.state_dict(),
                "optimizer": opt.state_dict() if opt is not None and
                hasattr(opt, "state_dict") else None,
                "epoch": self._current_epoch,
                "batch": self._last_batch_seen,
                "rng": _rng_state(),
            }
            os.makedirs(self.backup_dir, exist_ok=True)
            tmp = self._path + f".tmp{os.getpid()}"
            torch.save(state, tmp)
            os.replace(tmp, self._path)
        barrier()

    def on_train_end(self, logs=None) -> None:
        if self.delete_checkpoint and is_chief() and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir, ignore_errors=True)
        barrier()
