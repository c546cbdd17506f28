"""Regenerate tests/fixtures/training_oracle/{losses,metrics}_oracle.{json,npz} from the
training oracle (``python tests/losses/_make_loss_metric_fixtures.py /work/shared/training_oracle``).

Keeps, per ``loss_*`` / ``metric_*`` case: the spec, tolerance, which library produced it,
the aliases a library rejected, and the ``in.*`` / ``k2.*`` / ``k3.*`` arrays.
"""
import json
import os
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "training_oracle")


def build(src: str, prefix: str, name: str) -> None:
    cases, arrays = {}, {}
    for fname in sorted(os.listdir(src)):
        if not (fname.startswith(prefix) and fname.endswith(".json")):
            continue
        case = fname[:-5]
        with open(os.path.join(src, fname)) as f:
            c = json.load(f)
        cases[case] = {
            "spec": c["spec"], "tolerance": c["tolerance"],
            "ok": {lib: bool(c["results"].get(lib, {}).get("ok")) for lib in ("k2", "k3")},
            "errors": {lib: (c["results"].get(lib, {}).get("info") or {}).get("errors", {})
                       for lib in ("k2", "k3")},
        }
        data = np.load(os.path.join(src, case + ".npz"))
        for k in data.files:
            arrays[f"{case}/{k}"] = data[k]
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump({"source": "training_oracle (tf-keras 2.21 = k2, Keras 3.15.1 = k3)",
                   "cases": cases}, f, indent=1, sort_keys=True)
    np.savez_compressed(os.path.join(OUT, name + ".npz"), **arrays)


if __name__ == "__main__":
    src = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/training_oracle"
    build(src, "loss_", "losses_oracle")
    build(src, "metric_", "metrics_oracle")
