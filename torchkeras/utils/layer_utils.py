"""Graph helpers: ``get_source_inputs``, ``count_params``."""
from __future__ import annotations

from typing import List

import numpy as np


def get_source_inputs(tensor, layer=None, node_index=None) -> List:
    """The ``Input`` tensors a KerasTensor was computed from (Keras's traversal)."""
    from ..engine.input_layer import InputLayer
    if tensor._keras_history is None:
        return [tensor]
    layer, node_index, _ = tensor._keras_history
    node = layer._inbound_nodes[node_index]
    if isinstance(layer, InputLayer) or node.is_input:
        return [tensor]
    out = []
    for t in node.input_tensors:
        for s in get_source_inputs(t):
            if all(s is not o for o in out):
                out.append(s)
    return out


def count_params(weights) -> int:
    """Total number of scalars in a list of weights (KerasVariables or arrays)."""
    return int(sum(int(np.prod(w.shape)) for w in weights))
