"""Classic Keras HDF5 files: ``model.save('m.h5')`` and ``save_weights('w.h5')`` of Keras 1,
Keras 2 / tf-keras and Keras 3's legacy writer (keras-file-formats.md §2, §3, §10).

Reading
    root attributes ``keras_version`` / ``backend`` / ``model_config`` / ``training_config``;
    weights at ``/model_weights`` (full model) or at the root (weights only), one group per
    layer (``layer_names``) holding its weights in ``weight_names`` order. Layers that have
    weights are paired with the model's **in order** (names ignored), or by name with
    ``by_name=True``; each layer's values are matched against ``layer.get_weights()`` (order,
    count and shapes). Keras 1 files (no or "1.x" ``keras_version``) go through
    ``torchkeras.legacy.weights`` first (fused LSTM/GRU, 'th' kernels...). Everything is checked
    before the first value is assigned.
Writing
    the tf-keras 2.x layout: weight names ``<layer>/<sublayer>/<weight>:0``, optimizer
    variables in the tf-keras order, ``model_config`` in the Keras 2 dialect.
"""
from __future__ import annotations

import json
import warnings
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from .h5_utils import KerasFileError, read_attr, read_names, write_attr

# What torchkeras claims in the classic files it writes: the Keras 2 dialect.
WRITTEN_KERAS_VERSION = "2.15.0"
WRITTEN_BACKEND = "torch"


def has_classic_weights(group) -> bool:
    attrs = group.attrs
    return "layer_names" in attrs or "layer_names0" in attrs


def file_keras_version(f) -> Optional[str]:
    v = read_attr(f, "keras_version")
    if v is None and "model_weights" in f:
        v = read_attr(f["model_weights"], "keras_version")
    return None if v is None else str(v)


def file_backend(f) -> Optional[str]:
    v = read_attr(f, "backend")
    if v is None and "model_weights" in f:
        v = read_attr(f["model_weights"], "backend")
    return None if v is None else str(v)


def read_json_attr(f, name: str, source: str):
    raw = read_attr(f, name)
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise KerasFileError(f"'{source}': attribute '{name}' should be a JSON string, found "
                             f"{type(raw).__name__}.")
    try:
        return json.loads(raw)
    except ValueError as e:
        raise KerasFileError(f"'{source}': attribute '{name}' is not valid JSON ({e}).") from e


def class_names_from_config(config) -> Dict[str, str]:
    """layer name -> class name for every layer entry of a model config (nested too)."""
    out: Dict[str, str] = {}

    def visit(entry):
        if isinstance(entry, dict):
            cls = entry.get("class_name")
            cfg = entry.get("config")
            name = entry.get("name") or (cfg.get("name") if isinstance(cfg, dict) else None)
            if isinstance(cls, str) and isinstance(name, str):
                out.setdefault(name, cls)
            for v in entry.values():
                if isinstance(v, (dict, list)):
                    visit(v)
        elif isinstance(entry, list):
            for v in entry:
                visit(v)
    visit(config)
    return out


# ------------------------------------------------------------------------------------------
# reading weights
# ------------------------------------------------------------------------------------------
def _read_layer_group(g, name: str, source: str) -> Tuple[List[str], List[np.ndarray]]:
    try:
        lg = g[name]
    except Exception as e:  # KeyError for a missing group, others for damaged files
        raise KerasFileError(
            f"'{source}': attribute 'layer_names' lists layer '{name}', but the group "
            f"'{g.name.rstrip('/')}/{name}' is missing or unreadable ({type(e).__name__}: {e})."
        ) from e
    weight_names = read_names(lg, "weight_names")
    values = []
    for wn in weight_names:
        try:
            values.append(np.asarray(lg[wn][()]))
        except Exception as e:
            raise KerasFileError(
                f"'{source}': layer '{name}' lists weight '{wn}', but the dataset "
                f"'{lg.name}/{wn}' is missing or unreadable ({type(e).__name__}: {e}).") from e
    return weight_names, values


def _weighted(layers) -> list:
    return [l for l in layers if l._all_specs()]


def _flatten_containers(layers) -> list:
    """Weighted layers, with containers (objects with a ``layers`` list: nested models, Keras
    1 ``Merge`` of branches) replaced by their own weighted layers, as Keras 1 did."""
    out = []
    for layer in layers:
        inner = getattr(layer, "layers", None)
        if isinstance(inner, list) and inner and layer._all_specs():
            out.extend(_flatten_containers(inner))
        elif layer._all_specs():
            out.append(layer)
    return out


def _convert(layer, values, keras_version, backend, class_name):
    from ..legacy import weights as legacy_weights
    return legacy_weights.preprocess_weights_for_loading(
        layer, values, original_keras_version=keras_version, original_backend=backend,
        class_name=class_name)


def _mismatch(layer, file_name: str, values, index: Optional[int] = None) -> Optional[str]:
    specs = layer._all_specs()
    want = [tuple(s.keras_shape) for s in specs]
    got = [tuple(np.shape(v)) for v in values]
    cls = type(layer).__name__
    where = (f"Layer #{index} (named '{layer.name}', {cls}) " if index is not None
             else f"Layer '{layer.name}' ({cls}) ")
    if len(want) != len(got):
        return (f"{where}was found to correspond to layer '{file_name}' in the file, but it "
                f"expects {len(want)} weights {want} and the file holds {len(got)} {got}.")
    for spec, w, g in zip(specs, want, got):
        if w != g:
            return (f"{where}weight '{spec.name}' has shape {w}, but the file's layer "
                    f"'{file_name}' holds shape {g} (all shapes: expected {want}, found {got}).")
    return None


def load_classic_weights(g, model, source: str, by_name: bool = False,
                         skip_mismatch: bool = False, keras_version=None, backend=None,
                         class_names: Optional[Dict[str, str]] = None) -> List[str]:
    """Load the classic layout rooted at group ``g`` into ``model``. Returns loaded names."""
    class_names = class_names or {}
    if keras_version is None:
        keras_version = read_attr(g, "keras_version")
    if backend is None:
        backend = read_attr(g, "backend")
    layer_names = read_names(g, "layer_names")
    file_layers = []
    for name in layer_names:
        weight_names, values = _read_layer_group(g, name, source)
        if weight_names:
            file_layers.append((name, values))
    plan: List[Tuple[Any, np.ndarray]] = []
    loaded: List[str] = []

    def add(layer, fname, values, index=None):
        try:
            values = _convert(layer, values, keras_version, backend, class_names.get(fname))
        except (ValueError, IndexError) as e:
            problem = f"Layer '{layer.name}': cannot convert the weights of '{fname}': {e}"
        else:
            problem = _mismatch(layer, fname, values, index)
        if problem is not None:
            msg = f"Cannot load weights from '{source}'. {problem}"
            if skip_mismatch:
                warnings.warn(msg + " Skipping it (skip_mismatch=True).", stacklevel=4)
                return
            raise KerasFileError(msg)
        plan.extend(zip(layer._all_specs(), values))
        loaded.append(layer.name)

    if by_name:
        index: Dict[str, list] = {}
        for layer in model.layers:
            if layer._all_specs():
                index.setdefault(layer.name, []).append(layer)
        for fname, values in file_layers:
            for layer in index.get(fname, []):
                add(layer, fname, values)
        if file_layers and not loaded and index:
            warnings.warn(f"load_weights('{source}', by_name=True): no layer name of the file "
                          f"({[n for n, _ in file_layers]}) matches a layer of the model "
                          f"({sorted(index)}); nothing was loaded.", stacklevel=3)
    else:
        targets = _weighted(model.layers)
        if len(targets) != len(file_layers):
            flat = _flatten_containers(model.layers)
            if len(flat) == len(file_layers):
                targets = flat
        if len(targets) != len(file_layers):
            raise KerasFileError(
                f"Cannot load weights from '{source}': the file holds weights for "
                f"{len(file_layers)} layers {[n for n, _ in file_layers]}, but the model "
                f"'{model.name}' has {len(targets)} layers with weights "
                f"{[l.name for l in targets]} (a layer count that does not match)."
                + ("" if getattr(model, "built", True) else
                   " The model is not built yet: call `model.build(input_shape)` (or call it "
                   "on data) before loading weights."))
        for k, (layer, (fname, values)) in enumerate(zip(targets, file_layers)):
            add(layer, fname, values, index=k)
    for spec, value in plan:
        spec.assign(value)
    return loaded


# ------------------------------------------------------------------------------------------
# writing weights
# ------------------------------------------------------------------------------------------
def _owner_paths(layer) -> Dict[int, str]:
    """id(sublayer) -> ``layer/sub/...`` built from layer names, as tf-keras names variables."""
    paths = {id(layer): layer.name}

    def walk(l, prefix):
        for child in l._direct_sublayers():
            if id(child) not in paths:
                paths[id(child)] = f"{prefix}/{child.name}"
                walk(child, paths[id(child)])
    walk(layer, layer.name)
    return paths


def weight_names_of(layer) -> List[str]:
    """tf-keras names of ``layer.get_weights()``: ``dense/kernel:0``,
    ``lstm/lstm_cell/kernel:0``; made unique within the layer."""
    paths = _owner_paths(layer)
    names, used = [], set()
    for spec in layer._all_specs():
        base = f"{paths.get(id(spec.owner), layer.name)}/{spec.name}"
        name, i = f"{base}:0", 1
        while name in used:
            name = f"{base}_{i}:0"
            i += 1
        used.add(name)
        names.append(name)
    return names


def write_classic_weights(g, model, keras_version: str = WRITTEN_KERAS_VERSION,
                          backend: str = WRITTEN_BACKEND, top_level_group: bool = True) -> None:
    layers = model.layers
    write_attr(g, "layer_names", [l.name for l in layers])
    g.attrs["backend"] = backend
    g.attrs["keras_version"] = keras_version
    for layer in layers:
        lg = g.create_group(layer.name)
        names = weight_names_of(layer)
        write_attr(lg, "weight_names", names)
        for name, spec in zip(names, layer._all_specs()):
            lg.create_dataset(name, data=spec.numpy())
    if top_level_group and "top_level_model_weights" not in g:
        tg = g.create_group("top_level_model_weights")
        write_attr(tg, "weight_names", [])


def write_optimizer_weights(f, entries) -> None:
    g = f.create_group("optimizer_weights")
    names, used = [], set()
    for name, _ in entries:
        base, i = name, 1
        while name in used:
            name = f"{base}_{i}"
            i += 1
        used.add(name)
        names.append(name)
    write_attr(g, "weight_names", names)
    for name, (_, value) in zip(names, entries):
        g.create_dataset(name, data=value)


def read_optimizer_weights(f, source: str) -> Optional[List[np.ndarray]]:
    if "optimizer_weights" not in f:
        return None
    g = f["optimizer_weights"]
    names = read_names(g, "weight_names")
    out = []
    for n in names:
        try:
            out.append(np.asarray(g[n][()]))
        except Exception as e:
            raise KerasFileError(f"'{source}': optimizer weight '{n}' is missing or unreadable "
                                 f"({type(e).__name__}: {e}).") from e
    return out


# ------------------------------------------------------------------------------------------
# model config, Keras 2 dialect
# ------------------------------------------------------------------------------------------
_ANY = object()
# Config keys dropped from the HDF5 model_config when they hold this value (``_ANY``: always):
# Keras 3 keys tf-keras 2.x rejects, and Keras 2 keys Keras 3's legacy loader rejects (the
# value dropped is the default in both libraries, so nothing changes). Config dialect only.
_H5_DROP: Dict[str, Dict[str, Any]] = {
    "SimpleRNN": {"seed": None, "time_major": False},
    "LSTM": {"time_major": False},
    "GRU": {"time_major": False},
    "RNN": {"time_major": False},
    "LayerNormalization": {"rms_scaling": False},
    "Dense": {"quantization_config": None},
    "EinsumDense": {"quantization_config": None},
    "Embedding": {"quantization_config": None},
    "ZeroPadding1D": {"data_format": "channels_last"},
    "MultiHeadAttention": {"use_gate": False, "sliding_window": None, "seed": None},
    "DepthwiseConv1D": {"groups": 1},
    "DepthwiseConv2D": {"groups": 1},
    "SeparableConv1D": {"groups": 1, "kernel_initializer": _ANY, "kernel_regularizer": _ANY,
                        "kernel_constraint": _ANY},
    "SeparableConv2D": {"groups": 1, "kernel_initializer": _ANY, "kernel_regularizer": _ANY,
                        "kernel_constraint": _ANY},
}
# Keras 3 spellings tf-keras 2.x knows under another name.
_H5_RENAME: Dict[str, Dict[str, str]] = {"LeakyReLU": {"negative_slope": "alpha"}}
# tf-keras stores the shapes a layer was first called with under these keys (and needs them
# in from_config): key -> call argument(s) it comes from.
_H5_CALL_SHAPES: Dict[str, Dict[str, tuple]] = {
    "MultiHeadAttention": {"query_shape": ("query",), "key_shape": ("key", "value"),
                           "value_shape": ("value",)},
}
_NESTED_LAYER_KEYS = ("layer", "forward_layer", "backward_layer", "cell")


def _k2_value(value):
    """Keras 3 spellings inside a config -> what tf-keras 2.x reads."""
    if isinstance(value, dict):
        if value.get("class_name") == "DTypePolicy" and isinstance(value.get("config"), dict):
            return value["config"].get("name", "float32")
        return {k: _k2_value(v) for k, v in value.items() if k != "shared_object_id"}
    if isinstance(value, (list, tuple)):
        return [_k2_value(v) for v in value]
    return value


def _call_arguments(layer, node) -> Dict[str, Any]:
    import inspect
    try:
        sig = inspect.signature(layer.call)
        return dict(sig.bind_partial(*node.call_args, **node.call_kwargs).arguments)
    except (TypeError, ValueError):
        return {}


def _first_node(layer, model):
    nodes = getattr(model, "_nodes", None)
    ids = {id(n) for n in nodes} if nodes is not None else None
    for n in getattr(layer, "_inbound_nodes", []):
        if not n.is_input and (ids is None or id(n) in ids):
            return n
    return None


def _k2_entry(entry: Dict[str, Any], layer=None, model=None) -> Dict[str, Any]:
    """One ``{"class_name", "config"}`` layer entry in the HDF5 dialect (recursively)."""
    entry = dict(entry)
    cls = entry.get("class_name")
    cfg = entry.get("config")
    if isinstance(cfg, dict):
        cfg = dict(cfg)
        for key, default in _H5_DROP.get(cls, {}).items():
            if key in cfg and (default is _ANY or cfg[key] == default):
                del cfg[key]
        for old, new in _H5_RENAME.get(cls, {}).items():
            if old in cfg and new not in cfg:
                cfg[new] = cfg.pop(old)
        shapes = _H5_CALL_SHAPES.get(cls)
        if shapes and layer is not None and any(k not in cfg for k in shapes):
            node = _first_node(layer, model)
            bound = _call_arguments(layer, node) if node is not None else {}
            for key, sources in shapes.items():
                for src in sources:
                    t = bound.get(src)
                    if t is not None and hasattr(t, "shape"):
                        cfg.setdefault(key, list(t.shape))
                        break
        for key in _NESTED_LAYER_KEYS:
            sub = cfg.get(key)
            if isinstance(sub, dict) and "class_name" in sub:
                inner = getattr(layer, key, None) if layer is not None else None
                sub = _k2_entry(sub, inner if hasattr(inner, "_all_specs") else None)
                sub.setdefault("module", "keras.layers")
                sub.setdefault("registered_name", None)
                cfg[key] = sub
        if isinstance(cfg.get("layers"), list):  # nested models (and the top level)
            children = getattr(layer, "layers", None) if layer is not None else None
            by_name = {c.name: c for c in children} if isinstance(children, list) else {}
            cfg["layers"] = [_k2_entry(e, by_name.get(_entry_name(e)), layer)
                             if isinstance(e, dict) else e for e in cfg["layers"]]
        entry["config"] = cfg
    if layer is not None and "inbound_nodes" in entry:
        entry["inbound_nodes"] = [_name_positional(layer, n) for n in entry["inbound_nodes"]]
    return entry


def _entry_name(entry) -> Optional[str]:
    cfg = entry.get("config")
    return entry.get("name") or (cfg.get("name") if isinstance(cfg, dict) else None)


def _name_positional(layer, node_cfg):
    """Keras 2 nodes keep extra positional tensors as ``__arg<i>`` kwargs; name them after
    the call signature (``MultiHeadAttention(query, value)`` -> ``{"value": ...}``)."""
    import inspect
    if not isinstance(node_cfg, list):
        return node_cfg
    try:
        params = [p.name for p in inspect.signature(layer.call).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return node_cfg
    out = []
    for item in node_cfg:
        if isinstance(item, list) and len(item) > 3 and isinstance(item[3], dict):
            kw = {}
            for k, v in item[3].items():
                if k.startswith("__arg") and k[5:].isdigit() and int(k[5:]) < len(params):
                    kw[params[int(k[5:])]] = v
                else:
                    kw[k] = v
            item = item[:3] + [kw] + item[4:]
        out.append(item)
    return out


def k2_model_config(model) -> Dict[str, Any]:
    """``model_config`` for the HDF5 files torchkeras writes (tf-keras 2.x dialect)."""
    from .serialization import serialize_layer
    from .node_indices import to_tf_keras
    cfg = _k2_value(serialize_layer(model))
    if cfg.get("class_name") == "Model":
        cfg["class_name"] = "Functional"
    return to_tf_keras(_k2_entry(cfg, model, model), model)
