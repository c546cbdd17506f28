"""``ProgbarLogger``: prints the progress bar of ``fit`` / ``evaluate`` / ``predict``.

Keras 3 behaviour: ``Epoch i/N`` before each epoch when ``epochs > 1``; a bar per epoch
(``verbose=1``) or one line per epoch (``verbose=2``); the final frame of an epoch shows the epoch
logs, ``val_*`` included; validation inside ``fit`` draws nothing; ``evaluate`` and ``predict``
draw their own bar. Keras 2 (era 2) uses tf-keras's ``[====>...]`` format through ``Progbar``.

Batch logs are read only when a frame is actually drawn (at most every 0.05 s), so the lazily
computed metric values cost one device sync per frame, not per step. Between frames their values
are not seen, so every logged value is shown as given (the running mean the trainer keeps),
as tf-keras does with its stateful metrics; Keras 3 averages the per-step running means over the
steps of the epoch in intermediate frames, which only changes those transient frames.
Only rank 0 prints.
"""
from __future__ import annotations

from .base import Callback
from ._common import is_chief, print_msg

__all__ = ["ProgbarLogger"]


class ProgbarLogger(Callback):
    """Prints metrics to stdout. ``count_mode`` / ``stateful_metrics`` (Keras 2 arguments) are
    accepted; steps are always counted."""

    def __init__(self, count_mode: str = "steps", stateful_metrics=None):
        super().__init__()
        if count_mode not in ("steps", "samples"):
            raise ValueError(f'Unknown `count_mode`: {count_mode}. Expected values are '
                             '["samples", "steps"]')
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params) -> None:
        super().set_params(params)
        params = params or {}
        verbose = params.get("verbose", 1)
        if verbose == "auto":
            verbose = 1
        self.verbose = int(verbose) if is_chief() else 0
        self.epochs = params.get("epochs", 1) or 1
        self.target = params.get("steps")

    def on_train_begin(self, logs=None) -> None:
        self._called_in_fit = True  # validation inside fit is silent

    def on_test_begin(self, logs=None) -> None:
        if not self._called_in_fit:
            self._reset_progbar()
            self._maybe_init_progbar()

    def on_predict_begin(self, logs=None) -> None:
        self._reset_progbar()
        self._maybe_init_progbar()

    def on_epoch_begin(self, epoch, logs=None) -> None:
        self._reset_progbar()
        self._maybe_init_progbar()
        if self.verbose and self.epochs > 1:
            print_msg(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch, logs=None) -> None:
        self._update_progbar(batch, logs)

    def on_test_batch_end(self, batch, logs=None) -> None:
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_predict_batch_end(self, batch, logs=None) -> None:
        self._update_progbar(batch, None)  # prediction outputs are not shown

    def on_epoch_end(self, epoch, logs=None) -> None:
        self._finalize_progbar(logs)

    def on_test_end(self, logs=None) -> None:
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs=None) -> None:
        self._finalize_progbar(logs)

    # -- internals -----------------------------------------------------------------------------
    def _reset_progbar(self) -> None:
        self.seen = 0
        self.progbar = None

    def _maybe_init_progbar(self) -> None:
        if self.progbar is None:
            from ..utils.progbar import Progbar
            # every logged value is a running result: shown as given (see module docstring)
            self.progbar = Progbar(target=self.target, verbose=self.verbose, unit_name="step",
                                   stateless_metrics=())

    def _update_progbar(self, batch, logs=None) -> None:
        self._maybe_init_progbar()
        self.seen = batch + 1
        if self.verbose == 1:
            if logs:
                # read the (lazy) values only if this update draws a frame
                self.progbar.update(self.seen, lambda: list(logs.items()), finalize=False)
            else:
                self.progbar.update(self.seen, None, finalize=False)

    def _finalize_progbar(self, logs) -> None:
        self._maybe_init_progbar()
        if self.target is None:
            self.target = self.seen
            self.progbar.target = self.target
        self.progbar.update(self.target, list((logs or {}).items()), finalize=True)
