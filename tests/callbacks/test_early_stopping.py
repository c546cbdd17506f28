"""``EarlyStopping``: Keras's patience / min_delta / baseline / restore rules and messages."""
import contextlib
import io
import warnings

import numpy as np
import pytest

from torchkeras.backend import config
from torchkeras.callbacks import EarlyStopping

from callback_fakes import FakeModel, run_epochs


def test_patience_counts_epochs_without_improvement():
    model = FakeModel()
    es = EarlyStopping(patience=2)
    ran = run_epochs([es], model, [1.0, 0.9, 0.95, 0.92, 0.5, 0.4])
    assert ran == 4 and es.stopped_epoch == 3 and model.stop_training
    assert es.best == pytest.approx(0.9) and es.best_epoch == 1


def test_patience_zero_stops_at_first_non_improvement_but_never_epoch_0():
    model = FakeModel()
    es = EarlyStopping(monitor="loss", patience=0)
    assert run_epochs([es], model, [{"loss": 1.0}, {"loss": 1.0}, {"loss": 0.1}]) == 2


def test_min_delta():
    model = FakeModel()
    es = EarlyStopping(min_delta=0.1, patience=2)
    # 0.95 improves on 1.0 by less than min_delta: not an improvement
    assert run_epochs([es], model, [1.0, 0.95, 0.93, 0.5]) == 3


def test_mode_max_and_auto_for_accuracy_and_acc_alias():
    model = FakeModel()
    es = EarlyStopping(monitor="val_accuracy", patience=1, mode="max")
    assert run_epochs([es], model, [0.5, 0.6, 0.55, 0.58, 0.9], key="val_accuracy") == 3
    # Keras 2.2 script monitoring 'val_acc' while the logs hold 'val_accuracy'
    model = FakeModel()
    es = EarlyStopping(monitor="val_acc", patience=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert run_epochs([es], model, [0.5, 0.6, 0.55, 0.58, 0.9], key="val_accuracy") == 3
    assert es.best == pytest.approx(0.6)


def test_baseline_must_be_beaten():
    model = FakeModel()
    es = EarlyStopping(baseline=0.5, patience=2)
    # improvements that do not beat the baseline do not reset the wait
    assert run_epochs([es], model, [0.9, 0.8, 0.85, 0.86, 0.1]) == 3
    es = EarlyStopping(patience=2)
    assert run_epochs([es], FakeModel(), [0.9, 0.8, 0.85, 0.86, 0.1]) == 4


def test_start_from_epoch():
    model = FakeModel()
    es = EarlyStopping(patience=0, start_from_epoch=3)
    assert run_epochs([es], model, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]) == 5


def test_restore_best_weights_keras3_at_train_end():
    model = FakeModel()
    es = EarlyStopping(patience=5, restore_best_weights=True, verbose=1)

    class Mutate:
        pass
    values = [1.0, 0.5, 0.7]
    from torchkeras.callbacks import LambdaCallback
    bump = LambdaCallback(on_epoch_begin=lambda e, l: model.set_weights(
        [np.full(2, e, np.float32)]))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run_epochs([bump, es], model, values)
    # no early stop, but Keras 3 still restores the best epoch (epoch 1) at the end
    assert model.get_weights()[0].tolist() == [1.0, 1.0]
    assert out.getvalue() == "Restoring model weights from the end of the best epoch: 2.\n"


def test_restore_best_weights_keras2_only_when_stopping():
    config.set_keras_era(2)
    from torchkeras.callbacks import LambdaCallback
    model = FakeModel()
    es = EarlyStopping(patience=5, restore_best_weights=True)
    bump = LambdaCallback(on_epoch_begin=lambda e, l: model.set_weights(
        [np.full(2, e, np.float32)]))
    run_epochs([bump, es], model, [1.0, 0.5, 0.7])
    assert model.get_weights()[0].tolist() == [2.0, 2.0]
    model = FakeModel()
    es = EarlyStopping(patience=1, restore_best_weights=True, verbose=1)
    bump = LambdaCallback(on_epoch_begin=lambda e, l: model.set_weights(
        [np.full(2, e, np.float32)]))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run_epochs([bump, es], model, [1.0, 0.5, 0.7, 0.8])
    assert model.get_weights()[0].tolist() == [1.0, 1.0]
    assert out.getvalue() == ("Restoring model weights from the end of the best epoch: 2.\n"
                              "Epoch 3: early stopping\n")


def test_messages_and_missing_key_warning():
    model = FakeModel()
    es = EarlyStopping(patience=0, verbose=1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run_epochs([es], model, [1.0, 2.0])
    assert out.getvalue() == "Epoch 2: early stopping\n"
    es = EarlyStopping(monitor="val_loss")
    es.set_model(FakeModel())
    with pytest.warns(UserWarning, match="Early stopping conditioned on metric `val_loss` which "
                                         "is not available. Available metrics are: loss,mae"):
        es.on_epoch_end(0, {"loss": 1.0, "mae": 2.0})


def test_unknown_direction_raises_in_keras3_not_in_keras2():
    es = EarlyStopping(monitor="weird_quantity")
    es.set_model(FakeModel())
    with pytest.raises(ValueError, match="isn't able to automatically determine"):
        es.on_epoch_end(0, {"weird_quantity": 1.0})
    config.set_keras_era(2)
    es = EarlyStopping(monitor="weird_quantity", patience=0)
    model = FakeModel()
    assert run_epochs([es], model, [{"weird_quantity": 1.0}, {"weird_quantity": 2.0}]) == 2


def test_direction_from_the_models_metric_objects():
    class M:
        name = "my_score"
        _direction = "up"
    model = FakeModel(metrics=[M()])
    es = EarlyStopping(monitor="val_my_score", patience=0)
    assert run_epochs([es], model, [{"val_my_score": 1.0}, {"val_my_score": 2.0},
                                    {"val_my_score": 1.5}]) == 3


def test_unknown_mode_warns_and_falls_back_to_auto():
    with pytest.warns(UserWarning, match="mode bogus is unknown"):
        es = EarlyStopping(mode="bogus")
    assert es.mode == "auto"
