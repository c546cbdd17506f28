"""``compile`` / ``fit`` / ``evaluate`` / ``predict`` on PyTorch (the ``Model`` training mixin).

The hot loop does what a hand-written PyTorch loop does — forward, loss, ``backward``,
``optimizer.step()`` — plus metric updates that stay on the device: no ``.item()`` per step.
Metric values are read only when the progress bar redraws (lazy batch logs) and once per
epoch. Arrays go to the device once. CUDA is used automatically when available.
"""
from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping
from typing import Any, Dict, List, Optional

import numpy as np
import torch

from ..engine import tree
from . import data_adapters as da
from .compile_utils import CompiledState, flatten_outputs, flatten_targets


def default_device() -> torch.device:
    env = os.environ.get("TORCHKERAS_DEVICE")
    if env:
        return torch.device(env)
    if torch.cuda.is_available():
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            return torch.device("cuda", torch.cuda.current_device())
        return torch.device("cuda")
    return torch.device("cpu")


class LazyLogs(Mapping):
    """Batch-level logs: a value is computed (a device sync) only when it is read."""

    def __init__(self, names, compute):
        self._names = list(names)
        self._compute = compute
        self._cache = None

    def _values(self):
        if self._cache is None:
            self._cache = self._compute()
        return self._cache

    def __getitem__(self, key):
        return self._values()[key]

    def __iter__(self):
        return iter(self._names)

    def __len__(self):
        return len(self._names)

    def __contains__(self, key):
        return key in self._names

    def copy(self):
        return dict(self._values())


class Trainer:
    """Mixed into ``Model``: Keras's training API."""

    def __init__(self):
        self.optimizer = None
        self._compiled = None
        self._compile_args = None
        self.stop_training = False
        self.history = None
        self._device = None
        self._jit = False
        self._compiled_step = None
        self._autocast_dtype = None
        self._scaler = None
        self._run_eagerly = False
        self._step_counter = 0
        self._dist = None
        self._optimizer_built = False

    # ------------------------------------------------------------------------------------------
    # compile
    # ------------------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                weighted_metrics=None, run_eagerly: bool = False, steps_per_execution: int = 1,
                jit_compile="auto", auto_scale_loss: bool = True, sample_weight_mode=None,
                target_tensors=None, device=None, **kwargs) -> None:
        """Configure the model for training (Keras's arguments; strings or objects)."""
        from ..legacy.edge import translate_named
        _, kwargs = translate_named("Model.compile", (), kwargs)
        for ignored in ("distribute", "experimental_run_tf_function", "pss_evaluation_shards"):
            kwargs.pop(ignored, None)
        if kwargs:
            raise TypeError(f"Invalid keyword argument(s) in `compile()`: {tuple(kwargs)}. "
                            "Valid keyword arguments include \"cloning\", \"experimental_run_tf_"
                            "function\", \"distribute\", \"target_tensors\", or "
                            "\"sample_weight_mode\".")
        from .. import optimizers as optimizers_mod
        if optimizer is None:
            optimizer = "rmsprop"
        self.optimizer = optimizer if isinstance(optimizer, torch.optim.Optimizer) \
            else optimizers_mod.get(optimizer)
        self._compile_args = dict(loss=loss, metrics=metrics, loss_weights=loss_weights,
                                  weighted_metrics=weighted_metrics)
        # validate names now (unknown loss / metric strings fail before any training)
        from .. import losses as losses_mod
        from .. import metrics as metrics_mod
        for l in tree.flatten(loss) if isinstance(loss, (list, dict)) else [loss]:
            if l is not None and not isinstance(l, torch.nn.Module) and not (
                    isinstance(l, str) and l.lower() in ("crossentropy", "ce")):
                losses_mod.get(l)
        for m in tree.flatten([metrics, weighted_metrics]):
            if m is not None and not (isinstance(m, str) and m in
                                      ("accuracy", "acc", "crossentropy", "ce")):
                metrics_mod.get(m)
        self._compiled = None
        self._run_eagerly = bool(run_eagerly)
        self._jit = jit_compile is True
        self._compiled_step = None
        self._optimizer_built = False
        if device is not None:
            self._device = torch.device(device)
        self.loss = loss
        self.compiled_loss = None
        self.stop_training = False

    @property
    def compiled(self) -> bool:
        return self._compile_args is not None

    def _require_compiled(self, what: str) -> None:
        if self._compile_args is None:
            raise RuntimeError(f"You must compile your model before {what}. Use "
                               "`model.compile(optimizer, loss)`.")

    def _output_names(self, y_pred=None) -> List[str]:
        names = getattr(self, "output_names", None)
        if isinstance(names, list) and names:
            if isinstance(getattr(self, "_outputs_struct", None), dict):
                return list(self._outputs_struct.keys())
            return names
        if isinstance(y_pred, dict):
            return list(y_pred.keys())
        if isinstance(y_pred, (list, tuple)):
            return [f"output_{i + 1}" for i in range(len(y_pred))]
        return ["output_1"]

    def _ensure_compiled_state(self, y, y_pred) -> CompiledState:
        st = self._compiled
        if st is None:
            names = self._output_names(y_pred)
            if len(flatten_outputs(y_pred, names)) != len(names):
                names = self._output_names(None) if not isinstance(y_pred, (list, tuple)) \
                    else [f"output_{i + 1}" for i in range(len(y_pred))]
            st = CompiledState(output_names=names, **self._compile_args)
            self._compiled = st
        if not st.built:
            yt = flatten_targets(y, st.output_names) if y is not None else \
                [None] * len(st.output_names)
            st.build(yt, flatten_outputs(y_pred, st.output_names))
            st.to(self._get_device())
            self._setup_step_state()
        return st

    # ------------------------------------------------------------------------------------------
    # device, optimizer, precision
    # ------------------------------------------------------------------------------------------
    def _get_device(self) -> torch.device:
        if self._device is None:
            self._device = default_device()
        return self._device

    def _prepare(self) -> torch.device:
        """Move the model to its device and build the optimizer (once)."""
        dev = self._get_device()
        if self._device_hint() != dev:
            self.to(dev)
        if self.optimizer is not None and not getattr(self, "_optimizer_built", False):
            # Keras weights go in as WeightSpecs: the optimizer then keeps its slots in Keras
            # layout (files) and applies the weight constraints itself, as Keras 3 does.
            specs = [s for s in self._all_specs() if s.trainable and s.owner._trainable and
                     isinstance(s.tensor, torch.nn.Parameter)]
            seen = {id(s.tensor) for s in specs}
            extra = [p for p in self.parameters() if p.requires_grad and id(p) not in seen]
            params = specs + extra
            if not params:  # unbuilt subclassed model: built on the first batch
                return dev
            build = getattr(self.optimizer, "build", None)
            if build is not None and not getattr(self.optimizer, "built", False):
                build(params)
            self._optimizer_applies_constraints = build is not None
            self._optimizer_built = True
            self._mixed_precision_setup(dev)
        return dev

    def _build_from_batch(self, x) -> None:
        """Keras's symbolic build: run the model once on the first batch (no gradient) so its
        weights exist before the optimizer binds them."""
        if not self.built or not any(True for _ in self.parameters()):
            was = self.training
            self.train(False)
            with torch.no_grad():
                self(x, training=False)
            self.train(was)
        self._prepare()

    def _mixed_precision_setup(self, dev) -> None:
        names = {l._dtype_policy_name for l in self._flatten_layers(include_self=True)}
        self._autocast_dtype = None
        self._scaler = None
        if "mixed_float16" in names:
            self._autocast_dtype = torch.float16
            # dynamic loss scaling (Keras's LossScaleOptimizer), on CPU too so the same code
            # path runs in CPU-only tests
            self._scaler = torch.amp.GradScaler(dev.type)
        elif "mixed_bfloat16" in names:
            self._autocast_dtype = torch.bfloat16

    def _setup_step_state(self) -> None:
        layers = self._flatten_layers(include_self=True)
        self._reg_specs = [s for l in layers for s in l._weight_specs if s.regularizer is not None]
        self._constrained = [s for l in layers for s in l._weight_specs
                             if s.constraint is not None]
        if getattr(self, "_optimizer_applies_constraints", False):
            self._constrained = []  # the Keras optimizer applies them after each update
        self.__dict__["_loss_layers"] = layers  # plain list: not tracked as submodules

    def _autocast(self, dev):
        if self._autocast_dtype is None:
            return _NULL_CTX
        return torch.autocast(dev.type, dtype=self._autocast_dtype)

    # ------------------------------------------------------------------------------------------
    # losses and metrics
    # ------------------------------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """Total loss: compiled losses (weighted) + regularization / ``add_loss`` losses."""
        st = self._ensure_compiled_state(y, y_pred)
        total, _ = self._compiled_loss_terms(st, y, y_pred, sample_weight)
        return total

    def _compiled_loss_terms(self, st, y, y_pred, sample_weight):
        names = st.output_names
        yp = flatten_outputs(y_pred, names)
        yt = flatten_targets(y, names)
        sw = flatten_targets(sample_weight, names, "sample_weight") \
            if sample_weight is not None else [None] * len(names)
        total = None
        per_output = []
        for i, loss_fn in enumerate(st.losses):
            if loss_fn is None or yt[i] is None:
                per_output.append(None)
                continue
            value = None
            if sw[i] is None:
                fused = st.fused[i]
                if fused is not None and isinstance(yt[i], torch.Tensor):
                    value = fused(yt[i], yp[i])
                if value is None:
                    value = loss_fn(yt[i], yp[i])
            else:
                value = loss_fn(yt[i], yp[i], sample_weight=sw[i])
            if value.dim():
                value = value.mean()
            per_output.append(value)
            w = st.loss_weights[i]
            term = value if w == 1.0 else value * w
            total = term if total is None else total + term
        extra = self._regularization_losses()
        if extra is not None:
            total = extra if total is None else total + extra
        if total is None:
            if all(l is None for l in st.losses) and not self._reg_specs:
                raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
            total = torch.zeros((), device=yp[0].device)
        return total, per_output

    def _regularization_losses(self):
        terms = []
        for spec in self._reg_specs:
            terms.append(spec.regularizer(spec.keras_value()))
        for layer in self._loss_layers:
            terms.extend(layer._own_call_losses())
        if not terms:
            return None
        out = terms[0]
        for t in terms[1:]:
            out = out + t
        return out

    @property
    def losses(self):
        return super().losses

    @torch.no_grad()
    def _update_metrics(self, st, y, y_pred, sample_weight, total, per_output, batch_size):
        if batch_size == 0:
            return
        tracker = st.loss_tracker  # a Mean: add the weighted value straight into its states
        total = total.detach()
        if total.dtype != tracker.total.dtype:
            total = total.to(tracker.total.dtype)
        tracker.total.add_(total, alpha=batch_size)
        tracker.count.add_(batch_size)
        for tracker, value in zip(st.output_loss_trackers, per_output):
            if tracker is not None and value is not None:
                tracker.update_state(value.detach(), sample_weight=batch_size)
        if st.metrics:
            names = st.output_names
            yp = flatten_outputs(y_pred, names)
            yt = flatten_targets(y, names)
            sw = flatten_targets(sample_weight, names, "sample_weight") \
                if sample_weight is not None else [None] * len(names)
            for _, metric, i, weighted in st.metrics:
                if yt[i] is None:
                    continue
                if weighted and sw[i] is not None:
                    metric.update_state(yt[i], yp[i].detach(), sample_weight=sw[i])
                else:
                    metric.update_state(yt[i], yp[i].detach())

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> Dict[str, Any]:
        """Update the compiled metrics (not the loss) and return all current results."""
        st = self._ensure_compiled_state(y, y_pred)
        with torch.no_grad():
            names = st.output_names
            yp = flatten_outputs(y_pred, names)
            yt = flatten_targets(y, names)
            for _, metric, i, weighted in st.metrics:
                if yt[i] is not None:
                    if weighted and sample_weight is not None:
                        metric.update_state(yt[i], yp[i].detach(), sample_weight=sample_weight)
                    else:
                        metric.update_state(yt[i], yp[i].detach())
        return self.get_metrics_result()

    @property
    def metrics(self) -> list:
        st = self._compiled
        return st.all_metric_objects() if st is not None else []

    @property
    def metrics_names(self) -> List[str]:
        st = self._compiled
        return st.log_names() if st is not None else (["loss"] if self.compiled else [])

    def reset_metrics(self) -> None:
        if self._compiled is not None:
            self._compiled.reset()

    def _metric_tensors(self):
        st = self._compiled
        names = st.log_names()
        objs = [st.loss_tracker] + [t for t in st.output_loss_trackers if t is not None] + \
            [m for _, m, _, _ in st.metrics]
        return names, objs

    def get_metrics_result(self, reduce: bool = True) -> Dict[str, float]:
        """Current metric results as Python floats (one device sync for all of them).

        Under DDP the metric states of every rank are combined (a collective: every rank must
        call this); ``reduce=False`` gives this rank's own values (progress-bar frames)."""
        if self._compiled is None:
            return {}
        names, objs = self._metric_tensors()
        values = []
        if reduce and self._dist is not None:
            from ..metrics.base import reduced_result
            results = [reduced_result(m) for m in objs]
        else:
            results = [m.result() for m in objs]
        for r in results:
            values.append(r if isinstance(r, torch.Tensor) else torch.as_tensor(r))
        out = {}
        flat = []
        for v in values:
            flat.append(v.detach().float().reshape(-1).cpu() if v.numel() != 1
                        else v.detach().float().reshape(1).cpu())
        for name, v in zip(names, flat):
            out[name] = float(v[0]) if v.numel() == 1 else v.numpy()
        return out

    # ------------------------------------------------------------------------------------------
    # steps
    # ------------------------------------------------------------------------------------------
    def train_step(self, data):
        """One optimisation step on ``data`` = ``(x, y, sample_weight)``; returns the logs."""
        x, y, sw = da.unpack_data(data)
        self._train_batch(x, y, sw)
        return self._batch_logs()

    def _forward(self, x, training):
        net = self._dist.ddp if (self._dist is not None and training) else self
        return net(x, training=training)

    def _train_batch(self, x, y, sw):
        dev = self._device
        opt = self.optimizer
        with self._autocast(dev):
            y_pred = self._forward(x, True)
            st = self._compiled if (self._compiled is not None and self._compiled.built) \
                else self._ensure_compiled_state(y, y_pred)
            if self._dist is None:
                total, per_output = self._compiled_loss_terms(st, y, y_pred, sw)
            else:
                total, per_output = self._dist_loss_terms(st, x, y, y_pred, sw)
        opt.zero_grad(set_to_none=True)
        if self._scaler is not None:
            self._scaler.scale(total).backward()
            self._scaler.step(opt)
            self._scaler.update()
        else:
            total.backward()
            opt.step()
        if self._constrained:
            with torch.no_grad():
                for spec in self._constrained:
                    value = spec.constraint(spec.keras_value())
                    spec.tensor.copy_(spec.from_keras(value) if spec.from_keras else value)
        self._update_metrics(st, y, y_pred, sw, total, per_output, _batch_size(x))
        return total

    def _dist_loss_terms(self, st, x, y, y_pred, sw):
        """Under DDP: scale this rank's loss so that DDP's gradient average equals the gradient
        of the *global* batch mean (exact for uneven splits); an empty shard contributes a zero
        loss that still runs DDP's gradient hooks."""
        n_local = _batch_size(x)
        if n_local == 0:
            zero = sum(t.sum() for t in tree.flatten(y_pred) if isinstance(t, torch.Tensor)) * 0.0
            return zero, [None] * len(st.output_names)
        total, per_output = self._compiled_loss_terms(st, y, y_pred, sw)
        n_global = getattr(self, "_global_batch_size", None)
        if n_global:
            factor = n_local * self._dist.world_size / n_global
            if factor != 1.0:
                total = total * factor
        return total, per_output

    def test_step(self, data):
        x, y, sw = da.unpack_data(data)
        self._test_batch(x, y, sw)
        return self._batch_logs()

    def _test_batch(self, x, y, sw):
        with self._autocast(self._device):
            y_pred = self(x, training=False)
            st = self._ensure_compiled_state(y, y_pred)
            total, per_output = self._compiled_loss_terms(st, y, y_pred, sw)
        self._update_metrics(st, y, y_pred, sw, total, per_output, _batch_size(x))

    def predict_step(self, data):
        x, _, _ = da.unpack_data(data)
        with self._autocast(self._device):
            return self(x, training=False)

    def _batch_logs(self):
        names = self._compiled.log_names() if self._compiled is not None else []
        return LazyLogs(names, lambda: self.get_metrics_result(reduce=False))

    def _custom_step(self, name: str) -> bool:
        from .trainer import Trainer as _T
        return getattr(type(self), name) is not getattr(_T, name)

    # ------------------------------------------------------------------------------------------
    # fit
    # ------------------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs: int = 1, verbose="auto",
            callbacks=None, validation_split: float = 0.0, validation_data=None, shuffle=True,
            class_weight=None, sample_weight=None, initial_epoch: int = 0,
            steps_per_epoch=None, validation_steps=None, validation_batch_size=None,
            validation_freq=1, max_queue_size=10, workers=1, use_multiprocessing=False,
            **kwargs):
        """Train the model; returns a ``History``."""
        from ..legacy.edge import translate_named
        _, kwargs = translate_named("Model.fit", (), kwargs)
        if "epochs" in kwargs:
            epochs = kwargs.pop("epochs")
        if kwargs:
            raise TypeError(f"fit() got unexpected keyword arguments: {sorted(kwargs)}")
        self._require_compiled("training/testing")
        from ..distribute import runtime as dist_runtime
        self._dist = dist_runtime.attach(self)
        rank, world = (self._dist.rank, self._dist.world_size) if self._dist else (0, 1)
        dev = self._prepare()
        if self._dist is not None:
            self._dist.wrap(self)
        verbose = _verbose(verbose) if rank == 0 else 0
        if batch_size is None and not _is_stream(x):
            batch_size = 32
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = da.train_validation_split(
                (x, y, sample_weight), validation_split)
        adapter = da.get_adapter(x, y, sample_weight, batch_size, shuffle, steps_per_epoch, dev,
                                 rank, world)
        val_adapter = None
        if validation_data is not None:
            vx, vy, vsw = da.unpack_data(validation_data) if isinstance(
                validation_data, (tuple, list)) else (validation_data, None, None)
            val_adapter = da.get_adapter(vx, vy, vsw, validation_batch_size or batch_size, False,
                                         validation_steps, dev, rank, world)
        cw = self._class_weight_tensor(class_weight, dev)
        from ..callbacks import CallbackList, History
        cbs = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                           verbose=verbose, epochs=epochs, steps=adapter.num_batches)
        self.stop_training = False
        if any(getattr(cb, "resume_epoch", None) is not None for cb in _cb_items(cbs)):
            pass
        custom = self._custom_step("train_step")
        step_fn = self._get_train_fn() if not custom else None
        self.train(True)
        batch_hooks = getattr(cbs, "_should_call_train_batch_hooks", True)
        logs: Dict[str, Any] = {}
        try:
            cbs.on_train_begin()
            initial_epoch = self._resume_epoch(cbs, initial_epoch)
            for epoch in range(initial_epoch, epochs):
                self.reset_metrics()
                cbs.on_epoch_begin(epoch)
                step = 0
                for bx, by, bsw in adapter.epoch(epoch):
                    if not self._optimizer_built:
                        self._build_from_batch(bx)
                    if self._dist is not None:
                        self._global_batch_size = getattr(adapter, "global_batch_size", None)
                    if batch_hooks:
                        cbs.on_train_batch_begin(step)
                    if cw is not None:
                        bsw = _apply_class_weight(cw, by, bsw)
                    if custom:
                        batch_logs = self.train_step((bx, by, bsw) if bsw is not None else
                                                     ((bx, by) if by is not None else (bx,)))
                        batch_logs = _logs_of(batch_logs, self)
                    else:
                        step_fn(bx, by, bsw)
                        batch_logs = self._batch_logs() if batch_hooks else None
                    self._step_counter += 1
                    if batch_hooks:
                        cbs.on_train_batch_end(step, batch_logs)
                    step += 1
                    if self.stop_training:
                        break
                adapter.on_epoch_end()
                if step == 0:
                    raise ValueError("The training data produced no batch: check `x`, "
                                     "`steps_per_epoch` and the generator.")
                logs = self.get_metrics_result() if not custom else \
                    _finalize(batch_logs, self)
                if val_adapter is not None and _should_validate(epoch, validation_freq):
                    val_logs = self._run_evaluation(val_adapter, cbs=None)
                    logs.update({"val_" + k: v for k, v in val_logs.items()})
                cbs.on_epoch_end(epoch, logs)
                if self._dist is not None:
                    self.stop_training = self._dist.agree(self.stop_training)
                if self.stop_training:
                    break
            cbs.on_train_end(logs)
        except KeyboardInterrupt:
            self.train(False)
            warnings.warn("Training interrupted (KeyboardInterrupt): the model keeps the weights "
                          "of the last completed step; `model.history` holds the epochs so far.")
            raise
        finally:
            self.train(False)
        return self.history

    def _resume_epoch(self, cbs, initial_epoch):
        for cb in _cb_items(cbs):
            ep = getattr(cb, "resume_epoch", None)
            if ep is not None:
                return max(initial_epoch, int(ep))
        return initial_epoch

    def _get_train_fn(self):
        if not self._jit:
            return self._train_batch
        if self._compiled_step is None:
            try:
                # TORCHKERAS_COMPILE_BACKEND picks torch.compile's backend (default inductor)
                compiled = torch.compile(self._train_batch, backend=os.environ.get(
                    "TORCHKERAS_COMPILE_BACKEND", "inductor"))
            except Exception as e:  # pragma: no cover - torch.compile unavailable
                warnings.warn(f"jit_compile=True: torch.compile is unavailable ({e}); "
                              "running eagerly.")
                self._jit = False
                return self._train_batch
            state = {"ok": True}

            from ..engine.base_layer import _CTX

            def step(x, y, sw):
                if state["ok"]:
                    _CTX.generation += 1  # per-call loss bookkeeping, outside the graph
                    try:
                        return compiled(x, y, sw)
                    except Exception as e:
                        state["ok"] = False
                        warnings.warn(f"jit_compile=True: compiling the train step failed "
                                      f"({type(e).__name__}: {str(e)[:200]}); falling back to "
                                      "eager execution.")
                return self._train_batch(x, y, sw)
            self._compiled_step = step
        return self._compiled_step

    def _class_weight_tensor(self, class_weight, dev):
        if not class_weight:
            return None
        names = self._output_names()
        if len(names) > 1:
            raise ValueError("`class_weight` is only supported for models with a single output.")
        n = max(int(k) for k in class_weight) + 1
        t = torch.ones(n, dtype=torch.float32)
        for k, v in class_weight.items():
            t[int(k)] = float(v)
        return t.to(dev)

    # ------------------------------------------------------------------------------------------
    # evaluate / predict
    # ------------------------------------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, max_queue_size=10, workers=1,
                 use_multiprocessing=False, return_dict: bool = False, **kwargs):
        """Loss and metrics on the given data (``return_dict`` for a dict)."""
        from ..legacy.edge import translate_named
        _, kwargs = translate_named("Model.evaluate", (), kwargs)
        kwargs.pop("reset_metrics", None)
        if kwargs:
            raise TypeError(f"evaluate() got unexpected keyword arguments: {sorted(kwargs)}")
        self._require_compiled("training/testing")
        from ..distribute import runtime as dist_runtime
        self._dist = dist_runtime.attach(self)
        rank, world = (self._dist.rank, self._dist.world_size) if self._dist else (0, 1)
        dev = self._prepare()
        verbose = _verbose(verbose) if rank == 0 else 0
        if batch_size is None and not _is_stream(x):
            batch_size = 32
        adapter = da.get_adapter(x, y, sample_weight, batch_size, False, steps, dev, rank, world)
        from ..callbacks import CallbackList
        cbs = CallbackList(callbacks, add_history=False, add_progbar=verbose != 0, model=self,
                           verbose=verbose, epochs=1, steps=adapter.num_batches)
        logs = self._run_evaluation(adapter, cbs)
        if return_dict:
            return logs
        values = [logs[k] for k in self.metrics_names if k in logs]
        return values[0] if len(values) == 1 else values

    def _run_evaluation(self, adapter, cbs):
        self.reset_metrics()
        custom = self._custom_step("test_step")
        if cbs is not None:
            cbs.on_test_begin()
        batch_logs = None
        was_training = self.training
        self.train(False)
        try:
            with torch.no_grad():
                for step, (bx, by, bsw) in enumerate(adapter.epoch(0)):
                    if cbs is not None:
                        cbs.on_test_batch_begin(step)
                    if custom:
                        batch_logs = _logs_of(self.test_step(
                            (bx, by, bsw) if bsw is not None else (bx, by)), self)
                    else:
                        self._test_batch(bx, by, bsw)
                        batch_logs = self._batch_logs()
                    if cbs is not None:
                        cbs.on_test_batch_end(step, batch_logs)
        finally:
            self.train(was_training)
        logs = self.get_metrics_result() if not custom else _finalize(batch_logs, self)
        if cbs is not None:
            cbs.on_test_end(logs)
        return logs

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None,
                max_queue_size=10, workers=1, use_multiprocessing=False):
        """Outputs for ``x`` as numpy arrays (the model's output structure)."""
        from ..distribute import runtime as dist_runtime
        self._dist = dist_runtime.attach(self)
        dev = self._prepare() if self.compiled else self._move_for_inference()
        verbose = _verbose(verbose) if (self._dist is None or self._dist.rank == 0) else 0
        if batch_size is None and not _is_stream(x):
            batch_size = 32
        adapter = da.get_adapter(x, None, None, batch_size, False, steps, dev)
        from ..callbacks import CallbackList
        cbs = CallbackList(callbacks, add_history=False, add_progbar=verbose != 0, model=self,
                           verbose=verbose, epochs=1, steps=adapter.num_batches)
        custom = self._custom_step("predict_step")
        cbs.on_predict_begin()
        chunks: List[Any] = []
        was_training = self.training
        self.train(False)
        try:
            with torch.inference_mode():
                for step, (bx, _, _) in enumerate(adapter.epoch(0)):
                    cbs.on_predict_batch_begin(step)
                    out = self.predict_step((bx,)) if custom else self._predict_batch(bx)
                    chunks.append(out)
                    cbs.on_predict_batch_end(step, {"outputs": out})
        finally:
            self.train(was_training)
        if not chunks:
            raise ValueError("Unexpected result of `predict_function` (Empty batch_outputs). "
                             "Please use `Model.compile(..., run_eagerly=True)`, or "
                             "`tf.config.run_functions_eagerly(True)` for more information of "
                             "where went wrong, or file a issue/bug to `tf.keras`.")
        result = _concat_outputs(chunks)
        cbs.on_predict_end()
        return result

    def _predict_batch(self, x):
        with self._autocast(self._device):
            return self(x, training=False)

    def _move_for_inference(self) -> torch.device:
        dev = self._get_device()
        if self._device_hint() != dev:
            self.to(dev)
        return dev

    # ------------------------------------------------------------------------------------------
    # *_on_batch
    # ------------------------------------------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       reset_metrics: bool = True, return_dict: bool = False):
        """One gradient update on one batch; returns the loss (and metrics)."""
        self._require_compiled("training/testing")
        dev = self._prepare()
        x, y, sample_weight = (da.to_device(v, dev) for v in (x, y, sample_weight))
        if not self._optimizer_built:
            self._build_from_batch(x)
        cw = self._class_weight_tensor(class_weight, dev)
        if cw is not None:
            sample_weight = _apply_class_weight(cw, y, sample_weight)
        if reset_metrics:
            self.reset_metrics()
        self.train(True)
        try:
            if self._custom_step("train_step"):
                logs = _finalize(_logs_of(self.train_step(
                    (x, y, sample_weight) if sample_weight is not None else (x, y)), self), self)
            else:
                self._get_train_fn()(x, y, sample_weight)
                logs = self.get_metrics_result()
        finally:
            self.train(False)
        return self._format_result(logs, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics: bool = True,
                      return_dict: bool = False):
        self._require_compiled("training/testing")
        dev = self._prepare()
        x, y, sample_weight = (da.to_device(v, dev) for v in (x, y, sample_weight))
        if reset_metrics:
            self.reset_metrics()
        with torch.no_grad():
            self._test_batch(x, y, sample_weight)
        return self._format_result(self.get_metrics_result(), return_dict)

    def predict_on_batch(self, x):
        dev = self._prepare() if self.compiled else self._move_for_inference()
        x = da.to_device(x, dev)
        with torch.inference_mode():
            out = self._predict_batch(x)
        return _concat_outputs([out])

    def _format_result(self, logs, return_dict):
        if return_dict:
            return logs
        values = [logs[k] for k in self.metrics_names if k in logs]
        return values[0] if len(values) == 1 else values

    # ------------------------------------------------------------------------------------------
    # Keras 1/2 generator methods
    # ------------------------------------------------------------------------------------------
    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                      validation_data=None, validation_steps=None, validation_freq=1,
                      class_weight=None, max_queue_size=10, workers=1,
                      use_multiprocessing=False, shuffle=True, initial_epoch=0, **kwargs):
        """Deprecated since Keras 2.6 (removed in 3.0): same as ``fit`` on the generator."""
        from ..legacy.edge import translate_named, warn
        # Keras 1 sample counts become steps: the rules peek (and keep) the first batches
        (generator, validation_data), kwargs = translate_named(
            "Model.fit_generator", (generator, validation_data), kwargs)
        warn("`Model.fit_generator` is deprecated and will be removed in a future version. "
             "Please use `Model.fit`, which supports generators.")
        steps_per_epoch = kwargs.pop("steps_per_epoch", steps_per_epoch)
        epochs = kwargs.pop("epochs", epochs)
        validation_steps = kwargs.pop("validation_steps", validation_steps)
        for name in ("max_queue_size", "workers", "use_multiprocessing"):
            kwargs.pop(name, None)  # Keras 1 spellings, accepted and unused like the named args
        if kwargs:
            raise TypeError(f"fit_generator() got unexpected keyword arguments: {sorted(kwargs)}")
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs,
                        verbose=verbose, callbacks=callbacks, validation_data=validation_data,
                        validation_steps=validation_steps, validation_freq=validation_freq,
                        class_weight=class_weight, shuffle=shuffle, initial_epoch=initial_epoch)

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                           workers=1, use_multiprocessing=False, verbose=0, **kwargs):
        from ..legacy.edge import translate_named, warn
        (generator,), kwargs = translate_named("Model.evaluate_generator", (generator,), kwargs)
        warn("`Model.evaluate_generator` is deprecated and will be removed in a future version. "
             "Please use `Model.evaluate`, which supports generators.")
        steps = kwargs.pop("steps", steps)
        for name in ("max_queue_size", "workers", "use_multiprocessing"):
            kwargs.pop(name, None)
        if kwargs:
            raise TypeError(f"evaluate_generator() got unexpected keyword arguments: "
                            f"{sorted(kwargs)}")
        return self.evaluate(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                          workers=1, use_multiprocessing=False, verbose=0, **kwargs):
        from ..legacy.edge import translate_named, warn
        (generator,), kwargs = translate_named("Model.predict_generator", (generator,), kwargs)
        warn("`Model.predict_generator` is deprecated and will be removed in a future version. "
             "Please use `Model.predict`, which supports generators.")
        steps = kwargs.pop("steps", steps)
        for name in ("max_queue_size", "workers", "use_multiprocessing"):
            kwargs.pop(name, None)
        if kwargs:
            raise TypeError(f"predict_generator() got unexpected keyword arguments: "
                            f"{sorted(kwargs)}")
        return self.predict(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    # ------------------------------------------------------------------------------------------
    # saving (implemented in torchkeras.saving)
    # ------------------------------------------------------------------------------------------
    def save(self, filepath, overwrite: bool = True, save_format=None, **kwargs) -> None:
        """Save the model: ``.keras`` zip (Keras 3) or ``.h5`` / ``.hdf5`` (Keras 2 HDF5)."""
        from ..saving import api
        api.save_model(self, filepath, overwrite=overwrite, save_format=save_format, **kwargs)

    def save_weights(self, filepath, overwrite: bool = True, save_format=None, **kwargs) -> None:
        from ..saving import api
        api.save_weights(self, filepath, overwrite=overwrite, save_format=save_format, **kwargs)

    def load_weights(self, filepath, by_name: bool = False, skip_mismatch: bool = False,
                     **kwargs):
        from ..saving import api
        return api.load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch,
                                **kwargs)

    def get_compile_config(self):
        if self._compile_args is None:
            return None
        from ..saving import api
        return api.compile_config_of(self)


# ----------------------------------------------------------------------------------------------
class _NullCtx:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


_NULL_CTX = _NullCtx()


def _verbose(verbose) -> int:
    if verbose == "auto":
        return 1
    return int(verbose)


def _is_stream(x) -> bool:
    return not isinstance(x, (np.ndarray, torch.Tensor, list, tuple, dict)) and x is not None


def _batch_size(x) -> int:
    for leaf in tree.flatten(x):
        if hasattr(leaf, "shape") and len(leaf.shape):
            return int(leaf.shape[0])
    return 1


def _apply_class_weight(cw, y, sw):
    if isinstance(y, (list, tuple, dict)):
        raise ValueError("`class_weight` is only supported for models with a single output.")
    if y.dim() > 1 and y.shape[-1] > 1:
        idx = y.argmax(dim=-1)
    else:
        idx = y.reshape(y.shape[0], -1)[:, 0].round().long() if y.is_floating_point() \
            else y.reshape(y.shape[0], -1)[:, 0].long()
    w = cw[idx.clamp(0, cw.numel() - 1)]
    if sw is not None:
        return w * sw.to(w.dtype)
    return w


def _should_validate(epoch: int, freq) -> bool:
    if isinstance(freq, int):
        return (epoch + 1) % freq == 0
    return (epoch + 1) in freq


def _cb_items(cbs):
    return getattr(cbs, "callbacks", []) or []


def _logs_of(logs, model):
    if logs is None:
        return model._batch_logs()
    return logs


def _finalize(logs, model) -> Dict[str, Any]:
    if logs is None:
        return model.get_metrics_result()
    out = {}
    for k in logs:
        v = logs[k]
        if isinstance(v, torch.Tensor):
            v = float(v.detach().float().mean().cpu())
        out[k] = v
    return out


def _to_numpy(t):
    if isinstance(t, torch.Tensor):
        if t.dtype == torch.bfloat16:  # numpy has no bfloat16
            t = t.float()
        return t.detach().cpu().numpy()
    return np.asarray(t)


def _concat_outputs(chunks):
    first = chunks[0]
    if isinstance(first, torch.Tensor):
        return _to_numpy(torch.cat(chunks) if len(chunks) > 1 else first)
    if isinstance(first, (list, tuple)):
        return [_concat_outputs([c[i] for c in chunks]) for i in range(len(first))]
    if isinstance(first, dict):
        return {k: _concat_outputs([c[k] for c in chunks]) for k in first}
    return chunks
