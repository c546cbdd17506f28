"""``keras.models``: Model, Sequential, load/save and config round trips."""
from __future__ import annotations

from .engine.functional import Functional
from .engine.model import Model
from .engine.sequential import Sequential
from .saving.serialization import model_from_config, model_from_json


def __getattr__(name):
    if name in ("load_model", "save_model", "clone_model", "model_from_yaml"):
        from .saving import api
        return getattr(api, name)
    raise AttributeError(f"module 'torchkeras.models' has no attribute {name!r}")
