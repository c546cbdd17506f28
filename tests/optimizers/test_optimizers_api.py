"""Optimizer API: torch interop, learning-rate handling, configs, Keras state layout, errors.

Numbers come from Keras's documented update rules (the oracle replay lives in
``test_optimizers_oracle.py``); state layouts are checked against real Keras files
(``tests/fixtures/optimizers/optimizer_state_files.npz``: ``optimizer/vars`` of
``shared/keras_files/mlp.k{2,3}.weights.h5`` (Adam) and ``cnn_bn.k{2,3}.weights.h5``
(SGD momentum), written after 2 training steps).
"""
import copy
import io
import os
import pickle
import warnings

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import optimizers
from torchkeras.optimizers import schedules

_FILES = np.load(os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures",
                              "optimizers", "optimizer_state_files.npz"))


def _file_vars(tag):
    n = len([k for k in _FILES.files if k.startswith(tag + "/")])
    return [_FILES[f"{tag}/{i}"] for i in range(n)]


def _quadratic_params(seed=0, shapes=((3, 2), (2,))):
    g = torch.Generator().manual_seed(seed)
    return [torch.nn.Parameter(torch.randn(s, generator=g)) for s in shapes]


def _loss(params):
    return sum((p ** 2).sum() for p in params)


def _train(opt, params, steps, torch_style=True):
    if torch_style and not opt.built:
        opt.build(params)
    for _ in range(steps):
        if torch_style:
            opt.zero_grad()
            _loss(params).backward()
            opt.step()
        else:
            grads = torch.autograd.grad(_loss(params), params)
            opt.apply_gradients(zip(grads, params))


# ------------------------------------------------------------------------------------------
# construction, defaults, errors
# ------------------------------------------------------------------------------------------
def test_is_torch_optimizer_and_lazy():
    opt = optimizers.Adam()
    assert isinstance(opt, torch.optim.Optimizer)
    assert not opt.built and opt.param_groups == []
    opt.zero_grad()  # harmless before build
    params = _quadratic_params()
    opt.build(params)
    assert opt.built and opt.param_groups[0]["params"] == params
    assert set(opt.state[params[0]]) == {"momentum", "velocity"}


def test_defaults_match_keras3():
    assert optimizers.Adam().epsilon == 1e-7
    assert float(optimizers.Adam().learning_rate) == pytest.approx(0.001)
    assert optimizers.RMSprop().rho == 0.9
    assert float(optimizers.SGD().learning_rate) == pytest.approx(0.01)
    assert optimizers.AdamW().weight_decay == 0.004
    assert optimizers.Adagrad().initial_accumulator_value == 0.1
    assert optimizers.Adadelta().rho == 0.95
    assert optimizers.Lion().beta_2 == 0.99
    assert optimizers.Lamb().epsilon == 1e-7
    assert optimizers.Ftrl().learning_rate_power == -0.5
    assert optimizers.Adafactor().beta_2_decay == -0.8
    assert optimizers.RMSprop().name == "rm_sprop" and optimizers.AdamW().name == "adam_w"


def test_unknown_argument_is_type_error():
    with pytest.raises(TypeError, match="bogus"):
        optimizers.Adam(bogus=1)


@pytest.mark.parametrize("kwargs, word", [
    ({"learning_rate": -0.1}, "learning_rate"),
    ({"momentum": 1.5}, "momentum"),
    ({"momentum": -0.1}, "momentum"),
    ({"clipnorm": 1.0, "global_clipnorm": 1.0}, "global_clipnorm"),
    ({"clipnorm": -1.0}, "clipnorm"),
    ({"weight_decay": -0.1}, "weight_decay"),
    ({"learning_rate": "fast"}, "learning_rate"),
    ({"gradient_accumulation_steps": 1}, "gradient_accumulation_steps"),
])
def test_invalid_values_are_value_errors(kwargs, word):
    with pytest.raises(ValueError, match=word):
        optimizers.SGD(**kwargs)


def test_other_value_checks():
    with pytest.raises(ValueError, match="beta_1"):
        optimizers.Adam(beta_1=1.5)
    with pytest.raises(ValueError, match="weight_decay"):
        optimizers.AdamW(weight_decay=None)
    with pytest.raises(ValueError, match="l1_regularization_strength"):
        optimizers.Ftrl(l1_regularization_strength=-1.0)
    with pytest.raises(ValueError, match="beta_1"):
        optimizers.Lion(beta_1=0.0)


def test_step_before_build_and_unknown_variables():
    opt = optimizers.SGD()
    with pytest.raises(ValueError, match="build"):
        opt.step()
    with pytest.raises(ValueError, match="built"):
        opt.apply([torch.zeros(2)])
    a, b = _quadratic_params()
    opt.build([a])
    with pytest.raises(ValueError, match="Unknown variable"):
        opt.apply_gradients([(torch.zeros_like(b), b)])
    with pytest.raises(ValueError, match="No gradients"):
        opt.apply_gradients([(None, a)])


# ------------------------------------------------------------------------------------------
# update paths
# ------------------------------------------------------------------------------------------
def test_step_apply_and_apply_gradients_agree():
    results = []
    for mode in ("step", "apply", "apply_gradients"):
        params = _quadratic_params()
        opt = optimizers.Adam(learning_rate=0.1)
        for _ in range(3):
            grads = torch.autograd.grad(_loss(params), params)
            if mode == "step":
                opt.build(params)
                for p, g in zip(params, grads):
                    p.grad = g
                opt.step()
            elif mode == "apply":
                opt.apply(list(grads), params)
            else:
                assert opt.apply_gradients(zip(grads, params)) is opt._iterations
        assert int(opt.iterations) == 3
        results.append([p.detach().clone() for p in params])
    for other in results[1:]:
        for x, y in zip(results[0], other):
            torch.testing.assert_close(x, y)


def test_step_closure_and_minimize():
    params = _quadratic_params()
    opt = optimizers.SGD(learning_rate=0.1)
    opt.build(params)

    def closure():
        opt.zero_grad()
        loss = _loss(params)
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert float(loss.detach()) > 0 and int(opt.iterations) == 1
    opt.minimize(lambda: _loss(params), params)
    assert int(opt.iterations) == 2


def test_apply_with_none_gradient_warns_and_skips():
    a, b = _quadratic_params()
    before = b.detach().clone()
    opt = optimizers.SGD(learning_rate=0.1)
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        opt.apply_gradients([(torch.ones_like(a), a), (None, b)])
    torch.testing.assert_close(b.detach(), before)


def test_numpy_gradients_accepted():
    (a,) = _quadratic_params(shapes=((2, 2),))
    before = a.detach().clone()
    opt = optimizers.SGD(learning_rate=0.5)
    opt.apply_gradients([(np.ones((2, 2), np.float32), a)])
    torch.testing.assert_close(a.detach(), before - 0.5)


def test_param_groups_torch_style():
    a, b = _quadratic_params()
    opt = optimizers.SGD(learning_rate=0.1)
    opt.build([{"params": [a]}, {"params": [b], "lr": 0.0}])
    a0, b0 = a.detach().clone(), b.detach().clone()
    _train(opt, [a, b], 1)
    assert not torch.equal(a.detach(), a0)
    torch.testing.assert_close(b.detach(), b0)  # its group's lr is 0
    c = torch.nn.Parameter(torch.ones(4))
    opt.add_param_group({"params": [c]})
    (c.sum()).backward()
    opt.step()
    assert float(c.detach()[0]) < 1.0


def test_weight_decay_exclusion():
    a = torch.nn.Parameter(torch.full((2,), 2.0))
    b = torch.nn.Parameter(torch.full((2,), 2.0))
    opt = optimizers.SGD(learning_rate=1.0, weight_decay=0.004)
    opt.exclude_from_weight_decay(var_list=[b])
    opt.apply_gradients([(torch.zeros(2), a), (torch.zeros(2), b)])
    torch.testing.assert_close(a.detach(), torch.full((2,), 2.0 * (1 - 0.004)))
    torch.testing.assert_close(b.detach(), torch.full((2,), 2.0))


def test_gradient_accumulation():
    (a,) = _quadratic_params(shapes=((3,),))
    start = a.detach().clone()
    opt = optimizers.SGD(learning_rate=0.1, gradient_accumulation_steps=2)
    g1, g2 = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([3.0, 2.0, 1.0])
    opt.apply_gradients([(g1, a)])
    torch.testing.assert_close(a.detach(), start)  # accumulated only
    opt.apply_gradients([(g2, a)])
    torch.testing.assert_close(a.detach(), start - 0.1 * (g1 + g2) / 2)
    assert int(opt._iterations) == 2 and int(opt.iterations) == 1


def test_ema():
    (a,) = _quadratic_params(shapes=((3,),))
    opt = optimizers.SGD(learning_rate=0.1, use_ema=True, ema_momentum=0.9)
    values = []
    for _ in range(3):
        opt.apply_gradients([(torch.ones(3), a)])
        values.append(a.detach().clone())
    expected = values[0]
    for v in values[1:]:
        expected = 0.9 * expected + 0.1 * v
    torch.testing.assert_close(opt.state[a]["average"], expected)
    opt.finalize_variable_values([a])
    torch.testing.assert_close(a.detach(), expected)


def test_loss_scale_factor_unscales():
    (a,) = _quadratic_params(shapes=((2,),))
    start = a.detach().clone()
    opt = optimizers.SGD(learning_rate=0.1, loss_scale_factor=8.0)
    assert float(opt.scale_loss(torch.tensor(1.0))) == 8.0
    opt.apply_gradients([(torch.full((2,), 8.0), a)])
    torch.testing.assert_close(a.detach(), start - 0.1)


def test_constraint_applied_in_keras_layout():
    class Spec:  # a torchkeras WeightSpec-like object: torch layout (out, in)
        def __init__(self, tensor):
            self.tensor = tensor
            self.name = "kernel"
            self.keras_shape = tuple(tensor.shape[::-1])
            self.to_keras = lambda t: t.t()
            self.from_keras = lambda t: t.t()
            self.constraint = keras.constraints.MaxNorm(1.0, axis=0)
            self.owner = None

    w = torch.nn.Parameter(torch.tensor([[3.0, 0.0], [0.0, 4.0], [1.0, 1.0]]))  # (out=3, in=2)
    opt = optimizers.SGD(learning_rate=0.0)
    opt.apply_gradients([(torch.zeros(2, 3), Spec(w))])
    # Keras kernel (in=2, out=3); axis=0 norms are per output unit = rows of torch layout
    norms = torch.linalg.vector_norm(w.detach(), dim=1)
    assert torch.all(norms <= 1.0 + 1e-6)


# ------------------------------------------------------------------------------------------
# learning rate
# ------------------------------------------------------------------------------------------
def test_learning_rate_is_cpu_float32_variable():
    opt = optimizers.Adam(learning_rate=0.01)
    lr = opt.learning_rate
    assert isinstance(lr, torch.Tensor) and lr.dtype == torch.float32 and lr.dim() == 0
    assert lr.device.type == "cpu" and opt.lr is lr
    it = opt.iterations
    assert it.dtype == torch.int64 and int(it) == 0


def test_set_learning_rate_mid_training_every_spelling():
    from torchkeras.backend.variables import get_value, set_value
    params = _quadratic_params()
    opt = optimizers.SGD(learning_rate=0.1)
    _train(opt, params, 1)
    for setter, value in ((lambda v: set_value(opt.lr, v), 0.05),
                          (lambda v: opt.learning_rate.assign(v), 0.02),
                          (lambda v: setattr(opt, "learning_rate", v), 0.03),
                          (lambda v: setattr(opt, "lr", v), 0.04),
                          (lambda v: opt.lr.fill_(v), 0.06)):
        setter(value)
        assert get_value(opt.lr) == pytest.approx(value)
        before = [p.detach().clone() for p in params]
        grads = [2 * p.detach() for p in params]
        _train(opt, params, 1)
        assert opt.param_groups[0]["lr"] == pytest.approx(value)
        for p, b, g in zip(params, before, grads):
            torch.testing.assert_close(p.detach(), b - np.float32(value) * g)


def test_torch_lr_scheduler_drives_keras_optimizer():
    params = _quadratic_params()
    opt = optimizers.SGD(learning_rate=0.1)
    opt.build(params)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "scheduler.step() before optimizer.step()" warning
        for _ in range(5):
            before = params[0].detach().clone()
            grad = 2 * before
            _train(opt, params, 1)
            used = float((before - params[0].detach()).flatten()[0] / grad.flatten()[0])
            seen.append(round(used, 5))
            sched.step()
    assert seen == [0.1, 0.1, 0.05, 0.05, 0.025]
    assert float(opt.learning_rate) == pytest.approx(0.025)  # 0.1 * 0.5 ** (5 // 2)
    # and the Keras side still wins when it changes afterwards
    opt.learning_rate = 0.5
    assert opt.param_groups[0]["lr"] == 0.5


def test_torch_lr_scheduler_with_apply_gradients():
    (a,) = _quadratic_params(shapes=((2,),))
    opt = optimizers.Adam(learning_rate=0.1)
    opt.build([a])
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            opt.apply_gradients([(torch.ones(2), a)])
            sched.step()
    assert float(opt.lr) == pytest.approx(0.0125)


def test_schedule_learning_rate_read_before_increment():
    (a,) = _quadratic_params(shapes=((1,),))
    sched = schedules.PiecewiseConstantDecay([0, 1], [1.0, 0.5, 0.25])
    opt = optimizers.SGD(learning_rate=sched)
    used = []
    for _ in range(3):
        assert float(opt.learning_rate) == pytest.approx(sched._value(int(opt.iterations)))
        before = float(a.detach())
        opt.apply_gradients([(torch.ones(1), a)])
        used.append(round(before - float(a.detach()), 6))
    assert used == [1.0, 0.5, 0.25]
    assert opt.param_groups[0]["lr"] == 0.25
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.1
    # a schedule is not a variable: Keras 3 saves only the iteration (and slots)
    assert [n for n, _ in opt.keras_variables()] == ["sgd/iteration"]


def test_callable_learning_rate():
    (a,) = _quadratic_params(shapes=((1,),))
    rate = {"v": 0.5}
    opt = optimizers.SGD(learning_rate=lambda: rate["v"])
    before = float(a.detach())
    opt.apply_gradients([(torch.ones(1), a)])
    assert before - float(a.detach()) == pytest.approx(0.5)
    rate["v"] = 0.25
    assert float(opt.learning_rate) == 0.25


def test_legacy_lr_and_decay():
    (a,) = _quadratic_params(shapes=((1,),))
    with pytest.warns(DeprecationWarning, match="lr"):
        opt = optimizers.SGD(lr=0.1, decay=0.5)
    assert float(opt.lr) == pytest.approx(0.1) and opt.decay == 0.5
    used = []
    for _ in range(3):
        before = float(a.detach())
        opt.apply_gradients([(torch.ones(1), a)])
        used.append(before - float(a.detach()))
    # Keras 2: lr / (1 + decay * iterations), iterations read before the increment
    np.testing.assert_allclose(used, [0.1, 0.1 / 1.5, 0.1 / 2.0], rtol=1e-6)
    cfg = opt.get_config()
    assert cfg["learning_rate"]["class_name"] == "InverseTimeDecay"
    assert cfg["learning_rate"]["config"]["decay_rate"] == 0.5


def test_legacy_arguments_twice_is_harmless():
    """The constructor edge may already have renamed ``lr``; a schedule from ``decay`` too."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = optimizers.Adam(learning_rate=0.01)
        b = optimizers.Adam(lr=0.01)
        c = optimizers.Adam.from_config(b.get_config())
        d = optimizers.Adam(learning_rate=schedules.InverseTimeDecay(0.01, 1, 0.5))
        e = optimizers.Adam(lr=0.01, decay=0.5)
    assert a.get_config() == b.get_config() == c.get_config()
    assert a.get_config() == b.get_config() == c.get_config()
    assert [d._base_lr_value(i) for i in range(3)] == pytest.approx(
        [0.01 / (1 + 0.5 * i) for i in range(3)])
    # Keras 2 ``decay`` and the equivalent schedule train identically
    assert e.get_config()["learning_rate"]["class_name"] == "InverseTimeDecay"
    pd, pe = _quadratic_params(), _quadratic_params()
    _train(d, pd, 3)
    _train(e, pe, 3)
    for x, y in zip(pd, pe):
        torch.testing.assert_close(x, y)
    f = optimizers.Adam.from_config(e.get_config())  # decay as a schedule: same rates
    assert [f._base_lr_value(i) for i in range(3)] == pytest.approx(
        [d._base_lr_value(i) for i in range(3)])


# ------------------------------------------------------------------------------------------
# config / get / serialize
# ------------------------------------------------------------------------------------------
ALL = ["SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl",
       "Lion", "Adafactor", "Lamb"]


@pytest.mark.parametrize("name", ALL)
def test_config_round_trip(name):
    cls = getattr(optimizers, name)
    opt = cls(learning_rate=0.05, clipnorm=1.5)
    cfg = opt.get_config()
    assert list(cfg)[:11] == ["name", "learning_rate", "weight_decay", "clipnorm",
                              "global_clipnorm", "clipvalue", "use_ema", "ema_momentum",
                              "ema_overwrite_frequency", "loss_scale_factor",
                              "gradient_accumulation_steps"]
    again = cls.from_config(cfg)
    assert again.get_config() == cfg
    ser = optimizers.serialize(opt)
    assert ser["module"] == "keras.optimizers" and ser["class_name"] == name
    assert optimizers.deserialize(ser).get_config() == cfg


def test_schedule_config_round_trip():
    opt = optimizers.SGD(learning_rate=schedules.ExponentialDecay(0.1, 2, 0.5))
    cfg = opt.get_config()
    assert cfg["learning_rate"]["class_name"] == "ExponentialDecay"
    again = optimizers.SGD.from_config(cfg)
    assert isinstance(again._lr_obj, schedules.ExponentialDecay)


def test_from_config_keras1_keras2_and_tf_keras():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        k1 = optimizers.deserialize({"class_name": "Adam", "config": {
            "lr": 0.0010000000474974513, "beta_1": 0.8999999761581421,
            "beta_2": 0.9990000128746033, "decay": 0.0, "epsilon": 1e-08}})
        k1_nadam = optimizers.deserialize({"class_name": "Nadam", "config": {
            "lr": 0.002, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-08,
            "schedule_decay": 0.004}})
    assert isinstance(k1, optimizers.Adam) and k1.epsilon == 1e-08
    assert float(k1.lr) == pytest.approx(0.001) and k1.decay == 0.0
    assert isinstance(k1_nadam, optimizers.Nadam)
    tfk = optimizers.deserialize({"class_name": "Custom>Adam", "config": {
        "name": "Adam", "weight_decay": None, "clipnorm": None, "global_clipnorm": None,
        "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
        "ema_overwrite_frequency": None, "jit_compile": False, "is_legacy_optimizer": False,
        "learning_rate": 0.0010000000474974513, "beta_1": 0.9, "beta_2": 0.999,
        "epsilon": 1e-07, "amsgrad": False}})
    assert isinstance(tfk, optimizers.Adam) and tfk.name == "Adam"
    k2_sched = optimizers.deserialize({"class_name": "SGD", "config": {
        "name": "SGD", "learning_rate": {"class_name": "ExponentialDecay", "config": {
            "initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5,
            "staircase": False, "name": None}}, "momentum": 0.0, "nesterov": False}})
    assert isinstance(k2_sched._lr_obj, schedules.ExponentialDecay)


def test_get():
    for name in ("adam", "Adam", "ADAM", "sgd", "rmsprop", "RMSprop", "adagrad", "adadelta",
                 "adamax", "nadam", "ftrl", "adamw", "lion", "adafactor", "lamb"):
        assert isinstance(optimizers.get(name), optimizers.Optimizer)
    opt = optimizers.SGD()
    assert optimizers.get(opt) is opt
    plain = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    assert optimizers.get(plain) is plain
    assert isinstance(optimizers.get({"class_name": "Adam", "config": {}}), optimizers.Adam)
    with pytest.raises(ValueError, match="no_such_opt"):
        optimizers.get("no_such_opt")
    with pytest.raises(ValueError):
        optimizers.get(None)
    assert optimizers.adam is optimizers.Adam  # Keras 1/2 lowercase aliases
    from torchkeras.optimizers import legacy
    assert legacy.Adam is optimizers.Adam


# ------------------------------------------------------------------------------------------
# Keras state layout and torch state_dict
# ------------------------------------------------------------------------------------------
def _mlp_params():
    shapes = [(20, 64), (64,), (64, 10), (10,)]
    return [torch.nn.Parameter(torch.zeros(s)) for s in shapes]


def test_keras_variables_before_build():
    opt = optimizers.Adam()
    names = [n for n, _ in opt.keras_variables()]
    assert names == ["adam/iteration", "adam/learning_rate"]  # as an untrained Keras 3 file
    assert [n for n, _ in opt.keras_variables(era=2)] == ["iteration:0"]
    sched_opt = optimizers.Adam(learning_rate=schedules.ExponentialDecay(0.1, 2, 0.5))
    assert [n for n, _ in sched_opt.keras_variables()] == ["adam/iteration"]


def test_adam_layout_matches_real_keras3_file():
    values = _file_vars("k3")
    opt = optimizers.Adam()
    opt.build(_mlp_params())
    ours = opt.keras_variables()
    assert [tuple(t.shape) for _, t in ours] == [v.shape for v in values]
    assert [n.split("_")[-1] for n, _ in ours[2:]] == ["momentum", "velocity"] * 4
    # the real file's order: velocities are the non-negative ones
    assert all((values[i] >= 0).all() for i in range(3, 10, 2))
    assert any((values[i] < 0).any() for i in range(2, 10, 2))
    opt.set_keras_variables(values)
    assert int(opt.iterations) == 2 and float(opt.learning_rate) == pytest.approx(0.001)
    for (_, t), v in zip(opt.keras_variables(), values):
        np.testing.assert_array_equal(t.detach().numpy(), v)
    # training continues from the restored state
    params = opt._trainable_variables
    for p in params:
        p.grad = torch.ones_like(p)
    opt.step()
    assert int(opt.iterations) == 3


def test_adam_layout_matches_real_tf_keras_file():
    values = _file_vars("k2")
    opt = optimizers.Adam()
    opt.build(_mlp_params())
    ours = opt.keras_variables(era=2)
    assert [tuple(t.shape) for _, t in ours] == [v.shape for v in values]
    assert [n.split("/")[1] for n, _ in ours[1:]] == ["m", "v"] * 4
    opt.set_keras_variables(values, era=2)
    for (_, t), v in zip(opt.keras_variables(era=2), values):
        np.testing.assert_array_equal(t.detach().numpy(), v)


def test_sgd_momentum_layout_matches_real_files():
    shapes = [(3, 3, 3, 8), (8,), (8,), (8,), (3, 3, 8, 16), (16,), (16, 5), (5,)]
    for tag, era in (("k3sgd", 3), ("k2sgd", 2)):
        values = _file_vars(tag)
        opt = optimizers.SGD(momentum=0.9)
        opt.build([torch.nn.Parameter(torch.zeros(s)) for s in shapes])
        assert [tuple(t.shape) for _, t in opt.keras_variables(era)] == [v.shape for v in values]
        opt.set_keras_variables(values, era=era)
        assert int(opt.iterations) == 2


def test_sgd_without_momentum_layouts():
    opt = optimizers.SGD()
    opt.build(_quadratic_params())
    assert len(opt.keras_variables(3)) == 2  # Keras 3: no slots
    assert len(opt.keras_variables(2)) == 3  # tf-keras always creates "m"


@pytest.mark.parametrize("name, slots", [
    ("RMSprop", ["velocity"]), ("Adagrad", ["accumulator"]),
    ("Adadelta", ["accumulated_grad", "accumulated_delta_var"]), ("Adamax", ["momentum", "norm"]),
    ("Ftrl", ["accumulator", "linear"]), ("Lion", ["momentum"]),
    ("Lamb", ["momentum", "velocity"]), ("Nadam", ["momentum", "velocity"]),
    ("Adafactor", ["r", "c", "velocity"]),
])
def test_slot_names_follow_keras(name, slots):
    opt = getattr(optimizers, name)()
    params = _quadratic_params()
    opt.build(params)
    names = [n.split("/", 1)[1] for n, _ in opt.keras_variables()]
    expected = ["iteration", "learning_rate"]
    for i in range(2):
        expected += [f"variable_{i}_{s}" for s in slots]
    if name == "Nadam":
        expected.append("u_product")
    assert names == expected


def test_rmsprop_blocks_and_adam_amsgrad_order():
    params = _quadratic_params()
    opt = optimizers.RMSprop(momentum=0.5, centered=True)
    opt.build(params)
    names = [n.split("/", 1)[1] for n, _ in opt.keras_variables()][2:]
    assert names == ["variable_0_velocity", "variable_1_velocity", "variable_0_momentum",
                     "variable_1_momentum", "variable_0_average_gradient",
                     "variable_1_average_gradient"]
    opt = optimizers.Adam(amsgrad=True)
    opt.build(params)
    names = [n.split("/", 1)[1] for n, _ in opt.keras_variables()][2:]
    assert names == ["variable_0_momentum", "variable_0_velocity", "variable_1_momentum",
                     "variable_1_velocity", "variable_0_velocity_hat", "variable_1_velocity_hat"]


def test_keras_variables_in_keras_layout_for_torch_storage():
    class Spec:
        def __init__(self, tensor):
            self.tensor, self.name, self.constraint, self.owner = tensor, "kernel", None, None
            self.keras_shape = tuple(tensor.shape[::-1])
            self.to_keras = lambda t: t.t()
            self.from_keras = lambda t: t.t()

    w = torch.nn.Parameter(torch.zeros(4, 3))  # torch (out, in); Keras kernel (3, 4)
    opt = optimizers.Adam()
    opt.apply_gradients([(torch.ones(3, 4), Spec(w))])
    (_, m), (_, v) = opt.keras_variables()[2:]
    assert tuple(m.shape) == (3, 4) and tuple(opt.state[w]["momentum"].shape) == (4, 3)
    new_m = np.arange(12, dtype=np.float32).reshape(3, 4)
    opt.set_keras_variables([2, 0.001, new_m, np.ones((3, 4), np.float32)])
    np.testing.assert_array_equal(opt.state[w]["momentum"].numpy(), new_m.T)


def test_set_keras_variables_errors():
    opt = optimizers.Adam()
    opt.build(_quadratic_params())
    with pytest.raises(ValueError, match="6 variables"):
        opt.set_keras_variables([0, 0.001])
    bad = [0, 0.001, np.zeros((2, 3)), np.zeros((3, 2)), np.zeros(2), np.zeros(2)]
    with pytest.raises(ValueError, match="shape"):
        opt.set_keras_variables(bad)


def test_get_set_weights_follow_era():
    from torchkeras.backend import config
    opt = optimizers.Adam()
    opt.build(_quadratic_params())
    assert len(opt.get_weights()) == 6
    with config.era_scope(2):
        w = opt.get_weights()
        assert len(w) == 5
        opt.set_weights(w)
    with pytest.raises(ValueError, match="not yet been built"):
        optimizers.Adam().set_weights([])


def test_state_dict_round_trip():
    params = _quadratic_params()
    opt = optimizers.Nadam(learning_rate=0.01)
    _train(opt, params, 3)
    sd = opt.state_dict()
    buf = io.BytesIO()
    torch.save(sd, buf)
    buf.seek(0)
    loaded = torch.load(buf)  # weights_only default: plain types only
    params2 = [torch.nn.Parameter(p.detach().clone()) for p in params]
    opt2 = optimizers.Nadam(learning_rate=0.5)
    opt2.build(params2)
    opt2.load_state_dict(loaded)
    assert int(opt2.iterations) == 3 and float(opt2.lr) == pytest.approx(0.01)
    assert float(opt2._u_product) == float(opt._u_product)
    _train(opt, params, 2)
    _train(opt2, params2, 2)
    for a, b in zip(params, params2):
        torch.testing.assert_close(a, b)


def test_copy_and_pickle():
    opt = optimizers.Adam(learning_rate=0.01)
    opt2 = copy.deepcopy(opt)
    assert opt2.get_config() == opt.get_config()
    opt3 = pickle.loads(pickle.dumps(opt))
    assert float(opt3.lr) == pytest.approx(0.01) and opt3.name == "adam"
    params = _quadratic_params()
    _train(opt3, params, 1)
    assert int(opt3.iterations) == 1


def test_iterations_settable():
    opt = optimizers.Adam()
    opt.iterations.assign(5)
    assert int(opt.iterations) == 5
    opt.iterations = 7
    assert int(opt.iterations) == 7


# ------------------------------------------------------------------------------------------
# Keras 3 custom optimizers and the legacy translation edge
# ------------------------------------------------------------------------------------------
class _MomentumSGD(optimizers.Optimizer):
    """The example from Keras's ``Optimizer`` docstring (custom ``build`` + ``update_step``)."""

    def __init__(self, learning_rate=0.01, momentum=0.9, name="msgd", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.momentum = momentum

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self.momentums = [self.add_variable_from_reference(v, name="momentum") for v in var_list]

    def update_step(self, gradient, variable, learning_rate):
        m = self.momentums[self._get_variable_index(variable)]
        self.assign(m, m * self.momentum - gradient * learning_rate)
        self.assign_add(variable, m)


def test_keras3_custom_optimizer_matches_builtin_sgd():
    pa, pb = _quadratic_params(), _quadratic_params()
    custom = _MomentumSGD(learning_rate=0.05, momentum=0.9)
    builtin = optimizers.SGD(learning_rate=0.05, momentum=0.9)
    _train(custom, pa, 4, torch_style=False)
    _train(builtin, pb, 4, torch_style=False)
    for a, b in zip(pa, pb):
        torch.testing.assert_close(a, b)
    names = [n.split("/", 1)[1] for n, _ in custom.keras_variables()]
    assert names == ["iteration", "learning_rate", "variable_0_momentum", "variable_1_momentum"]
    values = [t.detach().clone() for _, t in custom.keras_variables()]
    custom.set_keras_variables([v * 0 for v in values])
    assert float(custom.momentums[0].abs().sum()) == 0.0


def test_custom_optimizer_without_update_step():
    class Broken(optimizers.Optimizer):
        pass

    with pytest.raises(NotImplementedError, match="update_step"):
        Broken().apply_gradients([(torch.ones(1), torch.nn.Parameter(torch.zeros(1)))])


def test_constructor_goes_through_legacy_edge(monkeypatch):
    from torchkeras.legacy import edge
    seen = []

    def rule(cls, args, kwargs):
        seen.append(cls.__name__)
        if "learning_rate_old" in kwargs:
            kwargs["learning_rate"] = kwargs.pop("learning_rate_old")
        return args, kwargs

    monkeypatch.setitem(edge.RULES, "Optimizer", [rule])
    opt = optimizers.AdamW(learning_rate_old=0.5)
    assert float(opt.lr) == 0.5
    assert seen == ["AdamW"]  # once, at the outermost constructor
    custom = _MomentumSGD(learning_rate_old=0.25)
    assert float(custom.lr) == 0.25


def test_weights_property_follows_era():
    from torchkeras.backend import config
    opt = optimizers.Adam()
    opt.build(_quadratic_params())
    assert len(opt.weights) == 6
    with config.era_scope(2):
        assert len(opt.weights) == 5


def test_decayed_lr_and_loss_scale_optimizer_export():
    with pytest.warns(DeprecationWarning):
        opt = optimizers.SGD(lr=0.1, decay=1.0)
    opt._iterations.fill_(3)
    assert float(opt._decayed_lr()) == pytest.approx(0.1 / 4)
    inner = optimizers.Adam()
    assert optimizers.LossScaleOptimizer(inner) is inner


def test_with_torchkeras_model_weights():
    """Built on ``model.trainable_weights`` (torch storage, Keras views): Keras-layout state,
    constraints applied, gradients accepted in either layout."""
    try:
        model = keras.Sequential([keras.Input(shape=(5,)),
                                  keras.layers.Dense(4, kernel_constraint=keras.constraints.MaxNorm(0.1)),
                                  keras.layers.Dense(3)])
        weights = model.trainable_weights
        weights[0].tensor
    except Exception as err:  # engine not available in this checkout
        pytest.skip(f"torchkeras engine unavailable: {err}")
    x, y = torch.randn(6, 5), torch.randn(6, 3)
    opt = optimizers.Adam(learning_rate=0.05)
    for keras_layout in (False, True):
        loss = torch.mean((model(x) - y) ** 2)
        grads = list(torch.autograd.grad(loss, [w.tensor for w in weights]))
        if keras_layout:
            grads = [g.t() if g.dim() == 2 else g for g in grads]
        opt.apply_gradients(zip(grads, model.trainable_weights))
    assert [tuple(t.shape) for _, t in opt.keras_variables()[2:]] == [
        (5, 4), (5, 4), (4,), (4,), (4, 3), (4, 3), (3,), (3,)]
    kernel = model.trainable_weights[0].numpy()
    assert np.sqrt((kernel ** 2).sum(axis=0)).max() <= 0.1 + 1e-6
