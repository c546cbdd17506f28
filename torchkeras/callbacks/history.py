"""``History``: records the epoch logs ``fit`` returns (Keras ``keras.callbacks.History``)."""
from __future__ import annotations

from typing import Dict, List

from .base import Callback

__all__ = ["History"]


class History(Callback):
    """``history.history[key]`` is the list of that key's values, one per epoch; ``history.epoch``
    the epoch indices run by the last ``fit``. ``fit`` adds one automatically and returns it."""

    def __init__(self):
        super().__init__()
        self.history: Dict[str, List] = {}
        self.epoch: List[int] = []

    def on_train_begin(self, logs=None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None) -> None:
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)
        if self.model is not None:
            try:
                self.model.history = self
            except Exception:  # pragma: no cover
                pass
