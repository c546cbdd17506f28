"""The one place where old Keras spellings become modern ones.

Classes that accept Keras arguments (every ``Layer``, every ``Optimizer``...) call
``install(cls)`` from ``__init_subclass__``. ``install`` wraps the class's own ``__init__`` so
that the positional and keyword arguments first pass through the translation rules registered
for that class (looked up by class name along the MRO). A rule is a function
``rule(cls, args, kwargs) -> (args, kwargs)`` that renames / converts old arguments and emits a
``DeprecationWarning``; it never silently drops an argument.

Rules live in ``torchkeras.legacy.arguments`` (loaded lazily on first use), keyed by class name.
"""
from __future__ import annotations

import functools
import warnings
from typing import Callable, Dict, List

RULES: Dict[str, List[Callable]] = {}
_LOADED = False
# A rule may put ``{attribute: value}`` under this key: set on the instance after ``__init__``
# (for Keras 1 arguments that are facts about the object, not constructor arguments).
SET_AFTER_INIT = "__legacy_set_after_init__"


def register(*class_names: str):
    """Decorator: register ``rule(cls, args, kwargs)`` for the given class names."""
    def deco(fn):
        for name in class_names:
            RULES.setdefault(name, []).append(fn)
        return fn
    return deco


def _ensure_rules_loaded():
    global _LOADED
    if not _LOADED:
        _LOADED = True
        try:
            from . import arguments  # noqa: F401  (registers rules)
        except ImportError:
            pass


def warn(message: str, stacklevel: int = 4) -> None:
    warnings.warn(message, DeprecationWarning, stacklevel=stacklevel)


def translate(cls, args, kwargs):
    """Apply every rule registered for ``cls`` (most derived class first, once per rule)."""
    _ensure_rules_loaded()
    if not RULES:
        return args, kwargs
    seen = set()
    for klass in cls.__mro__:
        for rule in RULES.get(klass.__name__, ()):
            if rule in seen:
                continue
            seen.add(rule)
            args, kwargs = rule(cls, args, kwargs)
    return args, kwargs


def install(cls) -> None:
    """Wrap ``cls.__init__`` (if the class defines one) with the translation edge."""
    init = cls.__dict__.get("__init__")
    if init is None or getattr(init, "_legacy_wrapped", False):
        return

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        after = None
        if not getattr(self, "_legacy_translated", False):  # outermost __init__ only
            args, kwargs = translate(type(self), args, kwargs)
            after = kwargs.pop(SET_AFTER_INIT, None)
            object.__setattr__(self, "_legacy_translated", True)
        init(self, *args, **kwargs)
        for attr, value in (after or {}).items():
            setattr(self, attr, value)

    __init__._legacy_wrapped = True
    cls.__init__ = __init__


def translate_named(name: str, args, kwargs):
    """Apply the rules registered under a method name (e.g. ``'Model.fit'``)."""
    _ensure_rules_loaded()
    for rule in RULES.get(name, ()):
        args, kwargs = rule(None, args, kwargs)
    return args, kwargs
