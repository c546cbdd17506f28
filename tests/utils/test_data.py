"""PyDataset / Sequence, enqueuers, timeseries_dataset_from_array (Keras docstring examples)."""
import numpy as np
import pytest

from torchkeras.utils import data_utils
from torchkeras.utils.data import (GeneratorEnqueuer, OrderedEnqueuer, PyDataset, Sequence,
                                   pad_sequences, timeseries_dataset_from_array)


class Squares(PyDataset):
    def __init__(self, n, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x = np.arange(n)
        self.batch_size = batch_size
        self.epochs_ended = 0

    def __len__(self):
        return int(np.ceil(len(self.x) / self.batch_size))

    def __getitem__(self, idx):
        b = self.x[idx * self.batch_size:(idx + 1) * self.batch_size]
        return b, b ** 2

    def on_epoch_end(self):
        self.epochs_ended += 1


class OldStyle(Sequence):  # Keras 2 subclass that never calls super().__init__()
    def __len__(self):
        return 2

    def __getitem__(self, i):
        return np.full((1,), i)


def test_pydataset_settings_and_iteration():
    ds = Squares(10, 4, workers=3, use_multiprocessing=True, max_queue_size=5)
    assert (ds.workers, ds.use_multiprocessing, ds.max_queue_size) == (3, True, 5)
    assert ds.num_batches == 3 and len(list(ds)) == 3
    old = OldStyle()
    assert isinstance(old, PyDataset) and old.workers == 1 and old.max_queue_size == 10
    assert [int(b[0]) for b in old] == [0, 1]
    assert data_utils.Sequence is Sequence and data_utils.pad_sequences is pad_sequences


def test_ordered_enqueuer_keeps_order_across_epochs():
    ds = Squares(10, 3)
    enq = OrderedEnqueuer(ds, use_multiprocessing=False)
    enq.start(workers=3, max_queue_size=2)
    gen = enq.get()
    got = [next(gen)[0].tolist() for _ in range(8)]
    enq.stop()
    assert got[:4] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert got[4:] == got[:4]
    assert ds.epochs_ended >= 1


def test_generator_enqueuer_and_error_forwarding():
    enq = GeneratorEnqueuer(iter(range(20)))
    enq.start(workers=2, max_queue_size=4)
    assert sorted(enq.get()) == list(range(20))

    def bad():
        yield 1
        raise RuntimeError("boom")

    enq = GeneratorEnqueuer(bad())
    enq.start(workers=1)
    with pytest.raises(RuntimeError, match="boom"):
        list(enq.get())


def test_timeseries_dataset_docstring_example_1():
    ds = timeseries_dataset_from_array(np.arange(99), None, sequence_length=10, sequence_stride=3,
                                       sampling_rate=2, batch_size=100)
    batch = ds[0]
    assert len(ds) == 1 and len(batch) == 27
    assert batch[0].tolist() == [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]
    assert batch[1].tolist() == [3, 5, 7, 9, 11, 13, 15, 17, 19, 21]
    assert batch[-1].tolist() == [78, 80, 82, 84, 86, 88, 90, 92, 94, 96]


def test_timeseries_dataset_docstring_example_2_targets_and_batches():
    data = np.arange(100)
    ds = timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10, batch_size=32)
    x, y = ds[0]
    assert x.shape == (32, 10) and x[0].tolist() == list(range(10)) and y[0] == 10
    assert sum(len(b[1]) for b in ds) == 81 and len(ds) == 3
    sh = timeseries_dataset_from_array(data, data, 5, shuffle=True, seed=1, batch_size=None)
    xs, ys = sh[0]
    assert np.all(xs[:, 0] == ys) and sorted(ys.tolist()) == list(range(96))
    st = timeseries_dataset_from_array(data, data, 3, start_index=10, end_index=20, batch_size=4)
    x, y = st[0]
    assert x[0].tolist() == [10, 11, 12] and y[0] == 10
    with pytest.raises(ValueError):
        timeseries_dataset_from_array(data, None, 3, sampling_rate=0)
