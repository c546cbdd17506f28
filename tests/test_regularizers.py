"""torchkeras.regularizers against real Keras numbers.

Fixtures tests/fixtures/training_oracle/reg_*.{npz,json} (training oracle, tf-keras 2.21 = k2,
Keras 3.15.1 = k3): Dense(3) + Dense(2) on 8x5 data, mse, evaluate() before training and
2 SGD(0.1) steps. The model is replayed here in plain torch with our regularizers in the
loss, so the penalties (values and gradients) are checked without the engine.
"""
import json
import math
import os

import numpy as np
import pytest
import torch

from torchkeras import regularizers as R

FIX = os.path.join(os.path.dirname(__file__), "fixtures", "training_oracle")


def _load(name):
    with open(os.path.join(FIX, name + ".json")) as f:
        case = json.load(f)
    return case, np.load(os.path.join(FIX, name + ".npz"))


def _replay(data, kernel_regs=(None,) * 4, activity_reg=None, steps=2, lr=0.1):
    """Two-Dense linear model, mse + penalties, plain SGD; returns (eval0, losses, weights)."""
    x = torch.from_numpy(data["in.x"])
    y = torch.from_numpy(data["in.y"])
    ws = [torch.from_numpy(data[f"in.init.{i}"]).clone().requires_grad_() for i in range(4)]

    def loss_fn():
        h = x @ ws[0] + ws[1]
        out = h @ ws[2] + ws[3]
        loss = torch.mean(torch.square(out - y))
        for w, reg in zip(ws, kernel_regs):
            if reg is not None:
                loss = loss + reg(w)
        if activity_reg is not None:  # Keras divides activity penalties by the batch size
            loss = loss + activity_reg(h) / x.shape[0]
        return loss

    with torch.no_grad():
        eval0 = loss_fn().detach()
    losses, traj = [], [[w.detach().clone()] for w in ws]
    for _ in range(steps):
        for w in ws:
            w.grad = None
        loss = loss_fn()
        loss.backward()
        losses.append(loss.detach())
        with torch.no_grad():
            for i, w in enumerate(ws):
                w -= lr * w.grad
                traj[i].append(w.detach().clone())
    return eval0, torch.stack(losses), [torch.stack(t) for t in traj]


def _check(case, data, eval0, losses, weights):
    tol = case["tolerance"]
    for lib in ("k2", "k3"):
        np.testing.assert_allclose(float(eval0), data[f"{lib}.evaluate_init"], **tol)
        np.testing.assert_allclose(losses.numpy(), data[f"{lib}.loss"], **tol)
        for i, w in enumerate(weights):
            np.testing.assert_allclose(w.numpy(), data[f"{lib}.weights.{i}"], **tol)


def test_oracle_reg_l1_l2():
    case, data = _load("reg_l1_l2")
    layers = case["spec"]["model"]["layers"]
    k_reg0 = R.get(layers[0]["config"]["kernel_regularizer"])
    k_reg1 = R.get(layers[1]["config"]["kernel_regularizer"])
    b_reg1 = R.get(layers[1]["config"]["bias_regularizer"])
    assert (type(k_reg0), type(k_reg1), type(b_reg1)) == (R.L1, R.L2, R.L1L2)
    _check(case, data, *_replay(data, (k_reg0, None, k_reg1, b_reg1)))


def test_oracle_reg_strings():
    case, data = _load("reg_strings")
    regs = [R.get(layer["config"]["kernel_regularizer"]) for layer in case["spec"]["model"]["layers"]]
    assert regs[0].get_config() == {"l1": 0.01} and regs[1].get_config() == {"l2": 0.01}
    _check(case, data, *_replay(data, (regs[0], None, regs[1], None)))


def test_oracle_reg_strings_penalty_formula():
    case, data = _load("reg_strings")
    w0, w2 = data["in.init.0"], data["in.init.2"]
    penalty = float(R.get("l1")(w0) + R.get("l2")(w2))
    np.testing.assert_allclose(penalty, case["derived"]["k3"]["weight_penalty_formula"], rtol=1e-6)


def test_oracle_reg_activity():
    case, data = _load("reg_activity")
    reg = R.get(case["spec"]["model"]["layers"][0]["config"]["activity_regularizer"])
    _check(case, data, *_replay(data, activity_reg=reg))


def test_replay_resolves_wrong_factor():
    case, data = _load("reg_l1_l2")
    eval0, _, _ = _replay(data, (R.L1(0.01), None, R.L2(0.01), R.L1L2(0.01, 0.01)))
    assert not np.isclose(float(eval0), data["k3.evaluate_init"], rtol=1e-4)


# ------------------------------------------------------------------ direct formulas
def test_formulas_and_types():
    w = torch.tensor([[1.0, -2.0], [3.0, -4.0]])
    out = R.L1(0.1)(w)
    assert out.shape == () and out.dtype == torch.float32
    torch.testing.assert_close(out, torch.tensor(1.0))
    torch.testing.assert_close(R.L2(0.1)(w), torch.tensor(3.0))
    torch.testing.assert_close(R.L1L2(0.1, 0.1)(w), torch.tensor(4.0))
    torch.testing.assert_close(R.L1L2()(w), torch.tensor(0.0))
    assert R.L2(0.5)(np.ones((2, 2))).dtype == torch.float64  # numpy input
    wd = w.double().requires_grad_()
    R.L2(0.5)(wd).backward()
    torch.testing.assert_close(wd.grad, wd.detach())


def test_functions_and_strings():
    assert R.l1().get_config() == {"l1": 0.01}
    assert R.l1(0.3).get_config() == {"l1": 0.3}
    assert R.l1(l1=0.2).get_config() == {"l1": 0.2}
    assert R.l2(l=0.4).get_config() == {"l2": 0.4}
    assert R.l1_l2().get_config() == {"l1": 0.01, "l2": 0.01}
    assert R.L1(l=0.5).get_config() == {"l1": 0.5}  # tf.keras keyword
    assert R.get("l1_l2").get_config() == {"l1": 0.01, "l2": 0.01}
    assert R.get("l1l2").get_config() == {"l1": 0.01, "l2": 0.01}  # Keras 1
    assert R.get("L1L2").get_config() == {"l1": 0.0, "l2": 0.0}  # the class's defaults
    assert R.get("L2").get_config() == {"l2": 0.01}
    assert isinstance(R.get("orthogonal_regularizer"), R.OrthogonalRegularizer)
    assert R.get(None) is None
    assert isinstance(R.get(R.L1), R.L1)

    def fn(w):
        return w.sum()

    assert R.get(fn) is fn
    with pytest.raises(ValueError, match="Unknown regularizer: 'l3'"):
        R.get("l3")
    with pytest.raises(TypeError):
        R.get(1.5)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "0.1"])
def test_validation(bad):
    with pytest.raises(ValueError, match="non-negative"):
        R.L1(bad)


# configs written by real Keras (shared/keras_files_legacy mlp.k1 / mlp.k22, keras_files k3)
def test_deserialize_keras1_keras2_keras3():
    k1 = {"name": "L1L2Regularizer", "l1": 0.0, "l2": 0.009999999776482582}
    k22 = {"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.009999999776482582}}
    k3 = {"module": "keras.regularizers", "class_name": "L1L2",
          "config": {"l1": 0.0, "l2": 0.009999999776482582}, "registered_name": None}
    for cfg in (k1, k22, k3):
        reg = R.deserialize(cfg)
        assert type(reg) is R.L1L2
        assert reg.get_config() == {"l1": 0.0, "l2": 0.009999999776482582}
    assert R.get({"class_name": "L2", "config": {"l2": 0.5}}).get_config() == {"l2": 0.5}


@pytest.mark.parametrize("reg", [R.L1(0.2), R.L2(0.3), R.L1L2(0.1, 0.2),
                                 R.OrthogonalRegularizer(0.05, "columns")],
                         ids=lambda r: type(r).__name__)
def test_serialize_roundtrip(reg):
    cfg = R.serialize(reg)
    assert cfg["module"] == "keras.regularizers" and cfg["registered_name"] is None
    again = R.deserialize(cfg)
    assert type(again) is type(reg) and again.get_config() == reg.get_config()
    assert R.serialize(reg, use_legacy_format=True) == {"class_name": type(reg).__name__,
                                                         "config": reg.get_config()}


def test_orthogonal_regularizer():
    q, _ = torch.linalg.qr(torch.randn(6, 6, dtype=torch.float64))
    assert float(R.OrthogonalRegularizer(1.0)(q[:3])) < 1e-12
    assert float(R.OrthogonalRegularizer(1.0, "columns")(q[:, :3])) < 1e-12
    w = torch.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]])
    # rows normalised: r0=(1,0), r1=(1,1)/sqrt2, r2=(0,1); |dots| 1/sqrt2, 0, 1/sqrt2 (x2)
    expected = 0.1 * 0.5 * (4 / math.sqrt(2)) / 3.0
    torch.testing.assert_close(R.OrthogonalRegularizer(0.1)(w), torch.tensor(expected))
    with pytest.raises(ValueError, match="rank 2"):
        R.OrthogonalRegularizer()(torch.ones(2, 2, 2))
    with pytest.raises(ValueError, match="mode"):
        R.OrthogonalRegularizer(mode="diag")
