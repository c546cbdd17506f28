"""Helpers shared by the layer-family tests: load the real-Keras reference fixtures."""
import json
import os

import numpy as np
import pytest

FIX = os.path.join(os.path.dirname(__file__), "..", "fixtures", "layers")


def ref(family: str, lib: str = "k3"):
    """``tests/fixtures/layers/<family>.<lib>.npz`` (made by
    compat_suite/reference/make_layer_fixtures.py with real Keras)."""
    path = os.path.join(FIX, f"{family}.{lib}.npz")
    if not os.path.exists(path):
        pytest.skip(f"missing fixture {path}")
    return np.load(path)


def configs(lib: str = "k3"):
    with open(os.path.join(FIX, f"configs.{lib}.json")) as f:
        return json.load(f)


def shared():
    """Arrays copied from shared/keras_files and shared/training_oracle."""
    return np.load(os.path.join(FIX, "shared_refs.npz"))


def np_(t):
    if isinstance(t, (list, tuple)):
        return [np_(v) for v in t]
    if hasattr(t, "detach"):
        return t.detach().cpu().numpy()
    return np.asarray(t)


def close(got, want, atol=1e-5, rtol=1e-5):
    np.testing.assert_allclose(np_(got), np_(want), atol=atol, rtol=rtol)
