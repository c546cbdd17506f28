"""Channels-last CNN layers vs plain NCHW PyTorch: training-step time of the same small CNN.

Model (MNIST-sized, 28x28x1): Conv 32 3x3 -> ReLU -> MaxPool -> Conv 64 3x3 -> ReLU -> MaxPool
-> Flatten -> Dense 10, trained with cross-entropy and ``torch.optim.SGD`` (the same optimizer
and loss on both sides, so only the layers differ):

* ``torchkeras``: ``torchkeras.layers`` (NHWC tensors, convs on channels_last views), chained
  by hand (``--sequential`` also times ``keras.Sequential`` around the same layers);
* ``torch``: ``nn.Conv2d`` / ``nn.MaxPool2d`` / ``nn.Linear`` on contiguous NCHW tensors.

One "epoch" = ``--steps`` (50) forward + backward + SGD steps of batch ``--batch`` (128).
Repetitions are interleaved (the order alternates) under the same thread setting; the median
epoch times and their ratio (torchkeras / torch; target <= 1.10) are printed, and the median of
the per-repetition ratios (robust to load drifting on a shared machine).

    OMP_NUM_THREADS=1 python benchmarks/bench_cnn_layout.py [--threads 1] [--reps 7]
    python benchmarks/bench_cnn_layout.py --device cuda
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def make_torch_model():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 5 * 5, 10))


def make_keras_layers():
    import torchkeras as keras
    L = keras.layers
    return [L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(),
            L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(),
            L.Flatten(), L.Dense(10)]


class KerasChain(nn.Module):
    """The torchkeras layers called one after the other (no model machinery)."""

    def __init__(self, layers):
        super().__init__()
        self.layers = nn.ModuleList(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def epoch(model, x, y, opt, steps, device):
    sync(device)
    t0 = time.perf_counter()
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    sync(device)
    return time.perf_counter() - t0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--sequential", action="store_true",
                    help="also time keras.Sequential around the same layers")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    torch.manual_seed(0)

    x_nhwc = torch.randn(args.batch, 28, 28, 1, device=device)
    x_nchw = x_nhwc.permute(0, 3, 1, 2).contiguous()
    y = torch.randint(0, 10, (args.batch,), device=device)

    models = {}
    tmodel = make_torch_model().to(device)
    models["torch"] = (tmodel, x_nchw)
    kchain = KerasChain(make_keras_layers())
    kchain(x_nhwc.cpu())  # build on CPU like a user would, then move
    kchain.to(device)
    models["torchkeras"] = (kchain, x_nhwc)
    if args.sequential:
        import torchkeras as keras
        seq = keras.Sequential([keras.Input((28, 28, 1))] + make_keras_layers())
        seq.to(device)
        models["torchkeras.Sequential"] = (seq, x_nhwc)
    opts = {k: torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
            for k, (m, _) in models.items()}
    for m, _ in models.values():
        m.train()

    for name, (m, x) in models.items():  # warm-up
        epoch(m, x, y, opts[name], 3, device)

    times = {k: [] for k in models}
    names = list(models)
    for r in range(args.reps):
        order = names if r % 2 == 0 else names[::-1]
        for name in order:
            m, x = models[name]
            times[name].append(epoch(m, x, y, opts[name], args.steps, device))

    base = statistics.median(times["torch"])
    print(f"device={device} threads={torch.get_num_threads()} batch={args.batch} "
          f"steps/epoch={args.steps} reps={args.reps} torch={torch.__version__}")
    for name in names:
        med = statistics.median(times[name])
        print(f"{name:24s} median epoch {med * 1000:9.1f} ms   "
              f"(min {min(times[name]) * 1000:.1f})   ratio vs torch {med / base:.3f}")
    ratio = statistics.median(times["torchkeras"]) / base
    paired = statistics.median(k / t for k, t in zip(times["torchkeras"], times["torch"]))
    print(f"paired ratio (median over repetitions of torchkeras/torch, adjacent in time): "
          f"{paired:.3f}")
    print(f"RATIO torchkeras/torch = {ratio:.3f} (target <= 1.10)")
    return ratio


if __name__ == "__main__":
    main()
