"""Copies the small real-Keras models of ``shared/keras_files`` that exercise the conv /
pooling / reshaping layers into ``tests/fixtures/layers/keras_models/`` (CI has no shared/):
``NAME.k3.json`` (Keras 3.15 ``model.to_json()``) and ``NAME.npz`` with the first two
inputs ``x``, Keras 3's outputs ``y_k3`` and every variable of ``NAME.k3.weights.h5`` as
``<key>/<i>`` (``layers/<key>/vars/<i>`` in the file). Needs only h5py.

    python compat_suite/reference/extract_keras_file_fixtures.py [/path/to/shared/keras_files]
"""
import os
import shutil
import sys

import h5py
import numpy as np

MODELS = ("cnn_bn", "cnn_flatten", "conv1d", "conv2d_misc")
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "tests", "fixtures", "layers", "keras_models")


def main(src):
    os.makedirs(OUT, exist_ok=True)
    for name in MODELS:
        io = np.load(os.path.join(src, f"{name}.io.npz"))
        arrays = {"x": io["x"][:2], "y_k3": io["y_k3"][:2]}
        with h5py.File(os.path.join(src, f"{name}.k3.weights.h5"), "r") as f:
            for key, group in f["layers"].items():
                if "vars" not in group:
                    continue
                for i in sorted(group["vars"].keys(), key=int):
                    arrays[f"{key}/{i}"] = np.asarray(group["vars"][i])
        np.savez_compressed(os.path.join(OUT, f"{name}.npz"), **arrays)
        shutil.copyfile(os.path.join(src, f"{name}.k3.json"),
                        os.path.join(OUT, f"{name}.k3.json"))
        print(name, len(arrays), "arrays")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/keras_files")
