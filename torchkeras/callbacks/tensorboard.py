"""``TensorBoard``: write training curves for TensorBoard through
``torch.utils.tensorboard.SummaryWriter`` (needs the ``tensorboard`` package).

As Keras: event files under ``log_dir/train`` and ``log_dir/validation``; per epoch the scalars
``epoch_<name>`` (``val_`` keys go to ``validation`` without the prefix), plus
``epoch_learning_rate`` when the optimizer has a rate and ``epoch_steps_per_second`` with
``write_steps_per_second``; ``update_freq='batch'`` or an int also writes ``batch_<name>`` every
that many batches (reading the batch logs only then); ``histogram_freq=N`` writes a histogram of
every weight each N epochs. ``write_graph``, ``write_images``, ``profile_batch`` and the
embeddings arguments are accepted; the graph/profiler/embeddings outputs are not produced (a
warning says so when asked for). Only rank 0 writes.
"""
from __future__ import annotations

import os
import time
import warnings

from .base import Callback
from ._common import is_chief, to_float
from .reduce_lr import read_lr

__all__ = ["TensorBoard"]


def _summary_writer_class():
    try:
        import tensorboard  # noqa: F401
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as e:
        raise ImportError("The TensorBoard callback needs the `tensorboard` package, which is not "
                          "installed. Install it with `pip install tensorboard`.") from e
    return SummaryWriter


class TensorBoard(Callback):
    def __init__(self, log_dir="logs", histogram_freq: int = 0, write_graph: bool = True,
                 write_images: bool = False, write_steps_per_second: bool = False,
                 update_freq="epoch", profile_batch=0, embeddings_freq: int = 0,
                 embeddings_metadata=None, **kwargs):
        super().__init__()
        self._writer_cls = _summary_writer_class()
        legacy = {k: kwargs.pop(k) for k in ("batch_size", "write_grads", "embeddings_layer_names",
                                             "embeddings_data") if k in kwargs}
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments passed to TensorBoard: {kwargs}")
        if legacy:
            warnings.warn("TensorBoard: the Keras 1/2 arguments "
                          f"{sorted(legacy)} have no effect (as in tf.keras 2).", stacklevel=2)
        if write_images or (profile_batch not in (0, None, (0, 0))) or embeddings_freq:
            warnings.warn("TensorBoard: `write_images`, `profile_batch` and the embeddings "
                          "arguments produce no output in torchkeras.", stacklevel=2)
        if update_freq == "batch":
            update_freq = 1
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = update_freq
        self.profile_batch = profile_batch
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._writers = {}
        self._train_step = 0
        self._epoch_start = None
        self._epoch_batches = 0

    def _writer(self, which: str):
        if which not in self._writers:
            self._writers[which] = self._writer_cls(os.path.join(self.log_dir, which))
        return self._writers[which]

    def on_train_begin(self, logs=None) -> None:
        self._train_step = 0

    def on_epoch_begin(self, epoch, logs=None) -> None:
        self._epoch_start = time.time()
        self._epoch_batches = 0

    def on_train_batch_end(self, batch, logs=None) -> None:
        self._train_step += 1
        self._epoch_batches += 1
        if self.update_freq == "epoch" or not is_chief():
            return
        if self._train_step % int(self.update_freq) == 0 and logs:
            w = self._writer("train")
            for k, v in logs.items():
                v = to_float(v)
                if isinstance(v, float):
                    w.add_scalar("batch_" + k, v, self._train_step)

    def on_epoch_end(self, epoch, logs=None) -> None:
        if not is_chief():
            return
        logs = logs or {}
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        opt = getattr(self.model, "optimizer", None)
        if opt is not None and hasattr(opt, "learning_rate") and "learning_rate" not in train:
            try:
                train["learning_rate"] = read_lr(opt)
            except Exception:
                pass
        if self.write_steps_per_second and self._epoch_start is not None:
            dt = time.time() - self._epoch_start
            if dt > 0:
                train["steps_per_second"] = self._epoch_batches / dt
        for which, values in (("train", train), ("validation", val)):
            if not values:
                continue
            w = self._writer(which)
            for k, v in values.items():
                v = to_float(v)
                if isinstance(v, float):
                    w.add_scalar("epoch_" + k, v, epoch)
            w.flush()
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            w = self._writer("train")
            for layer in getattr(self.model, "layers", []):
                for weight in getattr(layer, "weights", []):
                    name = getattr(weight, "path", None) or f"{layer.name}/{weight.name}"
                    w.add_histogram(name.replace(":", "_"), weight.numpy(), epoch)
            w.flush()

    def on_train_end(self, logs=None) -> None:
        for w in self._writers.values():
            w.close()
        self._writers = {}
