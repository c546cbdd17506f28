"""A stand-in for a model, for driving callbacks without the trainer."""
import os
from collections.abc import Mapping

import numpy as np
import torch


class FakeOptimizer:
    def __init__(self, lr=0.01):
        self._lr = torch.tensor(lr, dtype=torch.float32)
        self.name = "sgd"

    @property
    def learning_rate(self):
        return self._lr

    @learning_rate.setter
    def learning_rate(self, value):
        self._lr = torch.tensor(float(value), dtype=torch.float32)


class FakeModel:
    def __init__(self, lr=0.01, metrics=()):
        self.stop_training = False
        self.optimizer = FakeOptimizer(lr)
        self.metrics = list(metrics)
        self.metrics_names = ["loss"]
        self._w = [np.zeros(2, np.float32)]
        self.saved = []
        self.built = True
        self.history = None

    def get_weights(self):
        return [w.copy() for w in self._w]

    def set_weights(self, weights):
        self._w = [np.array(w) for w in weights]

    def save(self, filepath, overwrite=True):
        self.saved.append(("model", filepath))
        with open(filepath, "w") as f:
            f.write("model")

    def save_weights(self, filepath, overwrite=True):
        self.saved.append(("weights", filepath))
        with open(filepath, "w") as f:
            f.write("weights")


class CountingLogs(Mapping):
    """Batch logs whose values are counted when read (like the trainer's lazy logs)."""

    def __init__(self, values):
        self._values = dict(values)
        self.reads = 0

    def __getitem__(self, key):
        self.reads += 1
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)


def run_epochs(callbacks, model, values, key="val_loss", steps=1):
    """Drive fit-like hooks for each epoch value; returns the number of epochs run."""
    from torchkeras.callbacks import CallbackList
    cbs = CallbackList(callbacks, model=model, verbose=0, epochs=len(values), steps=steps)
    cbs.on_train_begin()
    ran = 0
    for epoch, v in enumerate(values):
        cbs.on_epoch_begin(epoch)
        for b in range(steps):
            cbs.on_train_batch_begin(b)
            cbs.on_train_batch_end(b, {"loss": 1.0})
        logs = {"loss": 1.0, key: v} if isinstance(v, (int, float)) else dict(v)
        cbs.on_epoch_end(epoch, logs)
        ran += 1
        if model.stop_training:
            break
    cbs.on_train_end(logs)
    return ran
