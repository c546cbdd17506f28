"""Per-session state: Keras's layer-name counters, reset by ``clear_session()``."""
from __future__ import annotations

import collections
import gc

_NAME_UIDS: "collections.defaultdict[str, int]" = collections.defaultdict(int)
_CLEAR_HOOKS = []


def get_uid(prefix: str = "") -> int:
    """Keras's ``get_uid``: 1 on the first call for a prefix, then 2, 3, ..."""
    _NAME_UIDS[prefix] += 1
    return _NAME_UIDS[prefix]


def reset_uids() -> None:
    _NAME_UIDS.clear()


def register_clear_hook(fn) -> None:
    """Called by ``clear_session()`` (e.g. to reset other global state)."""
    _CLEAR_HOOKS.append(fn)


def clear_session(free_memory: bool = True) -> None:
    """Reset the layer-name counters (``dense``, ``dense_1`` ... start again)."""
    reset_uids()
    for fn in _CLEAR_HOOKS:
        fn()
    if free_memory:
        gc.collect()
