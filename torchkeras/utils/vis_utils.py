"""``plot_model`` / ``model_to_dot`` through pydot + graphviz, when installed."""
from __future__ import annotations


def _pydot():
    try:
        import pydot  # noqa: F401
    except ImportError as e:
        raise ImportError("You must install pydot (`pip install pydot`) and install graphviz "
                          "(see instructions at https://graphviz.gitlab.io/download/) for "
                          "`plot_model` to work.") from e
    return pydot


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True,
                 rankdir="TB", expand_nested=False, dpi=96, **kwargs):
    """A ``pydot.Dot`` graph of the model's layers and their connections."""
    pydot = _pydot()
    dot = pydot.Dot(graph_type="digraph", rankdir=rankdir, dpi=dpi)
    layers = model.layers
    for layer in layers:
        label = f"{layer.name} ({type(layer).__name__})" if show_layer_names else \
            type(layer).__name__
        if show_shapes:
            try:
                label += f"\n{layer.output_shape}"
            except AttributeError:
                pass
        dot.add_node(pydot.Node(str(id(layer)), label=label, shape="record"))
    ids = {id(l) for l in layers}
    for layer in layers:
        for node in layer._inbound_nodes:
            for t in node.input_tensors:
                src = t._keras_history[0]
                if id(src) in ids:
                    dot.add_edge(pydot.Edge(str(id(src)), str(id(layer))))
    prev = None
    if not any(l._inbound_nodes for l in layers):
        for layer in layers:
            if prev is not None:
                dot.add_edge(pydot.Edge(str(id(prev)), str(id(layer))))
            prev = layer
    return dot


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=True, rankdir="TB", expand_nested=False, dpi=96, **kwargs):
    """Write a picture of the model (needs pydot and graphviz)."""
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir, dpi=dpi)
    ext = to_file.rsplit(".", 1)[-1] if "." in to_file else "png"
    try:
        dot.write(to_file, format=ext)
    except (OSError, FileNotFoundError) as e:
        raise ImportError("graphviz's `dot` program is required by `plot_model`: install "
                          "graphviz (e.g. `apt-get install graphviz`).") from e
    return None
