"""``LambdaCallback``: a callback built from plain functions.

``on_epoch_begin(epoch, logs)``, ``on_epoch_end(epoch, logs)``, ``on_train_begin(logs)``,
``on_train_end(logs)``, ``on_train_batch_begin(batch, logs)``, ``on_train_batch_end(batch,
logs)``, and the Keras 2 ``on_batch_begin`` / ``on_batch_end``; any other keyword becomes an
attribute (so e.g. ``on_test_end=...`` works too), as in Keras.
"""
from __future__ import annotations

from .base import Callback

__all__ = ["LambdaCallback"]

_HOOKS = ("on_epoch_begin", "on_epoch_end", "on_train_begin", "on_train_end",
          "on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end")


class LambdaCallback(Callback):
    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 on_batch_begin=None, on_batch_end=None, **kwargs):
        super().__init__()
        self.__dict__.update(kwargs)
        given = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end, on_batch_begin=on_batch_begin,
                     on_batch_end=on_batch_end)
        for name, fn in given.items():
            if fn is not None:
                if not callable(fn):
                    raise TypeError(f"LambdaCallback argument `{name}` must be callable. "
                                    f"Received: {fn!r}")
                setattr(self, name, fn)
