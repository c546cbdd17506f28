"""``safe_mode``: whether loading may rebuild Python bytecode (Lambda layers) from a file.

Loading functions set it for the duration of a load (default True, as in Keras 3);
``keras.config.enable_unsafe_deserialization()`` turns it off globally.
"""
from __future__ import annotations

import contextlib

_GLOBAL_SAFE = True
_STACK = []


def in_safe_mode() -> bool:
    if _STACK:
        return _STACK[-1]
    return _GLOBAL_SAFE


@contextlib.contextmanager
def safe_mode_scope(safe_mode):
    _STACK.append(_GLOBAL_SAFE if safe_mode is None else bool(safe_mode))
    try:
        yield
    finally:
        _STACK.pop()


def enable_unsafe_deserialization() -> None:
    global _GLOBAL_SAFE
    _GLOBAL_SAFE = False
