"""Write Keras files with torchkeras, for `check_with_real_keras.py` to open in real Keras.

Run with torchkeras (no TensorFlow needed):

    python compat_suite/saving/write_files.py OUT_DIR [--oracle /work/shared/keras_files]

For every oracle model (the reference files real Keras wrote), torchkeras loads the Keras 3
``.keras`` file and the tf-keras ``.h5`` file and re-saves each model as ``.keras``, ``.h5``
and ``.weights.h5`` (+ the architecture JSON for the weights file); a few models built from
scratch in torchkeras (and trained one step, so optimizer state is non-trivial) are saved the
same way. ``OUT_DIR/expected.npz`` holds the inputs and torchkeras's predictions, and
``OUT_DIR/index.json`` lists the files.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import warnings

import numpy as np

ORACLE_MODELS = ["mlp", "cnn_bn", "cnn_flatten", "lstm", "gru", "gru_v1", "functional",
                 "conv1d", "conv2d_misc", "bidir_timedist", "layernorm_mha", "mobilenet_small",
                 "legacy_lstm_hard_sigmoid"]


def _inputs(oracle, name):
    man = json.load(open(os.path.join(oracle, "manifest.json")))
    entry = next(e for e in man["files"] if e["model"] == name)
    io = np.load(os.path.join(oracle, entry["io"]))
    return [io[i["npz_key"]] for i in entry["inputs"]]


def _scratch_models(keras):
    """Models built in torchkeras, compiled and trained one step."""
    rng = np.random.default_rng(0)
    out = {}
    m = keras.Sequential([keras.Input((12,)), keras.layers.Dense(16, activation="relu"),
                          keras.layers.BatchNormalization(), keras.layers.Dropout(0.2),
                          keras.layers.Dense(3, activation="softmax")], name="tk_mlp")
    m.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
    x = rng.normal(size=(16, 12)).astype("float32")
    m.fit(x, rng.integers(0, 3, 16), epochs=1, batch_size=8, verbose=0)
    out["tk_mlp"] = (m, [x[:4]])

    a = keras.Input((10,), name="a")
    b = keras.Input((6,), name="b")
    shared = keras.layers.Dense(8, activation="tanh", name="shared")
    h = keras.layers.Concatenate()([shared(keras.layers.Dense(8)(a)),
                                    shared(keras.layers.Dense(8)(b))])
    o1 = keras.layers.Dense(2, name="o1")(h)
    o2 = keras.layers.Dense(1, name="o2")(h)
    f = keras.Model([a, b], [o1, o2], name="tk_functional")
    f.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9), loss=["mse", "mse"])
    xa = rng.normal(size=(8, 10)).astype("float32")
    xb = rng.normal(size=(8, 6)).astype("float32")
    f.fit([xa, xb], [rng.normal(size=(8, 2)).astype("float32"),
                     rng.normal(size=(8, 1)).astype("float32")], epochs=1, verbose=0)
    out["tk_functional"] = (f, [xa[:4], xb[:4]])

    c = keras.Sequential([keras.Input((8, 8, 3)),
                          keras.layers.Conv2D(4, 3, padding="same", activation="relu"),
                          keras.layers.MaxPooling2D(),
                          keras.layers.Conv2D(6, 3, strides=2, padding="same"),
                          keras.layers.GlobalAveragePooling2D(),
                          keras.layers.Dense(2)], name="tk_cnn")
    c.compile(optimizer="rmsprop", loss="mse")
    xc = rng.normal(size=(8, 8, 8, 3)).astype("float32")
    c.fit(xc, rng.normal(size=(8, 2)).astype("float32"), epochs=1, verbose=0)
    out["tk_cnn"] = (c, [xc[:4]])

    r = keras.Sequential([keras.Input((5, 4)), keras.layers.LSTM(6, return_sequences=True),
                          keras.layers.GRU(5), keras.layers.Dense(1)], name="tk_rnn")
    r.compile(optimizer="adam", loss="mse")
    xr = rng.normal(size=(8, 5, 4)).astype("float32")
    r.fit(xr, rng.normal(size=(8, 1)).astype("float32"), epochs=1, verbose=0)
    out["tk_rnn"] = (r, [xr[:4]])

    inner = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5, activation="relu"),
                              keras.layers.BatchNormalization()], name="inner")
    fi = keras.Input((5,))
    inner_f = keras.Model(fi, keras.layers.Dense(4)(fi), name="inner_fun")
    a = keras.Input((6,), name="a")
    h2 = inner_f(inner(a))
    h3 = inner_f(keras.layers.Dense(5)(h2))
    n = keras.Model(a, keras.layers.Concatenate()([h2, h3]), name="tk_nested")
    n.compile(optimizer="adam", loss="mse")
    xn = rng.normal(size=(8, 6)).astype("float32")
    n.fit(xn, rng.normal(size=(8, 8)).astype("float32"), epochs=1, verbose=0)
    out["tk_nested"] = (n, [xn[:4]])
    return out


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--oracle", default="/work/shared/keras_files")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    import torchkeras as keras
    os.makedirs(args.out, exist_ok=True)
    index, arrays = [], {}

    def emit(tag, model, xs, origin):
        x = xs[0] if len(xs) == 1 else xs
        y = model.predict(x, verbose=0)
        ys = y if isinstance(y, list) else [y]
        for i, xi in enumerate(xs):
            arrays[f"{tag}__x{i}"] = xi
        for i, yi in enumerate(ys):
            arrays[f"{tag}__y{i}"] = np.asarray(yi)
        files = {}
        for kind, fname in (("keras", f"{tag}.keras"), ("h5", f"{tag}.h5")):
            path = os.path.join(args.out, fname)
            model.save(path)
            files[kind] = fname
        wpath = os.path.join(args.out, f"{tag}.weights.h5")
        model.save_weights(wpath)
        files["weights"] = f"{tag}.weights.h5"
        model.save_weights(os.path.join(args.out, f"{tag}.legacy_weights.h5"))
        files["legacy_weights"] = f"{tag}.legacy_weights.h5"
        with open(os.path.join(args.out, f"{tag}.json"), "w") as fh:
            fh.write(model.to_json())
        files["json"] = f"{tag}.json"
        index.append({"tag": tag, "origin": origin, "n_inputs": len(xs), "n_outputs": len(ys),
                      "files": files, "compiled": model.compiled})

    for name in ORACLE_MODELS:
        xs = _inputs(args.oracle, name)
        for lib, fname in (("k3", f"{name}.k3.keras"), ("k2", f"{name}.k2.h5")):
            try:
                model = keras.models.load_model(os.path.join(args.oracle, fname))
            except Exception as e:  # noqa: BLE001
                print(f"SKIP {name}.{lib}: torchkeras cannot load {fname}: {e}")
                continue
            emit(f"{name}.{lib}", model, xs, f"oracle {fname}")
    for tag, (model, xs) in _scratch_models(keras).items():
        emit(tag, model, xs, "built in torchkeras")
    np.savez(os.path.join(args.out, "expected.npz"), **arrays)
    with open(os.path.join(args.out, "index.json"), "w") as fh:
        json.dump(index, fh, indent=1)
    print(f"wrote {len(index)} models x 3 files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
