"""``Callback`` / ``CallbackList`` / ``History``: Keras hook semantics."""
import pytest

from torchkeras.backend import config
from torchkeras.callbacks import (Callback, CallbackList, EarlyStopping, History,
                                  LambdaCallback, ProgbarLogger)

from callback_fakes import CountingLogs, FakeModel


class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_batch_begin(self, batch, logs=None):  # Keras 2 name
        self.calls.append(("batch_begin", batch))

    def on_batch_end(self, batch, logs=None):
        self.calls.append(("batch_end", batch))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("epoch_end", epoch, dict(logs)))


def test_keras2_batch_hooks_run_during_training_only():
    rec = Recorder()
    cbs = CallbackList([rec], model=FakeModel())
    cbs.on_train_batch_begin(0)
    cbs.on_train_batch_end(0, {"loss": 1.0})
    cbs.on_test_batch_end(0, {"loss": 1.0})
    cbs.on_predict_batch_end(0, {})
    cbs.on_epoch_end(0, {"loss": 1.0})
    assert rec.calls == [("batch_begin", 0), ("batch_end", 0), ("epoch_end", 0, {"loss": 1.0})]


def test_set_model_params_and_model_history():
    model = FakeModel()
    rec = Recorder()
    cbs = CallbackList([rec], add_history=True, add_progbar=True, model=model, verbose=0,
                       epochs=3, steps=5)
    assert rec.model is model and rec.params == {"verbose": 0, "epochs": 3, "steps": 5}
    assert isinstance(model.history, History)
    assert sum(isinstance(c, History) for c in cbs.callbacks) == 1
    # a user History / ProgbarLogger is reused, not duplicated
    h, p = History(), ProgbarLogger()
    cbs2 = CallbackList([h, p], add_history=True, add_progbar=True, model=model)
    assert cbs2.callbacks == [h, p] and model.history is h


def test_default_callbacks_order_per_era():
    rec = Recorder()
    kinds = [type(c).__name__ for c in CallbackList([rec], add_history=True, add_progbar=True,
                                                   model=FakeModel()).callbacks]
    assert kinds == ["Recorder", "History", "ProgbarLogger"]  # Keras 3: progbar last
    config.set_keras_era(2)
    kinds = [type(c).__name__ for c in CallbackList([rec], add_history=True, add_progbar=True,
                                                   model=FakeModel()).callbacks]
    assert kinds == ["ProgbarLogger", "Recorder", "History"]  # tf-keras: progbar first


def test_history_records_epochs_and_keys():
    model = FakeModel()
    cbs = CallbackList(None, add_history=True, model=model)
    cbs.on_train_begin()
    for e in range(3):
        cbs.on_epoch_end(e, {"loss": 1.0 / (e + 1), "val_loss": 2.0})
    h = model.history
    assert h.epoch == [0, 1, 2]
    assert h.history == {"loss": [1.0, 0.5, 1.0 / 3], "val_loss": [2.0, 2.0, 2.0]}


def test_batch_hook_bookkeeping_for_the_trainer():
    cbs = CallbackList([EarlyStopping(), History()], model=FakeModel())
    assert not cbs._should_call_train_batch_hooks
    assert not cbs._should_call_test_batch_hooks
    cbs = CallbackList([LambdaCallback(on_batch_end=lambda b, l: None)], model=FakeModel())
    assert cbs._should_call_train_batch_hooks and not cbs._should_call_predict_batch_hooks
    assert Recorder()._implements_train_batch_hooks()
    assert not Recorder()._implements_test_batch_hooks()


def test_lazy_batch_logs_are_not_read_by_the_list_or_history():
    logs = CountingLogs({"loss": 1.0})
    cbs = CallbackList([EarlyStopping(), Callback()], add_history=True, model=FakeModel())
    for b in range(10):
        cbs.on_train_batch_begin(b)
        cbs.on_train_batch_end(b, logs)
        cbs.on_test_batch_end(b, logs)
    assert logs.reads == 0


def test_rejects_non_callbacks():
    with pytest.raises(TypeError, match="keras.callbacks.Callback"):
        CallbackList([object()])


def test_model_attribute_assignable_keras2_style():
    cb = Callback()
    m = FakeModel()
    cb.model = m
    assert cb.model is m
    cb._set_params({"epochs": 1})
    assert cb.params == {"epochs": 1}
