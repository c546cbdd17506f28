"""Replay the oracle's ``schedule_*`` cases: values at steps 0..50 (rtol 1e-5, atol 1e-8)."""
import numpy as np
import pytest
import torch

from _optimizers_oracle import CASES, SCHEDULE_CASES, arrays, make
from torchkeras.optimizers import schedules


def test_all_cases_present():
    assert len(SCHEDULE_CASES) == 11


@pytest.mark.parametrize("case", SCHEDULE_CASES)
def test_schedule_values_match_keras(case):
    spec = CASES[case]["spec"]
    sched = make(spec["schedule"])
    steps = range(spec["steps"] + 1)
    called = np.asarray([float(sched(s)) for s in steps], np.float32)
    fast = np.asarray([sched._value(s) for s in steps], np.float32)
    tensor_steps = np.asarray([float(sched(torch.tensor(s))) for s in steps], np.float32)
    tol = CASES[case]["tolerance"]
    ref = arrays(case)
    for lib in ("k3", "k2"):
        np.testing.assert_allclose(called, ref[f"{lib}.values"], rtol=tol["rtol"], atol=tol["atol"])
    np.testing.assert_array_equal(called, fast)
    np.testing.assert_array_equal(called, tensor_steps)


@pytest.mark.parametrize("case", SCHEDULE_CASES)
def test_schedule_serialization_round_trip(case):
    sched = make(CASES[case]["spec"]["schedule"])
    cfg = schedules.serialize(sched)
    assert cfg["module"] == "keras.optimizers.schedules"
    assert cfg["class_name"] == type(sched).__name__
    again = schedules.deserialize(cfg)
    assert type(again) is type(sched) and again.get_config() == sched.get_config()
    # Keras 2 form: no module, name None
    k2 = {"class_name": cfg["class_name"], "config": dict(cfg["config"], name=None)}
    assert [again._value(s) for s in range(20)] == [
        schedules.deserialize(k2)._value(s) for s in range(20)]


def test_schedule_returns_float32_tensor():
    s = schedules.ExponentialDecay(0.1, 10, 0.5)
    v = s(3)
    assert isinstance(v, torch.Tensor) and v.dtype == torch.float32 and v.dim() == 0


def test_schedule_errors():
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="boundaries"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="NoSuchDecay"):
        schedules.deserialize({"class_name": "NoSuchDecay", "config": {}})


def test_custom_schedule_subclass():
    class Halving(schedules.LearningRateSchedule):
        def __call__(self, step):
            return 1.0 / (2 ** int(step))

        def get_config(self):
            return {}

    s = Halving()
    assert s._value(3) == 0.125
    got = schedules.deserialize(schedules.serialize(s), custom_objects={"Halving": Halving})
    assert isinstance(got, Halving)
