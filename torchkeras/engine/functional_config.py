"""Config of Functional and Sequential models, in every Keras dialect.

Written in the Keras 2 dialect (``inbound_nodes`` as ``[[layer, node, tensor, kwargs], ...]``,
which tf-keras and Keras 3 both read); read from Keras 1, Keras 2 and Keras 3 configs (Keras 3's
``{"args": [...], "kwargs": {...}}`` nodes with ``__keras_tensor__`` entries, bare triples for
``input_layers`` / ``output_layers``, Keras 1's bare-list Sequential config).
"""
from __future__ import annotations

from typing import Any, Dict, List

from . import tree
from .keras_tensor import KerasTensor


# ------------------------------------------------------------------------------------------
# writing
# ------------------------------------------------------------------------------------------
def _node_key_map(model) -> Dict[int, int]:
    """id(node) -> its index among the layer's nodes that belong to ``model``."""
    index: Dict[int, int] = {}
    in_model = {id(n) for n in model._nodes}
    for layer in model._graph_layers:
        k = 0
        for node in layer._inbound_nodes:
            if id(node) in in_model:
                index[id(node)] = k
                k += 1
    return index


def _tensor_ref(t: KerasTensor, node_index: Dict[int, int]):
    layer, _, tensor_index = t._keras_history
    return [layer.name, node_index[id(t.node)], tensor_index]


def functional_get_config(model) -> Dict[str, Any]:
    from ..saving.serialization import serialize_layer
    node_index = _node_key_map(model)
    layers = []
    for layer in model._graph_layers:
        entry = serialize_layer(layer)
        entry["name"] = layer.name
        inbound = []
        for node in layer._inbound_nodes:
            if id(node) not in node_index or node.is_input:
                continue
            inbound.append(_node_to_config(node, node_index))
        entry["inbound_nodes"] = inbound
        layers.append(entry)

    def refs(struct):
        return [_tensor_ref(t, node_index) for t in tree.flatten(struct)]

    cfg = {"name": model.name, "trainable": model.trainable, "layers": layers,
           "input_layers": refs(model._inputs_struct), "output_layers": refs(model._outputs_struct)}
    if isinstance(model._inputs_struct, dict):
        cfg["input_layers"] = {k: _tensor_ref(v, node_index)
                               for k, v in model._inputs_struct.items()}
    if isinstance(model._outputs_struct, dict):
        cfg["output_layers"] = {k: _tensor_ref(v, node_index)
                                for k, v in model._outputs_struct.items()}
    return cfg


def _node_to_config(node, node_index):
    """Keras 2 node entry: a list of [layer, node, tensor, kwargs] for the call's tensors."""
    args, kwargs = node.call_args, dict(node.call_kwargs)
    first = args[0] if args else None
    tensor_kwargs = {}
    plain_kwargs = {}
    for k, v in kwargs.items():
        if any(isinstance(t, KerasTensor) for t in tree.flatten(v)):
            tensor_kwargs[k] = tree.map_structure(
                lambda t: _tensor_ref(t, node_index) if isinstance(t, KerasTensor) else t, v)
        else:
            plain_kwargs[k] = v
    extra_args = args[1:]
    for i, a in enumerate(extra_args):  # positional extras (rare): keep as kwargs by position
        if isinstance(a, KerasTensor):
            tensor_kwargs[f"__arg{i + 1}"] = _tensor_ref(a, node_index)
    call_kwargs = dict(plain_kwargs)
    call_kwargs.update(tensor_kwargs)
    flat_first = [t for t in tree.flatten(first) if isinstance(t, KerasTensor)]
    entries = []
    for j, t in enumerate(flat_first):
        ref = _tensor_ref(t, node_index)
        entries.append(ref + [call_kwargs if j == 0 else {}])
    return entries


# ------------------------------------------------------------------------------------------
# reading
# ------------------------------------------------------------------------------------------
def _is_k3_tensor(x) -> bool:
    return isinstance(x, dict) and x.get("class_name") == "__keras_tensor__"


def _parse_k3_node(node_cfg, resolve):
    """Keras 3: {"args": [...], "kwargs": {...}} -> (args, kwargs) with tensors resolved."""
    def conv(x):
        if _is_k3_tensor(x):
            name, ni, ti = x["config"]["keras_history"]
            return resolve(name, ni, ti)
        if isinstance(x, list):
            return [conv(v) for v in x]
        if isinstance(x, tuple):
            return tuple(conv(v) for v in x)
        if isinstance(x, dict):
            return {k: conv(v) for k, v in x.items()}
        return x
    return tuple(conv(a) for a in node_cfg.get("args", [])), conv(node_cfg.get("kwargs", {}))


def _node_inputs_ready(node_cfg, created) -> bool:
    refs = []
    if isinstance(node_cfg, dict):
        def walk(x):
            if _is_k3_tensor(x):
                refs.append(tuple(x["config"]["keras_history"][:2]))
            elif isinstance(x, (list, tuple)):
                for v in x:
                    walk(v)
            elif isinstance(x, dict):
                for v in x.values():
                    walk(v)
        walk(node_cfg.get("args", []))
        walk(node_cfg.get("kwargs", {}))
    else:
        for entry in node_cfg:
            refs.append((entry[0], entry[1]))
            if len(entry) > 3 and isinstance(entry[3], dict):
                for v in entry[3].values():
                    if isinstance(v, list) and len(v) >= 3 and isinstance(v[0], str):
                        refs.append((v[0], v[1]))
    return all((name, ni) in created for name, ni in refs)


def _parse_k2_node(node_cfg, resolve):
    tensors = []
    kwargs: Dict[str, Any] = {}
    for entry in node_cfg:
        name, ni, ti = entry[0], entry[1], entry[2]
        tensors.append(resolve(name, ni, ti))
        if len(entry) > 3 and entry[3]:
            for k, v in entry[3].items():
                if isinstance(v, list) and len(v) >= 3 and isinstance(v[0], str) and \
                        isinstance(v[1], int):
                    kwargs[k] = resolve(v[0], v[1], v[2])
                else:
                    kwargs[k] = v
    pos = {}
    for k in list(kwargs):
        if k.startswith("__arg"):
            pos[int(k[5:])] = kwargs.pop(k)
    first = tensors[0] if len(tensors) == 1 else tensors
    args = (first,) + tuple(pos[i] for i in sorted(pos))
    return args, kwargs


def functional_from_config(cls, config: Dict[str, Any], custom_objects=None):
    from ..saving.serialization import deserialize_layer
    from .input_layer import InputLayer
    created_layers: Dict[str, Any] = {}
    # outputs of node calls: (layer_name, node_index) -> output structure
    created: Dict[tuple, Any] = {}
    pending: List[tuple] = []  # (layer, node_cfg, node_index)
    for layer_cfg in config["layers"]:
        layer = deserialize_layer(layer_cfg, custom_objects=custom_objects)
        name = layer_cfg.get("name") or layer_cfg.get("config", {}).get("name") or layer.name
        created_layers[name] = layer
        if isinstance(layer, InputLayer):
            created[(name, 0)] = layer._input_tensor
        nodes = layer_cfg.get("inbound_nodes", [])
        for ni, node_cfg in enumerate(nodes):
            offset = 1 if isinstance(layer, InputLayer) else 0
            pending.append((layer, name, node_cfg, ni + offset))

    def resolve(name, node_index, tensor_index):
        out = created[(name, node_index)]
        flat = tree.flatten(out)
        return flat[tensor_index]

    while pending:
        progressed = False
        rest = []
        for layer, name, node_cfg, ni in pending:
            if not _node_inputs_ready(node_cfg, created):
                rest.append((layer, name, node_cfg, ni))
                continue
            if isinstance(node_cfg, dict):
                args, kwargs = _parse_k3_node(node_cfg, resolve)
            else:
                args, kwargs = _parse_k2_node(node_cfg, resolve)
            created[(name, ni)] = layer(*args, **kwargs)
            progressed = True
        if not progressed:
            names = sorted({p[1] for p in rest})
            raise ValueError(f"Could not rebuild the functional model: the inputs of layers "
                             f"{names} are never produced by the config.")
        pending = rest

    def to_tensors(spec):
        if isinstance(spec, dict):
            return {k: to_tensors(v) for k, v in spec.items()}
        if spec and isinstance(spec[0], str):  # a bare triple (Keras 3 single input)
            return resolve(spec[0], spec[1], spec[2])
        return [to_tensors(s) for s in spec]

    inputs = to_tensors(config["input_layers"])
    outputs = to_tensors(config["output_layers"])
    # one input / output: a tensor, not a one-element list (Keras 3 writes a bare triple; Keras 2
    # unpacked singletons when calling the model)
    if isinstance(inputs, list) and len(inputs) == 1:
        inputs = inputs[0]
    if isinstance(outputs, list) and len(outputs) == 1:
        outputs = outputs[0]
    kwargs = {}
    if config.get("name"):
        kwargs["name"] = config["name"]
    if "trainable" in config:
        kwargs["trainable"] = config["trainable"]
    from .functional import Functional
    target = cls if issubclass(cls, Functional) else Functional
    return target(inputs=inputs, outputs=outputs, **kwargs)


def sequential_get_config(model) -> Dict[str, Any]:
    from ..saving.serialization import serialize_layer
    layers = []
    if model._input_layer is not None:
        layers.append(serialize_layer(model._input_layer))
    for layer in model._stack:
        layers.append(serialize_layer(layer))
    cfg = {"name": model.name, "layers": layers}
    if model._input_layer is not None:
        cfg["build_input_shape"] = model._input_layer.batch_shape
    return cfg


def sequential_from_config(cls, config, custom_objects=None):
    from ..saving.serialization import deserialize_layer
    if isinstance(config, list):  # Keras 1: a bare list of layer configs
        layer_cfgs, name = config, None
    else:
        layer_cfgs, name = config.get("layers", []), config.get("name")
    model = cls(name=name)
    for layer_cfg in layer_cfgs:
        layer = deserialize_layer(layer_cfg, custom_objects=custom_objects)
        model.add(layer, rebuild=False)
    if model._input_layer is None and isinstance(config, dict):
        shape = config.get("build_input_shape")
        if shape is not None and model._stack:
            from .input_layer import InputLayer
            model._input_layer = InputLayer(batch_shape=tuple(shape))
    model._maybe_rebuild()
    return model
