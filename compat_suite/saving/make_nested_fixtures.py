"""Generate the nested-model fixtures with REAL Keras (dev-only venv; see RESULTS.md).

    /tmp/kvenv/bin/python compat_suite/saving/make_nested_fixtures.py tests/fixtures/keras_files/generated

A Functional model that calls a nested Sequential once and a nested Functional twice, written
by tf-keras 2.x (``nested.k2.h5``, ``nested.k2.json``: nested models' nodes numbered from 1)
and Keras 3 (``nested.k3.keras``: numbered from 0); ``nested.io.npz`` holds ``x`` and each
library's ``model(x)`` (``y_k2``, ``y_k3``; the two models have different random weights).
"""
import os
import sys
import warnings

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main(out):
    warnings.simplefilter("ignore")
    import keras as k3
    import tf_keras as k2
    os.makedirs(out, exist_ok=True)
    x = np.random.default_rng(0).normal(size=(4, 6)).astype("float32")
    arrays = {"x": x}
    for tag, k in (("k2", k2), ("k3", k3)):
        L = k.layers
        inner = k.Sequential([k.Input((6,)), L.Dense(5, activation="relu")], name="inner_seq")
        fi = k.Input((5,))
        inner_f = k.Model(fi, L.Dense(4)(fi), name="inner_fun")
        a = k.Input((6,), name="a")
        h2 = inner_f(inner(a))
        h3 = inner_f(L.Dense(5)(L.Dense(5)(h2)))
        m = k.Model(a, L.Concatenate()([h2, h3]), name="nested")
        m.compile("adam", "mse")
        arrays["y_" + tag] = np.asarray(m(x))
        if tag == "k2":
            m.save(os.path.join(out, "nested.k2.h5"))
            with open(os.path.join(out, "nested.k2.json"), "w") as fh:
                fh.write(m.to_json())
        else:
            m.save(os.path.join(out, "nested.k3.keras"))
    np.savez(os.path.join(out, "nested.io.npz"), **arrays)


if __name__ == "__main__":
    main(sys.argv[1])
