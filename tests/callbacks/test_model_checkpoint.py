"""``ModelCheckpoint``: file names, best-only logic, frequencies, messages, rank 0 only."""
import contextlib
import io
import os

import pytest

from torchkeras.backend import config
from torchkeras.callbacks import ModelCheckpoint

from callback_fakes import FakeModel, run_epochs


def _names(model):
    return [(kind, os.path.basename(p)) for kind, p in model.saved]


def test_filepath_formatting_every_epoch(tmp_path):
    model = FakeModel()
    path = str(tmp_path / "sub" / "w.{epoch:02d}-{val_loss:.2f}.h5")
    run_epochs([ModelCheckpoint(path)], model, [0.5, 0.25])
    assert _names(model) == [("model", "w.01-0.50.h5"), ("model", "w.02-0.25.h5")]
    assert os.path.exists(tmp_path / "sub" / "w.02-0.25.h5")


def test_save_weights_only_and_best_only_with_messages(tmp_path):
    model = FakeModel()
    path = str(tmp_path / "best.weights.h5")
    cb = ModelCheckpoint(path, save_best_only=True, save_weights_only=True, verbose=1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run_epochs([cb], model, [0.5, 0.6, 0.4])
    assert [k for k, _ in model.saved] == ["weights", "weights"]
    assert out.getvalue() == (
        f"\nEpoch 1: val_loss improved from inf to 0.50000, saving model to {path}\n"
        "\nEpoch 2: val_loss did not improve from 0.50000\n"
        f"\nEpoch 3: val_loss improved from 0.50000 to 0.40000, saving model to {path}\n")


def test_max_mode_for_accuracy_with_alias_and_threshold(tmp_path):
    model = FakeModel()
    cb = ModelCheckpoint(str(tmp_path / "m.keras"), monitor="val_acc", save_best_only=True,
                         initial_value_threshold=0.55)
    run_epochs([cb], model, [0.5, 0.6, 0.58, 0.7], key="val_accuracy")
    assert len(model.saved) == 2 and cb.best == pytest.approx(0.7)


def test_batch_frequency(tmp_path):
    model = FakeModel()
    cb = ModelCheckpoint(str(tmp_path / "m-{epoch}-{batch}.keras"), save_freq=3)
    run_epochs([cb], model, [1.0, 1.0], steps=4)  # 8 batches -> saves after batch 3 and 6
    assert _names(model) == [("model", "m-1-3.keras"), ("model", "m-2-2.keras")]


def test_keras2_period(tmp_path):
    with pytest.warns(UserWarning, match="`period` argument is deprecated"):
        cb = ModelCheckpoint(str(tmp_path / "w{epoch}.hdf5"), period=2)
    model = FakeModel()
    run_epochs([cb], model, [1.0] * 5)
    assert _names(model) == [("model", "w2.hdf5"), ("model", "w4.hdf5")]


def test_missing_monitor_keras3_saves_keras2_skips(tmp_path):
    model = FakeModel()
    cb = ModelCheckpoint(str(tmp_path / "m.keras"), monitor="val_nope", save_best_only=True,
                         mode="min")
    with pytest.warns(UserWarning, match="Can save best model only with val_nope available."):
        run_epochs([cb], model, [1.0])
    assert len(model.saved) == 1
    config.set_keras_era(2)
    model = FakeModel()
    cb = ModelCheckpoint(str(tmp_path / "m.h5"), monitor="val_nope", save_best_only=True)
    with pytest.warns(UserWarning, match="skipping"):
        run_epochs([cb], model, [1.0])
    assert model.saved == []


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="Unrecognized save_freq"):
        ModelCheckpoint("x.keras", save_freq="often")
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        run_epochs([ModelCheckpoint(str(tmp_path / "{nope}.keras"))], FakeModel(), [1.0])
    os.makedirs(tmp_path / "adir")
    with pytest.raises(IOError, match="non-directory filepath"):
        run_epochs([ModelCheckpoint(str(tmp_path / "adir"))], FakeModel(), [1.0])


def test_non_chief_rank_prints_nothing_and_defers_writing_to_the_saver(tmp_path, monkeypatch):
    """On a non-chief rank the callback stays silent but still calls ``model.save`` so that
    every rank meets the saving code's barrier; the saver writes on rank 0 only (tested in
    tests/distribute and tests/saving)."""
    import torchkeras.distribute as dist
    monkeypatch.setattr(dist, "is_chief", lambda: False)
    model = FakeModel()
    cb = ModelCheckpoint(str(tmp_path / "m.keras"), save_best_only=True, verbose=1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run_epochs([cb], model, [1.0, 0.5])
    assert len(model.saved) == 2 and out.getvalue() == "" and cb.best == 0.5
