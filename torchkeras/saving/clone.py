"""``keras.models.clone_model``: rebuild an architecture with new layers (fresh weights)."""
from __future__ import annotations

from typing import Any, Dict


def clone_model(model, input_tensors=None, clone_function=None, **kwargs):
    """``keras.models.clone_model``: the same architecture with new layers (fresh weights).

    ``clone_function(layer)`` makes each new layer (default: ``from_config(get_config())``);
    ``input_tensors`` replaces the model's inputs (Functional / Sequential).
    """
    from ..engine import tree
    from ..engine.functional import Functional
    from ..engine.input_layer import Input, InputLayer
    from ..engine.keras_tensor import KerasTensor
    from ..engine.sequential import Sequential
    from .serialization import deserialize_layer, serialize_layer
    kwargs.pop("call_function", None)
    kwargs.pop("recursive", None)
    if kwargs:
        raise TypeError(f"clone_model() got unexpected keyword arguments: {sorted(kwargs)}")

    def default_clone(layer):
        return deserialize_layer(serialize_layer(layer))
    clone = clone_function or default_clone
    if isinstance(model, Sequential):
        new_layers = [clone(l) for l in model.layers]
        new = Sequential(name=model.name)
        if input_tensors is not None:
            t = tree.flatten(input_tensors)[0]
            new.add(t)
        elif model._input_layer is not None:
            il = model._input_layer
            new.add(InputLayer(batch_shape=il.batch_shape, dtype=il._input_dtype, name=il.name))
        for layer in new_layers:
            new.add(layer)
        return new
    if isinstance(model, Functional):
        new_of: Dict[int, Any] = {}
        tensor_map: Dict[int, Any] = {}
        given = tree.flatten(input_tensors) if input_tensors is not None else None
        for i, t in enumerate(model._input_list):
            if given is not None:
                tensor_map[id(t)] = given[i]
            else:
                il = t._keras_history[0]
                tensor_map[id(t)] = Input(batch_shape=il.batch_shape, dtype=il._input_dtype,
                                          name=il.name)

        def mapped(x):
            if isinstance(x, KerasTensor):
                return tensor_map[id(x)]
            return x
        for node in model._nodes:
            if node.is_input:
                continue
            layer = node.layer
            if id(layer) not in new_of:
                new_of[id(layer)] = clone(layer)
            args = tree.map_structure(mapped, list(node.call_args))
            kw = {k: tree.map_structure(mapped, v) for k, v in node.call_kwargs.items()}
            outs = new_of[id(layer)](*args, **kw)
            for old, new_t in zip(node.outputs, tree.flatten(outs)):
                tensor_map[id(old)] = new_t
        inputs = tree.map_structure(lambda t: tensor_map[id(t)], model._inputs_struct)
        outputs = tree.map_structure(lambda t: tensor_map[id(t)], model._outputs_struct)
        return Functional(inputs=inputs, outputs=outputs, name=model.name)
    cfg = model.get_config()
    try:
        return type(model).from_config(cfg)
    except Exception as e:
        raise ValueError(f"clone_model() cannot clone the subclassed model '{model.name}': "
                         f"its from_config(get_config()) failed ({e}).") from e
