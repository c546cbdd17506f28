"""Compile state in files: ``training_config`` (HDF5) / ``compile_config`` (``.keras``) and the
optimizer's variables.

* ``compile_config_of(model)``: Keras 3's ``model.get_compile_config()`` (optimizer serialized,
  loss / metrics as given to ``compile``).
* ``training_config_of(model)``: the HDF5 ``training_config`` attribute in the tf-keras form
  (``optimizer_config`` instead of ``optimizer``).
* ``compile_from_config(model, cfg, ...)``: re-compile a loaded model from either form, Keras
  1/2/3 spellings. Problems are *warned about* and the model is returned uncompiled, as the
  issue asks (Keras 3 itself cannot compile its own legacy ``.h5`` files with ``loss='mse'``).
* ``optimizer_values`` / ``restore_optimizer``: the optimizer's variables in a Keras layout
  (``optimizer.keras_variables(era)``), and back, trying the Keras 3 layout, the tf-keras
  layout and the Keras <= 2.3 layout (one block per slot kind) by count and shapes.
"""
from __future__ import annotations

import warnings
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import torch


# ------------------------------------------------------------------------------------------
# writing
# ------------------------------------------------------------------------------------------
def _serialize_loss(loss):
    from .. import losses as losses_mod
    if loss is None or isinstance(loss, str):
        return loss
    if isinstance(loss, dict) and "class_name" not in loss:
        return {k: _serialize_loss(v) for k, v in loss.items()}
    if isinstance(loss, (list, tuple)):
        return [_serialize_loss(v) for v in loss]
    if isinstance(loss, dict):
        return loss
    return losses_mod.serialize(loss)


def _serialize_metric(m):
    from .. import metrics as metrics_mod
    if m is None or isinstance(m, str):
        return m
    if isinstance(m, dict) and "class_name" not in m:
        return {k: _serialize_metric(v) for k, v in m.items()}
    if isinstance(m, (list, tuple)):
        return [_serialize_metric(v) for v in m]
    if isinstance(m, dict):
        return m
    try:
        from .. import losses as losses_mod
        if isinstance(m, losses_mod.Loss):
            return losses_mod.serialize(m)
    except (ImportError, AttributeError):
        pass
    return metrics_mod.serialize(m)


def serialize_optimizer(optimizer) -> Optional[Dict[str, Any]]:
    """Keras 3 ``{"module", "class_name", "config", "registered_name"}``; None (with a
    warning) for optimizers that are not Keras optimizers (plain ``torch.optim``)."""
    if optimizer is None:
        return None
    from .. import optimizers as optimizers_mod
    if isinstance(optimizer, optimizers_mod.Optimizer):
        return optimizers_mod.serialize(optimizer)
    warnings.warn(f"The optimizer {type(optimizer).__name__} is not a Keras optimizer: its "
                  "configuration and state are not saved.", stacklevel=4)
    return None


def compile_config_of(model) -> Optional[Dict[str, Any]]:
    """Keras 3 ``model.get_compile_config()`` (None when the model is not compiled)."""
    args = getattr(model, "_compile_args", None)
    if args is None:
        return None
    return {
        "optimizer": serialize_optimizer(getattr(model, "optimizer", None)),
        "loss": _serialize_loss(args.get("loss")),
        "loss_weights": args.get("loss_weights"),
        "metrics": _serialize_metric(args.get("metrics")),
        "weighted_metrics": _serialize_metric(args.get("weighted_metrics")),
        "run_eagerly": bool(getattr(model, "_run_eagerly", False)),
        "steps_per_execution": 1,
        "jit_compile": bool(getattr(model, "_jit", False)),
    }


_K3_ONLY_OPTIMIZER_KEYS = ("loss_scale_factor", "gradient_accumulation_steps")


def _strip_module(obj):
    """Keras 3 serialized objects -> the tf-keras form (``class_name`` + ``config``)."""
    if isinstance(obj, dict):
        out = {k: _strip_module(v) for k, v in obj.items()
               if k not in ("module", "registered_name")}
        if obj.get("class_name") == "function" and "config" in obj:
            return obj["config"]
        return out
    if isinstance(obj, list):
        return [_strip_module(v) for v in obj]
    return obj


def training_config_of(model) -> Optional[Dict[str, Any]]:
    """The HDF5 ``training_config`` attribute, tf-keras form (tf-keras and Keras 3 read it)."""
    cfg = compile_config_of(model)
    if cfg is None:
        return None
    opt = cfg.get("optimizer")
    opt_cfg = None
    if opt is not None:
        inner = {k: v for k, v in (opt.get("config") or {}).items()
                 if not (k in _K3_ONLY_OPTIMIZER_KEYS and v is None)}
        inner = _strip_module(inner)
        # tf-keras rebuilds a "legacy" (pre-2.11) optimizer unless told otherwise
        inner.setdefault("is_legacy_optimizer", False)
        opt_cfg = {"class_name": opt["class_name"], "config": inner}
    return {"loss": _strip_module(cfg["loss"]), "metrics": _strip_module(cfg["metrics"]),
            "weighted_metrics": _strip_module(cfg["weighted_metrics"]),
            "loss_weights": cfg["loss_weights"], "optimizer_config": opt_cfg}


# ------------------------------------------------------------------------------------------
# reading
# ------------------------------------------------------------------------------------------
def _deserialize_losses(spec, custom_objects):
    from .. import losses as losses_mod
    if spec is None or isinstance(spec, str):
        return spec
    if isinstance(spec, dict) and "class_name" in spec:
        return losses_mod.deserialize(spec, custom_objects=custom_objects)
    if isinstance(spec, dict):
        return {k: _deserialize_losses(v, custom_objects) for k, v in spec.items()}
    if isinstance(spec, (list, tuple)):
        return [_deserialize_losses(v, custom_objects) for v in spec]
    return spec


def _deserialize_metrics(spec, custom_objects):
    from .. import metrics as metrics_mod
    if spec is None or isinstance(spec, str):
        return spec
    if isinstance(spec, dict) and "class_name" in spec:
        module = str(spec.get("module") or "")
        if "losses" in module:
            from .. import losses as losses_mod
            return losses_mod.deserialize(spec, custom_objects=custom_objects)
        return metrics_mod.deserialize(spec, custom_objects=custom_objects)
    if isinstance(spec, dict):
        return {k: _deserialize_metrics(v, custom_objects) for k, v in spec.items()}
    if isinstance(spec, (list, tuple)):
        return [_deserialize_metrics(v, custom_objects) for v in spec]
    return spec


def _flatten_single_output_metrics(metrics, model):
    """tf-keras writes ``[[m1, m2]]`` (one list per output); a one-output model takes the
    inner list."""
    if isinstance(metrics, list) and len(metrics) == 1 and isinstance(metrics[0], list):
        outputs = getattr(model, "outputs", None) or []
        if len(outputs) <= 1:
            return metrics[0]
    return metrics


def _modern_optimizer_config(cfg):
    """A file's optimizer config with Keras 1/2 spellings the file's author cannot change
    (``lr``, ``decay=0``) normalised, so loading an old file does not warn about them."""
    if not isinstance(cfg, dict) or not isinstance(cfg.get("config"), dict):
        return cfg
    inner = dict(cfg["config"])
    if "lr" in inner and "learning_rate" not in inner:
        inner["learning_rate"] = inner.pop("lr")
    if inner.get("decay") in (0, 0.0):
        inner.pop("decay")
    return {**cfg, "config": inner}


def compile_from_config(model, config: Dict[str, Any], custom_objects=None,
                        source: str = "the file") -> bool:
    """Compile ``model`` from a ``training_config`` / ``compile_config``. Returns True when
    compiled; on any problem warns (naming ``source``) and leaves the model uncompiled."""
    from .. import optimizers as optimizers_mod
    if not isinstance(config, dict):
        warnings.warn(f"Ignoring the training configuration of '{source}': expected a dict, "
                      f"found {type(config).__name__}. The model is returned uncompiled.",
                      stacklevel=3)
        return False
    try:
        opt_cfg = config.get("optimizer_config", config.get("optimizer"))
        if opt_cfg is None:
            optimizer = "rmsprop"
        elif isinstance(opt_cfg, str):
            optimizer = optimizers_mod.get(opt_cfg)
        else:
            optimizer = optimizers_mod.deserialize(_modern_optimizer_config(opt_cfg),
                                                   custom_objects=custom_objects)
        loss = _deserialize_losses(config.get("loss"), custom_objects)
        metrics = _flatten_single_output_metrics(
            _deserialize_metrics(config.get("metrics"), custom_objects), model)
        weighted = _flatten_single_output_metrics(
            _deserialize_metrics(config.get("weighted_metrics"), custom_objects), model)
        loss_weights = config.get("loss_weights")
    except Exception as e:  # noqa: BLE001 - any failure here is non-fatal by design
        warnings.warn(f"Could not deserialize the training configuration of '{source}' "
                      f"({type(e).__name__}: {e}). The model is returned uncompiled; call "
                      "`model.compile(...)` before training.", stacklevel=3)
        return False
    attempts = [dict(metrics=metrics, weighted_metrics=weighted)]
    if metrics or weighted:
        attempts.append(dict(metrics=None, weighted_metrics=None))
    last = None
    for i, extra in enumerate(attempts):
        try:
            model.compile(optimizer=optimizer, loss=loss, loss_weights=loss_weights, **extra)
            if i:
                warnings.warn(f"The metrics in the training configuration of '{source}' could "
                              f"not be restored ({last}); the model is compiled without them.",
                              stacklevel=3)
            return True
        except Exception as e:  # noqa: BLE001
            last = f"{type(e).__name__}: {e}"
    warnings.warn(f"Could not compile the model from the training configuration of '{source}' "
                  f"({last}). The model is returned uncompiled; call `model.compile(...)` "
                  "before training.", stacklevel=3)
    return False


# ------------------------------------------------------------------------------------------
# optimizer state
# ------------------------------------------------------------------------------------------
def _is_keras_optimizer(opt) -> bool:
    return opt is not None and hasattr(opt, "keras_variables") and \
        hasattr(opt, "set_keras_variables")


def build_optimizer(model) -> bool:
    """Bind the model's optimizer to its variables as ``fit`` would (``Trainer._prepare``)."""
    opt = getattr(model, "optimizer", None)
    if not _is_keras_optimizer(opt):
        return False
    if not getattr(opt, "built", False):
        model._prepare()
    attach_keras_layouts(model)
    return bool(getattr(opt, "built", False))


def attach_keras_layouts(model) -> None:
    """Tell a built optimizer the Keras layout and path of each variable it holds.

    ``Trainer._prepare`` builds the optimizer from raw torch parameters, so the optimizer
    would report its slots in the torch layout (a Dense kernel's moments as (out, in)) and
    name them ``variable_<i>``. The model's ``WeightSpec`` s know the mapping; this copies it
    (without the constraint, which the trainer applies itself).
    """
    opt = getattr(model, "optimizer", None)
    if not getattr(opt, "built", False):
        return
    metas = getattr(opt, "_meta", None)
    tensors = getattr(opt, "_trainable_variables", None)
    names = getattr(opt, "_variable_names", None)
    if metas is None or tensors is None:
        return
    from ..optimizers.base import _VarMeta
    specs = {id(s.tensor): s for s in model._all_specs()}
    paths = _spec_paths(model)
    for i, p in enumerate(tensors):
        spec = specs.get(id(p))
        if spec is None:
            continue
        meta = metas.get(id(p))
        path = paths.get(id(p))
        if meta is None or (meta.to_keras is None and spec.to_keras is not None):
            metas[id(p)] = _VarMeta(name=path, to_keras=spec.to_keras,
                                    from_keras=spec.from_keras,
                                    constraint=meta.constraint if meta is not None else None)
        if names is not None and i < len(names) and path and \
                str(names[i]).startswith("variable_"):
            names[i] = path


def _spec_paths(model) -> Dict[int, str]:
    """id(torch tensor) -> Keras variable path ``layer/.../weight``."""
    out: Dict[int, str] = {}

    def walk(layer, prefix):
        for spec in layer._weight_specs:
            out.setdefault(id(spec.tensor), f"{prefix}{layer.name}/{spec.name}")
        for child in layer._direct_sublayers():
            walk(child, f"{prefix}{layer.name}/" if layer is not model else "")
    walk(model, "")
    return out


def optimizer_values(model, era: int) -> Optional[List[tuple]]:
    """``[(name, numpy array)]`` of the optimizer variables in the Keras ``era`` layout, with
    the variables named after the model's weights; None without a Keras optimizer."""
    opt = getattr(model, "optimizer", None)
    if not _is_keras_optimizer(opt):
        return None
    attach_keras_layouts(model)
    entries = opt.keras_variables(era)
    out = []
    for name, t in entries:
        value = t.detach().cpu() if isinstance(t, torch.Tensor) else torch.as_tensor(t)
        if value.dtype == torch.bfloat16:
            value = value.float()
        out.append((name, value.numpy().copy()))
    return out


def _shapes(entries) -> List[tuple]:
    return [tuple(t.shape) for _, t in entries]


def _legacy_layout(opt, values: Sequence[np.ndarray]) -> Optional[List[np.ndarray]]:
    """Keras <= 2.3 optimizer weights (``[iterations] + all m + all v (+ placeholders)``,
    one block per slot kind) -> the tf-keras layout, when counts and shapes fit."""
    target = opt.keras_variables(2)
    if not getattr(opt, "built", False):
        return None
    layout = opt._full_layout(2)
    slots = [s for block in layout for s in block]
    n = len(getattr(opt, "_trainable_variables", []))
    if not slots or not n:
        return None
    entries = target[1:]
    per_var = len(slots)
    if len(entries) != per_var * n:
        return None
    order = []  # (var, slot) in tf-keras order
    for block in layout:
        for i in range(n):
            for s in block:
                order.append((i, s))
    shape_of = {}
    for (i, s), (_, t) in zip(order, entries):
        shape_of[(i, s)] = tuple(t.shape)
    # Keras-layout shape of each variable (every slot has its variable's shape)
    keras_shapes = [shape_of[(i, slots[0])] for i in range(n)]
    for lead in (1, 0):
        head = list(values[:lead])
        rest = list(values[lead:])
        if len(rest) < per_var * n:
            continue
        blocks = [rest[j * n:(j + 1) * n] for j in range(per_var)]
        extra = rest[per_var * n:]
        if extra and len(extra) != n:
            continue
        if any(tuple(np.shape(v)) != keras_shapes[i] for b in blocks for i, v in enumerate(b)):
            continue
        it = np.asarray(head[0]).reshape(()) if head else np.asarray(0)
        by_slot = {s: blocks[j] for j, s in enumerate(slots)}
        out = [np.asarray(it).astype(np.int64)]
        for i, s in order:
            out.append(np.asarray(by_slot[s][i]))
        return out
    return None


def restore_optimizer(model, values: Sequence[np.ndarray], source: str,
                      prefer_era: Optional[int] = None) -> bool:
    """Set the optimizer state from ``values`` (a Keras layout). Warns and returns False when
    the values fit no layout (Keras 3 also warns and skips in that case)."""
    opt = getattr(model, "optimizer", None)
    if not _is_keras_optimizer(opt):
        return False
    values = [np.asarray(v) for v in values]
    eras = [prefer_era] if prefer_era in (2, 3) else []
    eras += [e for e in (3, 2) if e not in eras]
    if not getattr(opt, "built", False):
        # a compiled but untrained model: only iteration (and learning_rate) are saved
        for era in eras:
            if len(values) == len(opt.keras_variables(era)) and all(v.size == 1 for v in values):
                opt.set_keras_variables([v.reshape(()) for v in values], era=era)
                return True
    try:
        build_optimizer(model)
    except Exception as e:  # noqa: BLE001
        warnings.warn(f"Could not build the optimizer to restore its state from '{source}' "
                      f"({type(e).__name__}: {e}); the optimizer starts fresh.", stacklevel=3)
        return False
    for era in eras:
        want = _shapes(opt.keras_variables(era))
        if len(want) == len(values) and all(
                tuple(v.shape) == w or (not v.shape and not w) for v, w in zip(values, want)):
            try:
                opt.set_keras_variables(values, era=era)
                return True
            except (ValueError, RuntimeError, TypeError) as e:
                warnings.warn(f"Could not restore the optimizer state from '{source}': {e}",
                              stacklevel=3)
                return False
    legacy = _legacy_layout(opt, values)
    if legacy is not None:
        try:
            opt.set_keras_variables(legacy, era=2)
            return True
        except (ValueError, RuntimeError, TypeError):
            pass
    n_vars = len(getattr(opt, "_trainable_variables", []))
    warnings.warn(
        f"Skipping the optimizer state of '{source}': it holds {len(values)} variables, but the "
        f"{type(opt).__name__} optimizer of this model has "
        f"{len(opt.keras_variables(3))} (Keras 3 layout) / {len(opt.keras_variables(2))} "
        f"(tf-keras layout) for {n_vars} trainable weights. The optimizer starts fresh.",
        stacklevel=3)
    return False
