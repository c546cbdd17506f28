"""Runs small real-Keras models (``shared/keras_files``: cnn_bn, cnn_flatten, conv1d,
conv2d_misc, mobilenet_small) through torchkeras layers chained by hand from the Keras 3
``to_json()`` config, with the weights of the Keras 3 ``.weights.h5`` fed through
``set_weights``, for comparison with Keras 3's stored outputs (``y_k3``).

The conv / pooling / reshaping layers are under test here; a layer class of another family
that does not exist yet (e.g. ``BatchNormalization`` while it is being written) makes the
caller skip.
"""
from __future__ import annotations

import json
import os

import numpy as np
import torch

import torchkeras as keras
from torchkeras.engine.base_layer import to_snake_case

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "layers", "keras_models")
SHARED = os.environ.get("TORCHKERAS_SHARED_KERAS_FILES", "/work/shared/keras_files")
_KERAS3_ONLY_KEYS = ("quantization_config",)


class MissingLayer(Exception):
    pass


def load_fixture(name):
    """-> (config dict, weights getter ``key -> [arrays]``, x, y_k3) from the copied fixture."""
    with open(os.path.join(FIXTURES, f"{name}.k3.json")) as f:
        config = json.load(f)
    arrays = np.load(os.path.join(FIXTURES, f"{name}.npz"))

    def weights(key):
        out, i = [], 0
        while f"{key}/{i}" in arrays:
            out.append(arrays[f"{key}/{i}"])
            i += 1
        return out
    return config, weights, arrays["x"], arrays["y_k3"]


def load_shared(name):
    """Same, read from ``shared/keras_files`` (h5py); None when that folder is absent."""
    base = os.path.join(SHARED, name)
    if not os.path.exists(base + ".k3.weights.h5"):
        return None
    import h5py
    with open(base + ".k3.json") as f:
        config = json.load(f)
    io = np.load(base + ".io.npz")
    store = {}
    with h5py.File(base + ".k3.weights.h5", "r") as h5:
        for key, group in h5["layers"].items():
            if "vars" in group:
                store[key] = [np.asarray(group["vars"][i])
                              for i in sorted(group["vars"].keys(), key=int)]
    return config, (lambda key: store.get(key, [])), io["x"], io["y_k3"]


def _make_layer(layer_cfg):
    cls_name = layer_cfg["class_name"]
    cls = getattr(keras.layers, cls_name, None)
    if cls is None:
        raise MissingLayer(cls_name)
    cfg = {k: v for k, v in layer_cfg["config"].items() if k not in _KERAS3_ONLY_KEYS}
    return cls.from_config(cfg)


def build_and_run(config, weights, x, device="cpu"):
    """Instantiate every layer, build it on ``x``, load the Keras weights, run inference."""
    sequential = config["class_name"] == "Sequential"
    counters = {}
    layers = []  # (name, layer or None for inputs, inbound names, weights key)
    for layer_cfg in config["config"]["layers"]:
        cls_name = layer_cfg["class_name"]
        if cls_name == "InputLayer" and sequential:
            continue
        base = to_snake_case(cls_name)
        n = counters.get(base, 0)
        counters[base] = n + 1
        key = base if n == 0 else f"{base}_{n}"
        name = layer_cfg.get("name") or layer_cfg["config"]["name"]
        if cls_name == "InputLayer":
            layers.append((name, None, [], key))
            continue
        inbound = []
        for node in layer_cfg.get("inbound_nodes", [])[:1]:
            args = node["args"][0]
            args = args if isinstance(args, list) else [args]
            inbound = [a["config"]["keras_history"][0] for a in args]
        layers.append((name, _make_layer(layer_cfg), inbound, key))

    def forward(inp):
        if sequential:
            y = inp
            for _, layer, _, _ in layers:
                y = layer(y)
            return y
        values = {}
        for name, layer, inbound, _ in layers:
            if layer is None:
                values[name] = inp
                continue
            args = [values[i] for i in inbound]
            values[name] = layer(args if len(args) > 1 else args[0])
        return values[layers[-1][0]]

    xt = torch.as_tensor(x).to(device)
    with torch.no_grad():
        forward(xt)  # builds every layer (on the input's device)
        for _, layer, _, key in layers:
            if layer is not None and layer.weights:
                layer.set_weights(weights(key))
        y = forward(xt)
    return y.detach().cpu().numpy(), [lay for _, lay, _, _ in layers if lay is not None]
