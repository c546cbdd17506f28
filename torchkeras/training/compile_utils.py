"""What ``compile`` sets up: per-output losses (with ``loss_weights``), per-output metrics, and
the trackers whose results become the ``History`` / ``evaluate`` keys.

Naming follows Keras: one output -> ``loss``, ``<metric>``; several outputs ->
``loss``, ``<output>_loss``, ``<output>_<metric>``; a metric given as a string is logged under
that string (``'mae'``, ``'acc'``, ``'MeanSquaredError'``); a weighted metric whose name clashes
with an unweighted one gets the ``weighted_`` prefix. ``'accuracy'`` / ``'acc'`` /
``'crossentropy'`` resolve from the shapes of the first batch, as Keras does.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

import torch

from ..engine import tree


def _as_list_per_output(spec, names: Sequence[str], what: str):
    """A spec (single / list / dict by output name) -> one entry per output."""
    n = len(names)
    if isinstance(spec, dict):
        unknown = [k for k in spec if k not in names]
        if unknown:
            raise ValueError(f"Unknown entries in {what} dictionary: {unknown}. Only expected "
                             f"following keys: {list(names)}")
        return [spec.get(nm) for nm in names]
    if isinstance(spec, (list, tuple)) and n > 1 and what == "loss":
        if len(spec) != n:
            raise ValueError(f"When passing a list as `{what}`, it should have one entry per "
                             f"model output. The model has {n} outputs, but you passed "
                             f"{what}={spec}")
        return list(spec)
    return [spec] * n


class CompiledState:
    """Losses, loss weights and metrics, resolved against the model's outputs."""

    def __init__(self, loss, metrics, loss_weights, weighted_metrics, output_names):
        from .. import losses as losses_mod
        self.output_names = list(output_names)
        n = len(self.output_names)
        self.multi = n > 1
        if loss is None:
            self.losses = [None] * n
        else:
            per = _as_list_per_output(loss, self.output_names, "loss")
            # 'crossentropy' / 'ce' (Keras 3) resolve from the first batch's shapes in build()
            self.losses = [None if l is None else (l if _is_ce_alias(l) else
                                                   _get_loss(losses_mod, l)) for l in per]
        self.loss_specs = per if loss is not None else [None] * n
        self.fused = [None] * n
        if loss_weights is None:
            self.loss_weights = [1.0] * n
        elif isinstance(loss_weights, dict):
            self.loss_weights = [float(loss_weights.get(nm, 1.0)) for nm in self.output_names]
        else:
            lw = list(loss_weights) if isinstance(loss_weights, (list, tuple)) else [loss_weights]
            if len(lw) != n:
                raise ValueError(f"When passing a list as `loss_weights`, it should have one "
                                 f"entry per model output. The model has {n} outputs, but you "
                                 f"passed loss_weights={loss_weights}")
            self.loss_weights = [float(w) for w in lw]
        self._metric_specs = self._metric_lists(metrics)
        self._weighted_specs = self._metric_lists(weighted_metrics)
        self.built = False
        self.metrics: List[tuple] = []  # (log_name, metric, output_index, weighted)
        from ..metrics import Mean
        self.loss_tracker = Mean(name="loss")
        self.output_loss_trackers = [Mean(name=f"{nm}_loss") if (self.multi and l is not None)
                                     else None for nm, l in zip(self.output_names, self.losses)]

    def _metric_lists(self, metrics) -> List[List[Any]]:
        n = len(self.output_names)
        if metrics is None:
            return [[] for _ in range(n)]
        if isinstance(metrics, dict):
            unknown = [k for k in metrics if k not in self.output_names]
            if unknown:
                raise ValueError(f"Unknown entries in metrics dictionary: {unknown}. Only "
                                 f"expected following keys: {self.output_names}")
            return [_listify(metrics.get(nm)) for nm in self.output_names]
        if isinstance(metrics, (list, tuple)) and n > 1 and metrics and \
                all(isinstance(m, (list, tuple)) or m is None for m in metrics):
            if len(metrics) != n:
                raise ValueError(f"For a model with multiple outputs, when providing the "
                                 f"`metrics` argument as a list, it should have as many entries "
                                 f"as the model has outputs. Received: metrics={metrics}")
            return [_listify(m) for m in metrics]
        flat = _listify(metrics)
        return [list(flat) for _ in range(n)]

    def build(self, y_true_list, y_pred_list) -> None:
        """Resolve metric names/aliases from the first batch's shapes."""
        from .. import losses as losses_mod
        from .. import metrics as metrics_mod
        for i, l in enumerate(self.losses):
            if _is_ce_alias(l):
                yt = y_true_list[i] if i < len(y_true_list) else None
                yp = y_pred_list[i]
                self.losses[i] = _wrap_loss(losses_mod, losses_mod.resolve_loss_alias(
                    l, tuple(yt.shape) if yt is not None else tuple(yp.shape), tuple(yp.shape)))
        self.fused = [None if l is None or isinstance(l, _TorchLoss) else
                      fused_loss(losses_mod, l) for l in self.losses]
        out = []
        for i, nm in enumerate(self.output_names):
            yt = y_true_list[i] if i < len(y_true_list) else None
            yp = y_pred_list[i]
            names_here = set()
            for weighted, specs in ((False, self._metric_specs[i]), (True, self._weighted_specs[i])):
                for spec in specs:
                    metric, name = _make_metric(metrics_mod, spec, yt, yp, self.losses[i])
                    if weighted and name in names_here:
                        name = "weighted_" + name
                        try:
                            metric._name = name
                        except AttributeError:
                            pass
                    names_here.add(name)
                    log = f"{nm}_{name}" if self.multi else name
                    out.append((log, metric, i, weighted))
        self.metrics = out
        self.built = True

    def all_metric_objects(self):
        objs = [self.loss_tracker] + [t for t in self.output_loss_trackers if t is not None]
        objs += [m for _, m, _, _ in self.metrics]
        return objs

    def log_names(self) -> List[str]:
        names = ["loss"] + [f"{nm}_loss" for nm, t in zip(self.output_names,
                                                          self.output_loss_trackers) if t]
        return names + [log for log, _, _, _ in self.metrics]

    def reset(self) -> None:
        for m in self.all_metric_objects():
            m.reset_state()

    def to(self, device) -> None:
        for m in self.all_metric_objects():
            if isinstance(m, torch.nn.Module):
                m.to(device)


def _listify(x) -> list:
    if x is None:
        return []
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def _is_ce_alias(spec) -> bool:
    return isinstance(spec, str) and spec.lower() in ("crossentropy", "ce")


def _get_loss(losses_mod, spec):
    if isinstance(spec, torch.nn.Module) and not hasattr(spec, "get_config"):
        return _TorchLoss(spec)
    return _wrap_loss(losses_mod, losses_mod.get(spec))


def _wrap_loss(losses_mod, fn):
    """Plain loss functions (``'mse'`` -> ``mean_squared_error``) become ``Loss`` objects so that
    reduction and ``sample_weight`` follow Keras (compile wraps them the same way)."""
    if isinstance(fn, losses_mod.Loss) or isinstance(fn, _TorchLoss):
        return fn
    return losses_mod.LossFunctionWrapper(fn, name=getattr(fn, "__name__", None))


def _unwrap(fn):
    return getattr(fn, "__wrapped__", fn)


def fused_loss(losses_mod, loss):
    """A single-kernel equivalent of ``loss(y_true, y_pred)`` for the unweighted case, or None.

    Keras's mean squared / absolute error with the default reduction is the mean over every
    element when ``y_true`` and ``y_pred`` have the same shape; ``F.mse_loss`` / ``F.l1_loss``
    compute exactly that in one autograd node (the training hot loop uses it)."""
    import torch.nn.functional as F
    fn = getattr(loss, "fn", None)
    fn = getattr(fn, "__wrapped__", fn)
    cls = type(loss).__name__
    reduction = getattr(loss, "reduction", "sum_over_batch_size")
    if reduction not in ("sum_over_batch_size", "auto", None):
        return None
    if fn is _unwrap(losses_mod.mean_squared_error) or cls == "MeanSquaredError":
        op = F.mse_loss
    elif fn is _unwrap(losses_mod.mean_absolute_error) or cls == "MeanAbsoluteError":
        op = F.l1_loss
    else:
        return None

    def fused(y_true, y_pred):
        if y_true.shape != y_pred.shape or not y_pred.is_floating_point():
            return None
        if y_true.dtype != y_pred.dtype:
            y_true = y_true.to(y_pred.dtype)
        return op(y_pred, y_true)
    return fused


class _TorchLoss:
    """A ``torch.nn`` loss module used as a Keras loss: ``module(y_pred, y_true)``."""

    def __init__(self, module):
        self.module = module
        self.name = type(module).__name__.lower()

    def __call__(self, y_true, y_pred, sample_weight=None):
        if sample_weight is not None:
            raise ValueError(f"A torch loss module ({type(self.module).__name__}) cannot apply "
                             "`sample_weight`; use a Keras loss.")
        if isinstance(self.module, (torch.nn.CrossEntropyLoss, torch.nn.NLLLoss)):
            y_true = y_true.reshape(-1).long() if y_true.dim() > 1 and y_true.shape[-1] == 1 \
                else (y_true.long() if not y_true.is_floating_point() else y_true)
        return self.module(y_pred, y_true)


_ALIASES = ("accuracy", "acc", "crossentropy", "ce")


def _make_metric(metrics_mod, spec, y_true, y_pred, loss_fn):
    """-> (metric object, log name)."""
    if isinstance(spec, str):
        if spec in _ALIASES:
            yt_shape = tuple(y_true.shape) if y_true is not None else tuple(y_pred.shape)
            metric, _ = metrics_mod.resolve_metric_alias(spec, yt_shape, tuple(y_pred.shape),
                                                         loss_fn)
            return metric, spec
        return metrics_mod.get(spec), spec
    metric = metrics_mod.get(spec)
    return metric, getattr(metric, "name", getattr(spec, "__name__", "metric"))


def flatten_outputs(y_pred, output_names) -> List[torch.Tensor]:
    if isinstance(y_pred, dict):
        return [y_pred[nm] for nm in output_names]
    if isinstance(y_pred, (list, tuple)):
        return list(y_pred)
    return [y_pred]


def flatten_targets(y, output_names, what: str = "y") -> List[Optional[torch.Tensor]]:
    n = len(output_names)
    if y is None:
        return [None] * n
    if isinstance(y, dict):
        missing = [nm for nm in output_names if nm not in y]
        if missing and len(y) == n and not set(y) & set(output_names):
            return [y[k] for k in y]
        if missing:
            raise ValueError(f"`{what}` is missing entries for outputs {missing}. Expected keys: "
                             f"{list(output_names)}")
        return [y[nm] for nm in output_names]
    if isinstance(y, (list, tuple)):
        if n == 1 and len(y) != 1:
            return [y]
        if len(y) != n:
            raise ValueError(f"The model has {n} outputs, but `{what}` has {len(y)} entries.")
        return list(y)
    if n > 1:
        return [y] * n if what == "sample_weight" else _bad_targets(n)
    return [y]


def _bad_targets(n):
    raise ValueError(f"The model has {n} outputs: pass `y` as a list or a dict with one target "
                     "per output.")
