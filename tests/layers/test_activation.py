"""Activation layers against real Keras (training-oracle act_layer_* cases, generated refs)."""
import json
import os

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras.backend import config as kconfig
from layer_harness import run_layer_test

from _refs import FIX, close, configs, ref

L = keras.layers
ORACLE = os.path.join(FIX, "..", "training_oracle")


@pytest.mark.parametrize("cls,kwargs,n_w", [
    (L.ReLU, {"max_value": 6.0}, 0), (L.LeakyReLU, {}, 0),
    (L.PReLU, {"alpha_initializer": "ones"}, 1),
    (L.PReLU, {"shared_axes": [1], "alpha_initializer": "ones"}, 1), (L.ELU, {"alpha": 0.5}, 0),
    (L.ThresholdedReLU, {"theta": 0.5}, 0), (L.Softmax, {"axis": 1}, 0)])
def test_harness(cls, kwargs, n_w):
    layer = run_layer_test(cls, kwargs, (2, 3, 4), (2, 3, 4),
                           expected_num_trainable_weights=n_w, supports_masking=True)
    if kwargs.get("shared_axes"):
        assert layer.get_weights()[0].shape == (1, 4)


@pytest.mark.parametrize("lib", ["k3", "k2"])
@pytest.mark.parametrize("tag,cls,kwargs", [
    ("relu_max", "ReLU", {"max_value": 6.0}), ("relu_slope", "ReLU", {"negative_slope": 0.2}),
    ("relu_thr", "ReLU", {"threshold": 1.5}),
    ("relu_all", "ReLU", {"max_value": 4.0, "negative_slope": 0.1, "threshold": 0.5}),
    ("leaky_01", "LeakyReLU", None), ("leaky_def", "LeakyReLU", {}),
    ("elu_05", "ELU", {"alpha": 0.5}), ("softmax_1", "Softmax", {"axis": 1}),
    ("softmax_12", "Softmax", None), ("thr_05", "ThresholdedReLU", {"theta": 0.5})])
def test_reference(lib, tag, cls, kwargs):
    r = ref("activation", lib)
    if f"{tag}.y" not in r.files:
        pytest.skip(f"{lib} has no {tag}")
    cfg = configs(lib)[tag]
    layer = getattr(L, cls).from_config(cfg) if kwargs is None else getattr(L, cls)(**kwargs)
    close(layer(r["x"]), r[f"{tag}.y"], atol=1e-6)
    out = getattr(L, cls).from_config(cfg).get_config()
    for k, v in cfg.items():
        assert out[k] == pytest.approx(v), (tag, k)


def test_prelu_reference():
    for lib in ("k3", "k2"):
        r = ref("activation", lib)
        layer = L.PReLU(shared_axes=[1, 2])
        layer(r["x"])
        layer.set_weights([r["prelu.w0"]])
        close(layer(r["x"]), r["prelu.y"], atol=1e-6)
        assert layer.get_config()["shared_axes"] == configs(lib)["prelu"]["shared_axes"]


def test_softmax_mask_keras3_zeroes_masked():
    r = ref("activation", "k3")
    y = L.Softmax()(r["softmax_mask.x"], mask=torch.as_tensor(r["softmax_mask.mask"]))
    close(y, r["softmax_mask.y"], atol=1e-6)
    assert torch.all(y[1] == 0)  # a fully masked row is zeros in Keras 3


def test_softmax_mask_keras2_era():
    r = ref("activation", "k2")
    with kconfig.era_scope(2):
        layer = L.Softmax()
    y = layer(r["softmax_mask.x"], mask=torch.as_tensor(r["softmax_mask.mask"]))
    close(y, r["softmax_mask.y"], atol=1e-6)


def test_softmax_bad_mask():
    with pytest.raises(ValueError, match="broadcastable"):
        L.Softmax(name="sm")(np.zeros((2, 4), "float32"), mask=torch.ones(2, 3, dtype=torch.bool))


@pytest.mark.parametrize("case", ["act_layer_elu_default", "act_layer_leaky_relu_default",
                                  "act_layer_prelu_default", "act_layer_relu_params",
                                  "act_layer_softmax", "act_layer_thresholded_relu"])
def test_training_oracle_act_layers(case):
    """The act_layer_* cases of shared/training_oracle (copied into tests/fixtures)."""
    path = os.path.join(ORACLE, case + ".npz")
    if not os.path.exists(path):
        pytest.skip("oracle fixture not copied")
    d = np.load(path)
    with open(os.path.join(ORACLE, case + ".json")) as f:
        spec = json.load(f)["spec"]["layer"]
    layer = getattr(L, spec["class_name"])(**spec["config"])
    y = layer(torch.as_tensor(d["in.x"]))
    want = d["k3.y"] if "k3.y" in d.files else d["k2.y"]
    close(y, want, atol=1e-6, rtol=1e-5)


def test_leaky_relu_spellings_and_default():
    assert L.LeakyReLU().negative_slope == pytest.approx(0.3)  # both eras: 0.3
    assert L.LeakyReLU(alpha=0.1).get_config()["alpha"] == pytest.approx(0.1)
    assert "negative_slope" in L.LeakyReLU(negative_slope=0.1).get_config()
    assert "negative_slope" in L.LeakyReLU().get_config()
    with kconfig.era_scope(2):
        assert "alpha" in L.LeakyReLU().get_config()
    with pytest.raises(ValueError, match="negative"):
        L.LeakyReLU(negative_slope=-1)


def test_bad_arguments():
    with pytest.raises(ValueError, match="max_value"):
        L.ReLU(max_value=-1)
    with pytest.raises(ValueError, match="negative_slope"):
        L.ReLU(negative_slope=None)
    with pytest.raises(ValueError, match="threshold"):
        L.ReLU(threshold=-0.5)
    with pytest.raises(ValueError, match="theta"):
        L.ThresholdedReLU(theta=-1)
    with pytest.raises(ValueError, match="shared axis"):
        L.PReLU(shared_axes=[5])(np.zeros((2, 3), "float32"))
