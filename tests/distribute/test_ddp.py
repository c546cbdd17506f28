"""Real multi-process DDP on CPU (gloo, 2 ranks through torchrun): identical weights on every
rank, equal to one process with the same global batch; identical histories; evaluate equal to
one process; only rank 0 writes files (and a checkpoint loads without DDP); EarlyStopping stops
every rank at the same epoch; DataLoader input; mixed precision, jit_compile and
BackupAndRestore under DDP."""
import glob
import json
import os
import subprocess
import sys

import numpy as np
import pytest

WORKER = os.path.join(os.path.dirname(__file__), "ddp_worker.py")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODES = ["arrays", "loader", "mixed", "jit", "backup"]


def _start(out, nproc):
    """Every mode in one interpreter (one torchrun launch for the 2 ranks); output to a file."""
    env = dict(os.environ, OMP_NUM_THREADS="1", TORCHKERAS_DEVICE="cpu",
               TORCHKERAS_COMPILE_BACKEND="eager",
               PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]))
    if nproc == 1:
        cmd = [sys.executable, WORKER, str(out), *MODES]
    else:
        cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               f"--nproc_per_node={nproc}", WORKER, str(out), *MODES]
    log = open(out / "output.txt", "w")
    return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT), log


def _wait(proc, log, out):
    try:
        proc.wait(timeout=600)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()
    text = (out / "output.txt").read_text()
    assert proc.returncode == 0, text[-6000:]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """One plain process and one 2-rank torchrun, each running every mode. They run side by
    side: the plain process would otherwise leave a core idle while it runs alone."""
    root = tmp_path_factory.mktemp("ddp")
    single, multi = root / "single", root / "multi"
    single.mkdir()
    multi.mkdir()
    started = [(_start(single, 1), single), (_start(multi, 2), multi)]
    for (proc, log), out in started:
        _wait(proc, log, out)
    return single, multi


def _load(out, rank):
    err = out / f"error{rank}.txt"
    assert not err.exists(), err.read_text()[-3000:]
    with open(out / f"rank{rank}.json") as f:
        meta = json.load(f)
    return dict(np.load(out / f"rank{rank}.npz")), meta


@pytest.mark.parametrize("mode", MODES)
def test_two_ranks_match_one_process(runs, mode):
    single, multi = runs[0] / mode, runs[1] / mode
    ref, ref_meta = _load(single, 0)
    r0, m0 = _load(multi, 0)
    r1, m1 = _load(multi, 1)
    tol = dict(rtol=2e-2, atol=2e-2) if mode == "mixed" else dict(rtol=1e-4, atol=1e-5)
    for k in ref:
        if k.startswith("w"):
            np.testing.assert_array_equal(r0[k], r1[k])  # identical on every rank
            np.testing.assert_allclose(r0[k], ref[k], **tol)
    np.testing.assert_allclose(r0["pred"], ref["pred"], **tol)
    assert m0["history"] == m1["history"]  # every rank logs the same numbers
    assert m0["epochs"] == m1["epochs"] == ref_meta["epochs"]  # stop decisions agree
    for k, v in ref_meta["history"].items():
        np.testing.assert_allclose(m0["history"][k], v, **tol)
    for k, v in ref_meta["evaluate"].items():
        np.testing.assert_allclose(m0["evaluate"][k], v, **tol)
    if mode == "backup":
        assert m0["epochs"] == [2, 3]  # resumed where the crash happened
        return
    assert len(ref_meta["epochs"]) < 6  # EarlyStopping fired
    with open(multi / "log.csv") as f:  # written by rank 0 only: one header
        lines = f.read().strip().splitlines()
    assert sum(1 for line in lines if line.startswith("epoch")) == 1
    assert len(lines) == len(m0["epochs"]) + 1
    assert len(glob.glob(str(multi / "ckpt-*.weights.h5"))) == len(m0["epochs"])
    if mode == "arrays":  # the model saved under DDP loads without it
        import torchkeras as keras
        model = keras.models.load_model(str(multi / "final.keras"))
        pred = model.predict(_val_x(), verbose=0)
        np.testing.assert_allclose(pred, r0["pred"], rtol=1e-5, atol=1e-6)


def _val_x():
    rng = np.random.default_rng(42)
    rng.standard_normal((64, 6))
    rng.standard_normal((6, 1))
    return rng.standard_normal((19, 6)).astype("float32")
