"""Load the loss / metric subsets of the training oracle (see tests/losses/_make_loss_metric_fixtures.py)."""
import json
import os
from typing import Dict

import numpy as np

_DIR = os.path.join(os.path.dirname(__file__), "fixtures", "training_oracle")


class OracleSet:
    def __init__(self, name: str):
        with open(os.path.join(_DIR, name + ".json")) as f:
            self.cases: Dict[str, dict] = json.load(f)["cases"]
        self._arrays = np.load(os.path.join(_DIR, name + ".npz"))

    def arrays(self, case: str, prefix: str) -> Dict[str, np.ndarray]:
        p = f"{case}/{prefix}"
        return {k[len(p):]: self._arrays[k] for k in self._arrays.files if k.startswith(p)}

    def libs(self, case: str):
        return [lib for lib in ("k2", "k3") if self.cases[case]["ok"][lib]]


def to_numpy(x) -> np.ndarray:
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    a = np.asarray(x)
    return a.astype(np.float32) if a.dtype.kind == "f" else a


def close(got, want, tol) -> bool:
    got, want = to_numpy(got), np.asarray(want)
    if got.shape != want.shape:
        return False
    return bool(np.allclose(got, want, rtol=tol["rtol"], atol=tol["atol"], equal_nan=True))
