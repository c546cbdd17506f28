"""A ``Node``: one call of a layer on symbolic tensors (the edges of a Functional graph)."""
from __future__ import annotations

from typing import Any, Dict, List

from . import tree
from .keras_tensor import KerasTensor


class Node:
    """Records ``layer(*call_args, **call_kwargs) -> outputs`` on KerasTensors.

    ``input_tensors`` are the KerasTensors found (depth first) in the arguments; the node's
    index in ``layer._inbound_nodes`` is what configs call the node index.
    """

    def __init__(self, layer, call_args: tuple, call_kwargs: Dict[str, Any], outputs):
        self.layer = layer
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.output_structure = outputs
        self.outputs: List[KerasTensor] = tree.flatten(outputs)
        self.input_tensors: List[KerasTensor] = [
            t for t in tree.flatten((call_args, call_kwargs)) if isinstance(t, KerasTensor)]
        self.node_index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for i, t in enumerate(self.outputs):
            t._keras_history = (layer, self.node_index, i)
        for t in self.input_tensors:
            if t._keras_history is not None:
                t._keras_history[0]._outbound_nodes.append(self)

    @property
    def parent_nodes(self) -> List["Node"]:
        return [t.node for t in self.input_tensors if t._keras_history is not None]

    @property
    def is_input(self) -> bool:
        return not self.input_tensors

    def __repr__(self):
        return f"<Node {self.layer.name}#{self.node_index}>"
