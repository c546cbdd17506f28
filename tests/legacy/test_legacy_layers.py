"""Keras 1 layers: Merge / merge (every mode), a Sequential starting with Merge([a, b]),
MaxoutDense and Highway (formulas from Keras 1.2.2 / Keras 2.1 ``legacy/layers.py``)."""
import warnings

import numpy as np
import pytest

import torchkeras as keras
from torchkeras import layers as L
from torchkeras.legacy import classes

warnings.simplefilter("ignore", DeprecationWarning)
rng = np.random.RandomState(0)


def _inputs(*shapes):
    return [keras.Input(s) for s in shapes]


@pytest.mark.parametrize("mode,expect", [
    ("sum", lambda a, b: a + b),
    ("ave", lambda a, b: (a + b) / 2),
    ("mul", lambda a, b: a * b),
    ("max", lambda a, b: np.maximum(a, b)),
    ("concat", lambda a, b: np.concatenate([a, b], -1)),
    ("dot", lambda a, b: (a * b).sum(-1, keepdims=True)),
    ("cos", lambda a, b: (a * b).sum(-1, keepdims=True) / np.sqrt(
        (a * a).sum(-1, keepdims=True) * (b * b).sum(-1, keepdims=True))),
])
def test_merge_modes(mode, expect):
    a, b = _inputs((4,), (4,))
    out = L.merge([a, b], mode=mode)
    model = keras.Model([a, b], out)
    xa, xb = rng.rand(3, 4).astype("float32"), rng.rand(3, 4).astype("float32")
    got = model.predict([xa, xb], verbose=0)
    np.testing.assert_allclose(got, expect(xa, xb), rtol=1e-5, atol=1e-6)
    assert model.output_shape == (None,) + got.shape[1:]


def test_merge_concat_axis_dot_axes_and_callable():
    a, b = _inputs((2, 3), (2, 5))
    c = L.merge([a, b], mode="concat", concat_axis=2)
    assert tuple(c.shape) == (None, 2, 8)
    x, y = _inputs((3, 4), (5, 4))
    d = L.merge([x, y], mode="dot", dot_axes=[2, 2])
    assert tuple(d.shape) == (None, 3, 5)
    m = keras.Model([x, y], d)
    xv, yv = rng.rand(2, 3, 4).astype("float32"), rng.rand(2, 5, 4).astype("float32")
    np.testing.assert_allclose(m.predict([xv, yv], verbose=0),
                               np.einsum("bik,bjk->bij", xv, yv), rtol=1e-5)
    p, q = _inputs((4,), (4,))
    f = L.merge([p, q], mode=lambda t: t[0] - t[1], output_shape=lambda s: s[0])
    m2 = keras.Model([p, q], f)
    pv, qv = rng.rand(2, 4).astype("float32"), rng.rand(2, 4).astype("float32")
    np.testing.assert_allclose(m2.predict([pv, qv], verbose=0), pv - qv, rtol=1e-6)


def test_merge_errors():
    with pytest.raises(ValueError, match="merge mode"):
        L.Merge(mode="minus")
    a = keras.Input((3,))
    with pytest.raises(TypeError, match="list of at least 2"):
        L.Merge(mode="sum")(a)


def test_merge_concat_masks():
    a = keras.Input((5,), dtype="int32")
    b = keras.Input((5,), dtype="int32")
    ea = L.Embedding(10, 3, mask_zero=True)(a)
    eb = L.Embedding(10, 2)(b)
    merged = L.Merge(mode="concat")
    layer_out = merged([ea, eb])
    model = keras.Model([a, b], L.LSTM(4)(layer_out))
    xa = np.array([[1, 2, 0, 0, 0]]); xb = np.array([[1, 1, 1, 1, 1]])
    assert model.predict([xa, xb], verbose=0).shape == (1, 4)


def _merged_sequential():
    a = keras.Sequential([L.Dense(8, input_dim=6, activation="relu")])
    b = keras.Sequential([L.Dense(8, input_dim=4, activation="tanh")])
    m = keras.Sequential()
    m.add(L.Merge([a, b], mode="concat"))
    m.add(L.Dense(3, activation="softmax"))
    return m


def test_sequential_with_merge_first_is_multi_input(tmp_path):
    m = _merged_sequential()
    assert m.input_shape == [(None, 6), (None, 4)] and m.output_shape == (None, 3)
    assert len(m.inputs) == 2
    m.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    xa, xb = rng.rand(64, 6).astype("float32"), rng.rand(64, 4).astype("float32")
    y = keras.utils.to_categorical((xa[:, 0] > 0.5).astype(int), 3)
    h = m.fit([xa, xb], y, epochs=15, batch_size=16, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]
    p = m.predict([xa, xb], verbose=0)
    for fname in ("m.h5", "m.keras"):
        m.save(str(tmp_path / fname))
        m2 = keras.models.load_model(str(tmp_path / fname), safe_mode=False)
        np.testing.assert_allclose(m2.predict([xa, xb], verbose=0), p, atol=1e-6)
    m3 = keras.models.model_from_json(m.to_json())
    m3.set_weights(m.get_weights())
    np.testing.assert_allclose(m3.predict([xa, xb], verbose=0), p, atol=1e-6)
    # Keras 1 weight order: the branches' weights, then the rest
    assert [w.shape for w in m.get_weights()] == [(6, 8), (8,), (4, 8), (8,), (16, 3), (3,)]


def test_sequential_constructor_list_with_merge():
    a = keras.Sequential([L.Dense(2, input_shape=(3,))])
    b = keras.Sequential([L.Dense(2, input_shape=(3,))])
    m = keras.Sequential([L.Merge([a, b], mode="sum"), L.Dense(1)])
    x = rng.rand(4, 3).astype("float32")
    expect = (a.predict(x, verbose=0) + b.predict(x, verbose=0)) @ m.layers[1].get_weights()[0] \
        + m.layers[1].get_weights()[1]
    np.testing.assert_allclose(m.predict([x, x], verbose=0), expect, rtol=1e-5, atol=1e-6)


def test_maxout_dense_formula_and_config():
    layer = L.MaxoutDense(3, nb_feature=4, input_dim=5)
    x = rng.rand(6, 5).astype("float32")
    y = layer(x).detach().numpy()
    W, b = layer.get_weights()
    assert W.shape == (4, 5, 3) and b.shape == (4, 3)
    b = rng.rand(4, 3).astype("float32")
    layer.set_weights([W, b])
    y = layer(x).detach().numpy()
    np.testing.assert_allclose(y, (np.einsum("bi,fio->bfo", x, W) + b).max(1), rtol=1e-5)
    clone = L.MaxoutDense.from_config(layer.get_config())
    assert clone.get_config()["nb_feature"] == 4 and clone.output_dim == 3
    m = keras.Sequential([L.MaxoutDense(4, input_dim=5), L.Dense(1)])
    m.compile("adam", "mse")
    h = m.fit(x, x.sum(1, keepdims=True), epochs=30, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]


def test_highway_formula_and_config():
    layer = L.Highway(activation="relu", input_dim=4)
    x = rng.randn(5, 4).astype("float32")
    layer(x)
    W, Wc, b, bc = layer.get_weights()
    assert np.all(bc == 1) and np.all(b == 0)
    b = rng.rand(4).astype("float32")
    layer.set_weights([W, Wc, b, bc])
    t = 1 / (1 + np.exp(-(x @ Wc + bc)))
    expect = np.maximum(x @ W + b, 0) * t + (1 - t) * x
    np.testing.assert_allclose(layer(x).detach().numpy(), expect, rtol=1e-5, atol=1e-6)
    clone = keras.layers.deserialize(keras.layers.serialize(layer))
    assert type(clone).__name__ == "Highway" and clone.get_config()["activation"] == "relu"
    with pytest.warns(UserWarning, match="transform_bias"):
        L.Highway(transform_bias=-2)


def test_resolve_layer_class():
    assert classes.resolve_layer_class("Convolution2D") is L.Conv2D
    assert classes.resolve_layer_class("Deconvolution2D") is L.Conv2DTranspose
    assert classes.resolve_layer_class("Merge") is L.Merge
    assert classes.resolve_layer_class("NoSuchThing") is None
    with pytest.raises(ValueError, match="keras-contrib"):
        classes.resolve_layer_class("SReLU")
    tdd = classes.resolve_layer_class("TimeDistributedDense")
    layer = tdd.from_config({"name": "tdd", "output_dim": 3, "init": "glorot_uniform",
                             "input_dim": 4, "input_length": 5, "activation": "linear"})
    assert isinstance(layer, L.TimeDistributed)
    assert tuple(layer(np.zeros((2, 5, 4), "float32")).shape) == (2, 5, 3)
