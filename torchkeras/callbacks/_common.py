"""Helpers shared by the callbacks: rank-0 printing, monitor keys, improvement direction."""
from __future__ import annotations

import os
import sys
import warnings
from typing import Any, Mapping, Optional, Tuple

import numpy as np


def is_chief() -> bool:
    """Whether this process prints and writes files (``torchkeras.distribute.is_chief``; falls
    back to ``RANK`` == 0 when the distribute module is unavailable)."""
    try:
        from ..distribute import is_chief as _is_chief
    except Exception:  # pragma: no cover - distribute not importable
        return int(os.environ.get("RANK", "0") or 0) == 0
    try:
        return bool(_is_chief())
    except Exception:  # pragma: no cover
        return int(os.environ.get("RANK", "0") or 0) == 0


def barrier() -> None:
    """Wait for every rank (after rank 0 wrote a file); a no-op outside DDP."""
    try:
        from ..distribute import barrier as _barrier
    except Exception:  # pragma: no cover
        return
    _barrier()


def print_msg(message: str, line_break: bool = True) -> None:
    """Keras's ``io_utils.print_msg`` on rank 0 only."""
    if not is_chief():
        return
    out = sys.stdout
    out.write(message + ("\n" if line_break else ""))
    out.flush()


def to_float(value: Any) -> Any:
    """A Python float for numbers / numpy scalars / 0-d tensors (other values unchanged)."""
    if isinstance(value, float):
        return value
    if hasattr(value, "detach"):
        if value.numel() == 1:
            return float(value.detach().reshape(()).item())
        return value
    if isinstance(value, (int, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, np.ndarray) and value.size == 1:
        return float(value.reshape(()))
    return value


def _alias(key: str) -> Optional[str]:
    """``acc`` <-> ``accuracy`` spelling of a log key (``val_acc``, ``out_acc``...)."""
    if key.endswith("accuracy"):
        return key[: -len("accuracy")] + "acc"
    if key.endswith("acc"):
        return key + "uracy"
    return None


def resolve_key(logs: Optional[Mapping], monitor: str) -> Optional[str]:
    """The key of ``logs`` holding ``monitor`` (or its ``acc``/``accuracy`` alias), or None."""
    if not logs:
        return None
    if monitor in logs:
        return monitor
    alias = _alias(monitor)
    if alias is not None and alias in logs:
        return alias
    return None


def monitor_value(logs: Optional[Mapping], monitor: str) -> Tuple[Optional[Any], Optional[str]]:
    """``(value, key)`` for ``monitor`` in ``logs`` (alias accepted), ``(None, None)`` if absent."""
    key = resolve_key(logs, monitor)
    if key is None:
        return None, None
    return to_float(logs[key]), key


def warn_missing(message: str) -> None:
    warnings.warn(message, stacklevel=3)


def check_mode(mode: str, message: str) -> str:
    if mode not in ("auto", "min", "max"):
        warnings.warn(message, stacklevel=3)
        return "auto"
    return mode


_UP = ("acc", "auc", "precision", "recall", "f1", "fbeta", "iou", "r2", "cosine",
       "true_positives", "true_negatives", "specificity", "sensitivity")
_DOWN = ("loss", "error", "mse", "mae", "mape", "msle", "crossentropy", "hinge", "divergence",
         "poisson", "logcosh", "false_positives", "false_negatives", "rmse", "kld", "kl_")


def _direction_from_metrics(model, name: str) -> Optional[str]:
    metrics = getattr(model, "metrics", None) if model is not None else None
    try:
        metrics = list(metrics or [])
    except Exception:
        return None
    found = None
    for m in metrics:
        subs = getattr(m, "metrics", None)
        for sub in ([m] + list(subs) if isinstance(subs, (list, tuple)) else [m]):
            if getattr(sub, "name", None) == name and getattr(sub, "_direction", None):
                found = sub._direction
    return found


def auto_direction(monitor: str, model, era: int) -> Optional[str]:
    """``'min'`` / ``'max'`` for ``mode='auto'``, or None when undecidable (Keras 3 raises).

    Keras 2: ``max`` when the name ends in ``acc``/``accuracy``/``auc``, else ``min``.
    Keras 3: ``min`` for ``loss``, else the metric object's direction, else (torchkeras) the
    direction Keras 3 gives its built-in metric of that name.
    """
    if era != 3:
        if monitor.endswith(("acc", "accuracy", "auc")):
            return "max"
        return "min"
    name = monitor[4:] if monitor.startswith("val_") else monitor
    direction = None
    if name == "loss":
        direction = "min"
    found = _direction_from_metrics(model, name)
    if found is None and _alias(name):
        found = _direction_from_metrics(model, _alias(name))
    if found is not None:
        direction = "max" if found == "up" else "min"
    if direction is not None:
        return direction
    low = name.lower()
    if any(s in low for s in _UP):
        return "max"
    if any(s in low for s in _DOWN):
        return "min"
    return None
