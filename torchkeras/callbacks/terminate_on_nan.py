"""``TerminateOnNaN``: stop training when the batch loss becomes NaN or infinite.

Reads ``logs['loss']`` after every training batch (one device sync per batch: that is the price
of this callback), sets ``model.stop_training`` and prints Keras's
``Batch N: Invalid loss, terminating training`` (rank 0 only).
"""
from __future__ import annotations

import math

from .base import Callback
from ._common import print_msg, to_float

__all__ = ["TerminateOnNaN"]


class TerminateOnNaN(Callback):
    def on_batch_end(self, batch, logs=None) -> None:
        if not logs or "loss" not in logs:
            return
        loss = to_float(logs["loss"])
        try:
            bad = math.isnan(loss) or math.isinf(loss)
        except TypeError:
            return
        if bad:
            print_msg(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
