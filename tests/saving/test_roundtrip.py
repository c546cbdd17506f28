"""Saving and reloading in every format: same predictions, same weights, same compile
configuration and optimizer state (so ``fit`` continues), custom objects, ``safe_mode``, the
Keras era, ``by_name`` / ``skip_mismatch``, torch checkpoints, ``clone_model``."""
import os

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras.backend import config as bconfig
from torchkeras.saving import api

L = keras.layers
RNG = np.random.default_rng(0)


def _mlp(trained=True):
    m = keras.Sequential([keras.Input((12,)), L.Dense(16, activation="relu"),
                          L.BatchNormalization(), L.Dropout(0.2),
                          L.Dense(3, activation="softmax")], name="mlp")
    m.compile(optimizer=keras.optimizers.Adam(2e-3), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
    if trained:
        m.fit(RNG.normal(size=(16, 12)).astype("float32"), RNG.integers(0, 3, 16), epochs=1,
              batch_size=8, verbose=0)
    return m


def _functional():
    a, b = keras.Input((10,), name="a"), keras.Input((6,), name="b")
    shared = L.Dense(8, activation="tanh", name="shared")
    h = L.Concatenate()([shared(L.Dense(8)(a)), shared(L.Dense(8)(b))])
    m = keras.Model([a, b], [L.Dense(2, name="o1")(h), L.Dense(1, name="o2")(h)])
    m.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9), loss=["mse", "mae"],
              loss_weights=[1.0, 0.5])
    xs = [RNG.normal(size=(8, 10)).astype("float32"), RNG.normal(size=(8, 6)).astype("float32")]
    m.fit(xs, [RNG.normal(size=(8, 2)).astype("float32"),
               RNG.normal(size=(8, 1)).astype("float32")], epochs=1, verbose=0)
    return m, xs


def _rnn():
    m = keras.Sequential([keras.Input((5, 4)), L.LSTM(6, return_sequences=True),
                          L.Bidirectional(L.GRU(3)), L.Dense(2)])
    m.compile(optimizer="rmsprop", loss="mse")
    x = RNG.normal(size=(8, 5, 4)).astype("float32")
    m.fit(x, RNG.normal(size=(8, 2)).astype("float32"), epochs=1, verbose=0)
    return m, x


def _same_predictions(a, b, x):
    ya, yb = a.predict(x, verbose=0), b.predict(x, verbose=0)
    ya = ya if isinstance(ya, list) else [ya]
    yb = yb if isinstance(yb, list) else [yb]
    for p, q in zip(ya, yb):
        np.testing.assert_allclose(p, q, rtol=1e-6, atol=1e-6)


def _same_optimizer_state(a, b):
    va = [t.detach().cpu().numpy() for _, t in a.optimizer.keras_variables(3)]
    vb = [t.detach().cpu().numpy() for _, t in b.optimizer.keras_variables(3)]
    assert len(va) == len(vb)
    for p, q in zip(va, vb):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("ext", [".keras", ".h5", ".hdf5", ".pt"])
def test_full_model_round_trip(tmp_path, ext):
    m = _mlp()
    x = RNG.normal(size=(4, 12)).astype("float32")
    path = str(tmp_path / f"m{ext}")
    m.save(path)
    r = keras.models.load_model(path)
    _same_predictions(m, r, x)
    for w, v in zip(m.get_weights(), r.get_weights()):
        np.testing.assert_array_equal(w, v)
    assert r.compiled and type(r.optimizer).__name__ == "Adam"
    assert r.optimizer.get_config()["learning_rate"] == pytest.approx(2e-3)
    _same_optimizer_state(m, r)
    assert r.get_compile_config()["loss"] == "sparse_categorical_crossentropy"
    # fit continues where the file left off
    it = int(r.optimizer.iterations)
    r.fit(x, np.array([0, 1, 2, 0]), epochs=1, batch_size=4, verbose=0)
    assert int(r.optimizer.iterations) == it + 1


@pytest.mark.parametrize("ext", [".keras", ".h5", ".pt"])
def test_functional_multi_io_round_trip(tmp_path, ext):
    m, xs = _functional()
    path = str(tmp_path / f"f{ext}")
    keras.models.save_model(m, path)
    r = keras.models.load_model(path)
    _same_predictions(m, r, xs)
    _same_optimizer_state(m, r)
    assert [l.name for l in r.layers] == [l.name for l in m.layers]
    assert r.get_compile_config()["loss_weights"] == [1.0, 0.5]


@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_recurrent_round_trip(tmp_path, ext):
    m, x = _rnn()
    path = str(tmp_path / f"r{ext}")
    m.save(path)
    r = keras.models.load_model(path)
    _same_predictions(m, r, x)
    _same_optimizer_state(m, r)


@pytest.mark.parametrize("fname", ["w.weights.h5", "w.h5", "w.pt", "w.pth"])
def test_save_and_load_weights(tmp_path, fname):
    m = _mlp()
    x = RNG.normal(size=(4, 12)).astype("float32")
    path = str(tmp_path / fname)
    m.save_weights(path)
    fresh = _mlp(trained=False)
    fresh.load_weights(path)
    _same_predictions(m, fresh, x)


def test_weights_layout_follows_the_name(tmp_path):
    m = _mlp(trained=False)
    m.save_weights(str(tmp_path / "a.weights.h5"))
    m.save_weights(str(tmp_path / "a.h5"))
    assert api.detect_format(str(tmp_path / "a.weights.h5")) == "weights-v3"
    assert api.detect_format(str(tmp_path / "a.h5")) == "h5-weights"
    # and loading follows the content: a classic file renamed *.weights.h5 still loads
    os.replace(tmp_path / "a.h5", tmp_path / "classic.weights.h5")
    fresh = _mlp(trained=False)
    fresh.load_weights(str(tmp_path / "classic.weights.h5"))


def test_weights_v3_restores_optimizer_of_a_built_optimizer(tmp_path):
    m = _mlp()
    m.save_weights(str(tmp_path / "w.weights.h5"))
    r = _mlp()  # compiled and trained once: optimizer built
    r.load_weights(str(tmp_path / "w.weights.h5"))
    _same_optimizer_state(m, r)


def test_by_name_and_skip_mismatch_classic(tmp_path):
    m = _mlp(trained=False)
    m.save_weights(str(tmp_path / "w.h5"))
    # a model with one renamed layer and one layer of another size
    other = keras.Sequential([keras.Input((12,)), L.Dense(16, activation="relu",
                                                          name=m.layers[0].name),
                              L.BatchNormalization(name="bn_new"), L.Dropout(0.2),
                              L.Dense(5, name=m.layers[3].name)])
    before = [w.copy() for w in other.get_weights()]
    with pytest.raises(ValueError, match="shape"):
        other.load_weights(str(tmp_path / "w.h5"), by_name=True)
    assert all(np.array_equal(a, b) for a, b in zip(before, other.get_weights()))
    with pytest.warns(UserWarning, match="skip_mismatch"):
        other.load_weights(str(tmp_path / "w.h5"), by_name=True, skip_mismatch=True)
    np.testing.assert_array_equal(other.layers[0].get_weights()[0], m.layers[0].get_weights()[0])
    np.testing.assert_array_equal(other.layers[1].get_weights()[0], before[2])  # untouched


def test_by_name_v3_uses_recorded_names(tmp_path):
    m = _mlp(trained=False)
    m.save_weights(str(tmp_path / "w.weights.h5"))
    other = keras.Sequential([keras.Input((12,)), L.Dense(16, name=m.layers[0].name),
                              L.Dense(7, name="new_head")])
    other.load_weights(str(tmp_path / "w.weights.h5"), by_name=True)
    np.testing.assert_array_equal(other.layers[0].get_weights()[0], m.layers[0].get_weights()[0])


def test_custom_objects_resolve_everywhere(tmp_path):
    @keras.saving.register_keras_serializable(package="tests")
    class Scale(L.Layer):
        def __init__(self, factor=2.0, **kw):
            super().__init__(**kw)
            self.factor = factor

        def build(self, shape):
            self.w = self.add_weight("w", (shape[-1],), initializer="ones")

        def call(self, x):
            return x * self.w * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    def my_act(x):
        return torch.tanh(x) * 1.5

    def my_loss(y_true, y_pred):
        return torch.mean((y_true - y_pred) ** 2)

    m = keras.Sequential([keras.Input((4,)), Scale(3.0), L.Dense(2, activation=my_act)])
    m.compile("adam", loss=my_loss)
    x = RNG.normal(size=(3, 4)).astype("float32")
    m.fit(x, np.zeros((3, 2), "float32"), verbose=0)
    for ext in (".keras", ".h5"):
        path = str(tmp_path / f"c{ext}")
        m.save(path)
        with pytest.raises(ValueError):  # my_act / my_loss unknown without custom objects
            keras.models.load_model(path)
        r = keras.models.load_model(path, custom_objects={"my_act": my_act, "my_loss": my_loss})
        _same_predictions(m, r, x)
        assert r.compiled
        with keras.saving.CustomObjectScope({"my_act": my_act, "my_loss": my_loss}):
            r = keras.models.load_model(path)
        _same_predictions(m, r, x)


def test_safe_mode_refuses_lambda_bytecode(tmp_path):
    m = keras.Sequential([keras.Input((3,)), L.Lambda(lambda t: t * 2 + 1), L.Dense(2)])
    x = RNG.normal(size=(2, 3)).astype("float32")
    for ext in (".keras", ".h5"):
        path = str(tmp_path / f"l{ext}")
        m.save(path)
        with pytest.raises(ValueError, match="safe_mode=False"):
            keras.models.load_model(path)
        r = keras.models.load_model(path, safe_mode=False)
        _same_predictions(m, r, x)


def test_era_is_kept_across_save_and_load(tmp_path):
    """A model built with Keras 2 semantics (hard_sigmoid = clip(0.2x + 0.5)) stays so."""
    with bconfig.era_scope(2):
        m = keras.Sequential([keras.Input((4, 3)),
                              L.LSTM(3, recurrent_activation="hard_sigmoid")])
    x = RNG.normal(size=(2, 4, 3)).astype("float32") * 4
    for ext in (".keras", ".h5", ".pt"):
        path = str(tmp_path / f"e{ext}")
        m.save(path)
        r = keras.models.load_model(path)
        _same_predictions(m, r, x)


def test_overwrite_false_refuses(tmp_path):
    m = _mlp(trained=False)
    path = str(tmp_path / "m.keras")
    m.save(path)
    with pytest.raises(FileExistsError):
        m.save(path, overwrite=False)


def test_unknown_extension_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="extension"):
        _mlp(trained=False).save(str(tmp_path / "model.bin"))


def test_model_from_yaml_removed():
    with pytest.raises(RuntimeError, match="to_json"):
        keras.models.model_from_yaml("")


def test_clone_model_same_architecture_fresh_weights():
    m, xs = _functional()
    c = keras.models.clone_model(m)
    assert [type(l).__name__ for l in c.layers] == [type(l).__name__ for l in m.layers]
    assert [l.name for l in c.layers] == [l.name for l in m.layers]
    c.set_weights(m.get_weights())
    _same_predictions(m, c, xs)
    s = keras.models.clone_model(_mlp(trained=False))
    assert len(s.layers) == 4


def test_plain_torch_state_dict_checkpoint(tmp_path):
    m = _mlp()
    torch.save(m.state_dict(), tmp_path / "sd.pt")
    r = _mlp(trained=False)
    r.load_weights(str(tmp_path / "sd.pt"))
    _same_predictions(m, r, RNG.normal(size=(2, 12)).astype("float32"))
    with pytest.raises(ValueError, match="architecture"):
        keras.models.load_model(str(tmp_path / "sd.pt"))


def test_saving_a_ddp_style_wrapper_saves_the_inner_model(tmp_path):
    m = _mlp(trained=False)

    class Wrapper(torch.nn.Module):
        def __init__(self, module):
            super().__init__()
            self.module = module
    api.save_model(Wrapper(m), str(tmp_path / "w.keras"))
    assert keras.models.load_model(str(tmp_path / "w.keras")).name == m.name


def test_subclassed_model_h5_refused_keras_and_weights_work(tmp_path):
    @keras.saving.register_keras_serializable(package="tests")
    class TwoLayer(keras.Model):
        def __init__(self, units=3, **kw):
            super().__init__(**kw)
            self.units = units
            self.hidden = L.Dense(5, activation="relu")
            self.out = L.Dense(units)

        def call(self, x):
            return self.out(self.hidden(x))

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    m = TwoLayer(3)
    m.build((None, 4))
    x = RNG.normal(size=(2, 4)).astype("float32")
    with pytest.raises(NotImplementedError, match="subclassed"):
        m.save(str(tmp_path / "s.h5"))
    m.save(str(tmp_path / "s.keras"))
    r = keras.models.load_model(str(tmp_path / "s.keras"))
    r.build((None, 4)) if not r.built else None
    m.save_weights(str(tmp_path / "s.weights.h5"))
    r.load_weights(str(tmp_path / "s.weights.h5"))
    _same_predictions(m, r, x)


def test_tf_keras_2_13_container_name(tmp_path):
    """tf-keras 2.13 wrote `_layer_checkpoint_dependencies` where later versions write
    `layers`; Keras 3 reads both."""
    import h5py
    m = _mlp(trained=False)
    path = str(tmp_path / "w.weights.h5")
    m.save_weights(path)
    with h5py.File(path, "r+") as f:
        f.move("layers", "_layer_checkpoint_dependencies")
    fresh = _mlp(trained=False)
    fresh.load_weights(path)
    for a, b in zip(m.get_weights(), fresh.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_model_round_trip(tmp_path):
    m = _mlp().to("cuda")
    x = RNG.normal(size=(4, 12)).astype("float32")
    for ext in (".keras", ".h5", ".pt"):
        path = str(tmp_path / f"c{ext}")
        m.save(path)
        r = keras.models.load_model(path)
        _same_predictions(m, r, x)
        r.to("cuda").load_weights(path) if ext != ".pt" else None


def test_custom_initializer_regularizer_constraint_metric(tmp_path):
    class MyInit(keras.initializers.Initializer):
        def __init__(self, value=0.5):
            self.value = value

        def __call__(self, shape, dtype=None):
            return torch.full(tuple(shape), self.value)

        def get_config(self):
            return {"value": self.value}

    class MyReg(keras.regularizers.Regularizer):
        def __init__(self, w=0.1):
            self.w = w

        def __call__(self, x):
            return self.w * torch.sum(x ** 2)

        def get_config(self):
            return {"w": self.w}

    class MyCon(keras.constraints.Constraint):
        def __call__(self, w):
            return torch.clamp(w, -1, 1)

    class MyMetric(keras.metrics.MeanMetricWrapper):
        def __init__(self, name="my_metric", dtype=None):
            super().__init__(fn=lambda y, p: torch.mean(torch.abs(y - p), dim=-1), name=name,
                             dtype=dtype)

        def get_config(self):
            return {"name": self.name}

    objs = {"MyInit": MyInit, "MyReg": MyReg, "MyCon": MyCon, "MyMetric": MyMetric}
    m = keras.Sequential([keras.Input((3,)), L.Dense(2, kernel_initializer=MyInit(0.25),
                                                     kernel_regularizer=MyReg(0.2),
                                                     kernel_constraint=MyCon())])
    m.compile("sgd", "mse", metrics=[MyMetric()])
    x = np.ones((4, 3), "float32")
    m.fit(x, np.zeros((4, 2), "float32"), verbose=0)
    for ext in (".keras", ".h5", ".pt"):
        path = str(tmp_path / f"c{ext}")
        m.save(path)
        with pytest.raises(ValueError, match="MyInit"):
            keras.models.load_model(path)
        for r in (keras.models.load_model(path, custom_objects=objs),):
            d = r.layers[0]
            assert (type(d.kernel_initializer), type(d.kernel_regularizer),
                    type(d.kernel_constraint)) == (MyInit, MyReg, MyCon)
            assert d.kernel_regularizer.w == 0.2 and d.kernel_initializer.value == 0.25
            assert [type(mm) for mm in r._compile_args["metrics"]] == [MyMetric]
            _same_predictions(m, r, x)
        with keras.saving.CustomObjectScope(objs):
            assert keras.models.load_model(path).compiled
