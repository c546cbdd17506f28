"""Replays the real-Keras reference cases in ``tests/fixtures/layers/keras_<family>_*``
(made by ``compat_suite/reference/make_conv_layer_fixtures.py``): same layer kwargs, the same
closed-formula inputs and weights, and Keras's outputs."""
from __future__ import annotations

import json
import os

import numpy as np

import torchkeras as keras

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "layers")


def det(shape, seed):
    """Same formula as the generator (inputs / weights are not stored)."""
    n = int(np.prod(shape)) if len(shape) else 1
    i = np.arange(n, dtype=np.float64)
    v = np.sin(i * 0.7123 + seed * 1.37) * np.cos(i * 0.1931 + seed * 0.61)
    return v.reshape(shape).astype(np.float32)


def load_cases(family):
    with open(os.path.join(FIXTURES, f"keras_{family}_cases.json")) as f:
        meta = json.load(f)
    outputs = np.load(os.path.join(FIXTURES, f"keras_{family}_outputs.npz"))
    return [(c, outputs[c["name"]]) for c in meta["cases"]]


def build_case(case):
    """-> (layer with the case's weights, input array, call kwargs)."""
    cls = getattr(keras.layers, case["class_name"])
    layer = cls(**case["kwargs"])
    x = det(case["input_shape"], case.get("seed", 0))
    call_kw = {}
    if "mask" in case:
        call_kw["mask"] = np.array(case["mask"], dtype=bool)
    layer.build(tuple(x.shape))
    weights = [det(s, 100 + i) * 0.5 for i, s in enumerate(case["weight_shapes"])]
    assert [tuple(w.shape) for w in layer.get_weights()] == \
        [tuple(s) for s in case["weight_shapes"]]
    layer.set_weights(weights)
    return layer, x, call_kw


def run_case(case):
    layer, x, call_kw = build_case(case)
    if "mask" in call_kw:
        import torch
        call_kw["mask"] = torch.as_tensor(call_kw["mask"])
    y = layer(x, **call_kw)
    return layer, x, y.detach().cpu().numpy()
