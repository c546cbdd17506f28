"""Models used as layers: tf-keras numbers a nested model's nodes from 1 (its own Input node
first), Keras 3 and torchkeras from 0. Files of both come back right, and the .h5 files
torchkeras writes use tf-keras's numbering (tf-keras loads them: compat_suite/saving)."""
import json
import os

import h5py
import numpy as np
import pytest

import torchkeras as keras
from torchkeras.saving import node_indices

from _files import FIXTURES

GEN = os.path.join(FIXTURES, "generated")
L = keras.layers


def _io():
    return np.load(os.path.join(GEN, "nested.io.npz"))


@pytest.mark.parametrize("name,key", [("nested.k2.h5", "y_k2"), ("nested.k3.keras", "y_k3")])
def test_nested_models_from_real_keras(name, key):
    io = _io()
    model = keras.models.load_model(os.path.join(GEN, name))
    np.testing.assert_allclose(model.predict(io["x"], verbose=0), io[key], atol=1e-5)


def test_tf_keras_json_with_nested_models():
    with open(os.path.join(GEN, "nested.k2.json")) as fh:
        model = keras.models.model_from_json(fh.read())
    model.load_weights(os.path.join(GEN, "nested.k2.h5"))
    io = _io()
    np.testing.assert_allclose(model.predict(io["x"], verbose=0), io["y_k2"], atol=1e-5)


def test_zero_based_detection_is_per_layer_and_idempotent():
    with open(os.path.join(GEN, "nested.k2.json")) as fh:
        cfg = json.load(fh)
    once = node_indices.to_zero_based(cfg)
    assert node_indices.to_zero_based(once) == once
    refs = [e for l in once["config"]["layers"] for node in l["inbound_nodes"] for e in node]
    assert ["inner_fun", 1, 0, {}] in refs and ["inner_fun", 2, 0, {}] not in refs


def test_written_h5_uses_tf_keras_numbering(tmp_path):
    inner = keras.Sequential([keras.Input((6,)), L.Dense(5)], name="inner")
    a = keras.Input((6,))
    m = keras.Model(a, L.Dense(2, name="head")(inner(a)))
    path = str(tmp_path / "n.h5")
    m.save(path)
    with h5py.File(path, "r") as f:
        cfg = json.loads(f.attrs["model_config"])
    head = next(l for l in cfg["config"]["layers"] if l["name"] == "head")
    assert head["inbound_nodes"] == [[["inner", 1, 0, {}]]]
    r = keras.models.load_model(path)
    x = np.random.default_rng(0).normal(size=(3, 6)).astype("float32")
    np.testing.assert_allclose(r.predict(x, verbose=0), m.predict(x, verbose=0), atol=1e-6)
