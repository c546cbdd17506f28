"""What a Keras file holds, read without building any layer (``python -m torchkeras inspect``).

``describe_file(path)`` returns a plain dict: format, Keras era and version, model class and
name, the layers (class, name, input shape when the config states one, weights with their
shapes, parameter counts), the training configuration (optimizer, loss, metrics) and the
number of saved optimizer variables. ``format_description`` renders it as text.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

import numpy as np

from .h5_utils import KerasFileError, open_h5, read_attr, read_names


def _era(version: Optional[str]) -> Optional[int]:
    if version is None:
        return 1
    try:
        return int(str(version).split(".")[0])
    except ValueError:
        return None


def _layer_entries(config) -> List[Dict[str, Any]]:
    """(class, name, batch shape) of the layers listed by a model config, any dialect."""
    if not isinstance(config, dict):
        return []
    inner = config.get("config")
    layers = inner if isinstance(inner, list) else (inner or {}).get("layers", []) \
        if isinstance(inner, dict) else []
    out = []
    for entry in layers or []:
        if not isinstance(entry, dict):
            continue
        cfg = entry.get("config") if isinstance(entry.get("config"), dict) else {}
        shape = cfg.get("batch_input_shape") or cfg.get("batch_shape")
        out.append({"class_name": entry.get("class_name"),
                    "name": entry.get("name") or cfg.get("name"),
                    "input_shape": shape, "weights": [], "params": 0})
    return out


def _attach_weights(layers: List[Dict[str, Any]], weights: Dict[str, List[tuple]]) -> None:
    by_name = {l["name"]: l for l in layers}
    for name, shapes in weights.items():
        entry = by_name.get(name)
        if entry is None:
            entry = {"class_name": None, "name": name, "input_shape": None}
            layers.append(entry)
            by_name[name] = entry
        entry["weights"] = shapes
        entry["params"] = int(sum(int(np.prod(s)) for _, s in shapes))


def _classic_weights(g) -> Dict[str, List[tuple]]:
    out = {}
    for name in read_names(g, "layer_names"):
        if name not in g:
            out[name] = []
            continue
        lg = g[name]
        out[name] = [(wn, tuple(lg[wn].shape)) for wn in read_names(lg, "weight_names")
                     if wn in lg]
    return out


def _v3_weights(f) -> Dict[str, List[tuple]]:
    from .weights_v3 import layer_tree_summary
    out: Dict[str, List[tuple]] = {}
    for path, shapes in layer_tree_summary(f):
        if not path.startswith("layers/"):
            continue
        top = path.split("/")[1]
        out.setdefault(top, []).extend((f"{path}/vars/{i}", s) for i, s in enumerate(shapes))
    return out


def _optimizer_summary(tc) -> Optional[Dict[str, Any]]:
    if not isinstance(tc, dict):
        return None
    opt = tc.get("optimizer_config", tc.get("optimizer"))
    info = {"loss": tc.get("loss"), "metrics": tc.get("metrics"),
            "loss_weights": tc.get("loss_weights")}
    if isinstance(opt, dict):
        cfg = opt.get("config") or {}
        info["optimizer"] = opt.get("class_name")
        info["optimizer_config"] = {k: cfg[k] for k in ("learning_rate", "lr", "momentum",
                                                        "beta_1", "beta_2", "epsilon", "rho",
                                                        "nesterov", "decay")
                                    if k in cfg}
    else:
        info["optimizer"] = opt
    return info


def describe_file(path) -> Dict[str, Any]:
    from .api import file_errors
    with file_errors(path, "inspect"):
        return _describe(path)


def _describe(path) -> Dict[str, Any]:
    from .api import detect_format
    kind = detect_format(path)
    info: Dict[str, Any] = {"file": str(path), "format": kind}
    if kind in ("h5-model", "h5-weights"):
        with open_h5(path) as f:
            version = read_attr(f, "keras_version")
            if version is None and "model_weights" in f:
                version = read_attr(f["model_weights"], "keras_version")
            info["keras_version"] = version
            info["era"] = _era(version)
            info["backend"] = read_attr(f, "backend")
            cfg = None
            if kind == "h5-model":
                raw = read_attr(f, "model_config")
                cfg = json.loads(raw) if isinstance(raw, str) else None
                tc_raw = read_attr(f, "training_config")
                info["training_config"] = _optimizer_summary(
                    json.loads(tc_raw)) if isinstance(tc_raw, str) else None
                if "optimizer_weights" in f:
                    info["optimizer_variables"] = len(read_names(f["optimizer_weights"],
                                                                 "weight_names"))
            g = f["model_weights"] if "model_weights" in f else f
            layers = _layer_entries(cfg)
            _attach_weights(layers, _classic_weights(g))
            info["model"] = _model_head(cfg)
            info["layers"] = layers
    elif kind == "weights-v3":
        with open_h5(path) as f:
            layers: List[Dict[str, Any]] = []
            _attach_weights(layers, _v3_weights(f))
            info["layers"] = layers
            if "optimizer" in f and "vars" in f["optimizer"]:
                info["optimizer_variables"] = len(f["optimizer"]["vars"].keys())
    elif kind == "keras":
        from .keras_zip import read_keras_zip
        cfg, meta, weights = read_keras_zip(path)
        info["keras_version"] = meta.get("keras_version")
        info["era"] = _era(meta.get("keras_version"))
        info["model"] = _model_head(cfg)
        layers = _layer_entries(cfg)
        if weights is not None:
            with open_h5(weights) as f:
                w = _v3_weights(f)
                if "optimizer" in f and "vars" in f["optimizer"]:
                    info["optimizer_variables"] = len(f["optimizer"]["vars"].keys())
            # .keras keys are snake_case(class)[_n] in layer order: pair them by that rule
            from ..engine.base_layer import to_snake_case
            used: Dict[str, int] = {}
            keyed = {}
            for entry in layers:
                if cfg.get("class_name") == "Sequential" and entry["class_name"] == "InputLayer":
                    continue
                base = to_snake_case(str(entry["class_name"]))
                n = used.get(base, -1) + 1
                used[base] = n
                keyed[base if n == 0 else f"{base}_{n}"] = entry["name"]
            _attach_weights(layers, {keyed.get(k, k): v for k, v in w.items()})
        info["layers"] = layers
        info["training_config"] = _optimizer_summary(cfg.get("compile_config"))
    elif kind == "torch":
        from .torch_checkpoint import TORCH_FORMAT_TAG, torch_load
        ckpt = torch_load(path)
        sd = ckpt.get("state_dict", ckpt) if isinstance(ckpt, dict) else {}
        if isinstance(ckpt, dict) and ckpt.get("format") == TORCH_FORMAT_TAG:
            cfg = json.loads(ckpt["model_config"])
            info["model"] = _model_head(cfg)
            info["era"] = ckpt.get("era")
            info["layers"] = _layer_entries(cfg)
            cc = ckpt.get("compile_config")
            info["training_config"] = _optimizer_summary(json.loads(cc)) if cc else None
            info["optimizer_variables"] = len(ckpt.get("optimizer_variables") or [])
        else:
            info["layers"] = []
        info["state_dict"] = [(k, tuple(v.shape)) for k, v in sd.items()
                              if hasattr(v, "shape")]
        info["total_params"] = int(sum(int(np.prod(s)) for _, s in info["state_dict"]))
        return info
    info["total_params"] = int(sum(l.get("params", 0) for l in info.get("layers", [])))
    return info


def _model_head(cfg) -> Optional[Dict[str, Any]]:
    if not isinstance(cfg, dict):
        return None
    inner = cfg.get("config")
    name = inner.get("name") if isinstance(inner, dict) else None
    return {"class_name": cfg.get("class_name"), "name": name}


def format_description(info: Dict[str, Any]) -> str:
    lines = [f"File:     {info['file']}", f"Format:   {info['format']}"]
    if info.get("keras_version") is not None or info.get("era") is not None:
        lines.append(f"Keras:    {info.get('keras_version') or '1.x (no version attribute)'}"
                     f" (era {info.get('era')})")
    if info.get("backend"):
        lines.append(f"Backend:  {info['backend']}")
    model = info.get("model")
    if model:
        lines.append(f"Model:    {model.get('class_name')} '{model.get('name') or '(unnamed)'}'")
    layers = info.get("layers") or []
    if layers:
        lines.append("")
        lines.append(f"{'Layer':32s} {'Class':24s} {'Params':>10s}  Weights")
        for l in layers:
            shapes = ", ".join(str(tuple(s)) for _, s in l.get("weights", []))
            head = f"{str(l.get('name')):32s} {str(l.get('class_name') or '?'):24s} " \
                   f"{l.get('params', 0):>10d}  {shapes}"
            if l.get("input_shape"):
                head += f"  input {tuple(l['input_shape'])}"
            lines.append(head)
    if info.get("state_dict") and not layers:
        lines.append("")
        for k, s in info["state_dict"]:
            lines.append(f"{k:48s} {s}")
    lines.append("")
    lines.append(f"Total params: {info.get('total_params', 0):,}")
    tc = info.get("training_config")
    if tc:
        lines.append(f"Training config: optimizer={tc.get('optimizer')} "
                     f"{tc.get('optimizer_config', {})}, loss={tc.get('loss')}, "
                     f"metrics={tc.get('metrics')}")
    else:
        lines.append("Training config: none")
    if "optimizer_variables" in info:
        lines.append(f"Optimizer variables saved: {info['optimizer_variables']}")
    return "\n".join(lines)


__all__ = ["describe_file", "format_description", "KerasFileError"]
