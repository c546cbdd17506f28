"""Shared helpers for the saving tests: fixture paths, oracle inputs/outputs."""
from __future__ import annotations

import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures", "keras_files")
MODERN = os.path.join(FIXTURES, "modern")
LEGACY = os.path.join(FIXTURES, "legacy")


def modern(name: str) -> str:
    return os.path.join(MODERN, name)


def legacy(name: str) -> str:
    return os.path.join(LEGACY, name)


def manifest(folder: str):
    with open(os.path.join(folder, "manifest.json")) as fh:
        return json.load(fh)["files"]


def io_for(folder: str, file_name: str):
    """(x, [expected outputs]) for a fixture file, from its manifest entry."""
    entry = manifest(folder)[file_name]
    io = np.load(os.path.join(folder, entry["io"]))
    xs = [io[i["npz_key"]] for i in entry["inputs"]]
    ys = [io[k] for k in entry["expected"]]
    return (xs[0] if len(xs) == 1 else xs), ys


def as_list(y):
    if isinstance(y, dict):
        return list(y.values())
    if isinstance(y, (list, tuple)):
        return list(y)
    return [y]


def assert_predicts(model, folder, file_name, atol=1e-4):
    x, ys = io_for(folder, file_name)
    got = as_list(model.predict(x, verbose=0))
    assert len(got) == len(ys)
    for g, e in zip(got, ys):
        np.testing.assert_allclose(np.asarray(g), e, atol=atol, rtol=1e-4)
