"""Copy the small real-Keras arrays the normalization / merging tests need from the shared
corpus (``shared/keras_files``, ``shared/training_oracle``) into
``tests/fixtures/layers/shared_refs.npz`` (CI's clone has no ``shared/``).

    python compat_suite/reference/copy_shared_layer_fixtures.py [/path/to/shared]
"""
import os
import sys

import h5py
import numpy as np

SHARED = sys.argv[1] if len(sys.argv) > 1 else "/work/shared"
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures", "layers",
                   "shared_refs.npz")
N = 2  # samples kept from each io file


def weights(path, keys):
    with h5py.File(path) as f:
        out = {}
        for key in keys:
            g = f[f"layers/{key}/vars"]
            for i in range(len(g)):
                out[f"{key}.{i}"] = np.asarray(g[str(i)])
        return out


def main():
    arrays = {}
    kf = os.path.join(SHARED, "keras_files")
    for lib in ("k2", "k3"):
        io = np.load(os.path.join(kf, "cnn_bn.io.npz"))
        arrays["cnn_bn.x"] = io["x"][:N]
        arrays[f"cnn_bn.{lib}.y"] = io[f"y_{lib}"][:N]
        for k, v in weights(os.path.join(kf, f"cnn_bn.{lib}.weights.h5"),
                            ["conv2d", "batch_normalization", "conv2d_1", "dense"]).items():
            arrays[f"cnn_bn.{lib}.{k}"] = v
        io = np.load(os.path.join(kf, "layernorm_mha.io.npz"))
        arrays["ln_mha.x"] = io["x"][:N]
        arrays[f"ln_mha.{lib}.y"] = io[f"y_{lib}"][:N]
        mha = "multi_head_attention/" + ("" if lib == "k3" else "_")
        keys = [mha + s for s in ("query_dense", "key_dense", "value_dense", "output_dense")]
        keys += ["layer_normalization", "layer_normalization_1", "dense", "dense_1", "dense_2"]
        for k, v in weights(os.path.join(kf, f"layernorm_mha.{lib}.weights.h5"), keys).items():
            arrays[f"ln_mha.{lib}.{k.replace('multi_head_attention/', 'mha.').lstrip('_')}"
                   .replace("mha._", "mha.")] = v
    to = os.path.join(SHARED, "training_oracle")
    for case in ("bn_dense", "bn_conv"):
        d = np.load(os.path.join(to, f"{case}.npz"))
        for k in d.files:
            if k.startswith(("in.", "k2.", "k3.")) and "loss" not in k:
                arrays[f"{case}.{k}"] = d[k]
    np.savez_compressed(OUT, **arrays)
    print(OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
