"""``Functional``: a model defined by a graph of layer calls on ``keras.Input`` tensors.

Layer order (``model.layers``) and execution order follow Keras's graph mapping: nodes get a
depth (outputs 0, their parents deeper), layers are listed from the deepest (inputs) to the
shallowest, ties broken by discovery order — so weight files that pair layers by position
load as in Keras.
"""
from __future__ import annotations

from typing import Any, Dict, List

import torch

from ..backend import config
from . import tree
from .base_layer import Layer, OutputSpec, _as_tensor, convert_inputs, unique_name
from .input_layer import InputLayer
from .keras_tensor import KerasTensor
from .model import Model


def _default_functional_name() -> str:
    return unique_name("functional" if config.keras_era() == 3 else "model")


def map_graph(inputs: List[KerasTensor], outputs: List[KerasTensor]):
    """-> (nodes in execution order, layers in Keras order, node depths)."""
    finished, in_progress = set(), set()
    order: List = []            # post-order (decreasing depth)
    layer_indices: Dict[int, int] = {}
    layers_by_id: Dict[int, Layer] = {}

    def visit(t: KerasTensor):
        if t._keras_history is None:
            raise ValueError(f"Output tensors of a Functional model must be the output of a Keras "
                             f"layer. Found: {t}")
        node = t.node
        if id(node) in in_progress:
            raise ValueError(f"The graph has a cycle through layer '{node.layer.name}'.")
        if id(node) in finished:
            return
        layer = node.layer
        if id(layer) not in layer_indices:
            layer_indices[id(layer)] = len(layer_indices)
            layers_by_id[id(layer)] = layer
        in_progress.add(id(node))
        for x in node.input_tensors:
            visit(x)
        finished.add(id(node))
        in_progress.discard(id(node))
        order.append(node)

    for t in outputs:
        visit(t)
    node_depth: Dict[int, int] = {}
    layer_depth: Dict[int, int] = {}
    for node in reversed(order):
        depth = node_depth.setdefault(id(node), 0)
        depth = max(depth, layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        node_depth[id(node)] = depth
        for parent in node.parent_nodes:
            node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for t in inputs:  # inputs not connected to any output still belong to the model
        layer = t._keras_history[0]
        if id(layer) not in layer_depth:
            layer_depth[id(layer)] = 0
            layer_indices[id(layer)] = -1
            layers_by_id[id(layer)] = layer
            node_depth[id(t.node)] = 0
            order.append(t.node)
    # every input of a reachable node must be computable from the model inputs
    input_ids = {id(t) for t in inputs}
    available = set(input_ids)
    nodes_sorted = sorted(order, key=lambda n: -node_depth[id(n)])
    for node in nodes_sorted:
        if node.is_input:
            if not any(id(o) in input_ids for o in node.outputs):
                raise ValueError(
                    f"Graph disconnected: cannot obtain value for tensor {node.outputs[0]} at "
                    f"layer '{node.layer.name}'. The following previous layers were accessed "
                    "without issue: []. Pass it to the model's `inputs`.")
            continue
        for x in node.input_tensors:
            if id(x) not in available:
                raise ValueError(
                    f"Graph disconnected: cannot obtain value for tensor {x} at layer "
                    f"'{node.layer.name}'. Make sure every input of the graph is one of the "
                    "model's inputs.")
        for o in node.outputs:
            available.add(id(o))
    max_depth = max(layer_depth.values()) if layer_depth else 0
    layers = sorted(layers_by_id.values(),
                    key=lambda l: (max_depth - layer_depth[id(l)], layer_indices[id(l)]))
    return nodes_sorted, layers, node_depth


class Functional(Model):
    """``keras.Model(inputs, outputs)``."""

    def __init__(self, inputs=None, outputs=None, name=None, trainable=True, **kwargs):
        # Keras 1 spellings Model(input=..., output=...)
        if inputs is None and "input" in kwargs:
            inputs = kwargs.pop("input")
        if outputs is None and "output" in kwargs:
            outputs = kwargs.pop("output")
        if inputs is None or outputs is None:
            raise ValueError("A Functional model needs `inputs` and `outputs`.")
        Model.__init__(self, name=name or _default_functional_name(), trainable=trainable,
                       **kwargs)
        self._init_graph(inputs, outputs)

    def _init_graph(self, inputs, outputs) -> None:
        if isinstance(inputs, tuple):
            inputs = list(inputs)
        if isinstance(outputs, tuple):
            outputs = list(outputs)
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self._input_list = tree.flatten(inputs)
        self._output_list = tree.flatten(outputs)
        for t in self._input_list:
            if not isinstance(t, KerasTensor):
                raise ValueError("All `inputs` values must be KerasTensors (from keras.Input). "
                                 f"Received: {t!r}")
            if t._keras_history is None or not isinstance(t._keras_history[0], InputLayer):
                raise ValueError("All `inputs` must come from `keras.Input()`: received a tensor "
                                 f"produced by layer '{t._keras_history[0].name}'."
                                 if t._keras_history else f"Invalid input tensor {t!r}")
        for t in self._output_list:
            if not isinstance(t, KerasTensor):
                raise ValueError("All `outputs` values must be KerasTensors. Received: "
                                 f"{t!r}")
        self._loss_tensors: List[KerasTensor] = []
        self._map_and_register()
        self.built = True
        self._build_input_shape = [t.shape for t in self._input_list] \
            if len(self._input_list) > 1 else self._input_list[0].shape

    def _map_and_register(self) -> None:
        nodes, layers, depths = map_graph(self._input_list,
                                          self._output_list + self._loss_tensors)
        self._nodes = nodes
        self._node_depths = depths
        self._graph_layers = layers
        used = {k for k, v in self._modules.items() if isinstance(v, Layer)}
        registered = {id(v) for v in self._modules.values()}
        for layer in layers:
            if id(layer) in registered:
                continue
            key = layer.name.replace(".", "_")
            if not key or key in used or hasattr(Model, key) or key in self.__dict__ or \
                    key in ("training",):
                key = f"layer_{key}"
            while key in used:
                key += "_"
            used.add(key)
            self.add_module(key, layer)
        self._compile_plan()

    def add_loss(self, loss) -> None:
        """Keras 2 style ``model.add_loss(symbolic_tensor)`` adds a loss computed from the
        graph on every call (e.g. a VAE's KL term); eager tensors are added as usual."""
        flat = tree.flatten(loss) if isinstance(loss, (list, tuple)) else [loss]
        if any(isinstance(t, KerasTensor) for t in flat):
            for t in flat:
                if isinstance(t, KerasTensor):
                    self._loss_tensors.append(t)
                else:
                    Layer.add_loss(self, t)
            self._map_and_register()
            return
        Layer.add_loss(self, loss)
    # -- execution plan ------------------------------------------------------------------------
    def _compile_plan(self) -> None:
        slot: Dict[int, int] = {}

        def slot_of(t):
            if id(t) not in slot:
                slot[id(t)] = len(slot)
            return slot[id(t)]

        self._input_slots = [slot_of(t) for t in self._input_list]
        plan = []
        for node in self._nodes:
            if node.is_input:
                for o in node.outputs:
                    slot_of(o)
                continue
            args, kwargs = node.call_args, node.call_kwargs
            single = (len(args) == 1 and isinstance(args[0], KerasTensor) and
                      not any(isinstance(t, KerasTensor) for t in tree.flatten(kwargs)))
            if single:
                entry = (node.layer, True, slot_of(args[0]), dict(kwargs), None,
                         [slot_of(o) for o in node.outputs], node.output_structure)
            else:
                templ = tree.map_structure(
                    lambda t: _Slot(slot_of(t)) if isinstance(t, KerasTensor) else t,
                    (list(args), dict(kwargs)))
                entry = (node.layer, False, None, None, templ,
                         [slot_of(o) for o in node.outputs], node.output_structure)
            plan.append(entry)
        self._plan = plan
        self._n_slots = len(slot)
        self._output_slots = [slot[id(t)] for t in self._output_list]
        self._loss_slots = [slot[id(t)] for t in getattr(self, "_loss_tensors", [])]
        self._input_dtypes = [t.dtype for t in self._input_list]
        self._input_shapes = [t.shape for t in self._input_list]
        self._input_names = [t._keras_history[0].name for t in self._input_list]

    def call(self, inputs, training=None, mask=None):
        flat = self._flatten_inputs(inputs)
        values: List[Any] = [None] * self._n_slots
        for s, x in zip(self._input_slots, flat):
            values[s] = x
        for layer, single, in_slot, kwargs, templ, out_slots, out_struct in self._plan:
            if single:
                out = layer(values[in_slot], **kwargs)
            else:
                args, kw = tree.map_structure(
                    lambda v: values[v.index] if isinstance(v, _Slot) else v, templ)
                out = layer(*args, **kw)
            if len(out_slots) == 1:
                values[out_slots[0]] = out if isinstance(out, torch.Tensor) else \
                    tree.flatten(out)[0]
            else:
                for s, o in zip(out_slots, tree.flatten(out)):
                    values[s] = o
        for s in self._loss_slots:
            Layer.add_loss(self, values[s])
        outs = [values[s] for s in self._output_slots]
        return tree.pack_sequence_as(self._outputs_struct, outs)

    def _flatten_inputs(self, inputs) -> List[torch.Tensor]:
        n = len(self._input_list)
        if isinstance(inputs, dict):
            if isinstance(self._inputs_struct, dict):
                try:
                    flat = tree.flatten({k: inputs[k] for k in self._inputs_struct})
                except KeyError as e:
                    raise ValueError(f"Missing input {e} for model '{self.name}'. Expected keys: "
                                     f"{list(self._inputs_struct)}") from None
            else:
                try:
                    flat = [inputs[nm] for nm in self._input_names]
                except KeyError as e:
                    raise ValueError(f"Missing input {e} for model '{self.name}'. Expected input "
                                     f"names: {self._input_names}") from None
        elif isinstance(inputs, (list, tuple)):
            flat = tree.flatten(inputs)
        else:
            flat = [inputs]
        if len(flat) != n:
            raise ValueError(f"Layer \"{self.name}\" expects {n} input(s), but it received "
                             f"{len(flat)} input tensors.")
        out = []
        dev = None
        for i, x in enumerate(flat):
            if not isinstance(x, torch.Tensor):
                x = _as_tensor(x)
            want = self._input_dtypes[i]
            if x.dtype != want and not (x.dtype.is_floating_point and want.is_floating_point
                                        and x.dtype in (torch.float16, torch.bfloat16)):
                x = x.to(want)
            shape = self._input_shapes[i]
            if x.dim() != len(shape) or any(d is not None and d != g
                                            for d, g in zip(shape[1:], x.shape[1:])):
                raise ValueError(
                    f'Input {i} of layer "{self.name}" is incompatible with the layer: expected '
                    f"shape={shape}, found shape={tuple(x.shape)}")
            if dev is None:
                dev = self._device_hint()
            if x.device != dev:
                x = x.to(dev)
            out.append(x)
        return out

    # -- Keras API -----------------------------------------------------------------------------
    @property
    def layers(self) -> List[Layer]:
        return list(self._graph_layers)

    @property
    def inputs(self) -> List[KerasTensor]:
        return list(self._input_list)

    @property
    def outputs(self) -> List[KerasTensor]:
        return list(self._output_list)

    @property
    def input(self):
        return self._inputs_struct if not isinstance(self._inputs_struct, list) or \
            len(self._input_list) > 1 else self._input_list[0]

    @property
    def output(self):
        return self._outputs_struct if not isinstance(self._outputs_struct, list) or \
            len(self._output_list) > 1 else self._output_list[0]

    @property
    def input_names(self) -> List[str]:
        return list(self._input_names)

    @property
    def output_names(self) -> List[str]:
        return [t._keras_history[0].name for t in self._output_list]

    @property
    def input_shape(self):
        shapes = [t.shape for t in self._input_list]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self._output_list]
        return shapes[0] if len(shapes) == 1 else shapes

    def compute_output_shape(self, input_shape):
        return self.output_shape

    def compute_output_spec(self, *args, **kwargs):
        return tree.pack_sequence_as(self._outputs_struct,
                                     [OutputSpec(t.shape, t.dtype) for t in self._output_list])

    def _direct_sublayers(self) -> List[Layer]:
        if "_graph_layers" in self.__dict__:
            return list(self._graph_layers)
        return super()._direct_sublayers()

    def get_config(self):
        from .functional_config import functional_get_config
        return functional_get_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from .functional_config import functional_from_config
        return functional_from_config(cls, config, custom_objects)


class _Slot:
    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index
