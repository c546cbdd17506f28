"""Fuzzing the readers with mutated copies of real Keras files: every malformed file gives a
Python exception (or, for mutations in unused bytes, a model), never a crash or a hang.
Each run happens in a subprocess so that a crash of a C library (libhdf5, zip readers) would
be seen as a failure instead of killing pytest; the HDF5 pre-flight time limit is lowered so
that a hang costs seconds. Larger campaigns: ``python tests/saving/_fuzz_worker.py FILE N
SEED`` (see compat_suite/saving/RESULTS.md)."""
import json
import os
import subprocess
import sys

import pytest

from _files import HERE, modern

CASES = [
    ("mlp.k2.h5", None, 12, 11),
    ("mlp.k3.keras", None, 12, 12),
    ("mlp.k3.h5", None, 10, 13),
    ("mlp.k2.legacy_weights.h5", "mlp.k2.json", 10, 14),
    ("mlp.k3.weights.h5", "mlp.k3.json", 10, 15),
]


@pytest.mark.parametrize("name,arch,n,seed", CASES)
def test_mutated_files_raise_python_exceptions(name, arch, n, seed):
    env = dict(os.environ, TORCHKERAS_H5_PREFLIGHT_TIMEOUT="3", OMP_NUM_THREADS="1")
    cmd = [sys.executable, os.path.join(HERE, "_fuzz_worker.py"), modern(name), str(n),
           str(seed)] + ([modern(arch)] if arch else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env,
                          timeout=60 + 2 * n * 8)
    assert proc.returncode == 0, f"worker crashed ({proc.returncode}): {proc.stderr[-2000:]}"
    outcomes = json.loads(proc.stdout.strip().splitlines()[-1])
    assert sum(outcomes.values()) == 2 * n
    # damaged files are reported as KerasFileError (naming the file), not as raw errors
    raw = {k: v for k, v in outcomes.items() if not k.endswith((":ok", ":KerasFileError"))}
    assert not raw, raw


def test_torch_checkpoint_mutations(tmp_path):
    import torchkeras as keras
    model = keras.models.load_model(modern("mlp.k3.keras"))
    path = str(tmp_path / "m.pt")
    model.save(path)
    env = dict(os.environ, OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, os.path.join(HERE, "_fuzz_worker.py"), path, "15",
                           "21"], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    outcomes = json.loads(proc.stdout.strip().splitlines()[-1])
    raw = {k: v for k, v in outcomes.items() if not k.endswith((":ok", ":KerasFileError"))}
    assert not raw, raw
