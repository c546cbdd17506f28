"""Functional / Sequential / subclassed models: graph building, naming, shared layers, nested
models, config round trips (Keras 2 and Keras 3 configs), errors."""
import json
import os

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers

FIX = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "engine")


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)


def test_keras_default_names_and_clear_session():
    a, b = layers.Dense(2), layers.Dense(2)
    c = layers.Conv2D(3, 3) if hasattr(layers, "Conv2D") else layers.Dense(3)
    assert (a.name, b.name) == ("dense", "dense_1")
    assert c.name in ("conv2d", "dense_2")
    assert layers.ReLU().name == "re_lu"
    keras.backend.clear_session()
    assert layers.Dense(1).name == "dense"


def test_functional_multi_io_shared_layer_and_order():
    in_a, in_b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    shared = layers.Dense(3, name="shared")
    ha, hb = shared(in_a), shared(in_b)
    merged = layers.Concatenate()([ha, hb])
    out1 = layers.Dense(1, name="out1")(merged)
    out2 = layers.Dense(2, name="out2")(ha)
    model = keras.Model([in_a, in_b], [out1, out2])
    assert [l.name for l in model.layers] == ["a", "b", "shared", "concatenate", "out1", "out2"]
    assert len(shared._inbound_nodes) == 2
    x = [np.random.rand(5, 4).astype("float32"), np.random.rand(5, 4).astype("float32")]
    y1, y2 = model(x)
    assert tuple(y1.shape) == (5, 1) and tuple(y2.shape) == (5, 2)
    # one layer called twice shares its weights
    k, bias = shared.get_weights()
    np.testing.assert_allclose(_np(y2), np.maximum(0, 0) + (x[0] @ k + bias) @
                               model.get_layer("out2").get_weights()[0] +
                               model.get_layer("out2").get_weights()[1], rtol=1e-5, atol=1e-6)
    assert model.get_layer(index=2) is shared
    assert shared.input is not None and model.inputs[0].shape == (None, 4)
    with pytest.raises(ValueError, match="No such layer"):
        model.get_layer("nope")
    # dict inputs by name
    ya, _ = model({"a": x[0], "b": x[1]})
    np.testing.assert_allclose(_np(ya), _np(y1), rtol=1e-6)


def test_nested_model_as_layer():
    inner_in = keras.Input((3,))
    inner = keras.Model(inner_in, layers.Dense(2, activation="relu")(inner_in), name="inner")
    x_in = keras.Input((3,))
    out = layers.Dense(1)(inner(x_in))
    outer = keras.Model(x_in, out)
    assert outer.layers[1] is inner
    assert outer.count_params() == 3 * 2 + 2 + 2 + 1
    assert len(outer.get_weights()) == 4
    x = np.random.rand(2, 3).astype("float32")
    assert _np(outer(x)).shape == (2, 1)
    clone = keras.models.model_from_json(outer.to_json())
    clone.set_weights(outer.get_weights())
    np.testing.assert_allclose(_np(clone(x)), _np(outer(x)), rtol=1e-6)


def test_graph_disconnected_error():
    a, b = keras.Input((2,)), keras.Input((2,))
    out = layers.Dense(1)(layers.Add()([a, b]))
    with pytest.raises(ValueError, match="Graph disconnected"):
        keras.Model(a, out)


def test_sequential_deferred_build_add_pop():
    model = keras.Sequential()
    model.add(layers.Dense(4))
    model.add(layers.Dense(2))
    assert not model.built
    with pytest.raises(ValueError):
        model.count_params()
    y = model(np.ones((3, 5), "float32"))
    assert tuple(y.shape) == (3, 2) and model.built
    assert model.count_params() == 5 * 4 + 4 + 4 * 2 + 2
    popped = model.pop()
    assert popped.name == "dense_1" and len(model.layers) == 1
    assert model.output_shape == (None, 4)
    with pytest.raises(ValueError, match="unique"):
        model.add(layers.Dense(1, name="dense"))


@pytest.mark.parametrize("kw", [{"input_shape": (5,)}, {"input_dim": 5},
                                {"batch_input_shape": (None, 5)}])
def test_sequential_input_shape_spellings(kw):
    model = keras.Sequential([layers.Dense(3, **kw), layers.Dense(1)])
    assert model.built and model.input_shape == (None, 5)
    assert model.get_config()["build_input_shape"] == (None, 5)


def test_subclassed_model_tracks_layers():
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = [layers.Dense(4, activation="relu"), layers.Dense(4)]
            self.head = layers.Dense(1)

        def call(self, x, training=None):
            for layer in self.hidden:
                x = layer(x)
            return self.head(x)

    net = Net()
    assert net.name == "net"
    y = net(np.ones((2, 3), "float32"))
    assert tuple(y.shape) == (2, 1)
    assert len(net.layers) == 3 and len(net.trainable_weights) == 6
    net.compile(optimizer="sgd", loss="mse")
    h = net.fit(np.random.rand(8, 3).astype("float32"), np.random.rand(8, 1), epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2


def test_freezing_excludes_weights_from_training():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(4), layers.Dense(1)])
    model.layers[0].trainable = False
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
    frozen = [w.copy() for w in model.layers[0].get_weights()]
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.random.rand(16, 3), np.random.rand(16, 1), epochs=2, verbose=0)
    for a, b in zip(frozen, model.layers[0].get_weights()):
        np.testing.assert_array_equal(a, b)
    assert model.summary is not None


def test_get_set_weights_keras_order_and_errors():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2), layers.Dense(1)])
    shapes = [w.shape for w in model.get_weights()]
    assert shapes == [(3, 2), (2,), (2, 1), (1,)]
    with pytest.raises(ValueError, match="expecting 4 weights"):
        model.set_weights(model.get_weights()[:3])
    with pytest.raises(ValueError, match="shape"):
        model.set_weights([np.zeros((2, 3))] + model.get_weights()[1:])


def test_keras_tensor_operators_build_graph():
    a = keras.Input((3,))
    b = keras.Input((3,))
    out = (a + b) * 2.0 - a[:, :1]
    model = keras.Model([a, b], out)
    x1, x2 = np.random.rand(2, 3).astype("float32"), np.random.rand(2, 3).astype("float32")
    np.testing.assert_allclose(_np(model([x1, x2])), (x1 + x2) * 2 - x1[:, :1], rtol=1e-6)


@pytest.mark.parametrize("name", ["mlp", "functional", "cnn_bn"])
@pytest.mark.parametrize("era", ["k2", "k3"])
def test_model_from_real_keras_json_param_counts(name, era):
    """Configs written by tf-keras 2.21 / Keras 3.15 rebuild with Keras's parameter counts."""
    with open(os.path.join(FIX, f"{name}.{era}.json")) as f:
        text = f.read()
    model = keras.models.model_from_json(text)
    with open(os.path.join(FIX, "param_counts.json")) as f:
        counts = json.load(f)[f"{name}.{era}"]
    assert model.count_params() == counts["total"]
    assert [l.count_params() for l in model.layers if l.count_params()] == counts["per_layer"]
    # config round trip keeps the architecture
    again = keras.models.model_from_json(model.to_json())
    assert again.count_params() == counts["total"]


def test_unknown_layer_class_is_a_clear_error():
    cfg = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "NoSuchLayer", "config": {"name": "x"}}]}}
    with pytest.raises(ValueError, match="Unknown layer: 'NoSuchLayer'"):
        keras.models.model_from_config(cfg)


def test_custom_layer_via_custom_objects():
    class Scale(layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def build(self, input_shape):
            self.w = self.add_weight(name="w", shape=(input_shape[-1],), initializer="ones")

        def call(self, x):
            return x * self.w * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    model = keras.Sequential([keras.Input((3,)), Scale(3.0)])
    text = model.to_json()
    with pytest.raises(ValueError, match="Unknown layer"):
        keras.models.model_from_json(text)
    again = keras.models.model_from_json(text, custom_objects={"Scale": Scale})
    np.testing.assert_allclose(_np(again(np.ones((1, 3)))), 3.0)
    with keras.utils.custom_object_scope({"Scale": Scale}):
        keras.models.model_from_json(text)
