"""The Keras 3 weights layout (``.weights.h5``, and ``model.weights.h5`` inside ``.keras``).

Layout (keras-file-formats.md §4)::

    /vars                                 the model's own variables
    /layers/<key>/vars/<i>                i-th own variable of a layer (trainable first)
    /layers/<key>/<sub>/.../vars/<i>      nested layers (``lstm/cell``, ``bidirectional/
                                          forward_layer/cell``, ``multi_head_attention/
                                          query_dense``)
    /optimizer/vars/<i>                   optimizer variables (iteration, [learning_rate], slots)

``<key>`` is not the layer name: it comes from ``Layer._keras_children()`` (for models:
``snake_case(class name)`` plus ``_1``, ``_2``... in ``model.layers`` order), so the saver and
the loader never look at layer types. Keras 3 writes each layer's name as attribute ``name``
of its ``vars`` group; tf-keras does not.

Loading follows the keys, as Keras 3 does (renamed layers still load). When every group of a
container carries a ``name`` attribute and those names are exactly the model's layer names,
the names decide instead (robust to a different ``model.layers`` order). Nested keys are
matched with or without a leading underscore (tf-keras writes ``_query_dense`` where Keras 3
writes ``query_dense``). Every value is checked before the first one is assigned: an error
never leaves a half-loaded model.
"""
from __future__ import annotations

import warnings
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from .h5_utils import KerasFileError, decode


def own_specs(layer) -> List[Any]:
    """A layer's own weights in Keras 3 saving order: created-trainable first, then the rest."""
    specs = list(layer._weight_specs)
    return [s for s in specs if s.trainable] + [s for s in specs if not s.trainable]


# ------------------------------------------------------------------------------------------
# writing
# ------------------------------------------------------------------------------------------
def _write_vars(group, specs, name: Optional[str]) -> None:
    vars_group = group.require_group("vars")
    if name is not None:
        vars_group.attrs["name"] = name
    for i, spec in enumerate(specs):
        vars_group.create_dataset(str(i), data=spec.numpy())


def write_layer_tree(root, layer, path: str = "", visited: Optional[set] = None) -> None:
    """Write ``layer``'s own variables at ``<path>/vars`` and recurse into its children."""
    visited = set() if visited is None else visited
    if id(layer) in visited:
        return
    visited.add(id(layer))
    group = root.require_group(path) if path else root
    _write_vars(group, own_specs(layer), getattr(layer, "name", None))
    for key, child in layer._keras_children().items():
        write_layer_tree(root, child, f"{path}/{key}" if path else key, visited)


def write_weights(h5file, model, optimizer_values: Optional[List[np.ndarray]] = None,
                  optimizer_name: Optional[str] = None) -> None:
    """The whole §4 layout into an open, empty ``h5py.File``."""
    write_layer_tree(h5file, model)
    if optimizer_values is not None:
        group = h5file.require_group("optimizer").require_group("vars")
        if optimizer_name:
            group.attrs["name"] = optimizer_name
        for i, v in enumerate(optimizer_values):
            group.create_dataset(str(i), data=np.asarray(v))


# ------------------------------------------------------------------------------------------
# reading
# ------------------------------------------------------------------------------------------
class _Plan:
    """(spec, value, where) assignments collected before anything is written."""

    def __init__(self, source: str):
        self.source = source
        self.items: List[Tuple[Any, np.ndarray, str]] = []
        self.used_groups: set = set()
        self.skipped: List[str] = []

    def apply(self) -> None:
        for spec, value, _ in self.items:
            spec.assign(value)


def _read_vars(vars_group, source: str) -> List[np.ndarray]:
    try:
        keys = list(vars_group.keys())
    except Exception as e:  # h5py raises various errors on damaged groups
        raise KerasFileError(f"'{source}': cannot list '{vars_group.name}': {e}") from e
    idx = []
    for k in keys:
        if not k.isdigit():
            raise KerasFileError(f"'{source}': unexpected entry '{k}' in '{vars_group.name}' "
                                 "(a Keras `vars` group holds datasets named 0, 1, 2...).")
        idx.append(int(k))
    idx.sort()
    if idx != list(range(len(idx))):
        raise KerasFileError(f"'{source}': the variables in '{vars_group.name}' are numbered "
                             f"{idx}, expected 0..{len(idx) - 1}.")
    out = []
    for i in idx:
        try:
            out.append(np.asarray(vars_group[str(i)][()]))
        except Exception as e:
            raise KerasFileError(f"'{source}': cannot read '{vars_group.name}/{i}': "
                                 f"{type(e).__name__}: {e}") from e
    return out


def _count(vars_group) -> int:
    if vars_group is None:
        return 0
    try:
        return len(vars_group.keys())
    except Exception:  # noqa: BLE001 - damaged group: _read_vars reports it
        return 1


def _get(group, key):
    try:
        if key in group:
            return group[key]
    except Exception as e:
        raise KerasFileError(f"cannot read '{getattr(group, 'name', '?')}/{key}': {e}") from e
    return None


def _child_group(group, key: str):
    """The file group for Keras sub-path ``key`` (with or without leading underscores)."""
    if group is None:
        return None
    cands = [key]
    parts = key.split("/")
    last = parts[-1]
    alt = last[1:] if last.startswith("_") else "_" + last
    cands.append("/".join(parts[:-1] + [alt]))
    if parts[0] == "layers":  # tf-keras 2.13 wrote this container name instead
        cands.append("/".join(["_layer_checkpoint_dependencies"] + parts[1:]))
    for c in cands:
        g = _get(group, c)
        if g is not None and hasattr(g, "keys"):
            return g
    return None


def _vars_name(g) -> Optional[str]:
    v = _get(g, "vars")
    if v is None:
        return None
    name = v.attrs.get("name")
    return decode(name) if name is not None else None


def _container_by_name(group, children: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """When every sibling group of a container names its layer, pair by those names."""
    prefixes = {k.split("/")[0] for k in children if "/" in k}
    if len(prefixes) != 1 or not all("/" in k for k in children):
        return None
    prefix = prefixes.pop()
    cont = _get(group, prefix)
    if cont is None or not hasattr(cont, "keys"):
        return None
    by_name = {}
    for key in cont.keys():
        g = cont[key]
        if not hasattr(g, "keys"):
            return None
        name = _vars_name(g)
        if name is None:
            return None
        by_name[name] = f"{prefix}/{key}"
    ours = {getattr(c, "name", None): k for k, c in children.items()}
    if set(ours) != set(by_name):
        return None
    if all(by_name[n] == k for n, k in ours.items()):
        return None  # keys and names agree
    return {by_name[getattr(c, "name", None)]: c for c in children.values()}


def plan_layer_tree(layer, group, path: str, plan: _Plan, skip_mismatch: bool,
                    visited: set) -> None:
    if id(layer) in visited:
        return
    visited.add(id(layer))
    specs = own_specs(layer)
    where = f"/{path}/vars" if path else "/vars"
    vars_group = _get(group, "vars") if group is not None else None
    lname = getattr(layer, "name", "?")
    cls = type(layer).__name__
    if group is not None:
        plan.used_groups.add(group.name)
    n_file = _count(vars_group)
    if specs or n_file:
        values = _read_vars(vars_group, plan.source) if vars_group is not None else []
        problem = None
        if len(values) != len(specs):
            problem = (f"expected {len(specs)} variables "
                       f"{[tuple(s.keras_shape) for s in specs]}, found {len(values)} in "
                       f"'{where}'" + ("" if vars_group is not None else " (missing group)"))
        else:
            for i, (s, v) in enumerate(zip(specs, values)):
                if tuple(v.shape) != tuple(s.keras_shape):
                    problem = (f"variable {i} ('{s.name}') has shape {tuple(s.keras_shape)}, "
                               f"the file holds shape {tuple(v.shape)} at '{where}/{i}'")
                    break
        if problem is not None:
            msg = f"Cannot load weights from '{plan.source}' into layer '{lname}' ({cls}): {problem}."
            if not specs and not getattr(layer, "built", True):
                msg += (" The layer is not built yet: build the model (`model.build("
                        "input_shape)` or call it on data) before loading weights.")
            if skip_mismatch:
                warnings.warn(msg + " Skipping this layer (skip_mismatch=True).", stacklevel=4)
                plan.skipped.append(lname)
            else:
                raise KerasFileError(msg)
        else:
            for s, v in zip(specs, values):
                plan.items.append((s, v, where))
    children = layer._keras_children()
    remap = _container_by_name(group, children) if group is not None else None
    if remap is not None:
        pairs = [(k, c) for k, c in remap.items()]
    else:
        pairs = list(children.items())
    for key, child in pairs:
        sub = _child_group(group, key)
        sub_path = f"{path}/{key}" if path else key
        if sub is not None:
            sub_path = sub.name.lstrip("/")
        plan_layer_tree(child, sub, sub_path, plan, skip_mismatch, visited)


def _unused_weighted_groups(h5file, plan: _Plan) -> List[str]:
    """``layers/...`` groups holding variables that no layer of the model consumed."""
    out = []
    layers = _get(h5file, "layers")
    if layers is None:
        layers = _get(h5file, "_layer_checkpoint_dependencies")
    if layers is None:
        return out

    def walk(g):
        for key in g.keys():
            sub = g[key]
            if not hasattr(sub, "keys") or key == "vars":
                continue
            v = _get(sub, "vars")
            if v is not None and len(v.keys()) and sub.name not in plan.used_groups:
                out.append(sub.name)
            walk(sub)
    try:
        walk(layers)
    except KerasFileError:
        raise
    except Exception as e:
        raise KerasFileError(f"'{plan.source}': cannot walk '/layers': {e}") from e
    return out


def load_weights(h5file, model, source: str, skip_mismatch: bool = False) -> _Plan:
    """Read the §4 layout into ``model`` (checked first, then assigned). Returns the plan."""
    if _get(h5file, "layers") is None and _get(h5file, "vars") is None and \
            _get(h5file, "_layer_checkpoint_dependencies") is None:
        raise KerasFileError(f"'{source}' has no 'layers' group: it is not a Keras 3 "
                             "weights file.")
    plan = _Plan(source)
    plan_layer_tree(model, h5file, "", plan, skip_mismatch, set())
    unused = _unused_weighted_groups(h5file, plan)
    if unused:
        msg = (f"'{source}' holds weights for {len(unused)} layer(s) the model "
               f"'{getattr(model, 'name', '?')}' does not have: {unused}. The file and the model "
               "have different layers (a layer count that does not match)."
               + ("" if getattr(model, "built", True) else
                  " The model is not built yet: call `model.build(input_shape)` (or call it on "
                  "data) before loading weights."))
        if skip_mismatch:
            warnings.warn(msg + " Ignored (skip_mismatch=True).", stacklevel=3)
        else:
            raise KerasFileError(msg)
    plan.apply()
    return plan


def read_optimizer_values(h5file, source: str) -> Optional[List[np.ndarray]]:
    opt = _get(h5file, "optimizer")
    if opt is None:
        return None
    v = _get(opt, "vars")
    if v is None:
        return None
    return _read_vars(v, source)


def layer_tree_summary(h5file) -> List[Tuple[str, List[tuple]]]:
    """``(path, [variable shapes])`` for every group holding variables (for ``inspect``)."""
    out = []

    def walk(g, path):
        for key in sorted(g.keys(), key=lambda k: (not k.isdigit(), k)):
            sub = g[key]
            if not hasattr(sub, "keys"):
                continue
            if key == "vars":
                shapes = [tuple(sub[str(i)].shape) for i in range(len(sub.keys()))
                          if str(i) in sub]
                if shapes:
                    out.append((path, shapes))
                continue
            walk(sub, f"{path}/{key}" if path else key)
    walk(h5file, "")
    return out
