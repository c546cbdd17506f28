"""``ReduceLROnPlateau`` and ``LearningRateScheduler``: Keras's rules on the optimizer's rate."""
import contextlib
import io

import numpy as np
import pytest
import torch

from torchkeras.backend import config
from torchkeras.callbacks import LearningRateScheduler, ReduceLROnPlateau

from callback_fakes import FakeModel, run_epochs


def _lr(model):
    return float(model.optimizer.learning_rate)


def test_reduce_after_patience_then_cooldown_and_min_lr():
    model = FakeModel(lr=1.0)
    cb = ReduceLROnPlateau(factor=0.5, patience=2, cooldown=1, min_lr=0.2)
    lrs = []
    from torchkeras.callbacks import LambdaCallback
    rec = LambdaCallback(on_epoch_end=lambda e, l: lrs.append(_lr(model)))
    run_epochs([cb, rec], model, [1.0] * 9)
    # e0 best; e1, e2 wait -> halve at e2; e3 spends the cooldown (and, as in Keras, already
    # counts as a waiting epoch) -> halve at e4; again at e6, clipped at min_lr
    assert lrs == pytest.approx([1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2, 0.2])


def test_improvement_needs_min_delta_and_logs_the_rate():
    model = FakeModel(lr=0.1)
    cb = ReduceLROnPlateau(patience=1, min_delta=0.01, verbose=1)
    from torchkeras.callbacks import History, CallbackList
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run_epochs([cb], model, [1.0, 0.995])
    assert _lr(model) == pytest.approx(0.01)
    new_lr = float(np.float32(0.1)) * 0.1
    assert out.getvalue() == f"\nEpoch 2: ReduceLROnPlateau reducing learning rate to {new_lr}.\n"
    logs = {"val_loss": 1.0}
    cb.on_epoch_end(5, logs)
    assert logs["learning_rate"] == pytest.approx(0.01)
    config.set_keras_era(2)
    cb2 = ReduceLROnPlateau()
    cb2.set_model(model)
    logs = {"val_loss": 1.0}
    cb2.on_epoch_end(0, logs)
    assert "lr" in logs


def test_accuracy_is_maximised_and_keras20_epsilon():
    model = FakeModel(lr=1.0)
    cb = ReduceLROnPlateau(monitor="val_acc", patience=1, factor=0.5)
    run_epochs([cb], model, [0.5, 0.6, 0.7], key="val_accuracy")
    assert _lr(model) == 1.0
    with pytest.warns(UserWarning, match="`epsilon` argument is deprecated"):
        cb = ReduceLROnPlateau(epsilon=0.5)
    assert cb.min_delta == 0.5
    with pytest.raises(ValueError, match="does not support a factor >= 1.0"):
        ReduceLROnPlateau(factor=1.0)


def test_missing_monitor_warns():
    cb = ReduceLROnPlateau(monitor="val_x")
    cb.set_model(FakeModel())
    with pytest.warns(UserWarning, match="Learning rate reduction is conditioned on metric "
                                         "`val_x` which is not available"):
        cb.on_epoch_end(0, {"loss": 1.0})


def test_scheduler_both_signatures_and_message():
    model = FakeModel(lr=0.1)
    seen = []

    def two(epoch, lr):
        seen.append(lr)
        return lr * 0.5
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run_epochs([LearningRateScheduler(two, verbose=1)], model, [1.0, 1.0])
    assert seen[0] == pytest.approx(0.1) and _lr(model) == pytest.approx(0.025)
    assert out.getvalue().startswith("\nEpoch 1: LearningRateScheduler setting learning rate to ")
    run_epochs([LearningRateScheduler(lambda epoch: 0.001 * (epoch + 1))], model, [1.0, 1.0])
    assert _lr(model) == pytest.approx(0.002)
    logs = {}
    cb = LearningRateScheduler(lambda e: 0.5)
    cb.set_model(model)
    cb.on_epoch_end(0, logs)
    assert logs == {"learning_rate": pytest.approx(0.002)}


def test_scheduler_result_must_be_float():
    model = FakeModel()
    cb = LearningRateScheduler(lambda e: 1)
    cb.set_model(model)
    with pytest.raises(ValueError, match="should be a float"):
        cb.on_epoch_begin(0)
    cb = LearningRateScheduler(lambda e, lr: torch.tensor(0.3))
    cb.set_model(model)
    cb.on_epoch_begin(0)
    assert _lr(model) == pytest.approx(0.3)
    cb = LearningRateScheduler(lambda e: np.float32(0.25))
    cb.set_model(model)
    cb.on_epoch_begin(0)
    assert _lr(model) == pytest.approx(0.25)
