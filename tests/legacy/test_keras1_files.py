"""Keras 1.2.2 files (written by real Keras 1.2.2, outputs from its predict) rebuild and
predict the same: class names (Convolution2D, Merge...), config keys (output_dim, init,
border_mode, dim_ordering='th', input_dtype, p, BatchNormalization mode...) and weights
(12-array LSTM, 9-array GRU, 'th' kernels, running_std) all go through the legacy edge.

Oracle: /work/shared/keras_files_legacy (copied under tests/fixtures/keras_files/legacy).
"""
import json
import os

import numpy as np
import pytest

import torchkeras as keras

HERE = os.path.dirname(__file__)
CANDIDATES = [os.path.join(HERE, "..", "fixtures", "keras_files", "legacy"),
              "/work/shared/keras_files_legacy"]
MODELS = ["mlp", "cnn_th", "cnn_tf", "bn", "lstm", "gru", "merge_seq", "functional_merge",
          "conv1d", "timedist_bidir"]


def _folder(name, suffix):
    for c in CANDIDATES:
        if os.path.exists(os.path.join(c, f"{name}.k1.{suffix}")):
            return c
    pytest.skip(f"Keras 1 fixture {name}.k1.{suffix} not available")


def _io(folder, name):
    io = np.load(os.path.join(folder, f"{name}.k1.io.npz"))
    keys = sorted(k for k in io.files if k.startswith("x"))
    x = io["x"] if "x" in io.files else [io[k] for k in keys]
    return x, io["y"]


@pytest.mark.parametrize("name", MODELS)
def test_keras1_architecture_json_plus_weights(name):
    folder = _folder(name, "weights.h5")
    with open(os.path.join(folder, f"{name}.k1.json")) as f:
        model = keras.models.model_from_json(f.read())
    model.load_weights(os.path.join(folder, f"{name}.k1.weights.h5"))
    x, y = _io(folder, name)
    np.testing.assert_allclose(model.predict(x, verbose=0), y, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("name", MODELS)
def test_keras1_full_model_file(name):
    folder = _folder(name, "h5")
    model = keras.models.load_model(os.path.join(folder, f"{name}.k1.h5"))
    x, y = _io(folder, name)
    np.testing.assert_allclose(model.predict(x, verbose=0), y, atol=1e-5, rtol=1e-4)


def test_keras1_config_translates_with_deprecation_warnings():
    folder = _folder("cnn_th", "weights.h5")
    with open(os.path.join(folder, "cnn_th.k1.json")) as f:
        text = f.read()
    with pytest.warns(DeprecationWarning):
        model = keras.models.model_from_json(text)
    conv = model.layers[0]
    assert type(conv).__name__ == "Conv2D" and conv.data_format == "channels_first"
    cfg = json.loads(model.to_json())
    assert cfg["config"]["layers"][1]["class_name"] == "Conv2D"
