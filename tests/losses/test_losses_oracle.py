"""Replay the oracle's ``loss_*`` cases (tf-keras 2.21 = k2, Keras 3.15 = k3).

Per case: ``keras.losses.get(alias)(y_true, y_pred, **fn_kwargs)`` for every alias, the class
with its default reduction with and without ``sample_weight``, and the extra reductions. Every
value a library produced must be matched by one library that produced it (so an alias only
tf-keras knows, such as ``'huber_loss'``, must resolve and match tf-keras), as the checker's
``--lib auto`` does. Inputs are replayed as numpy arrays and as torch tensors.
"""
import pytest
import torch

import torchkeras.losses as losses
from oracle_data import OracleSet, close, to_numpy

ORACLE = OracleSet("losses_oracle")
CASES = sorted(ORACLE.cases)


def _run(case, as_torch):
    spec = ORACLE.cases[case]["spec"]
    inp = ORACLE.arrays(case, "in.")
    conv = (lambda a: torch.from_numpy(a)) if as_torch else (lambda a: a)
    yt, yp, sw = conv(inp["y_true"]), conv(inp["y_pred"]), conv(inp["sample_weight"])
    got = {}
    for alias in spec.get("fn_names", []):
        got["fn." + alias] = losses.get(alias)(yt, yp, **spec.get("fn_kwargs", {}))
    cls = getattr(losses, spec["class_name"])
    obj = cls(**spec.get("class_kwargs", {}))
    got["cls"] = obj(yt, yp)
    got["cls_sw"] = obj(yt, yp, sample_weight=sw)
    for red in spec.get("reductions", []):
        o2 = cls(reduction=red, **spec.get("class_kwargs", {}))
        got["cls_sw.reduction_" + red] = o2(yt, yp, sample_weight=sw)
    return got


def test_all_cases_present():
    assert len(CASES) == 34


@pytest.mark.parametrize("as_torch", [False, True], ids=["numpy", "torch"])
@pytest.mark.parametrize("case", CASES)
def test_loss_case_matches_keras(case, as_torch):
    tol = ORACLE.cases[case]["tolerance"]
    libs = ORACLE.libs(case)
    refs = {lib: ORACLE.arrays(case, lib + ".") for lib in libs}
    got = _run(case, as_torch)
    for value in got.values():
        assert isinstance(value, torch.Tensor)
    keys = sorted(set().union(*[refs[lib].keys() for lib in libs]))
    assert keys, case
    for key in keys:
        holders = [lib for lib in libs if key in refs[lib]]
        assert key in got, f"{case}: {key} not produced"
        assert any(close(got[key], refs[lib][key], tol) for lib in holders), (
            f"{case}: {key} = {to_numpy(got[key])} matches none of "
            f"{ {lib: refs[lib][key] for lib in holders} }")


@pytest.mark.parametrize("case", CASES)
def test_default_reduction_is_0d(case):
    got = _run(case, as_torch=True)
    assert got["cls"].dim() == 0 and got["cls_sw"].dim() == 0
