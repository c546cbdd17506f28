"""Embedding against real Keras: lookups, float ids, mask_zero, configs of both eras."""
import json

import numpy as np
import pytest
import torch

import torchkeras as keras
from layer_harness import run_layer_test

from _refs import close, configs, np_, ref
from torchkeras.backend import config as kconfig

L = keras.layers


def test_harness():
    layer = run_layer_test(L.Embedding, {"input_dim": 5, "output_dim": 3}, (2, 4), (2, 4, 3),
                           input_dtype="int64", expected_weight_shapes=[(5, 3)])
    assert layer.weights[0].name == "embeddings"
    w = layer.get_weights()[0]
    assert np.all(np.abs(w) <= 0.05)  # 'uniform' = RandomUniform(-0.05, 0.05)


@pytest.mark.parametrize("lib", ["k3", "k2"])
def test_reference(lib):
    r = ref("embedding", lib)
    with kconfig.era_scope(3 if lib == "k3" else 2):
        layer = L.Embedding.from_config(configs(lib)["emb"])
    layer(r["emb.ids"])
    layer.set_weights([r["emb.w"]])
    y = layer(r["emb.ids"])
    close(y, r["emb.y"], atol=0)
    np.testing.assert_array_equal(np_(y._keras_mask), r["emb.mask"])
    close(layer(r["emb.ids"].astype("float32") + 0.7), r["emb.yf"], atol=0)
    out = layer.get_config()
    for k, v in configs(lib)["emb"].items():
        assert json.loads(json.dumps(out[k])) == v, k


def test_input_length_keras2_first_layer():
    cfg = configs("k2")["emb_il"]
    layer = L.Embedding(7, 3, input_length=4)
    assert layer.get_config()["input_length"] == cfg["input_length"] == 4
    model = keras.Sequential([layer, L.Flatten()])
    assert model.output_shape == (None, 12)
    y = model.predict(np.array([[1, 2, 3, 4]], dtype="float32"), verbose=0)
    assert y.shape == (1, 12)


def test_weights_argument_and_errors():
    w = np.arange(6, dtype="float32").reshape(3, 2)
    layer = L.Embedding(3, 2, weights=[w])
    close(layer(np.array([[2, 0]])), w[[2, 0]][None], atol=0)
    with pytest.raises(ValueError, match="input_dim"):
        L.Embedding(0, 2)
    with pytest.raises(ValueError, match="output_dim"):
        L.Embedding(3, -1)
    with pytest.raises(ValueError, match=r"emb.*input_dim=3"):
        L.Embedding(3, 2, name="emb")(np.array([[5]]))


def test_symbolic_int_input():
    inp = keras.Input((6,), dtype="int32")
    out = L.Embedding(10, 4, mask_zero=True)(inp)
    assert out.shape == (None, 6, 4)
    model = keras.Model(inp, out)
    y = model(torch.tensor([[0, 1, 2, 0, 0, 3]]))
    np.testing.assert_array_equal(np_(y._keras_mask)[0], [0, 1, 1, 0, 0, 1])
