"""Copies what the recurrent / wrapper / attention tests need from the real-Keras model files of
``shared/keras_files`` (CI has no shared/) into ``tests/fixtures/layers/keras_files_rnn.npz``
and ``.json``: the first two input samples, Keras 3's and tf-keras 2's outputs for them
(``NAME/x``, ``NAME/y_k3``, ``NAME/y_k2``), every weight (``NAME/k3/<path in the .weights.h5
without 'vars'>/<i>``; ``NAME/k2/<layer>/<i>`` in the ``weight_names`` order of the ``.k2.h5``)
and each model's layer configs as both libraries wrote them. Needs only h5py.

    python compat_suite/reference/extract_rnn_keras_files.py [/path/to/shared/keras_files]
"""
import json
import os
import sys

import h5py
import numpy as np

MODELS = ("lstm", "gru", "gru_v1", "bidir_timedist", "layernorm_mha", "legacy_lstm_hard_sigmoid")
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "tests", "fixtures", "layers")


def _name(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def main(src):
    arrays, configs = {}, {}
    for name in MODELS:
        io = np.load(os.path.join(src, f"{name}.io.npz"))
        arrays[f"{name}/x"] = io["x"][:2]
        arrays[f"{name}/y_k3"] = io["y_k3"][:2]
        arrays[f"{name}/y_k2"] = io["y_k2"][:2]
        with h5py.File(os.path.join(src, f"{name}.k3.weights.h5"), "r") as f:
            def visit(path, obj):
                if isinstance(obj, h5py.Dataset) and "/vars/" in path:
                    key = path[len("layers/"):].replace("/vars/", "/")
                    arrays[f"{name}/k3/{key}"] = np.asarray(obj)
            f["layers"].visititems(lambda p, o: visit("layers/" + p, o))
        with h5py.File(os.path.join(src, f"{name}.k2.h5"), "r") as f:
            mw = f["model_weights"]
            for layer in mw.attrs["layer_names"]:
                layer = _name(layer)
                names = [_name(n) for n in mw[layer].attrs["weight_names"]]
                for i, n in enumerate(names):
                    arrays[f"{name}/k2/{layer}/{i}"] = np.asarray(mw[layer][n])
        configs[name] = {}
        for lib in ("k3", "k2"):
            with open(os.path.join(src, f"{name}.{lib}.json")) as f:
                model = json.load(f)
            configs[name][lib] = [{"class_name": layer["class_name"], "config": layer["config"]}
                                  for layer in model["config"]["layers"]]
    np.savez_compressed(os.path.join(OUT, "keras_files_rnn.npz"), **arrays)
    with open(os.path.join(OUT, "keras_files_rnn.json"), "w") as f:
        json.dump(configs, f, sort_keys=True, separators=(",", ":"))
    print(len(arrays), "arrays")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/keras_files")
