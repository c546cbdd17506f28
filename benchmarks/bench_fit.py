"""torchkeras ``fit`` / ``predict`` vs a hand-written PyTorch loop on the same model.

Both sides: tensors preloaded on the device, the same optimizer rule and batch size, the same
thread settings, repetitions interleaved (A B A B ...), median time reported. Keras 3 with its
torch backend is timed too when ``keras`` is importable with ``KERAS_BACKEND=torch`` (run it in
a separate process so the two packages never share one interpreter).

    python benchmarks/bench_fit.py [--reps 3] [--threads 2] [--device cpu|cuda]
        [--only mlp,cnn,dense32,predict,lstm] [--mixed-precision]

Prints one line per workload: seconds per epoch for each side and the ratio torchkeras/torch.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))


# ------------------------------------------------------------------------------------------
# workloads: (data, torchkeras model builder, torch model builder, batch size, loss kind)
# ------------------------------------------------------------------------------------------
def data_for(name, n_scale=1.0):
    rng = np.random.default_rng(0)
    if name in ("mlp", "predict"):
        n = int(60000 * n_scale)
        return rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n)
    if name == "cnn":
        n = int(12000 * n_scale)
        return rng.random((n, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, n)
    if name == "dense32":
        n = int(16000 * n_scale)
        return rng.random((n, 32), dtype=np.float32), rng.random((n, 1), dtype=np.float32)
    if name == "lstm":
        n = int(4000 * n_scale)
        return rng.integers(1, 1000, (n, 40)).astype(np.int64), rng.integers(0, 2, n)
    raise ValueError(name)


BATCH = {"mlp": 128, "cnn": 128, "dense32": 32, "predict": 1024, "lstm": 64}


def keras_model(keras, name):
    L = keras.layers
    if name in ("mlp", "predict"):
        m = keras.Sequential([keras.Input((784,)), L.Dense(512, activation="relu"),
                              L.Dense(512, activation="relu"), L.Dense(10, activation="softmax")])
        loss = "sparse_categorical_crossentropy"
    elif name == "cnn":
        m = keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(32, 3, activation="relu"),
                              L.MaxPooling2D(), L.Conv2D(64, 3, activation="relu"),
                              L.MaxPooling2D(), L.Flatten(), L.Dense(10, activation="softmax")])
        loss = "sparse_categorical_crossentropy"
    elif name == "dense32":
        m = keras.Sequential([keras.Input((32,)), L.Dense(1)])
        loss = "mse"
    else:
        m = keras.Sequential([keras.Input((40,), dtype="int64"), L.Embedding(1000, 32),
                              L.LSTM(32), L.Dense(1, activation="sigmoid")])
        loss = "binary_crossentropy"
    m.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss=loss)
    return m


class _NHWCtoNCHW(nn.Module):
    def forward(self, x):
        return x.permute(0, 3, 1, 2)


def torch_model(name):
    if name in ("mlp", "predict"):
        return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                             nn.Linear(512, 10)), "ce"
    if name == "cnn":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3),
                             nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 10)), "ce"
    if name == "dense32":
        return nn.Sequential(nn.Linear(32, 1)), "mse"

    class LSTMNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(1000, 32)
            self.lstm = nn.LSTM(32, 32, batch_first=True)
            self.out = nn.Linear(32, 1)

        def forward(self, x):
            h, _ = self.lstm(self.emb(x))
            return self.out(h[:, -1])
    return LSTMNet(), "bce"


def torch_epoch(model, opt, x, y, bs, kind, shuffle=True):
    n = x.shape[0]
    perm = torch.randperm(n, device=x.device) if shuffle else None
    model.train()
    for i in range(0, n, bs):
        idx = perm[i:i + bs] if perm is not None else slice(i, i + bs)
        xb, yb = x[idx], y[idx]
        opt.zero_grad(set_to_none=True)
        out = model(xb)
        if kind == "ce":
            loss = F.cross_entropy(out, yb)
        elif kind == "mse":
            loss = F.mse_loss(out, yb)
        else:
            loss = F.binary_cross_entropy_with_logits(out.squeeze(-1), yb.float())
        loss.backward()
        opt.step()


def _sync(dev):
    if dev.type == "cuda":
        torch.cuda.synchronize()


def run_workload(name, reps, device, mixed):
    import torchkeras as keras
    if mixed:
        keras.mixed_precision.set_global_policy("mixed_bfloat16" if mixed == "bf16"
                                                else "mixed_float16")
    dev = torch.device(device)
    x_np, y_np = data_for(name)
    bs = BATCH[name]
    km = keras_model(keras, name)
    km.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss=km.loss, device=dev)
    tm, kind = torch_model(name)
    tm = tm.to(dev)
    if name == "cnn":
        tm = tm.to(memory_format=torch.channels_last)
    topt = torch.optim.Adam(tm.parameters(), lr=1e-3, eps=1e-7)
    xt = torch.from_numpy(x_np).to(dev)
    if name == "cnn":
        xt = xt.permute(0, 3, 1, 2)  # the same NHWC bytes, viewed as channels_last NCHW
    yt = torch.from_numpy(y_np).to(dev)
    if kind == "bce":
        yt = yt.float()
    keras_times, torch_times = [], []
    # warm-up (allocations, lazy builds)
    if name == "predict":
        km.predict(x_np[:2048], batch_size=bs, verbose=0)
    else:
        km.fit(x_np[:bs * 4], y_np[:bs * 4], batch_size=bs, epochs=1, verbose=0)
        torch_epoch(tm, topt, xt[:bs * 4], yt[:bs * 4], bs, kind)
    x_keras = torch.from_numpy(x_np).to(dev)   # preloaded for both sides
    y_keras = torch.from_numpy(y_np).to(dev)
    for _ in range(reps):
        _sync(dev)
        t0 = time.perf_counter()
        if name == "predict":
            km.predict(x_keras, batch_size=bs, verbose=0)
        else:
            km.fit(x_keras, y_keras, batch_size=bs, epochs=1, verbose=0)
        _sync(dev)
        keras_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        if name == "predict":
            tm.eval()
            with torch.inference_mode():
                outs = [torch.softmax(tm(xt[i:i + bs]), -1) for i in range(0, xt.shape[0], bs)]
                torch.cat(outs).cpu().numpy()
        else:
            ctx = torch.autocast(dev.type, dtype=torch.bfloat16) if mixed == "bf16" else \
                (torch.autocast(dev.type, dtype=torch.float16) if mixed else _Null())
            with ctx:
                torch_epoch(tm, topt, xt, yt, bs, kind)
        _sync(dev)
        torch_times.append(time.perf_counter() - t0)
    return statistics.median(keras_times), statistics.median(torch_times)


class _Null:
    def __enter__(self):
        return None

    def __exit__(self, *a):
        return False


def keras3_torch_time(name, reps, threads, python=None):
    """Keras 3 (torch backend) per-epoch time in a subprocess, or None if unavailable."""
    code = f"""
import os, time, statistics, json, sys
os.environ['KERAS_BACKEND'] = 'torch'
import torch; torch.set_num_threads({threads})
try:
    import keras
except Exception:
    print('null'); sys.exit(0)
sys.path.insert(0, {HERE!r})
from bench_fit import data_for, keras_model, BATCH
x, y = data_for({name!r}); bs = BATCH[{name!r}]
m = keras_model(keras, {name!r})
if {name!r} == 'predict':
    m.predict(x[:2048], batch_size=bs, verbose=0)
else:
    m.fit(x[:bs*4], y[:bs*4], batch_size=bs, epochs=1, verbose=0)
ts = []
for _ in range({reps}):
    t0 = time.perf_counter()
    if {name!r} == 'predict':
        m.predict(x, batch_size=bs, verbose=0)
    else:
        m.fit(x, y, batch_size=bs, epochs=1, verbose=0)
    ts.append(time.perf_counter() - t0)
print(json.dumps(statistics.median(ts)))
"""
    try:
        r = subprocess.run([python or sys.executable, "-c", code], capture_output=True,
                           text=True, timeout=1800)
        return json.loads(r.stdout.strip().splitlines()[-1])
    except Exception:
        return None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--only", default="mlp,cnn,dense32,predict,lstm")
    ap.add_argument("--mixed-precision", default="", choices=["", "fp16", "bf16"])
    ap.add_argument("--keras3", action="store_true", help="also time Keras 3's torch backend")
    ap.add_argument("--keras3-python", default=None,
                    help="interpreter of a (dev) environment where `keras` 3 is installed")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    print(f"device={args.device} threads={args.threads} reps={args.reps} "
          f"mixed={args.mixed_precision or 'off'} torch={torch.__version__}")
    print(f"{'workload':10s} {'torchkeras s':>13s} {'torch s':>9s} {'ratio':>7s} {'keras3 s':>9s}")
    for name in [w for w in args.only.split(",") if w]:
        tk, tt = run_workload(name, args.reps, args.device, args.mixed_precision)
        k3 = keras3_torch_time(name, args.reps, args.threads, args.keras3_python) \
            if args.keras3 else None
        k3s = f"{k3:9.3f}" if k3 else "      n/a"
        print(f"{name:10s} {tk:13.3f} {tt:9.3f} {tk / tt:7.3f} {k3s}", flush=True)


if __name__ == "__main__":
    main()
