"""Run by tests/distribute/test_ddp.py, once as a plain process and once under torchrun with 2
ranks (gloo, CPU). ``python ddp_worker.py OUT MODE [MODE ...]`` runs every mode in turn in the
same process (one interpreter and one process group for all of them: starting torch and
torchrun once per mode cost more than the training) and writes what mode M computed to
OUT/M/rank<r>.npz / .json; rank 0 alone writes the CSV log, the checkpoints and the saved model.
A mode that raises writes OUT/M/error<r>.txt and the worker goes on with the next one.

Modes: arrays (numpy input), loader (torch DataLoader), mixed (mixed_bfloat16 policy),
jit (jit_compile=True), backup (BackupAndRestore: interrupted at epoch 2, then resumed)."""
import json
import os
import sys
import traceback

import numpy as np
import torch

import torchkeras as keras


def run(out_dir: str, mode: str, rank: int) -> None:
    keras.backend.clear_session()
    keras.mixed_precision.set_global_policy(None)
    keras.utils.set_random_seed(0)
    if mode == "mixed":
        keras.mixed_precision.set_global_policy("mixed_bfloat16")

    rng = np.random.default_rng(42)
    x = rng.standard_normal((64, 6)).astype("float32")
    y = (x @ rng.standard_normal((6, 1)) + 0.1).astype("float32")
    xv = rng.standard_normal((19, 6)).astype("float32")
    yv = (xv @ rng.standard_normal((6, 1))).astype("float32")

    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="tanh"),
                              keras.layers.Dense(1, dtype="float32")])
    init = [rng.standard_normal(w.shape).astype("float32") * 0.3 for w in model.get_weights()]
    model.set_weights(init)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9), loss="mse",
                  metrics=["mae"], jit_compile=(mode == "jit"))
    callbacks = [keras.callbacks.EarlyStopping(monitor="val_loss", patience=1, min_delta=10.0),
                 keras.callbacks.CSVLogger(os.path.join(out_dir, "log.csv")),
                 keras.callbacks.ModelCheckpoint(
                     os.path.join(out_dir, "ckpt-{epoch:02d}.weights.h5"),
                     save_weights_only=True)]
    epochs = 6
    if mode == "backup":
        callbacks = [keras.callbacks.BackupAndRestore(os.path.join(out_dir, "backup"))]
        epochs = 4

        class Crash(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                flag = os.path.join(out_dir, f"resumed{rank}")
                if epoch == 2 and not os.path.exists(flag):
                    open(flag, "w").close()
                    raise RuntimeError("simulated crash")
        try:
            model.fit(x, y, batch_size=8, epochs=epochs, shuffle=False, verbose=0,
                      callbacks=callbacks + [Crash()])
        except RuntimeError:
            pass
        keras.utils.set_random_seed(0)
    if mode == "loader":
        ds = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
        data = dict(x=torch.utils.data.DataLoader(ds, batch_size=8, shuffle=False))
    else:
        data = dict(x=x, y=y, batch_size=8, shuffle=False)
    hist = model.fit(epochs=epochs, verbose=0, validation_data=(xv, yv), callbacks=callbacks,
                     **data)
    ev = model.evaluate(xv, yv, batch_size=5, verbose=0, return_dict=True)
    pred = model.predict(xv, batch_size=4, verbose=0)
    if mode == "arrays":
        model.save(os.path.join(out_dir, "final.keras"))
    arrays = {f"w{i}": w for i, w in enumerate(model.get_weights())}
    arrays["pred"] = pred.astype("float32")
    np.savez(os.path.join(out_dir, f"rank{rank}.npz"), **arrays)
    with open(os.path.join(out_dir, f"rank{rank}.json"), "w") as f:
        json.dump({"history": hist.history, "epochs": hist.epoch, "evaluate": ev}, f)


def main(argv) -> None:
    out_root, modes = argv[1], argv[2:] or ["arrays"]
    rank = int(os.environ.get("RANK", "0"))
    torch.set_num_threads(1)
    for mode in modes:
        out_dir = os.path.join(out_root, mode)
        os.makedirs(out_dir, exist_ok=True)
        try:
            run(out_dir, mode, rank)
        except Exception:  # reported by the test of this mode; the other modes still run
            with open(os.path.join(out_dir, f"error{rank}.txt"), "w") as f:
                f.write(traceback.format_exc())
        finally:
            keras.mixed_precision.set_global_policy(None)


if __name__ == "__main__":
    main(sys.argv)
