"""Helpers to replay the training oracle's ``opt_*`` / ``schedule_*`` cases without the engine.

Fixtures: ``tests/fixtures/training_oracle/optimizers_oracle.{json,npz}`` hold the subset of
``/work/shared/training_oracle/<case>.{json,npz}`` these tests need (spec, tolerance, the
optimizer configs real Keras reported, ``in.*`` inputs and ``k2.*`` / ``k3.*`` results).
"""
from __future__ import annotations

import json
import os
from typing import Dict, List, Tuple

import numpy as np
import torch

import torchkeras.optimizers as optimizers

_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "training_oracle")
with open(os.path.join(_DIR, "optimizers_oracle.json")) as f:
    CASES: Dict[str, dict] = json.load(f)["cases"]
_ARRAYS = np.load(os.path.join(_DIR, "optimizers_oracle.npz"))

OPT_CASES = sorted(c for c in CASES if c.startswith("opt_"))
SCHEDULE_CASES = sorted(c for c in CASES if c.startswith("schedule_"))


def arrays(case: str) -> Dict[str, np.ndarray]:
    prefix = case + "/"
    return {k[len(prefix):]: _ARRAYS[k] for k in _ARRAYS.files if k.startswith(prefix)}


def make(spec):
    """Materialise ``{"module": "optimizers[.schedules]", "class_name", "config"}`` as the
    oracle checker does (nested schedules included)."""
    if isinstance(spec, dict) and "class_name" in spec and "module" in spec:
        mod = optimizers.schedules if spec["module"].endswith("schedules") else optimizers
        cls = getattr(mod, spec["class_name"])
        return cls(**{k: make(v) for k, v in spec.get("config", {}).items()})
    return spec


def reference_libs(case: str) -> List[str]:
    """Libraries whose numbers the case must reproduce: k3 always; k2 too where k2 ran and
    agrees with k3 (the README: Nadam differs because of a tf-keras bug; match Keras 3)."""
    ok = CASES[case]["ok"]
    libs = [lib for lib in ("k3", "k2") if ok.get(lib)]
    if case == "opt_nadam":
        libs = ["k3"]
    return libs


class DenseDenseMSE:
    """Dense(3) + Dense(2), no activation, mse (mean over all elements), in plain torch.

    ``layout="keras"`` keeps the kernels as ``(in, out)`` tensors; ``layout="torch"`` stores
    them as ``nn.Linear``-style ``(out, in)`` tensors and hands the optimizer Keras-variable
    views with ``to_keras`` / ``from_keras`` transposes, as torchkeras layers do.
    """

    def __init__(self, inputs: Dict[str, np.ndarray], layout: str = "keras"):
        self.layout = layout
        init = [inputs[f"in.init.{i}"] for i in range(4)]
        self.x = torch.tensor(inputs["in.x"])
        self.y = torch.tensor(inputs["in.y"])
        if layout == "keras":
            self.params = [torch.nn.Parameter(torch.tensor(w)) for w in init]
        else:
            self.params = [torch.nn.Parameter(torch.tensor(w.T.copy() if w.ndim == 2 else w))
                           for w in init]

    def keras_weights(self) -> List[np.ndarray]:
        out = []
        for p in self.params:
            w = p.detach().cpu().numpy().copy()
            out.append(w.T.copy() if (self.layout == "torch" and w.ndim == 2) else w)
        return out

    def variables(self):
        """What the optimizer is built on."""
        if self.layout == "keras":
            return list(self.params)
        return [_View(p, f"dense_{i // 2}/{'kernel' if i % 2 == 0 else 'bias'}")
                for i, p in enumerate(self.params)]

    def loss(self) -> torch.Tensor:
        k0, b0, k1, b1 = self.params
        if self.layout == "keras":
            out = (self.x @ k0 + b0) @ k1 + b1
        else:
            out = torch.nn.functional.linear(torch.nn.functional.linear(self.x, k0, b0), k1, b1)
        return torch.mean(torch.square(out - self.y))


class _Spec:
    def __init__(self, tensor, name):
        self.tensor = tensor
        self.name = name
        transposed = tensor.dim() == 2
        self.keras_shape = tuple(tensor.shape[::-1]) if transposed else tuple(tensor.shape)
        self.to_keras = (lambda t: t.t()) if transposed else None
        self.from_keras = (lambda t: t.t()) if transposed else None
        self.constraint = None
        self.owner = None


class _View:
    """Stand-in for torchkeras ``KerasVariable``: ``_spec``, ``path``, ``tensor``."""

    def __init__(self, tensor, path):
        self._spec = _Spec(tensor, path.split("/")[-1])
        self.path = path

    @property
    def tensor(self):
        return self._spec.tensor


def run_case(case: str, layout: str = "keras", mode: str = "apply"
             ) -> Tuple[np.ndarray, Dict[int, np.ndarray]]:
    """Train ``steps`` steps; returns losses and per-weight trajectories (before + each step)."""
    inputs = arrays(case)
    spec = CASES[case]["spec"]
    model = DenseDenseMSE(inputs, layout)
    opt = make(spec["optimizer"])
    if mode == "step":
        opt.build(model.variables())
    traj = {i: [w] for i, w in enumerate(model.keras_weights())}
    losses = []
    for _ in range(spec["steps"]):
        loss = model.loss()
        if mode == "step":
            opt.zero_grad()
            loss.backward()
            opt.step()
        else:
            grads = torch.autograd.grad(loss, model.params)
            if layout == "torch":  # Keras-layout gradients for Keras-layout views
                grads = [g.t() if g.dim() == 2 else g for g in grads]
            opt.apply_gradients(zip(grads, model.variables()))
        losses.append(float(loss.detach()))
        for i, w in enumerate(model.keras_weights()):
            traj[i].append(w)
    return np.asarray(losses, np.float32), {i: np.stack(t) for i, t in traj.items()}
