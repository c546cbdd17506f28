"""Bad input and faults: clear errors naming the file / layer / expected / found, never a
half-loaded model, atomic saves, non-fatal training configs, rank-0-only writes."""
import json
import os
import shutil

import h5py
import numpy as np
import pytest

import torchkeras as keras
from torchkeras.saving import keras_zip, legacy_h5, weights_v3
from torchkeras.saving.h5_utils import KerasFileError

from _files import MODERN, assert_predicts, modern

L = keras.layers


def _copy(tmp_path, name, new_name=None):
    dst = tmp_path / (new_name or name)
    shutil.copy(modern(name), dst)
    os.chmod(dst, 0o644)
    return str(dst)


def _mlp_k2():
    with open(modern("mlp.k2.json")) as fh:
        return keras.models.model_from_json(fh.read())


# -- unreadable files ------------------------------------------------------------------------
def test_truncated_h5(tmp_path):
    path = _copy(tmp_path, "mlp.k2.h5")
    with open(path, "r+b") as fh:
        fh.truncate(os.path.getsize(path) // 2)
    with pytest.raises(KerasFileError, match="mlp.k2.h5"):
        keras.models.load_model(path)
    with pytest.raises(OSError):  # KerasFileError is also an OSError, as Keras raises
        _mlp_k2().load_weights(path)


def test_truncated_keras_zip(tmp_path):
    path = _copy(tmp_path, "mlp.k3.keras")
    with open(path, "r+b") as fh:
        fh.truncate(os.path.getsize(path) - 200)
    with pytest.raises(KerasFileError, match="mlp.k3.keras"):
        keras.models.load_model(path)


def test_not_a_keras_file(tmp_path):
    path = tmp_path / "model.h5"
    path.write_text("this is not HDF5")
    with pytest.raises(KerasFileError, match="model.h5"):
        keras.models.load_model(str(path))
    empty = tmp_path / "empty.keras"
    empty.write_bytes(b"")
    with pytest.raises(KerasFileError, match="empty.keras"):
        keras.models.load_model(str(empty))
    with pytest.raises(FileNotFoundError):
        keras.models.load_model(str(tmp_path / "missing.h5"))


def test_zip_without_config(tmp_path):
    import zipfile
    path = str(tmp_path / "x.keras")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("other.txt", "hi")
    with pytest.raises(KerasFileError, match="config.json"):
        keras.models.load_model(path)


def test_missing_layer_group(tmp_path):
    path = _copy(tmp_path, "mlp.k2.h5")
    with h5py.File(path, "r+") as f:
        del f["model_weights/dense_1"]
    with pytest.raises(KerasFileError, match=r"dense_1.*missing"):
        keras.models.load_model(path)


def test_missing_weight_dataset_v3(tmp_path):
    path = _copy(tmp_path, "mlp.k3.weights.h5")
    with h5py.File(path, "r+") as f:
        del f["layers/dense_1/vars/1"]
    model = keras.models.load_model(modern("mlp.k3.keras"))
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(KerasFileError, match=r"dense_1.*expected 2 variables.*found 1"):
        model.load_weights(path)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_unknown_layer_class(tmp_path):
    path = _copy(tmp_path, "mlp.k2.h5")
    with h5py.File(path, "r+") as f:
        cfg = json.loads(f.attrs["model_config"])
        cfg["config"]["layers"][1]["class_name"] = "FancyDense"
        f.attrs["model_config"] = json.dumps(cfg)
    with pytest.raises(ValueError, match=r"mlp.k2.h5.*Unknown layer: 'FancyDense'"):
        keras.models.load_model(path)


# -- mismatches, never half-loaded ----------------------------------------------------------
def _first_ok_second_bad():
    return keras.Sequential([keras.Input((20,)), L.Dense(64), L.Dropout(0.1), L.Dense(11)])


@pytest.mark.parametrize("name", ["mlp.k2.legacy_weights.h5", "mlp.k2.h5",
                                  "mlp.k3.weights.h5", "mlp.k3.keras"])
def test_shape_mismatch_names_layer_expected_found(name):
    model = _first_ok_second_bad()
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(KerasFileError) as info:
        model.load_weights(modern(name))
    msg = str(info.value)
    assert name in msg and "dense_1" in msg and "(64, 11)" in msg and "(64, 10)" in msg
    # the first layer matched, but nothing was assigned
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


@pytest.mark.parametrize("name", ["mlp.k2.legacy_weights.h5", "mlp.k3.weights.h5"])
def test_layer_count_mismatch(name):
    model = keras.Sequential([keras.Input((20,)), L.Dense(64), L.Dense(10), L.Dense(3)])
    with pytest.raises(KerasFileError, match="layer"):
        model.load_weights(modern(name))


def test_skip_mismatch_loads_the_rest():
    model = _first_ok_second_bad()
    with pytest.warns(UserWarning, match="dense_1"):
        model.load_weights(modern("mlp.k2.legacy_weights.h5"), skip_mismatch=True)
    ref = keras.models.load_model(modern("mlp.k2.h5"))
    np.testing.assert_array_equal(model.layers[0].get_weights()[0],
                                  ref.layers[0].get_weights()[0])


def test_by_name_no_match_warns_and_loads_nothing():
    model = keras.Sequential([keras.Input((20,)), L.Dense(64, name="a"), L.Dense(10, name="b")])
    before = [w.copy() for w in model.get_weights()]
    with pytest.warns(UserWarning, match="nothing was loaded"):
        model.load_weights(modern("mlp.k2.legacy_weights.h5"), by_name=True)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_load_model_of_weights_only_file_is_explained():
    with pytest.raises(KerasFileError, match="weights"):
        keras.models.load_model(modern("mlp.k2.legacy_weights.h5"))


# -- training configuration problems are not fatal -----------------------------------------
def test_keras3_legacy_h5_with_mse_loads_compiled():
    """Keras 3 itself cannot compile this file ('mse' in a legacy .h5); torchkeras can."""
    model = keras.models.load_model(modern("gru_v1.k3.h5"))
    assert model.compiled
    assert_predicts(model, MODERN, "gru_v1.k3.h5")


def test_bad_training_config_warns_and_returns_uncompiled(tmp_path):
    path = _copy(tmp_path, "mlp.k2.h5")
    with h5py.File(path, "r+") as f:
        tc = json.loads(f.attrs["training_config"])
        tc["optimizer_config"]["class_name"] = "NoSuchOptimizer"
        f.attrs["training_config"] = json.dumps(tc)
    with pytest.warns(UserWarning, match="uncompiled"):
        model = keras.models.load_model(path)
    assert not model.compiled
    assert_predicts(model, MODERN, "mlp.k2.h5")


def test_unparsable_training_config_warns(tmp_path):
    path = _copy(tmp_path, "mlp.k2.h5")
    with h5py.File(path, "r+") as f:
        f.attrs["training_config"] = "{not json"
    with pytest.warns(UserWarning):
        model = keras.models.load_model(path)
    assert not model.compiled


def test_optimizer_state_that_does_not_fit_is_skipped(tmp_path):
    path = _copy(tmp_path, "mlp.k2.h5")
    with h5py.File(path, "r+") as f:
        g = f["optimizer_weights"]
        names = list(g.attrs["weight_names"])[:-2]
        g.attrs["weight_names"] = names
    with pytest.warns(UserWarning, match="optimizer"):
        model = keras.models.load_model(path)
    assert model.compiled
    assert int(model.optimizer.iterations) == 0


# -- atomic writes ------------------------------------------------------------------------
def _leftovers(folder):
    return [n for n in os.listdir(folder) if n.startswith(".tmp-")]


@pytest.mark.parametrize("ext,target", [(".h5", (legacy_h5, "write_classic_weights")),
                                        (".keras", (keras_zip, "write_keras_zip")),
                                        (".weights.h5", (weights_v3, "write_weights"))])
def test_crash_mid_save_keeps_previous_file(tmp_path, monkeypatch, ext, target):
    model = keras.Sequential([keras.Input((4,)), L.Dense(3), L.Dense(2)])
    path = str(tmp_path / f"model{ext}")
    save = model.save_weights if ext == ".weights.h5" else model.save
    save(path)
    original = open(path, "rb").read()
    module, name = target
    real = getattr(module, name)

    def half_then_crash(*args, **kwargs):
        real(*args, **kwargs)  # everything written to the temporary file...
        raise RuntimeError("disk full")  # ...then the process fails before the rename

    monkeypatch.setattr(module, name, half_then_crash)
    model.layers[0].set_weights([w + 1 for w in model.layers[0].get_weights()])
    with pytest.raises(RuntimeError, match="disk full"):
        save(path)
    assert open(path, "rb").read() == original
    assert _leftovers(tmp_path) == []


# -- distributed: only rank 0 writes -------------------------------------------------------
def test_only_rank_zero_writes(tmp_path, monkeypatch):
    from torchkeras.distribute import runtime
    calls = []
    monkeypatch.setattr(runtime, "barrier", lambda: calls.append("barrier"))
    model = keras.Sequential([keras.Input((4,)), L.Dense(2)])
    monkeypatch.setattr(runtime, "is_chief", lambda: False)
    model.save(str(tmp_path / "r1.keras"))
    model.save_weights(str(tmp_path / "r1.weights.h5"))
    assert not os.listdir(tmp_path) and calls == ["barrier", "barrier"]
    monkeypatch.setattr(runtime, "is_chief", lambda: True)
    model.save(str(tmp_path / "r0.keras"))
    assert os.listdir(tmp_path) == ["r0.keras"] and len(calls) == 3


def test_preflight_catches_a_hanging_file(tmp_path, monkeypatch):
    """A zeroed region of the global heap makes libhdf5 loop forever reading a string
    attribute (found by fuzzing); the forked pre-flight read turns it into an error."""
    if not hasattr(os, "fork"):
        pytest.skip("pre-flight needs fork()")
    import random
    monkeypatch.setenv("TORCHKERAS_H5_PREFLIGHT_TIMEOUT", "3")
    data = bytearray(open(modern("mlp.k2.h5"), "rb").read())
    rng = random.Random(1)  # reproduces the 37th mutation of the fuzz run that hung
    for _ in range(37):
        b = bytearray(data)
        kind = rng.choice(["flip", "trunc", "zero", "splice"])
        if kind == "flip":
            for _ in range(rng.randint(1, 20)):
                b[rng.randrange(len(b))] = rng.randrange(256)
        elif kind == "trunc":
            b = b[:rng.randrange(len(b))]
        elif kind == "zero":
            i = rng.randrange(len(b))
            j = min(len(b), i + rng.randint(1, 4096))
            b[i:j] = bytes(j - i)
        else:
            i, j, n = rng.randrange(len(b)), rng.randrange(len(b)), rng.randint(1, 512)
            b[i:i + n] = b[j:j + n]
    path = tmp_path / "damaged.h5"
    path.write_bytes(bytes(b))
    with pytest.raises(KerasFileError, match="damaged"):
        keras.models.load_model(str(path))


@pytest.mark.parametrize("name", ["mlp.k2.legacy_weights.h5", "mlp.k3.weights.h5"])
def test_unbuilt_model_is_an_error_not_a_silent_no_op(name):
    model = keras.Sequential([L.Dense(64), L.Dropout(0.1), L.Dense(10)])
    with pytest.raises(KerasFileError, match="not built"):
        model.load_weights(modern(name))
