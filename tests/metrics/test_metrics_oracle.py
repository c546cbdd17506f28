"""Replay the oracle's ``metric_*`` cases (tf-keras 2.21 = k2, Keras 3.15 = k3).

Each case builds the metric from its spec, runs ``update_state`` on 3 batches (with
``sample_weight`` for ``*_sw``), compares ``result()`` after every batch and after
``reset_state()``. A case passes when everything one library produced is reproduced (k2 and
k3 differ only on MeanIoU with float weights, where we follow tf-keras's float accumulation).
"""
import numpy as np
import pytest
import torch

import torchkeras.metrics as metrics
from oracle_data import OracleSet, close, to_numpy

ORACLE = OracleSet("metrics_oracle")
CASES = sorted(ORACLE.cases)


def _make(spec):
    cls = getattr(metrics, spec["class_name"])
    return cls(**spec.get("config", {}))


def _run(case, conv):
    spec = ORACLE.cases[case]["spec"]
    inp = ORACLE.arrays(case, "in.")
    m = _make(spec["metric"])
    results = []
    for b in range(spec["batches"]):
        kw = {}
        if spec.get("use_sample_weight"):
            kw["sample_weight"] = conv(inp["sw.%d" % b])
        if spec.get("kind") == "values":
            m.update_state(conv(inp["values.%d" % b]), **kw)
        else:
            m.update_state(conv(inp["yt.%d" % b]), conv(inp["yp.%d" % b]), **kw)
        r = m.result()
        assert isinstance(r, torch.Tensor)
        results.append(to_numpy(r))
    got = {"result": np.stack(results)}
    m.reset_state()
    got["result_after_reset"] = to_numpy(m.result())
    return got


def test_all_cases_present():
    assert len(CASES) == 40


CONVERTERS = {
    "numpy": lambda a: a,
    "torch": lambda a: torch.from_numpy(a),
    "float64": lambda a: torch.from_numpy(a.astype(np.float64) if a.dtype.kind == "f" else a),
}


@pytest.mark.parametrize("conv", sorted(CONVERTERS))
@pytest.mark.parametrize("case", CASES)
def test_metric_case_matches_keras(case, conv):
    tol = ORACLE.cases[case]["tolerance"]
    libs = ORACLE.libs(case)
    got = _run(case, CONVERTERS[conv])
    problems = {}
    for lib in libs:
        ref = ORACLE.arrays(case, lib + ".")
        bad = [k for k in ref if not close(got.get(k), ref[k], tol)]
        if not bad:
            return
        problems[lib] = {k: (got.get(k), ref[k]) for k in bad}
    pytest.fail(f"{case}: no library reproduced: {problems}")
