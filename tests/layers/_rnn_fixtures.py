"""Replay of the real-Keras reference cases written by
``compat_suite/reference/make_recurrent_fixtures.py`` (``tests/fixtures/layers/<family>.<lib>``):
rebuild each layer from the config Keras wrote, load Keras's weights, call it like Keras did and
return our outputs next to Keras's."""
from __future__ import annotations

import json
import os

import numpy as np
import torch

from torchkeras.backend import config as backend_config
from torchkeras.saving.serialization import deserialize_layer

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "layers")


def load(family: str, lib: str = "k3"):
    base = os.path.join(FIXTURES, f"{family}.{lib}")
    if not os.path.exists(base + ".json"):
        return {}, {}
    with open(base + ".json") as f:
        cases = json.load(f)
    data = dict(np.load(base + ".npz"))
    return cases, data


def load_keras_files():
    """-> (configs, arrays) extracted from shared/keras_files by
    ``compat_suite/reference/extract_rnn_keras_files.py``."""
    base = os.path.join(FIXTURES, "keras_files_rnn")
    with open(base + ".json") as f:
        configs = json.load(f)
    return configs, dict(np.load(base + ".npz"))


def _tensor(a):
    return torch.as_tensor(np.asarray(a))


def build_call(name: str, case: dict, data: dict):
    """-> (args, kwargs) of the call Keras made."""
    xs = [_tensor(data[f"{name}/x{i}"]) for i in range(case["n_inputs"])]
    if case.get("keras_masks"):
        for i, has in enumerate(case["keras_masks"]):
            if has:
                xs[i]._keras_mask = _tensor(data[f"{name}/kmask{i}"])
    kw = dict(case["call"])
    for k in case.get("call_arrays", []):
        kw[k] = _tensor(data[f"{name}/{k}"])
    if case.get("has_mask"):
        kw["mask"] = _tensor(data[f"{name}/mask"])
    if case.get("mask_list"):
        kw["mask"] = [_tensor(data[f"{name}/mask{i}"]) if has else None
                      for i, has in enumerate(case["mask_list"])]
    if case.get("n_init"):
        kw["initial_state"] = [_tensor(data[f"{name}/init{i}"]) for i in range(case["n_init"])]
    li = case.get("list_input")
    args = xs if li == "mha" else [xs] if li else [xs[0]]
    return args, kw


def replay(name: str, case: dict, data: dict, lib: str = "k3", layer=None):
    """Our layer (rebuilt from Keras's config unless given) run as Keras ran it: returns
    (our outputs, Keras outputs) as lists of numpy arrays."""
    era = 3 if lib == "k3" else 2
    with backend_config.era_scope(era):
        if layer is None:
            layer = deserialize_layer({"class_name": case["class"], "config": case["config"]})
        args, kw = build_call(name, case, data)
        layer(*args, **kw)
        layer.set_weights([data[f"{name}/w{i}"] for i in range(case["n_weights"])])
        if getattr(layer, "stateful", False):
            layer.reset_states()
        outs = []
        for i in range(case.get("calls", 1)):
            args, kw = build_call(name, case, data)
            y = layer(*args, **kw)
            outs.extend(list(y) if isinstance(y, (list, tuple)) else [y])
            if case.get("reset_between") is not None and i == case["reset_between"]:
                layer.reset_states()
    ours = [np.stack([t.detach().cpu().numpy() for t in o]) if isinstance(o, (list, tuple))
            else o.detach().cpu().numpy() for o in outs]
    ref = [data[f"{name}/y{i}"] for i in range(case["n_outputs"])]
    return ours, ref, layer
