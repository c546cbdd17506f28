"""Tiny nested-structure helpers (lists / tuples / dicts of leaves), like ``keras.tree``."""
from __future__ import annotations

from typing import Any, Callable, List


def flatten(struct) -> List[Any]:
    """Leaves of a nested list/tuple/dict structure, dicts in sorted-key order."""
    out: List[Any] = []
    _flatten_into(struct, out)
    return out


def _flatten_into(struct, out):
    if isinstance(struct, (list, tuple)):
        for s in struct:
            _flatten_into(s, out)
    elif isinstance(struct, dict):
        for k in sorted(struct, key=str):
            _flatten_into(struct[k], out)
    else:
        out.append(struct)


def map_structure(fn: Callable, struct):
    if isinstance(struct, list):
        return [map_structure(fn, s) for s in struct]
    if isinstance(struct, tuple):
        return tuple(map_structure(fn, s) for s in struct)
    if isinstance(struct, dict):
        return {k: map_structure(fn, v) for k, v in struct.items()}
    return fn(struct)


def pack_sequence_as(struct, flat: List[Any]):
    """Inverse of ``flatten``: rebuild ``struct``'s shape from the leaves ``flat``."""
    it = iter(flat)

    def fill(s):
        if isinstance(s, list):
            return [fill(x) for x in s]
        if isinstance(s, tuple):
            return tuple(fill(x) for x in s)
        if isinstance(s, dict):
            filled = {k: fill(s[k]) for k in sorted(s, key=str)}
            return {k: filled[k] for k in s}
        return next(it)

    return fill(struct)


def is_nested(x) -> bool:
    return isinstance(x, (list, tuple, dict))
