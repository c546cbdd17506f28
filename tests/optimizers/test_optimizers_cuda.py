"""CUDA: the oracle cases on the GPU, CPU/GPU agreement for every option, and no host sync in
the update (``torch.cuda.set_sync_debug_mode("error")`` around the steps). Skipped without CUDA."""
import contextlib

import numpy as np
import pytest
import torch

from _optimizers_oracle import CASES, OPT_CASES, DenseDenseMSE, arrays, make, reference_libs
from torchkeras import optimizers
from torchkeras.optimizers import schedules

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


@contextlib.contextmanager
def no_sync():
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        yield
    finally:
        torch.cuda.set_sync_debug_mode("default")


@pytest.mark.parametrize("case", OPT_CASES)
@pytest.mark.parametrize("layout", ["keras", "torch"])
def test_oracle_case_on_cuda_without_sync(case, layout):
    model = DenseDenseMSE(arrays(case), layout)
    model.x, model.y = model.x.cuda(), model.y.cuda()
    model.params = [torch.nn.Parameter(p.detach().cuda()) for p in model.params]
    opt = make(CASES[case]["spec"]["optimizer"])
    opt.build(model.variables())
    traj = {i: [w] for i, w in enumerate(_cpu_weights(model))}
    for _ in range(CASES[case]["spec"]["steps"]):
        with no_sync():
            opt.zero_grad()
            model.loss().backward()
            opt.step()
        for i, w in enumerate(_cpu_weights(model)):
            traj[i].append(w)
    tol = CASES[case]["tolerance"]
    ref = arrays(case)
    for lib in reference_libs(case):
        for i, t in traj.items():
            np.testing.assert_allclose(np.stack(t), ref[f"{lib}.weights.{i}"], rtol=tol["rtol"],
                                       atol=tol["atol"], err_msg=f"{case} {layout} {lib} w{i}")


def _cpu_weights(model):
    return model.keras_weights()


VARIANTS = [
    ("SGD", dict(learning_rate=0.1, momentum=0.9, nesterov=True, clipnorm=0.5)),
    ("SGD", dict(learning_rate=0.1, global_clipnorm=0.3, weight_decay=0.01)),
    ("SGD", dict(learning_rate=0.1, clipvalue=0.05, use_ema=True, ema_momentum=0.9,
                 ema_overwrite_frequency=3)),
    ("SGD", dict(learning_rate=0.1, gradient_accumulation_steps=2)),
    ("Adam", dict(learning_rate=schedules.CosineDecay(0.01, 10), amsgrad=True)),
    ("AdamW", dict(learning_rate=0.01)),
    ("RMSprop", dict(learning_rate=0.01, momentum=0.5, centered=True)),
    ("Adagrad", dict(learning_rate=0.1)),
    ("Adadelta", dict(learning_rate=1.0)),
    ("Adamax", dict(learning_rate=0.01)),
    ("Nadam", dict(learning_rate=0.01)),
    ("Ftrl", dict(learning_rate=0.1, l1_regularization_strength=0.01,
                  l2_shrinkage_regularization_strength=0.01)),
    ("Lion", dict(learning_rate=0.001, weight_decay=0.1)),
    ("Adafactor", dict(learning_rate=0.01)),
    ("Lamb", dict(learning_rate=0.01)),
]


def _run(name, kwargs, device, steps=6):
    g = torch.Generator().manual_seed(0)
    shapes = [(7, 5), (5,), (3, 3, 4, 6), (6,)]
    params = [torch.nn.Parameter(torch.randn(s, generator=g).to(device)) for s in shapes]
    targets = [torch.randn(s, generator=g).to(device) for s in shapes]
    opt = getattr(optimizers, name)(**kwargs)
    opt.build(params)
    ctx = no_sync if device == "cuda" else contextlib.nullcontext
    for _ in range(steps):
        with ctx():
            opt.zero_grad()
            sum(((p - t) ** 3).sum() for p, t in zip(params, targets)).backward()
            opt.step()
    return [p.detach().cpu() for p in params], opt


@pytest.mark.parametrize("name, kwargs", VARIANTS, ids=[f"{n}-{i}" for i, (n, _) in
                                                         enumerate(VARIANTS)])
def test_cuda_matches_cpu_without_sync(name, kwargs):
    cpu, _ = _run(name, kwargs, "cpu")
    gpu, opt = _run(name, kwargs, "cuda")
    for a, b in zip(cpu, gpu):
        torch.testing.assert_close(b, a, rtol=1e-5, atol=1e-6)
    assert opt.learning_rate.device.type == "cpu" and opt.iterations.device.type == "cpu"
    for _, t in opt.keras_variables()[2:]:
        assert t.is_cuda or t.dim() == 0


def test_torch_scheduler_and_state_dict_on_cuda():
    p = torch.nn.Parameter(torch.ones(4, device="cuda"))
    opt = optimizers.Adam(learning_rate=0.1)
    opt.build([p])
    sched = torch.optim.lr_scheduler.StepLR(opt, 1, gamma=0.5)
    for _ in range(3):
        with no_sync():
            opt.zero_grad()
            (p ** 2).sum().backward()
            opt.step()
        sched.step()
    assert float(opt.lr) == pytest.approx(0.0125)
    sd = opt.state_dict()
    q = torch.nn.Parameter(p.detach().clone())
    opt2 = optimizers.Adam()
    opt2.build([q])
    opt2.load_state_dict(sd)
    assert opt2.state[q]["momentum"].is_cuda and int(opt2.iterations) == 3
