"""torchkeras.constraints against real Keras numbers.

Fixtures tests/fixtures/training_oracle/constraint_*.{npz,json} (training oracle, tf-keras
2.21 = k2, Keras 3.15.1 = k3): Dense(3) + Dense(2), large initial kernels, mse, 2 SGD(0.1)
steps; constraints apply after each update. Replayed in plain torch with our constraints, so
the projections (incl. epsilon placement and axis) are checked without the engine.
"""
import json
import math
import os

import numpy as np
import pytest
import torch

from torchkeras import constraints as C
from torchkeras.backend import config

FIX = os.path.join(os.path.dirname(__file__), "fixtures", "training_oracle")


def _load(name):
    with open(os.path.join(FIX, name + ".json")) as f:
        case = json.load(f)
    return case, np.load(os.path.join(FIX, name + ".npz"))


def _constraints_from_spec(case):
    """Per weight (kernel0, bias0, kernel1, bias1): the constraint the spec names, built from
    its Keras 3 style config through ``constraints.get``."""
    out = []
    for layer in case["spec"]["model"]["layers"]:
        for key in ("kernel_constraint", "bias_constraint"):
            spec = layer["config"].get(key)
            out.append(None if spec is None else C.get(
                {"class_name": spec["class_name"], "config": spec["config"]}))
    return out


def _replay(data, cons, steps=2, lr=0.1):
    x = torch.from_numpy(data["in.x"])
    y = torch.from_numpy(data["in.y"])
    ws = [torch.from_numpy(data[f"in.init.{i}"]).clone().requires_grad_() for i in range(4)]
    losses, traj = [], [[w.detach().clone()] for w in ws]
    for _ in range(steps):
        for w in ws:
            w.grad = None
        out = (x @ ws[0] + ws[1]) @ ws[2] + ws[3]
        loss = torch.mean(torch.square(out - y))
        loss.backward()
        losses.append(loss.detach())
        with torch.no_grad():
            for i, w in enumerate(ws):
                w -= lr * w.grad
                if cons[i] is not None:
                    w.copy_(cons[i](w))
                traj[i].append(w.detach().clone())
    return torch.stack(losses), [torch.stack(t) for t in traj]


def _matches(case, data, losses, weights, lib):
    tol = case["tolerance"]
    ok = np.allclose(losses.numpy(), data[f"{lib}.loss"], **tol)
    for i, w in enumerate(weights):
        ok &= np.allclose(w.numpy(), data[f"{lib}.weights.{i}"], **tol)
    return bool(ok)


@pytest.mark.parametrize("name", ["constraint_max_norm_nonneg", "constraint_unit_minmax"])
@pytest.mark.parametrize("lib", ["k2", "k3"])
def test_oracle_replay(name, lib):
    case, data = _load(name)
    cons = _constraints_from_spec(case)
    losses, weights = _replay(data, cons)
    tol = case["tolerance"]
    np.testing.assert_allclose(losses.numpy(), data[f"{lib}.loss"], **tol)
    for i, w in enumerate(weights):
        np.testing.assert_allclose(w.numpy(), data[f"{lib}.weights.{i}"], **tol)


def test_oracle_resolves_wrong_axis_and_rate():
    case, data = _load("constraint_max_norm_nonneg")
    assert not _matches(case, data, *_replay(data, [C.MaxNorm(1.0, axis=1), None, C.NonNeg(),
                                                    C.MaxNorm(0.1)]), "k3")
    case, data = _load("constraint_unit_minmax")
    assert not _matches(case, data, *_replay(data, [C.UnitNorm(), None,
                                                    C.MinMaxNorm(0.5, 1.0, 1.0), None]), "k3")


def test_oracle_weights_satisfy_constraints():
    """The weights real Keras stored after each step are fixed points of our projections."""
    _, data = _load("constraint_max_norm_nonneg")
    for t in (1, 2):
        w0 = torch.from_numpy(data["k3.weights.0"][t])
        torch.testing.assert_close(C.MaxNorm(1.0)(w0), w0, atol=1e-6, rtol=0)
        assert float(w0.norm(dim=0).max()) <= 1.0 + 1e-6
        w2 = torch.from_numpy(data["k3.weights.2"][t])
        torch.testing.assert_close(C.NonNeg()(w2), w2)
    _, data = _load("constraint_unit_minmax")
    for t in (1, 2):
        w0 = torch.from_numpy(data["k3.weights.0"][t])
        torch.testing.assert_close(w0.norm(dim=0), torch.ones(3), atol=1e-6, rtol=0)


# ------------------------------------------------------------------ formulas and epsilon
def test_epsilon_placement():
    w = torch.tensor([[3.0, 0.3], [4.0, 0.4]], dtype=torch.float64)  # column norms 5, 0.5
    old = config.epsilon()
    try:
        config.set_epsilon(0.5)
        # MaxNorm: w * clip(n, 0, max) / (eps + n)
        expected = w * torch.tensor([2.0 / 5.5, 0.5 / 1.0], dtype=torch.float64)
        torch.testing.assert_close(C.MaxNorm(2.0)(w), expected)
        # UnitNorm: w / (eps + n)
        torch.testing.assert_close(C.UnitNorm()(w), w / torch.tensor([5.5, 1.0],
                                                                      dtype=torch.float64))
        # MinMaxNorm: w * (rate * clip(n, lo, hi) + (1 - rate) * n) / (eps + n)
        d = torch.tensor([0.25 * 2.0 + 0.75 * 5.0, 0.25 * 1.0 + 0.75 * 0.5], dtype=torch.float64)
        torch.testing.assert_close(C.MinMaxNorm(1.0, 2.0, 0.25)(w),
                                   w * d / torch.tensor([5.5, 1.0], dtype=torch.float64))
    finally:
        config.set_epsilon(old)


def test_axes_and_types():
    torch.manual_seed(0)
    k = torch.randn(3, 3, 4, 8) * 3
    out = C.MaxNorm(1.5, axis=[0, 1, 2])(k)
    norms = out.reshape(-1, 8).norm(dim=0)
    assert float(norms.max()) <= 1.5 + 1e-5
    out = C.UnitNorm(axis=(0, 1, 2))(k)
    torch.testing.assert_close(out.reshape(-1, 8).norm(dim=0), torch.ones(8), atol=1e-5, rtol=0)
    out = C.UnitNorm(axis=-1)(torch.ones(2, 4))
    torch.testing.assert_close(out, torch.full((2, 4), 0.5), atol=1e-6, rtol=0)
    n = C.NonNeg()(np.array([-1.0, 0.5]))
    assert isinstance(n, torch.Tensor) and n.tolist() == [0.0, 0.5]
    assert C.Constraint()(k) is k
    small = torch.tensor([[0.1], [0.1]])
    torch.testing.assert_close(C.MinMaxNorm(1.0, 2.0)(small).norm(), torch.tensor(1.0),
                               atol=1e-5, rtol=0)


# ------------------------------------------------------------------ RadialConstraint
def _tf_radial_reference(kernel2d):
    """tf.keras 2's `_kernel_constraint` re-run step by step in numpy: start from the centre
    slice, then pad ring by ring with kernel[start + i, start + i]."""
    k = kernel2d.shape[0]
    start = int(k / 2)
    if k % 2:
        new = kernel2d[start - 1:start, start - 1:start]
        index = 0
    else:
        new = kernel2d[start - 1:start, start - 1:start] + np.zeros((2, 2))
        index = 1
    while index < start:
        new = np.pad(new, 1, constant_values=kernel2d[start + index, start + index])
        index += 1
    return new


@pytest.mark.parametrize("width", [2, 3, 4, 5, 6, 7])
def test_radial_constraint_matches_tf_keras_algorithm(width):
    rng = np.random.RandomState(3537)
    w = rng.rand(width, width, 2, 3)
    out = C.RadialConstraint()(torch.from_numpy(w)).numpy()
    assert out.shape == w.shape
    for c in range(2):
        for o in range(3):
            np.testing.assert_array_equal(out[..., c, o], _tf_radial_reference(w[..., c, o]))
    # tf.keras's own test properties
    assert np.all(out[0:, 0, 0, 0] == out[-1:, 0, 0, 0])
    assert len(set(out[..., 0, 0].flatten())) == math.ceil(width / 2)


def test_radial_constraint_errors():
    with pytest.raises(ValueError, match="rank 4"):
        C.RadialConstraint()(torch.ones(3, 3))
    with pytest.raises(ValueError, match="square"):
        C.RadialConstraint()(torch.ones(3, 5, 1, 1))


# ------------------------------------------------------------------ get / (de)serialize
@pytest.mark.parametrize("name,cls", [
    ("max_norm", C.MaxNorm), ("maxnorm", C.MaxNorm), ("MaxNorm", C.MaxNorm),
    ("non_neg", C.NonNeg), ("nonneg", C.NonNeg), ("NonNeg", C.NonNeg),
    ("unit_norm", C.UnitNorm), ("unitnorm", C.UnitNorm), ("UnitNorm", C.UnitNorm),
    ("min_max_norm", C.MinMaxNorm), ("MinMaxNorm", C.MinMaxNorm),
    ("radial_constraint", C.RadialConstraint), ("RadialConstraint", C.RadialConstraint)])
def test_get_aliases(name, cls):
    assert type(C.get(name)) is cls
    assert getattr(C, name, cls) is cls


def test_get_misc_and_errors():
    assert C.get(None) is None
    assert isinstance(C.get(C.NonNeg), C.NonNeg)
    inst = C.MaxNorm(3)
    assert C.get(inst) is inst
    with pytest.raises(ValueError, match="Unknown constraint: 'max'"):
        C.get("max")
    with pytest.raises(TypeError):
        C.get(2)


def test_deserialize_all_eras():
    k1 = {"name": "MaxNorm", "m": 3, "axis": 0}
    assert C.deserialize(k1).get_config() == {"max_value": 3, "axis": 0}
    k1_mm = {"name": "MinMaxNorm", "low": 0.5, "high": 2.0, "rate": 1.0, "axis": 0}
    assert C.deserialize(k1_mm).get_config() == {"min_value": 0.5, "max_value": 2.0,
                                                 "rate": 1.0, "axis": 0}
    k2 = {"class_name": "MaxNorm", "config": {"max_value": 2, "axis": 0}}
    k3 = {"module": "keras.constraints", "class_name": "UnitNorm", "config": {"axis": 0},
          "registered_name": None}
    assert type(C.deserialize(k2)) is C.MaxNorm
    assert type(C.deserialize(k3)) is C.UnitNorm


@pytest.mark.parametrize("con", [C.MaxNorm(1.5, [0, 1]), C.NonNeg(), C.UnitNorm(1),
                                 C.MinMaxNorm(0.2, 0.8, 0.5, 0), C.RadialConstraint()],
                         ids=lambda c: type(c).__name__)
def test_serialize_roundtrip(con):
    cfg = C.serialize(con)
    assert cfg["module"] == "keras.constraints" and cfg["class_name"] == type(con).__name__
    again = C.deserialize(cfg)
    assert type(again) is type(con) and again.get_config() == con.get_config()
    assert C.serialize(con, use_legacy_format=True) == {"class_name": type(con).__name__,
                                                        "config": con.get_config()}
