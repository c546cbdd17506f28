"""compile / fit / evaluate / predict: arguments, inputs of every kind, errors, determinism.

Numbers against real Keras come from the training oracle (tests/training/test_oracle_fit.py);
these tests pin the API behaviour Keras documents."""
import math
import signal
import warnings

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers


def _data(n=40, d=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)).astype("float32")
    y = (x @ rng.standard_normal((d, 1))).astype("float32")
    return x, y


def _reg_model(d=4):
    m = keras.Sequential([keras.Input((d,)), layers.Dense(8, activation="tanh"), layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    return m


def test_fit_returns_history_with_keras_keys_and_params():
    x, y = _data()
    m = _reg_model()
    h = m.fit(x, y, batch_size=8, epochs=3, validation_data=(x[:8], y[:8]), verbose=0)
    assert sorted(h.history) == ["loss", "mae", "val_loss", "val_mae"]
    assert h.epoch == [0, 1, 2] and m.history is h
    assert h.params["epochs"] == 3 and h.params["steps"] == 5
    assert h.history["loss"][-1] < h.history["loss"][0]


def test_validation_split_takes_last_fraction_before_shuffling():
    x, y = _data(n=10)
    m = _reg_model()
    h = m.fit(x, y, batch_size=4, epochs=1, validation_split=0.3, shuffle=True, verbose=0)
    ev = m.evaluate(x[7:], y[7:], batch_size=4, verbose=0, return_dict=True)
    assert math.isclose(h.history["val_loss"][0], ev["loss"], rel_tol=1e-5)


def test_validation_data_with_sample_weights_and_freq():
    x, y = _data()
    m = _reg_model()
    sw = np.ones(8, "float32")
    h = m.fit(x, y, epochs=4, validation_data=(x[:8], y[:8], sw), validation_freq=2, verbose=0)
    assert len(h.history["loss"]) == 4 and len(h.history["val_loss"]) == 2


def test_initial_epoch_steps_per_epoch_and_shuffle_batch():
    x, y = _data()
    m = _reg_model()
    h = m.fit(x, y, batch_size=4, epochs=3, initial_epoch=1, steps_per_epoch=2,
              shuffle="batch", verbose=0)
    assert h.epoch == [1, 2] and h.params["steps"] == 2


def test_evaluate_and_predict_shapes():
    x, y = _data()
    m = _reg_model()
    loss, mae = m.evaluate(x, y, verbose=0)
    d = m.evaluate(x, y, verbose=0, return_dict=True)
    assert math.isclose(loss, d["loss"], rel_tol=1e-6) and math.isclose(mae, d["mae"], rel_tol=1e-6)
    p = m.predict(x, batch_size=7, verbose=0)
    assert isinstance(p, np.ndarray) and p.shape == (40, 1)
    np.testing.assert_allclose(m.predict_on_batch(x[:3]), p[:3], rtol=1e-5)
    only_loss = keras.Sequential([keras.Input((4,)), layers.Dense(1)])
    only_loss.compile(optimizer="sgd", loss="mse")
    assert isinstance(only_loss.evaluate(x, y, verbose=0), float)


def test_on_batch_methods():
    x, y = _data(8)
    m = _reg_model()
    r = m.train_on_batch(x, y)
    assert isinstance(r, list) and len(r) == 2
    d = m.test_on_batch(x, y, return_dict=True)
    assert set(d) == {"loss", "mae"}
    m.reset_metrics()
    assert m.metrics_names == ["loss", "mae"]


def test_inputs_generator_sequence_dataloader_and_dict():
    x, y = _data(32)

    def gen():
        while True:
            for i in range(0, 32, 8):
                yield x[i:i + 8], y[i:i + 8]

    class Seq(keras.utils.Sequence):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return x[i * 8:(i + 1) * 8], y[i * 8:(i + 1) * 8]

    ds = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    loader = torch.utils.data.DataLoader(ds, batch_size=8)
    for data, kw in ((gen(), {"steps_per_epoch": 4}), (Seq(), {}), (loader, {}), (ds, {})):
        m = _reg_model()
        h = m.fit(data, epochs=2, verbose=0, **kw)
        assert len(h.history["loss"]) == 2
        assert np.isfinite(m.evaluate(data, verbose=0, steps=4)[0])
    inp = keras.Input((4,), name="feats")
    m = keras.Model(inp, layers.Dense(1)(inp))
    m.compile(optimizer="sgd", loss="mse")
    m.fit({"feats": x}, y, epochs=1, verbose=0)


def test_multi_output_losses_weights_and_keys():
    x = np.random.rand(16, 4).astype("float32")
    inp = keras.Input((4,))
    h = layers.Dense(5, activation="tanh")(inp)
    a = layers.Dense(1, name="out_a")(h)
    b = layers.Dense(3, activation="softmax", name="out_b")(h)
    m = keras.Model(inp, [a, b])
    m.compile(optimizer="sgd", loss={"out_a": "mse", "out_b": "sparse_categorical_crossentropy"},
              loss_weights={"out_a": 0.5, "out_b": 2.0},
              metrics={"out_a": ["mae"], "out_b": ["accuracy"]})
    ya, yb = np.random.rand(16, 1).astype("float32"), np.random.randint(0, 3, 16)
    hist = m.fit(x, {"out_a": ya, "out_b": yb}, epochs=1, verbose=0)
    assert sorted(hist.history) == ["loss", "out_a_loss", "out_a_mae", "out_b_accuracy",
                                    "out_b_loss"]
    d = m.evaluate(x, [ya, yb], verbose=0, return_dict=True)
    assert math.isclose(d["loss"], 0.5 * d["out_a_loss"] + 2.0 * d["out_b_loss"], rel_tol=1e-4)
    pa, pb = m.predict(x, verbose=0)
    assert pa.shape == (16, 1) and pb.shape == (16, 3)


def test_class_weight_and_sample_weight_multiply():
    x = np.random.rand(8, 3).astype("float32")
    y = np.array([0, 1] * 4)
    m = keras.Sequential([keras.Input((3,)), layers.Dense(2, activation="softmax")])
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    w0 = m.get_weights()
    base = m.evaluate(x, y, verbose=0)
    weighted = m.evaluate(x, y, sample_weight=np.where(y == 1, 3.0, 1.0), verbose=0)
    assert weighted != base
    m.fit(x, y, class_weight={0: 1.0, 1: 3.0}, batch_size=8, epochs=1, shuffle=False, verbose=0)
    w_cw = m.get_weights()
    m.set_weights(w0)
    m.fit(x, y, sample_weight=np.where(y == 1, 3.0, 1.0), batch_size=8, epochs=1, shuffle=False,
          verbose=0)
    for a, b in zip(w_cw, m.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_custom_train_step_override():
    class Custom(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(1)
            self.calls = 0

        def call(self, x):
            return self.d(x)

        def train_step(self, data):
            self.calls += 1
            x, y = data[0], data[1]
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            return self.compute_metrics(x, y, y_pred)

    x, y = _data(16)
    m = Custom()
    m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    h = m.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert m.calls == 4 and "mae" in h.history


def test_torch_optimizer_and_torch_loss_accepted():
    x, y = _data(16)
    m = keras.Sequential([keras.Input((4,)), layers.Dense(1)])
    m.compile(optimizer=torch.optim.SGD(m.parameters(), lr=0.1), loss=torch.nn.MSELoss())
    h = m.fit(x, y, epochs=3, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]


def test_learning_rate_readable_and_settable_during_training():
    x, y = _data(16)
    m = _reg_model()
    seen = []
    cb = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: (
        seen.append(float(m.optimizer.learning_rate)),
        setattr(m.optimizer, "learning_rate", 0.01)))
    m.fit(x, y, epochs=2, verbose=0, callbacks=[cb])
    assert seen == pytest.approx([0.05, 0.01])
    assert keras.backend.get_value(m.optimizer.learning_rate) == pytest.approx(0.01)


def test_bad_input_errors_before_training():
    x, y = _data(10)
    m = _reg_model()
    w = m.get_weights()
    with pytest.raises(ValueError, match="cardinality"):
        m.fit(x, y[:9], verbose=0)
    with pytest.raises(ValueError):
        m.compile(optimizer="no_such_optimizer", loss="mse")
    with pytest.raises(ValueError):
        m.compile(optimizer="sgd", loss="no_such_loss")
    with pytest.raises(ValueError):
        m.compile(optimizer="sgd", loss="mse", metrics=["no_such_metric"])
    for a, b in zip(w, m.get_weights()):
        np.testing.assert_array_equal(a, b)
    m3 = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
    m3.compile(optimizer="sgd", loss="mse")
    w3 = m3.get_weights()
    with pytest.raises(ValueError, match=r"\(10, 2\)|\(10, 3\)"):
        m3.fit(x, np.zeros((10, 2), "float32"), verbose=0)  # cannot broadcast to (10, 3)
    for a, b in zip(w3, m3.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(RuntimeError, match="compile"):
        keras.Sequential([keras.Input((2,)), layers.Dense(1)]).fit(x[:, :2], y, verbose=0)


def test_set_random_seed_makes_runs_identical():
    x, y = _data(32)

    def run():
        keras.utils.set_random_seed(7)
        keras.backend.clear_session(free_memory=False)
        m = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"),
                              layers.Dropout(0.3), layers.Dense(1)])
        m.compile(optimizer="adam", loss="mse")
        m.fit(x, y, batch_size=8, epochs=2, verbose=0)
        return m.get_weights()

    for a, b in zip(run(), run()):
        np.testing.assert_array_equal(a, b)


def test_terminate_on_nan_stops_training():
    x, y = _data(16)
    y[3] = np.nan
    m = _reg_model()
    h = m.fit(x, y, batch_size=4, epochs=5, verbose=0,
              callbacks=[keras.callbacks.TerminateOnNaN()])
    assert len(h.epoch) <= 1


def test_keyboard_interrupt_leaves_model_usable_and_history():
    x, y = _data(32)
    m = _reg_model()

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 2:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        m.fit(x, y, epochs=5, verbose=0, callbacks=[Interrupt()])
    assert m.history.epoch == [0, 1]
    assert np.isfinite(m.evaluate(x, y, verbose=0)[0])
    m.fit(x, y, epochs=1, verbose=0)


def test_jit_compile_trains_or_falls_back_with_one_warning():
    x, y = _data(16)
    m = keras.Sequential([keras.Input((4,)), layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse", jit_compile=True)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        h = m.fit(x, y, epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2
    assert sum("jit_compile" in str(w.message) for w in rec) <= 1


def test_mixed_precision_policy_keeps_float32_weights_and_final_layer():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        m = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"),
                              layers.Dense(1, dtype="float32")])
        assert m.layers[0].compute_dtype == "bfloat16" and m.layers[0].dtype == "float32"
        m.compile(optimizer="adam", loss="mse")
        x, y = _data(16)
        m.fit(x, y, epochs=1, verbose=0)
        assert all(w.dtype == np.float32 for w in m.get_weights())
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = m(torch.from_numpy(x))
        assert out.dtype == torch.float32
    finally:
        keras.mixed_precision.set_global_policy(None)


def test_regularizers_add_to_the_training_loss():
    x, y = _data(8)
    m = keras.Sequential([keras.Input((4,)), layers.Dense(1, kernel_regularizer="l2")])
    m.compile(optimizer="sgd", loss="mse")
    k = m.layers[0].get_weights()[0]
    pred = m.predict(x, verbose=0)
    expected = float(np.mean((pred - y) ** 2) + 0.01 * np.sum(k ** 2))
    assert m.evaluate(x, y, batch_size=8, verbose=0) == pytest.approx(expected, rel=1e-5)
    assert len(m.losses) == 1


def test_mixed_float16_uses_loss_scaling_and_trains():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        m = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"),
                              layers.Dense(1, dtype="float32")])
        m.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
        x, y = _data(64)
        h = m.fit(x, y, batch_size=16, epochs=4, verbose=0)
        assert m._scaler is not None and m._autocast_dtype == torch.float16
        assert np.isfinite(h.history["loss"]).all()
        assert h.history["loss"][-1] < h.history["loss"][0]
    finally:
        keras.mixed_precision.set_global_policy(None)
