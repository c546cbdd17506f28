"""Where class names in configs are looked up: built-in classes, custom objects, scopes.

Matches ``keras.saving.register_keras_serializable``, ``get_custom_objects``,
``CustomObjectScope`` / ``custom_object_scope`` and ``get_registered_object``.
"""
from __future__ import annotations

import threading
from typing import Any, Dict, Optional

# Built-in torchkeras classes by Keras class name (registered automatically by the base classes).
BUILTIN: Dict[str, Dict[str, Any]] = {}
# Objects registered with register_keras_serializable ('Package>Name') and get_custom_objects().
_GLOBAL_CUSTOM_OBJECTS: Dict[str, Any] = {}
_GLOBAL_CUSTOM_NAMES: Dict[Any, str] = {}
_SCOPES = threading.local()


def register_builtin(kind: str, name: str, obj: Any) -> None:
    """Register a torchkeras class under its Keras name (kind: 'layer', 'optimizer', ...)."""
    BUILTIN.setdefault(kind, {})[name] = obj


def builtin(kind: str) -> Dict[str, Any]:
    return BUILTIN.setdefault(kind, {})


def get_custom_objects() -> Dict[str, Any]:
    """The global dict of custom objects (edit it to register objects by name)."""
    return _GLOBAL_CUSTOM_OBJECTS


def _scope_stack():
    if not hasattr(_SCOPES, "stack"):
        _SCOPES.stack = []
    return _SCOPES.stack


class CustomObjectScope:
    """``with CustomObjectScope({'MyLayer': MyLayer}):`` makes those names resolvable."""

    def __init__(self, *custom_objects):
        self.custom_objects = {}
        for objs in custom_objects:
            if objs:
                self.custom_objects.update(objs)

    def __enter__(self):
        _scope_stack().append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _scope_stack().pop()


custom_object_scope = CustomObjectScope


def register_keras_serializable(package: str = "Custom", name: Optional[str] = None):
    """Decorator registering a class or function as ``'package>name'``."""
    def deco(obj):
        reg_name = name or getattr(obj, "__name__", None)
        if reg_name is None:
            raise ValueError("Cannot register an object without a name: pass `name=`.")
        key = f"{package}>{reg_name}"
        if hasattr(obj, "get_config") is False and isinstance(obj, type):
            raise ValueError(f"Cannot register a class that does not have a get_config() "
                             f"method: {obj}")
        _GLOBAL_CUSTOM_OBJECTS[key] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = key
        return obj
    return deco


def get_registered_name(obj) -> str:
    if obj in _GLOBAL_CUSTOM_NAMES:
        return _GLOBAL_CUSTOM_NAMES[obj]
    return getattr(obj, "__name__", type(obj).__name__)


def get_registered_object(name: str, custom_objects: Optional[Dict] = None,
                          module_objects: Optional[Dict] = None) -> Any:
    """Resolve ``name``: custom_objects arg, active scopes, global custom objects, module objects.

    tf-keras writes registered names like ``Custom>Adam``; the part after ``>`` is also tried.
    """
    candidates = [name]
    if isinstance(name, str) and ">" in name:
        candidates.append(name.split(">", 1)[1])
    for cand in candidates:
        if custom_objects and cand in custom_objects:
            return custom_objects[cand]
        for scope in reversed(_scope_stack()):
            if cand in scope:
                return scope[cand]
        if cand in _GLOBAL_CUSTOM_OBJECTS:
            return _GLOBAL_CUSTOM_OBJECTS[cand]
        # registered under any package
        for key, obj in _GLOBAL_CUSTOM_OBJECTS.items():
            if ">" in key and key.split(">", 1)[1] == cand:
                return obj
        if module_objects and cand in module_objects:
            return module_objects[cand]
    return None


def active_custom_objects() -> Dict[str, Any]:
    """Global custom objects plus those of every active ``CustomObjectScope`` (innermost
    wins): everything a ``get()`` should be able to resolve right now."""
    out = dict(_GLOBAL_CUSTOM_OBJECTS)
    for scope in _scope_stack():
        out.update(scope)
    return out


import contextlib as _contextlib  # noqa: E402


@_contextlib.contextmanager
def exposed_custom_objects(custom_objects: Optional[Dict[str, Any]] = None):
    """While loading a file: make ``custom_objects`` and the active scopes visible through
    ``get_custom_objects()`` too (as Keras 2's ``CustomObjectScope`` did by updating the
    global dict), so every ``get()`` of activations, initializers, regularizers,
    constraints, losses, metrics and optimizers resolves them. Restored on exit."""
    extra = active_custom_objects()
    extra.update(custom_objects or {})
    saved = dict(_GLOBAL_CUSTOM_OBJECTS)
    _GLOBAL_CUSTOM_OBJECTS.update(extra)
    try:
        with CustomObjectScope(custom_objects or {}):
            yield
    finally:
        _GLOBAL_CUSTOM_OBJECTS.clear()
        _GLOBAL_CUSTOM_OBJECTS.update(saved)
