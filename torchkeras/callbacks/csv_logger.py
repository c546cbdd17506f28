"""``CSVLogger``: stream the epoch logs to a CSV file.

Keras semantics: columns ``epoch`` then the log keys sorted; ``separator`` between fields
(Excel dialect otherwise, so rows end in ``\\r\\n``); ``append=True`` continues an existing file
without repeating the header; the file is flushed every epoch and closed at the end of training.
Keras 2 (tf-keras, era 2) adds ``val_<key>`` columns (``NA``) when the first epoch has no
validation keys; Keras 3 does not. Only rank 0 writes.
"""
from __future__ import annotations

import collections
import csv
import os

import numpy as np

from ..backend.config import keras_era
from .base import Callback
from ._common import is_chief, to_float

__all__ = ["CSVLogger"]


def _handle_value(v):
    v = to_float(v)
    if isinstance(v, str):
        return v
    if isinstance(v, collections.abc.Iterable) and not (isinstance(v, np.ndarray) and v.ndim == 0):
        return f'"[{", ".join(map(str, v))}]"'
    return v


class CSVLogger(Callback):
    def __init__(self, filename, separator: str = ",", append: bool = False):
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None
        self._era = keras_era()

    def on_train_begin(self, logs=None) -> None:
        self.writer = None
        self.keys = None
        if not is_chief():
            return
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, "r") as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            self.append_header = True
            mode = "w"
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        dirname = os.path.dirname(self.filename)
        if dirname:
            os.makedirs(dirname, exist_ok=True)
        self.csv_file = open(self.filename, mode)

    def on_epoch_end(self, epoch, logs=None) -> None:
        if self.csv_file is None or self.csv_file.closed:
            return
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs.keys())
            if self._era != 3:
                if not any(k.startswith("val_") for k in self.keys):
                    self.keys.extend(["val_" + k for k in self.keys])
            else:
                for name in getattr(self.model, "metrics_names", None) or []:
                    if name.startswith("val_") and name not in self.keys:
                        self.keys.append(name)
        if self._era != 3 and getattr(self.model, "stop_training", False):
            logs = {k: logs.get(k, "NA") for k in self.keys}
        if self.writer is None:
            sep = self.sep

            class CustomDialect(csv.excel):
                delimiter = sep

            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys,
                                         dialect=CustomDialect)
            if self.append_header:
                self.writer.writeheader()
        row = collections.OrderedDict({"epoch": epoch})
        row.update((k, _handle_value(logs.get(k, "NA"))) for k in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None) -> None:
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None
