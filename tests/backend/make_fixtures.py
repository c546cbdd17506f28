"""Regenerate ``tests/fixtures/backend/*.npz`` from the shared real-Keras oracle.

Run from the repository root with ``/work/shared`` present:
``python tests/backend/make_fixtures.py``. The tests themselves only read the fixtures.
Sources: ``training_oracle/{loss_,act_}*`` (tf-keras 2.21 ``k2`` / Keras 3.15.1 ``k3``) and
``keras_files/<model>.{io.npz,k2|k3.weights.h5}`` (inputs, outputs and weights of real models).
"""
import os
import sys

import h5py
import numpy as np

SHARED = os.environ.get("SHARED", "/work/shared")
OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "backend")

LOSSES = ["loss_bce", "loss_bce_logits", "loss_cce", "loss_cce_logits", "loss_cce_unnormalised",
          "loss_scce", "loss_scce_logits", "loss_binary_focal",
          "loss_binary_focal_logits_balanced", "loss_categorical_focal",
          "loss_categorical_focal_logits"]
ACTS = ["act_relu", "act_elu", "act_softplus", "act_softsign", "act_sigmoid", "act_tanh",
        "act_hard_sigmoid", "act_softmax", "act_layer_relu_params", "act_layer_elu_default"]
MODELS = {"conv1d": "k3", "conv2d_misc": "k3", "cnn_flatten": "k3",
          "legacy_lstm_hard_sigmoid": "k2"}


def main():
    os.makedirs(OUT, exist_ok=True)
    arrays = {}
    for name in LOSSES + ACTS:
        z = np.load(os.path.join(SHARED, "training_oracle", name + ".npz"))
        for k in z.files:
            if k.startswith("in.") and k != "in.sample_weight" or ".fn." in k or k.endswith(".y"):
                arrays[f"{name}/{k}"] = z[k]
    np.savez_compressed(os.path.join(OUT, "oracle_losses_acts.npz"), **arrays)

    arrays = {}
    for model, lib in MODELS.items():
        io = np.load(os.path.join(SHARED, "keras_files", model + ".io.npz"))
        arrays[f"{model}/x"] = io["x"]
        arrays[f"{model}/y"] = io["y_" + lib]
        with h5py.File(os.path.join(SHARED, "keras_files", f"{model}.{lib}.weights.h5"), "r") as f:
            def visit(path, obj):
                if isinstance(obj, h5py.Dataset) and path.startswith("layers/"):
                    arrays[f"{model}/w/{path[len('layers/'):]}"] = obj[()]
            f.visititems(visit)
    np.savez_compressed(os.path.join(OUT, "keras_models.npz"), **arrays)
    print("wrote", OUT)


if __name__ == "__main__":
    sys.exit(main())
