"""Device check for losses and metrics (run by hand on a CUDA machine; not collected by pytest).

    python tests/metrics/gpu_check_losses_metrics.py

1. Every loss class and metric class runs on CUDA tensors with
   ``torch.cuda.set_sync_debug_mode('error')``: any host synchronisation raises.
2. The oracle's metric cases replayed with CUDA inputs match real Keras (states follow the
   inputs to the GPU), and loss cases give the CPU values.
3. ``metric.to('cuda')`` keeps the accumulated values; results stay on the device.
"""
import os
import sys
import traceback

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))  # tests/: oracle_data

import torchkeras as keras  # noqa: E402
from oracle_data import OracleSet, close  # noqa: E402
from test_metrics_api import BUILTIN, _feed, _make  # noqa: E402

L, M = keras.losses, keras.metrics
dev = torch.device("cuda")
failures = []


def check(name, fn):
    try:
        fn()
        print("OK  ", name)
    except Exception as e:  # noqa: BLE001
        failures.append(name)
        print("FAIL", name, type(e).__name__, str(e)[:300])
        traceback.print_exc(limit=3)


def loss_inputs(cls):
    g = torch.Generator(device="cpu").manual_seed(0)
    if cls in (L.SparseCategoricalCrossentropy, L.CategoricalGeneralizedCrossEntropy, L.Circle):
        return torch.randint(0, 3, (8,), generator=g), torch.softmax(torch.randn(8, 3, generator=g), -1)
    if cls is L.CTC:
        return torch.randint(1, 3, (8, 2), generator=g), torch.randn(8, 6, 3, generator=g)
    return torch.randint(0, 2, (8, 3), generator=g).float(), torch.sigmoid(torch.randn(8, 3, generator=g))


LOSS_CLASSES = [c for c in L.ALL_CLASSES if c not in (L.Loss, L.LossFunctionWrapper)]


def loss_no_sync(cls):
    obj = cls(q=0.3) if cls is L.CategoricalGeneralizedCrossEntropy else cls()
    yt, yp = loss_inputs(cls)
    sw = torch.rand(8)
    cpu = obj(yt, yp, sample_weight=sw)
    yt, yp, sw = yt.to(dev), yp.to(dev).requires_grad_(), sw.to(dev)
    obj(yt, yp, sample_weight=sw)  # warm-up
    torch.cuda.synchronize()
    # torch's ctc_loss copies the label lengths to the host: CTC is the one known exception.
    torch.cuda.set_sync_debug_mode(0 if cls is L.CTC else "error")
    try:
        out = obj(yt, yp, sample_weight=sw)
        out.backward()
    finally:
        torch.cuda.set_sync_debug_mode(0)
    assert out.device.type == "cuda"
    np.testing.assert_allclose(out.detach().cpu().numpy(), cpu.numpy(), rtol=2e-5, atol=1e-6)


def _feed_inputs(m):
    captured = {}

    def grab(*args, **kwargs):
        captured["args"], captured["kwargs"] = args, kwargs

    m.__dict__["update_state"] = grab
    try:
        _feed(m)
    finally:
        del m.__dict__["update_state"]
    args = tuple(a.to(dev) for a in captured["args"])
    kwargs = {k: (v.to(dev) if isinstance(v, torch.Tensor) else v)
              for k, v in captured["kwargs"].items()}
    return args, kwargs


def metric_no_sync(cls):
    m = _make(cls).to(dev)
    args, kwargs = _feed_inputs(m)
    m.update_state(*args, **kwargs)  # warm-up (thresholds cache, lazy states)
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        m.update_state(*args, **kwargs)
        r = m.result()
    finally:
        torch.cuda.set_sync_debug_mode(0)
    assert r.device.type == "cuda"
    assert all(v.device.type == "cuda" for v in m.variables)
    ref = _make(cls)
    _feed(ref)
    _feed(ref)
    np.testing.assert_allclose(r.cpu().numpy(), ref.result().numpy(), rtol=2e-5, atol=1e-6)


def metric_oracle_on_cuda():
    oracle = OracleSet("metrics_oracle")
    for case in sorted(oracle.cases):
        spec = oracle.cases[case]["spec"]
        inp = oracle.arrays(case, "in.")
        m = getattr(M, spec["metric"]["class_name"])(**spec["metric"].get("config", {}))
        res = []
        for b in range(spec["batches"]):
            kw = {}
            if spec.get("use_sample_weight"):
                kw["sample_weight"] = torch.from_numpy(inp["sw.%d" % b]).to(dev)
            if spec.get("kind") == "values":
                m.update_state(torch.from_numpy(inp["values.%d" % b]).to(dev), **kw)
            else:
                m.update_state(torch.from_numpy(inp["yt.%d" % b]).to(dev),
                               torch.from_numpy(inp["yp.%d" % b]).to(dev), **kw)
            r = m.result()
            assert r.device.type == "cuda", case
            res.append(r.cpu().numpy())
        got = {"result": np.stack(res)}
        m.reset_state()
        got["result_after_reset"] = m.result().cpu().numpy()
        ok = False
        for lib in oracle.libs(case):
            ref = oracle.arrays(case, lib + ".")
            if all(close(got[k], ref[k], oracle.cases[case]["tolerance"]) for k in ref):
                ok = True
        assert ok, case


def to_keeps_values():
    m = M.AUC()
    m.update_state([0, 1, 1, 0], [0.1, 0.7, 0.4, 0.6])
    before = float(m.result())
    m.to(dev)
    assert all(v.device.type == "cuda" for v in m.variables)
    assert abs(float(m.result()) - before) < 1e-6
    m.update_state(np.array([1, 0]), np.array([0.9, 0.2]))  # numpy goes to the GPU
    m.to("cpu")
    assert m.true_positives.device.type == "cpu"


if __name__ == "__main__":
    print(torch.__version__, torch.cuda.get_device_name(0))
    for cls in LOSS_CLASSES:
        check("loss no-sync " + cls.__name__, lambda cls=cls: loss_no_sync(cls))
    for cls in BUILTIN:
        check("metric no-sync " + cls.__name__, lambda cls=cls: metric_no_sync(cls))
    check("metric oracle on cuda", metric_oracle_on_cuda)
    check("metric .to keeps values", to_keeps_values)
    print("FAILURES:", failures)
    sys.exit(1 if failures else 0)
