"""Callbacks inside the real ``fit``: early stopping, checkpoints in logs, progress text."""
import contextlib
import io

import numpy as np

import torchkeras as keras


def _fit(callbacks, epochs=6, verbose=0):
    rng = np.random.default_rng(0)
    x = rng.random((32, 4)).astype("float32")
    y = rng.random((32, 1)).astype("float32")
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse", metrics=["mae"])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        h = m.fit(x, y, epochs=epochs, batch_size=8, verbose=verbose,
                  validation_data=(x, y), callbacks=callbacks)
    return m, h, out.getvalue()


def test_early_stopping_stops_fit():
    es = keras.callbacks.EarlyStopping(monitor="loss", min_delta=100.0, patience=1, verbose=1)
    m, h, out = _fit([es])
    assert len(h.history["loss"]) == 2 and es.stopped_epoch == 1
    assert out == "Epoch 2: early stopping\n"
    assert m.history is h


def test_reduce_lr_changes_the_optimizer_and_is_recorded():
    cb = keras.callbacks.ReduceLROnPlateau(monitor="loss", min_delta=100.0, patience=1,
                                           factor=0.5)
    m, h, _ = _fit([cb], epochs=3)
    # the rate is logged before that epoch's reduction (as Keras does)
    assert np.allclose(h.history["learning_rate"], [0.01, 0.01, 0.005])
    assert np.isclose(float(m.optimizer.learning_rate), 0.0025)


def test_progress_output_of_fit():
    _, h, out = _fit([], epochs=2, verbose=2)
    lines = out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert lines[1].startswith("4/4 - ") and " - val_mae: " in lines[1]
