"""Loading files written by real Keras (tf-keras 2.21, Keras 3.15, Keras 2.2.4): predictions
match the outputs Keras computed, training configs come back (optimizer state included), and
the reader is chosen from the content."""
import h5py
import numpy as np
import pytest

import torchkeras as keras
from torchkeras.saving import api

from _files import LEGACY, MODERN, assert_predicts, io_for, legacy, modern

FULL = ["mlp.k2.h5", "mlp.k3.keras", "mlp.k3.h5", "gru_v1.k2.h5", "gru_v1.k3.keras",
        "legacy_lstm_hard_sigmoid.k2.h5", "legacy_lstm_hard_sigmoid.k3.keras",
        "functional.k3.keras", "cnn_bn.k2.h5", "gru_v1.k3.h5"]
WEIGHTS = [("mlp.k2.weights.h5", "mlp.k2.json"), ("mlp.k2.legacy_weights.h5", "mlp.k2.json"),
           ("mlp.k3.weights.h5", "mlp.k3.json"),
           ("bidir_timedist.k2.weights.h5", "bidir_timedist.k2.json"),
           ("bidir_timedist.k3.weights.h5", "bidir_timedist.k3.json"),
           ("layernorm_mha.k2.weights.h5", "layernorm_mha.k2.json")]


@pytest.mark.parametrize("name", FULL)
def test_load_model_predicts_like_keras(name):
    model = keras.models.load_model(modern(name))
    assert_predicts(model, MODERN, name)
    assert model.compiled  # every fixture was saved compiled


@pytest.mark.parametrize("weights,arch", WEIGHTS)
def test_model_from_json_then_load_weights(weights, arch):
    with open(modern(arch)) as fh:
        model = keras.models.model_from_json(fh.read())
    model.load_weights(modern(weights))
    assert_predicts(model, MODERN, weights)


@pytest.mark.parametrize("name", ["lstm.k22.h5", "bn.k22.h5"])
def test_keras_2_2_4_full_models(name):
    model = keras.models.load_model(legacy(name))
    assert_predicts(model, LEGACY, name)


def test_hard_sigmoid_follows_the_file_era():
    """tf-keras and Keras 3 define hard_sigmoid differently; each file reloads with its own."""
    m2 = keras.models.load_model(modern("legacy_lstm_hard_sigmoid.k2.h5"))
    m3 = keras.models.load_model(modern("legacy_lstm_hard_sigmoid.k3.keras"))
    assert_predicts(m2, MODERN, "legacy_lstm_hard_sigmoid.k2.h5", atol=1e-5)
    assert_predicts(m3, MODERN, "legacy_lstm_hard_sigmoid.k3.keras", atol=1e-5)
    # the k2 model keeps its era after loading (re-saving and reloading keeps it too)
    assert m2._torchkeras_era == 2 and m3._torchkeras_era == 3


def _opt_values_in_h5(path):
    with h5py.File(path, "r") as f:
        g = f["optimizer_weights"]
        names = [n.decode() if isinstance(n, bytes) else n for n in g.attrs["weight_names"]]
        return [np.asarray(g[n]) for n in names]


@pytest.mark.parametrize("name,era", [("mlp.k2.h5", 2), ("mlp.k3.h5", 3), ("cnn_bn.k2.h5", 2)])
def test_optimizer_state_restored_from_h5(name, era):
    model = keras.models.load_model(modern(name))
    saved = _opt_values_in_h5(modern(name))
    restored = [v.detach().cpu().numpy() for _, v in model.optimizer.keras_variables(era)]
    assert len(restored) == len(saved)
    for a, b in zip(restored, saved):
        np.testing.assert_allclose(a, b, rtol=0, atol=0)
    assert int(model.optimizer.iterations) == int(saved[0]) > 0


def test_optimizer_state_restored_from_keras_zip():
    import io
    import zipfile
    model = keras.models.load_model(modern("functional.k3.keras"))
    with zipfile.ZipFile(modern("functional.k3.keras")) as zf:
        f = h5py.File(io.BytesIO(zf.read("model.weights.h5")), "r")
        g = f["optimizer/vars"]
        saved = [np.asarray(g[str(i)]) for i in range(len(g))]
    restored = [v.detach().cpu().numpy() for _, v in model.optimizer.keras_variables(3)]
    assert len(restored) == len(saved) == 26
    for a, b in zip(restored, saved):
        np.testing.assert_array_equal(a, b)


def test_fit_continues_from_file_state():
    model = keras.models.load_model(modern("mlp.k2.h5"))
    it0 = int(model.optimizer.iterations)
    x, _ = io_for(MODERN, "mlp.k2.h5")
    y = np.arange(len(x)) % 10
    model.fit(x, y, epochs=1, batch_size=len(x), verbose=0)
    assert int(model.optimizer.iterations) == it0 + 1
    assert model.optimizer.get_config()["learning_rate"] == pytest.approx(1e-3)


def test_keras_2_2_4_optimizer_layout_converted():
    """Keras <= 2.3 stores [iterations, all m, all v, (placeholders)]."""
    model = keras.models.load_model(legacy("lstm.k22.h5"))
    with h5py.File(legacy("lstm.k22.h5"), "r") as f:
        g = f["optimizer_weights"]
        names = [n.decode() if isinstance(n, bytes) else n for n in g.attrs["weight_names"]]
        saved = [np.asarray(g[n]) for n in names]
    assert int(model.optimizer.iterations) == int(saved[0])
    n = len(model.trainable_weights)
    ms, vs = saved[1:1 + n], saved[1 + n:1 + 2 * n]
    state = model.optimizer.keras_variables(2)[1:]
    for i in range(n):
        np.testing.assert_array_equal(state[2 * i][1].numpy(), ms[i])
        np.testing.assert_array_equal(state[2 * i + 1][1].numpy(), vs[i])


@pytest.mark.parametrize("name,kind", [("mlp.k2.h5", "h5-model"), ("mlp.k3.keras", "keras"),
                                       ("mlp.k3.h5", "h5-model"),
                                       ("mlp.k2.weights.h5", "weights-v3"),
                                       ("mlp.k2.legacy_weights.h5", "h5-weights")])
def test_detect_format_from_content(name, kind):
    assert api.detect_format(modern(name)) == kind


def test_classic_weights_named_weights_h5_detected_by_content():
    """Keras 1 / 2.2.4 weights files named .weights.h5 hold the classic layout."""
    assert api.detect_format(legacy("bn.k1.weights.h5")) == "h5-weights"


def test_compile_false_returns_uncompiled():
    model = keras.models.load_model(modern("mlp.k3.keras"), compile=False)
    assert not model.compiled
    assert_predicts(model, MODERN, "mlp.k3.keras")


def test_load_weights_from_full_model_files():
    with open(modern("mlp.k3.json")) as fh:
        model = keras.models.model_from_json(fh.read())
    model.load_weights(modern("mlp.k3.keras"))
    assert_predicts(model, MODERN, "mlp.k3.keras")
    with open(modern("mlp.k2.json")) as fh:
        model = keras.models.model_from_json(fh.read())
    model.load_weights(modern("mlp.k2.h5"))
    assert_predicts(model, MODERN, "mlp.k2.h5")

