"""``keras.utils.PyDataset`` / ``Sequence``, enqueuers and ``timeseries_dataset_from_array``.

* ``PyDataset`` (Keras 3) takes ``workers``, ``use_multiprocessing``, ``max_queue_size``;
  subclasses implement ``__getitem__`` (a batch) and ``__len__`` (batches per epoch).
  ``Sequence`` (Keras 2) is the same class, so old subclasses that never call
  ``super().__init__()`` work too (the three settings then take their defaults).
* ``OrderedEnqueuer`` prefetches batches of a ``PyDataset`` with ``workers`` threads, keeping
  order, looping over epochs and calling ``on_epoch_end`` between them (as Keras's); the fit loop
  can use it for ``workers > 1``. ``use_multiprocessing=True`` is accepted and also uses threads
  (batches are numpy, so a process pool would only add pickling).
* ``GeneratorEnqueuer`` does the same for a Python generator.
* ``timeseries_dataset_from_array`` returns a ``PyDataset`` of numpy batches with Keras's
  windows, targets and shuffling.
"""
from __future__ import annotations

import collections
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterator, Optional

import numpy as np

from .sequence_utils import pad_sequences  # noqa: F401  (keras.utils.pad_sequences)

__all__ = ["PyDataset", "Sequence", "SequenceEnqueuer", "OrderedEnqueuer", "GeneratorEnqueuer",
           "timeseries_dataset_from_array", "pad_sequences"]


class PyDataset:
    """Base class for Python data sources yielding batches (``keras.utils.PyDataset``).

    Every ``PyDataset`` implements ``__getitem__(index)`` returning a batch (``x``, ``(x, y)``
    or ``(x, y, sample_weight)``) and ``__len__()`` the number of batches per epoch.
    ``on_epoch_begin``/``on_epoch_end`` are called by the training loop.
    """

    _workers = 1
    _use_multiprocessing = False
    _max_queue_size = 10

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False,
                 max_queue_size: int = 10):
        self._workers = int(workers)
        self._use_multiprocessing = bool(use_multiprocessing)
        self._max_queue_size = int(max_queue_size)

    @property
    def workers(self) -> int:
        return self._workers

    @workers.setter
    def workers(self, value: int) -> None:
        self._workers = int(value)

    @property
    def use_multiprocessing(self) -> bool:
        return self._use_multiprocessing

    @use_multiprocessing.setter
    def use_multiprocessing(self, value: bool) -> None:
        self._use_multiprocessing = bool(value)

    @property
    def max_queue_size(self) -> int:
        return self._max_queue_size

    @max_queue_size.setter
    def max_queue_size(self, value: int) -> None:
        self._max_queue_size = int(value)

    def __getitem__(self, index: int):
        raise NotImplementedError(f"{type(self).__name__} must implement `__getitem__`.")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement `__len__`.")

    @property
    def num_batches(self) -> Optional[int]:
        """Batches per epoch (``len(self)``), or None when the dataset defines no length."""
        try:
            return len(self)
        except (NotImplementedError, TypeError):
            return None

    def on_epoch_begin(self) -> None:
        """Called at the start of every epoch."""

    def on_epoch_end(self) -> None:
        """Called at the end of every epoch (e.g. to reshuffle)."""

    def __iter__(self) -> Iterator[Any]:
        """Iterate over one epoch of batches (Keras 2 ``Sequence.__iter__``)."""
        for i in range(len(self)):
            yield self[i]


Sequence = PyDataset


class SequenceEnqueuer:
    """Base class of the enqueuers: ``start(workers, max_queue_size)``, ``get()``, ``stop()``."""

    def __init__(self, sequence, use_multiprocessing: bool = False):
        self.sequence = sequence
        self.use_multiprocessing = use_multiprocessing
        self.workers = 0
        self._stop = threading.Event()
        self._running = False

    def is_running(self) -> bool:
        return self._running and not self._stop.is_set()

    def start(self, workers: int = 1, max_queue_size: int = 10) -> None:
        self.workers = max(int(workers), 1)
        self.max_queue_size = max(int(max_queue_size), 1)
        self._stop.clear()
        self._running = True

    def stop(self, timeout: Optional[float] = None) -> None:
        self._stop.set()
        self._running = False

    def get(self):
        raise NotImplementedError


class OrderedEnqueuer(SequenceEnqueuer):
    """Prefetch batches of a ``PyDataset`` in order with a thread pool, epoch after epoch."""

    def __init__(self, sequence, use_multiprocessing: bool = False, shuffle: bool = False):
        super().__init__(sequence, use_multiprocessing)
        self.shuffle = shuffle
        self._executor: Optional[ThreadPoolExecutor] = None

    def start(self, workers: int = 1, max_queue_size: int = 10) -> None:
        super().start(workers, max_queue_size)
        self._executor = ThreadPoolExecutor(max_workers=self.workers)

    def stop(self, timeout: Optional[float] = None) -> None:
        super().stop(timeout)
        if self._executor is not None:
            self._executor.shutdown(wait=timeout is None or timeout > 0, cancel_futures=True)
            self._executor = None

    def _order(self):
        order = list(range(len(self.sequence)))
        if self.shuffle:
            np.random.shuffle(order)
        return order

    def get(self) -> Iterator[Any]:
        """Yield batches forever (until ``stop()``), calling ``on_epoch_end`` between epochs."""
        if self._executor is None:
            self.start()
        pending: "collections.deque" = collections.deque()
        while self.is_running():
            order = self._order()
            for i in order:
                pending.append(self._executor.submit(self.sequence.__getitem__, i))
                if len(pending) >= self.max_queue_size:
                    yield pending.popleft().result()
                    if not self.is_running():
                        return
            while pending:
                yield pending.popleft().result()
                if not self.is_running():
                    return
            self.sequence.on_epoch_end()


class GeneratorEnqueuer(SequenceEnqueuer):
    """Run a Python generator in background threads and queue its items."""

    def __init__(self, generator, use_multiprocessing: bool = False, random_seed=None):
        super().__init__(generator, use_multiprocessing)
        self.random_seed = random_seed
        self._queue: Optional[queue.Queue] = None
        self._threads = []
        self._lock = threading.Lock()
        self._done = 0

    def _work(self):
        while not self._stop.is_set():
            try:
                with self._lock:
                    item = next(self.sequence)
            except StopIteration:
                break
            except Exception as e:  # forwarded to the consumer
                self._queue.put(("error", e))
                break
            while not self._stop.is_set():
                try:
                    self._queue.put(("item", item), timeout=0.1)
                    break
                except queue.Full:
                    continue
        self._queue.put(("done", None))

    def start(self, workers: int = 1, max_queue_size: int = 10) -> None:
        super().start(workers, max_queue_size)
        self._queue = queue.Queue(self.max_queue_size + self.workers)
        self._done = 0
        self._threads = [threading.Thread(target=self._work, daemon=True)
                         for _ in range(self.workers)]
        for t in self._threads:
            t.start()

    def get(self) -> Iterator[Any]:
        if self._queue is None:
            self.start()
        while self._done < len(self._threads):
            kind, payload = self._queue.get()
            if kind == "done":
                self._done += 1
            elif kind == "error":
                self.stop()
                raise payload
            else:
                yield payload
        self._running = False

    def stop(self, timeout: Optional[float] = None) -> None:
        super().stop(timeout)
        for t in self._threads:
            t.join(timeout if timeout is not None else 1.0)


class _TimeseriesDataset(PyDataset):
    def __init__(self, data, targets, starts, sequence_length, sampling_rate, batch_size):
        super().__init__()
        self.data, self.targets, self.starts = data, targets, starts
        self.sequence_length, self.sampling_rate = sequence_length, sampling_rate
        self.batch_size = batch_size

    def __len__(self) -> int:
        return -(-len(self.starts) // self.batch_size) if self.batch_size else 1

    def __getitem__(self, index: int):
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"Batch index {index} out of range for {len(self)} batches.")
        bs = self.batch_size or len(self.starts)
        starts = self.starts[index * bs:(index + 1) * bs]
        offsets = np.arange(self.sequence_length) * self.sampling_rate
        x = np.asarray(self.data)[starts[:, None] + offsets[None, :]]
        if self.targets is None:
            return x
        return x, np.asarray(self.targets)[starts]


def timeseries_dataset_from_array(data, targets, sequence_length: int, sequence_stride: int = 1,
                                  sampling_rate: int = 1, batch_size: Optional[int] = 128,
                                  shuffle: bool = False, seed: Optional[int] = None,
                                  start_index: Optional[int] = None,
                                  end_index: Optional[int] = None) -> PyDataset:
    """Sliding windows over ``data`` as batches (``keras.utils.timeseries_dataset_from_array``).

    Window ``i`` is ``data[start_index + p : ... : sampling_rate]`` (``sequence_length`` steps)
    for start offsets ``p = 0, sequence_stride, ...``; its target is ``targets[start_index + p]``.
    ``shuffle`` permutes the windows with ``np.random.RandomState(seed)``. Batches are numpy.
    """
    if start_index is not None and (start_index < 0 or start_index >= len(data)):
        raise ValueError("`start_index` must be 0 <= start_index < len(data). "
                         f"Received: start_index={start_index}")
    if end_index is not None and (start_index is not None and end_index <= start_index
                                  or end_index > len(data)):
        raise ValueError("`end_index` must be start_index < end_index <= len(data). "
                         f"Received: end_index={end_index}")
    if sampling_rate <= 0:
        raise ValueError(f"`sampling_rate` must be higher than 0. Received: {sampling_rate}")
    if sequence_stride <= 0:
        raise ValueError(f"`sequence_stride` must be higher than 0. Received: {sequence_stride}")
    start_index = start_index or 0
    end_index = len(data) if end_index is None else end_index
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num_seqs = min(num_seqs, len(targets))
    starts = np.arange(0, max(num_seqs, 0), sequence_stride, dtype=np.int64)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(starts)
    return _TimeseriesDataset(data, targets, starts + start_index, sequence_length,
                              sampling_rate, batch_size)
