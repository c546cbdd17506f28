"""``BackupAndRestore`` with the real ``fit``: a run killed mid-training resumes at the same
epoch with the same weights, optimizer state and random state, ending exactly where an
uninterrupted run ends."""
import os

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras.callbacks import BackupAndRestore, Callback

from callback_fakes import FakeModel


def _data():
    rng = np.random.default_rng(0)
    return rng.random((48, 4)).astype("float32"), rng.random((48, 1)).astype("float32")


def _model():
    keras.utils.set_random_seed(1)
    m = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8, activation="relu"),
                          keras.layers.Dropout(0.3), keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    return m


class _Kill(Callback):
    def __init__(self, at_epoch, at_batch=None):
        super().__init__()
        self.at_epoch, self.at_batch = at_epoch, at_batch
        self.epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        if self.at_batch is None and epoch == self.at_epoch:
            raise RuntimeError("killed")

    def on_train_batch_end(self, batch, logs=None):
        if self.at_batch is not None and self.epoch == self.at_epoch and batch == self.at_batch:
            raise RuntimeError("killed")


def _reference(x, y, epochs):
    m = _model()
    keras.utils.set_random_seed(7)
    h = m.fit(x, y, epochs=epochs, batch_size=16, verbose=0)
    return m.get_weights(), h.history["loss"]


def test_resume_after_interruption_matches_uninterrupted_run(tmp_path):
    x, y = _data()
    ref_w, ref_loss = _reference(x, y, 5)
    backup_dir = str(tmp_path / "backup")
    first = _model()
    keras.utils.set_random_seed(7)
    with pytest.raises(RuntimeError, match="killed"):
        first.fit(x, y, epochs=5, batch_size=16, verbose=0,
                  callbacks=[BackupAndRestore(backup_dir), _Kill(3)])
    assert os.listdir(backup_dir) == ["latest.pt"]  # atomic: no temporary file left
    backup = BackupAndRestore(backup_dir)
    resumed = _model()
    keras.utils.set_random_seed(123)  # the backup brings the random state back
    h = resumed.fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[backup])
    assert backup.resume_epoch == 3
    assert h.epoch == [3, 4]
    np.testing.assert_allclose(h.history["loss"], ref_loss[3:], rtol=1e-6)
    for a, b in zip(resumed.get_weights(), ref_w):
        np.testing.assert_array_equal(a, b)
    assert not os.path.exists(backup_dir)  # deleted once fit completed


def test_batch_level_backup_resumes_the_interrupted_epoch(tmp_path):
    x, y = _data()
    backup_dir = str(tmp_path / "b")
    with pytest.raises(RuntimeError):
        _model().fit(x, y, epochs=4, batch_size=16, verbose=0,
                     callbacks=[BackupAndRestore(backup_dir, save_freq=2,
                                                 delete_checkpoint=False),
                                _Kill(2, at_batch=1)])
    state = torch.load(os.path.join(backup_dir, "latest.pt"), weights_only=False)
    assert state["epoch"] == 2 and state["batch"] == 1
    backup = BackupAndRestore(backup_dir, delete_checkpoint=False)
    h = _model().fit(x, y, epochs=4, batch_size=16, verbose=0, callbacks=[backup])
    assert backup.resume_epoch == 2 and h.epoch == [2, 3]
    assert os.path.exists(backup_dir)


def test_nothing_to_restore():
    x, y = _data()
    backup = BackupAndRestore("/nonexistent-dir-for-test/never")
    backup.set_model(_model())
    backup.on_train_begin()
    assert backup.resume_epoch is None


def test_arguments_and_foreign_files(tmp_path):
    with pytest.raises(ValueError, match="Empty `backup_dir`"):
        BackupAndRestore("")
    with pytest.raises(ValueError, match="save_freq"):
        BackupAndRestore(str(tmp_path), save_freq="sometimes")
    torch.save({"something": 1}, str(tmp_path / "latest.pt"))
    b = BackupAndRestore(str(tmp_path))
    b.set_model(FakeModel())
    with pytest.raises(ValueError, match="not a torchkeras BackupAndRestore backup"):
        b.on_train_begin()
