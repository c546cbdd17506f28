"""Writes model configs in the Keras 3 dialect (``config.json`` of a ``.keras`` file).

Keras 3 (``keras.saving.serialization_lib``) only rebuilds objects whose entries carry
``module`` / ``registered_name``, and it rejects some Keras 2 keys. The differences handled
here (keras-file-formats.md §5, §6):

* every object entry: ``{"module", "class_name", "config", "registered_name"}`` (+
  ``build_config`` for layers; Functional layers also ``name`` and ``inbound_nodes``);
* layer ``dtype``: a ``DTypePolicy`` object instead of a string (InputLayer keeps a string);
* ``InputLayer``: ``batch_shape`` instead of ``batch_input_shape``;
* inbound nodes as ``{"args": [...], "kwargs": {...}}`` with ``__keras_tensor__`` entries
  (shape, dtype, ``keras_history``), written from the model's graph;
* ``input_layers`` / ``output_layers``: a bare ``[layer, node, tensor]`` triple for a single
  tensor, a list of them otherwise;
* Keras 2 keys Keras 3 does not accept are dropped (``_K3_UNSUPPORTED``: config dialect only,
  no weights involved).

The reader side needs nothing special: ``saving.serialization`` reads every dialect.
"""
from __future__ import annotations

import inspect
from typing import Any, Dict, Optional

from ..backend import config as backend_config
from . import object_registry

# Keys of Keras 2 configs that Keras 3 rejects, per class (dropped when writing .keras).
_K3_UNSUPPORTED: Dict[str, tuple] = {
    "RNN": ("time_major",),
    "SimpleRNN": ("time_major",),
    "LSTM": ("time_major",),
    "GRU": ("time_major",),
    "ConvLSTM1D": ("time_major",),
    "ConvLSTM2D": ("time_major",),
    "ConvLSTM3D": ("time_major",),
    "DepthwiseConv1D": ("groups",),
    "DepthwiseConv2D": ("groups",),
    "SeparableConv1D": ("groups", "kernel_initializer", "kernel_regularizer",
                        "kernel_constraint"),
    "SeparableConv2D": ("groups", "kernel_initializer", "kernel_regularizer",
                        "kernel_constraint"),
    "MultiHeadAttention": ("query_shape", "key_shape", "value_shape"),
}
# Keras 3 rejects 'trainable' for these (their __init__ takes no **kwargs).
for _name in ("SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"):
    _K3_UNSUPPORTED[_name] = ("trainable",)


def _bn_axis(cfg):
    """Keras 2 writes BatchNormalization ``axis`` as a list ([3]); Keras 3 wants an int."""
    axis = cfg.get("axis")
    if isinstance(axis, (list, tuple)) and len(axis) == 1:
        cfg["axis"] = int(axis[0])
    return cfg


def _lambda_function(cfg):
    """Keras 2 stores a Lambda's bytecode as ``[code, defaults, closure]`` plus
    ``function_type``; Keras 3 as ``{"class_name": "__lambda__", "config": {...}}``."""
    for key, type_key in (("function", "function_type"), ("output_shape", "output_shape_type")):
        kind = cfg.pop(type_key, None)
        value = cfg.get(key)
        if kind == "lambda" and isinstance(value, (list, tuple)):
            code, defaults, closure = (list(value) + [None, None])[:3]
            cfg[key] = {"class_name": "__lambda__",
                        "config": {"code": code, "defaults": defaults, "closure": closure}}
    return cfg


# Per-class value conversions Keras 3 needs (config dialect only).
_K3_FIXUPS = {"BatchNormalization": _bn_axis, "Lambda": _lambda_function}
# Nested-object keys -> the Keras module their classes live in.
_MODULE_BY_KEY_SUFFIX = (
    ("initializer", "keras.initializers"),
    ("regularizer", "keras.regularizers"),
    ("constraint", "keras.constraints"),
)
_LAYER_KEYS = {"layer", "forward_layer", "backward_layer", "cell", "cells", "layers",
               "activation", "merge_layer"}


def _is_builtin(cls) -> bool:
    module = getattr(cls, "__module__", "") or ""
    return module.startswith("torchkeras.") and \
        cls not in object_registry._GLOBAL_CUSTOM_NAMES


def _module_and_name(cls, default_module: str):
    """(module, registered_name) as Keras 3 writes them for ``cls``."""
    if cls in object_registry._GLOBAL_CUSTOM_NAMES:
        return cls.__module__, object_registry._GLOBAL_CUSTOM_NAMES[cls]
    if _is_builtin(cls):
        return default_module, None
    return cls.__module__, cls.__name__


def dtype_policy(name) -> Dict[str, Any]:
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": str(name)},
            "registered_name": None}


def _default_module(key: Optional[str]) -> Optional[str]:
    if key is None:
        return None
    for suffix, module in _MODULE_BY_KEY_SUFFIX:
        if key.endswith(suffix):
            return module
    if key in _LAYER_KEYS:
        return "keras.layers"
    if key == "dtype":
        return "keras"
    if key == "optimizer":
        return "keras.optimizers"
    return None


def _fix_object(key: Optional[str], value: Dict[str, Any]) -> Dict[str, Any]:
    """A nested ``{"class_name", "config"}`` object in Keras 3 form."""
    out = dict(value)
    cls_name = out.get("class_name")
    module = _default_module(key)
    if "module" not in out:
        registered = object_registry.get_registered_object(cls_name) \
            if isinstance(cls_name, str) else None
        if registered is not None and registered in object_registry._GLOBAL_CUSTOM_NAMES:
            out["module"] = registered.__module__
            out["registered_name"] = object_registry._GLOBAL_CUSTOM_NAMES[registered]
        else:
            out["module"] = module
    out.setdefault("registered_name", None)
    cfg = out.get("config")
    if module == "keras.layers" and isinstance(cfg, dict) and isinstance(cls_name, str):
        out["config"] = layer_config(cls_name, cfg)
    elif isinstance(cfg, (dict, list)):
        out["config"] = fix_values(cfg)
    order = ("module", "class_name", "config", "registered_name")
    return {**{k: out[k] for k in order if k in out},
            **{k: v for k, v in out.items() if k not in order}}


def fix_values(value, key: Optional[str] = None):
    """Recursively put nested serialized objects in Keras 3 form."""
    if isinstance(value, dict):
        if "class_name" in value and "config" in value and \
                value.get("class_name") != "__keras_tensor__":
            return _fix_object(key, value)
        return {k: fix_values(v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [fix_values(v, key) for v in value]
    return value


def layer_config(class_name: str, cfg: Dict[str, Any]) -> Dict[str, Any]:
    """One layer's ``get_config()`` (Keras 2 spellings allowed) -> Keras 3 spellings."""
    cfg = dict(cfg)
    for k in _K3_UNSUPPORTED.get(class_name, ()):
        cfg.pop(k, None)
    fixup = _K3_FIXUPS.get(class_name)
    if fixup is not None:
        cfg = fixup(cfg)
    if class_name == "InputLayer":
        if "batch_input_shape" in cfg:
            cfg["batch_shape"] = cfg.pop("batch_input_shape")
        cfg.setdefault("optional", False)
        if isinstance(cfg.get("dtype"), dict):
            cfg["dtype"] = cfg["dtype"].get("config", {}).get("name", "float32")
        return fix_values(cfg)
    if "batch_input_shape" in cfg:
        shape = cfg.pop("batch_input_shape")
        if shape is not None and "input_shape" not in cfg:
            cfg["input_shape"] = list(shape)[1:]
    dtype = cfg.get("dtype")
    if isinstance(dtype, str) or dtype is None:
        cfg["dtype"] = dtype_policy(dtype or backend_config.floatx())
    return fix_values(cfg)


def _shape_list(shape):
    if shape is None:
        return None
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return [_shape_list(s) for s in shape]
    return [None if d is None else int(d) for d in shape]


def _build_config(layer, node=None) -> Optional[Dict[str, Any]]:
    """``{"input_shape": ...}``, or ``{"shapes_dict": {"<arg>_shape": ...}}`` for layers
    called with several tensor arguments (MultiHeadAttention's query, value...)."""
    from ..engine.keras_tensor import KerasTensor
    if node is not None:
        args = [a for a in node.call_args]
        if len(args) > 1 and all(isinstance(a, KerasTensor) for a in args):
            try:
                params = [p for p in inspect.signature(layer.call).parameters.values()
                          if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            except (TypeError, ValueError):
                params = []
            if len(params) >= len(args):
                return {"shapes_dict": {f"{p.name}_shape": _shape_list(a.shape)
                                        for p, a in zip(params, args)}}
            return None
    shape = getattr(layer, "_build_input_shape", None)
    if shape is None:
        return None
    return {"input_shape": _shape_list(shape)}


def _layer_entry(layer, node=None) -> Dict[str, Any]:
    from .serialization import _class_name_of
    cls = type(layer)
    class_name = _class_name_of(layer)
    module, registered = _module_and_name(cls, "keras.layers")
    entry = {"module": module, "class_name": class_name,
             "config": layer_config(class_name, layer.get_config()),
             "registered_name": registered}
    if _is_model_container(layer):
        entry["config"] = _container_config(layer)
        entry["module"], entry["registered_name"] = _model_module(layer)
    if class_name != "InputLayer":
        bc = _build_config(layer, node)
        if bc is not None:
            entry["build_config"] = bc
    return entry


def _is_model_container(layer) -> bool:
    from ..engine.functional import Functional
    from ..engine.sequential import Sequential
    return isinstance(layer, (Functional, Sequential))


def _model_module(model):
    from ..engine.functional import Functional
    cls = type(model)
    if not _is_builtin(cls):
        return _module_and_name(cls, "keras")
    if isinstance(model, Functional):
        return "keras.src.models.functional", None
    return "keras", None


def _tensor_entry(t, node_index):
    layer, _, tensor_index = t._keras_history
    return {"class_name": "__keras_tensor__",
            "config": {"shape": _shape_list(t.shape),
                       "dtype": backend_config.dtype_name(t.dtype),
                       "keras_history": [layer.name, node_index[id(t.node)], tensor_index]}}


def _functional_config(model) -> Dict[str, Any]:
    from ..engine import tree
    from ..engine.functional_config import _node_key_map
    from ..engine.keras_tensor import KerasTensor
    node_index = _node_key_map(model)

    def conv(x):
        if isinstance(x, KerasTensor):
            return _tensor_entry(x, node_index)
        if isinstance(x, (list, tuple)):
            return [conv(v) for v in x]
        if isinstance(x, dict):
            return {k: conv(v) for k, v in x.items()}
        return x

    layers = []
    for layer in model._graph_layers:
        nodes = [n for n in layer._inbound_nodes if id(n) in node_index and not n.is_input]
        entry = _layer_entry(layer, nodes[0] if nodes else None)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [{"args": conv(list(n.call_args)),
                                   "kwargs": conv(dict(n.call_kwargs))} for n in nodes]
        layers.append(entry)

    def refs(struct):
        if isinstance(struct, dict):
            return {k: refs(v) for k, v in struct.items()}
        flat = tree.flatten(struct)
        triples = []
        for t in flat:
            layer, _, ti = t._keras_history
            triples.append([layer.name, node_index[id(t.node)], ti])
        if isinstance(struct, KerasTensor) or len(triples) == 1:
            return triples[0]
        return triples

    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": refs(model._inputs_struct),
            "output_layers": refs(model._outputs_struct)}


def _sequential_config(model) -> Dict[str, Any]:
    layers = []
    if model._input_layer is not None:
        layers.append(_layer_entry(model._input_layer))
    for layer in model._stack:
        entry = _layer_entry(layer)
        if model._input_layer is not None:
            entry["config"].pop("input_shape", None)
        layers.append(entry)
    cfg = {"name": model.name, "trainable": model.trainable,
           "dtype": dtype_policy(model._dtype_policy_name), "layers": layers}
    if model._input_layer is not None:
        cfg["build_input_shape"] = _shape_list(model._input_layer.batch_shape)
    return cfg


def _container_config(model) -> Dict[str, Any]:
    from ..engine.functional import Functional
    if isinstance(model, Functional):
        return _functional_config(model)
    return _sequential_config(model)


def model_config(model, compile_config: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """The whole ``config.json`` object for ``model``."""
    from .serialization import _class_name_of
    if _is_model_container(model):
        module, registered = _model_module(model)
        cfg = _container_config(model)
    else:
        module, registered = _module_and_name(type(model), "keras")
        cfg = fix_values(model.get_config())
    out = {"module": module, "class_name": _class_name_of(model), "config": cfg,
           "registered_name": registered}
    shape = getattr(model, "_build_input_shape", None)
    from ..engine.functional import Functional
    out["build_config"] = {"input_shape": None if isinstance(model, Functional)
                           else _shape_list(shape)}
    if compile_config is not None:
        out["compile_config"] = compile_config
    return out
