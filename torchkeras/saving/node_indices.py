"""Node indices of nested models in Functional configs, per dialect.

A model used as a layer inside a Functional model already has one inbound node of its own
(its ``Input``) before the outer graph calls it. tf-keras / Keras 2 count that node: the
outer graph's first call of a nested Functional (or of a Sequential with an input layer) is
node **1** (``_should_skip_first_node``). Keras 3 and torchkeras count only the calls that
belong to the outer model: node **0**.

``to_zero_based(config)`` rewrites a config read from a file into the 0-based form the
engine reads. The dialect is recognised per nested layer, from the data: with 1-based
numbering the largest index that refers to a layer called ``n`` times is ``n`` (out of
range for 0-based numbering), so nothing is guessed from version strings.
``to_tf_keras(config, model)`` does the reverse for the HDF5 files torchkeras writes.
"""
from __future__ import annotations

import copy
from typing import Any, Callable, Dict, Set

_MODEL_CLASSES = ("Sequential", "Functional", "Model")


def _is_functional_config(cfg) -> bool:
    return isinstance(cfg, dict) and isinstance(cfg.get("layers"), list) and \
        ("input_layers" in cfg or "output_layers" in cfg)


def _is_model_entry(entry) -> bool:
    if not isinstance(entry, dict):
        return False
    cfg = entry.get("config")
    return entry.get("class_name") in _MODEL_CLASSES or \
        (isinstance(cfg, dict) and isinstance(cfg.get("layers"), list)) or isinstance(cfg, list)


def _entry_name(entry) -> Any:
    cfg = entry.get("config")
    return entry.get("name") or (cfg.get("name") if isinstance(cfg, dict) else None)


def _visit_refs(cfg: Dict[str, Any], fn: Callable[[list], None]) -> None:
    """Call ``fn(ref)`` on every mutable ``[layer, node, tensor, ...]`` reference of a
    Functional config (Keras 2 node lists, their tensor kwargs, Keras 3 ``keras_history``,
    ``input_layers`` / ``output_layers``)."""
    def walk(x):
        if isinstance(x, dict):
            if x.get("class_name") == "__keras_tensor__":
                hist = (x.get("config") or {}).get("keras_history")
                if isinstance(hist, list) and len(hist) >= 3:
                    fn(hist)
                return
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            if len(x) >= 3 and isinstance(x[0], str) and isinstance(x[1], int) and \
                    isinstance(x[2], int):
                fn(x)
                for v in x[3:]:
                    walk(v)
            else:
                for v in x:
                    walk(v)
    for entry in cfg.get("layers", []):
        if isinstance(entry, dict):
            walk(entry.get("inbound_nodes", []))
    walk(cfg.get("input_layers", []))
    walk(cfg.get("output_layers", []))


def _shift(cfg: Dict[str, Any], names: Set[str], delta: int) -> None:
    def fn(ref):
        if ref[0] in names:
            ref[1] += delta
    _visit_refs(cfg, fn)


def to_zero_based(config):
    """A copy of ``config`` (any ``{"class_name", "config"}`` or Functional config) with
    tf-keras's 1-based node indices of nested models made 0-based; nested configs too."""
    config = copy.deepcopy(config)
    _normalize(config)
    return config


def _normalize(obj) -> None:
    if isinstance(obj, list):
        for v in obj:
            _normalize(v)
        return
    if not isinstance(obj, dict):
        return
    for v in obj.values():
        if isinstance(v, (dict, list)):
            _normalize(v)
    if not _is_functional_config(obj):
        return
    calls = {}
    for entry in obj["layers"]:
        if _is_model_entry(entry):
            calls[_entry_name(entry)] = len(entry.get("inbound_nodes") or [])
    if not calls:
        return
    highest: Dict[str, int] = {}

    def see(ref):
        if ref[0] in calls:
            highest[ref[0]] = max(highest.get(ref[0], -1), ref[1])
    _visit_refs(obj, see)
    one_based = {n for n, hi in highest.items() if calls[n] and hi == calls[n]}
    if one_based:
        _shift(obj, one_based, -1)


def to_tf_keras(config: Dict[str, Any], model) -> Dict[str, Any]:
    """Shift the references to nested models that have their own input node (Functional
    models, Sequential models with an input layer) by +1, as tf-keras writes them."""
    def has_own_input(layer) -> bool:
        from ..engine.functional import Functional
        from ..engine.sequential import Sequential
        if isinstance(layer, Functional):
            return True
        return isinstance(layer, Sequential) and layer._input_layer is not None

    def fix(cfg, owner):
        if not _is_functional_config(cfg):
            return
        layers = {l.name: l for l in getattr(owner, "layers", [])}
        names = {n for n, l in layers.items() if has_own_input(l)}
        if names:
            _shift(cfg, names, +1)
        for entry in cfg["layers"]:
            sub = layers.get(_entry_name(entry)) if isinstance(entry, dict) else None
            if sub is not None and isinstance(entry.get("config"), dict):
                fix(entry["config"], sub)
    if isinstance(config, dict) and isinstance(config.get("config"), dict):
        fix(config["config"], model)
    return config
