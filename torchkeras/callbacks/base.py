"""``Callback`` and ``CallbackList`` (Keras's ``keras.callbacks.Callback`` / ``CallbackList``).

Hooks, as in Keras: ``on_{train,test,predict}_{begin,end}(logs)``, ``on_epoch_{begin,end}(epoch,
logs)``, ``on_{train,test,predict}_batch_{begin,end}(batch, logs)``; the Keras 1/2 names
``on_batch_begin`` / ``on_batch_end`` are what the default ``on_train_batch_*`` call, so old
callbacks overriding them still run during ``fit``.

Logs: at epoch end a dict of Python floats (``val_*`` keys included). At batch end the trainer
passes a ``Mapping`` whose values are computed lazily (reading one synchronises the device), so
callbacks only read batch values they need. ``CallbackList`` never converts them.

``CallbackList`` adds a ``History`` (always last, so it records keys that other callbacks add,
e.g. ``learning_rate``) and a ``ProgbarLogger`` when asked: appended last in Keras 3, put first
in Keras 2 (tf-keras) — which decides whether a callback's message prints before or after the
epoch's progress line. ``model.history`` is the History.

For the trainer: ``callbacks._should_call_{train,test,predict}_batch_hooks`` say whether any
callback overrides a batch hook (the loop may skip the calls otherwise), and each
``CallbackList.on_*_batch_*`` only visits callbacks that override that hook.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional

__all__ = ["Callback", "CallbackList"]


def _default(fn):
    fn._is_default = True
    return fn


def _is_default(method) -> bool:
    return getattr(method, "_is_default", False)


class Callback:
    """Base class of the callbacks ``fit`` / ``evaluate`` / ``predict`` drive.

    Attributes: ``model`` (the model being trained, set by ``set_model``), ``params`` (dict
    with ``verbose``, ``epochs``, ``steps``, set by ``set_params``).
    """

    def __init__(self):
        self.params: Optional[Dict[str, Any]] = None
        self._model = None
        self.validation_data = None  # Keras 1/2 attribute some old callbacks read

    def set_params(self, params: Dict[str, Any]) -> None:
        self.params = params

    def set_model(self, model) -> None:
        self._model = model

    @property
    def model(self):
        return self._model

    @model.setter
    def model(self, model) -> None:  # Keras 2 code assigns ``self.model = ...``
        self._model = model

    # Keras 1 spellings
    def _set_model(self, model) -> None:
        self.set_model(model)

    def _set_params(self, params) -> None:
        self.set_params(params)

    # -- hooks ---------------------------------------------------------------------------------
    @_default
    def on_batch_begin(self, batch: int, logs=None) -> None:
        """Keras 2 alias of ``on_train_batch_begin``."""

    @_default
    def on_batch_end(self, batch: int, logs=None) -> None:
        """Keras 2 alias of ``on_train_batch_end``."""

    @_default
    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        """Start of an epoch (training only)."""

    @_default
    def on_epoch_end(self, epoch: int, logs=None) -> None:
        """End of an epoch: ``logs`` has the epoch's metrics and ``val_*`` ones."""

    @_default
    def on_train_batch_begin(self, batch: int, logs=None) -> None:
        self.on_batch_begin(batch, logs=logs)

    @_default
    def on_train_batch_end(self, batch: int, logs=None) -> None:
        self.on_batch_end(batch, logs=logs)

    @_default
    def on_test_batch_begin(self, batch: int, logs=None) -> None:
        """Before a batch of ``evaluate`` (and of validation inside ``fit``)."""

    @_default
    def on_test_batch_end(self, batch: int, logs=None) -> None:
        """After a batch of ``evaluate``."""

    @_default
    def on_predict_batch_begin(self, batch: int, logs=None) -> None:
        """Before a batch of ``predict``."""

    @_default
    def on_predict_batch_end(self, batch: int, logs=None) -> None:
        """After a batch of ``predict`` (``logs['outputs']`` holds the batch's outputs)."""

    @_default
    def on_train_begin(self, logs=None) -> None:
        """Start of ``fit``."""

    @_default
    def on_train_end(self, logs=None) -> None:
        """End of ``fit`` (not called when training raised)."""

    @_default
    def on_test_begin(self, logs=None) -> None:
        """Start of ``evaluate``."""

    @_default
    def on_test_end(self, logs=None) -> None:
        """End of ``evaluate``."""

    @_default
    def on_predict_begin(self, logs=None) -> None:
        """Start of ``predict``."""

    @_default
    def on_predict_end(self, logs=None) -> None:
        """End of ``predict``."""

    # -- which batch hooks are used (tf-keras's _implements_*_batch_hooks) ----------------------
    def _implements_train_batch_hooks(self) -> bool:
        return not all(_is_default(getattr(self, n)) for n in (
            "on_batch_begin", "on_batch_end", "on_train_batch_begin", "on_train_batch_end"))

    def _implements_test_batch_hooks(self) -> bool:
        return not all(_is_default(getattr(self, n)) for n in (
            "on_test_batch_begin", "on_test_batch_end"))

    def _implements_predict_batch_hooks(self) -> bool:
        return not all(_is_default(getattr(self, n)) for n in (
            "on_predict_batch_begin", "on_predict_batch_end"))


def _flatten(callbacks) -> List[Callback]:
    if callbacks is None:
        return []
    if isinstance(callbacks, CallbackList):
        return list(callbacks.callbacks)
    if isinstance(callbacks, Callback):
        return [callbacks]
    out: List[Callback] = []
    for cb in callbacks:
        if isinstance(cb, (list, tuple)):
            out += _flatten(cb)
        elif cb is not None:
            out.append(cb)
    return out


class CallbackList(Callback):
    """Calls a list of callbacks together (Keras ``keras.callbacks.CallbackList``).

    Args:
        callbacks: list of ``Callback`` instances.
        add_history: add a ``History`` if the list has none.
        add_progbar: add a ``ProgbarLogger`` if the list has none.
        model: the model, passed to every callback's ``set_model``.
        **params: passed to every callback's ``set_params`` (``verbose``, ``epochs``, ``steps``).
    """

    def __init__(self, callbacks: Optional[Iterable[Callback]] = None, add_history: bool = False,
                 add_progbar: bool = False, model=None, **params):
        super().__init__()
        self.callbacks: List[Callback] = _flatten(callbacks)
        for cb in self.callbacks:
            if not hasattr(cb, "on_epoch_end"):
                raise TypeError("Every callback must be a `keras.callbacks.Callback` instance. "
                                f"Received: {cb!r} (of type {type(cb)})")
        self._add_default_callbacks(add_history, add_progbar)
        self._hooks_cache = None
        self.set_model(model)
        self.set_params(params)

    def _add_default_callbacks(self, add_history: bool, add_progbar: bool) -> None:
        from ..backend.config import keras_era
        from .history import History
        from .progbar_logger import ProgbarLogger
        self._progbar = None
        self._history = None
        for cb in self.callbacks:
            if isinstance(cb, ProgbarLogger):
                self._progbar = cb
            elif isinstance(cb, History):
                self._history = cb
        era = keras_era()
        if self._progbar is None and add_progbar and era != 3:
            self._progbar = ProgbarLogger(count_mode="steps")
            self.callbacks.insert(0, self._progbar)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)

    def append(self, callback: Callback) -> None:
        self.callbacks.append(callback)
        self._hooks_cache = None
        if self.model is not None:
            callback.set_model(self.model)
        if self.params:
            callback.set_params(self.params)

    def set_params(self, params) -> None:
        self.params = params
        if params:
            for cb in self.callbacks:
                cb.set_params(params)

    def set_model(self, model) -> None:
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            try:
                model.history = self._history
            except Exception:  # pragma: no cover - models that refuse attributes
                pass
        for cb in self.callbacks:
            cb.set_model(model)

    # -- batch-hook bookkeeping ----------------------------------------------------------------
    def _hooks(self) -> Dict[str, List[Callback]]:
        if self._hooks_cache is None or self._hooks_cache[0] != len(self.callbacks):
            table: Dict[str, List[Callback]] = {}
            names = {
                "on_train_batch_begin": ("on_train_batch_begin", "on_batch_begin"),
                "on_train_batch_end": ("on_train_batch_end", "on_batch_end"),
                "on_batch_begin": ("on_batch_begin",),
                "on_batch_end": ("on_batch_end",),
                "on_test_batch_begin": ("on_test_batch_begin",),
                "on_test_batch_end": ("on_test_batch_end",),
                "on_predict_batch_begin": ("on_predict_batch_begin",),
                "on_predict_batch_end": ("on_predict_batch_end",),
            }
            for hook, overrides in names.items():
                table[hook] = [cb for cb in self.callbacks
                               if not all(_is_default(getattr(cb, n)) for n in overrides)]
            self._hooks_cache = (len(self.callbacks), table)
        return self._hooks_cache[1]

    @property
    def _should_call_train_batch_hooks(self) -> bool:
        h = self._hooks()
        return bool(h["on_train_batch_begin"] or h["on_train_batch_end"])

    @property
    def _should_call_test_batch_hooks(self) -> bool:
        h = self._hooks()
        return bool(h["on_test_batch_begin"] or h["on_test_batch_end"])

    @property
    def _should_call_predict_batch_hooks(self) -> bool:
        h = self._hooks()
        return bool(h["on_predict_batch_begin"] or h["on_predict_batch_end"])

    def _batch_hook(self, hook: str, batch: int, logs) -> None:
        logs = logs if logs is not None else {}
        for cb in self._hooks()[hook]:
            getattr(cb, hook)(batch, logs=logs)

    # -- hooks ---------------------------------------------------------------------------------
    def on_batch_begin(self, batch, logs=None):
        self._batch_hook("on_batch_begin", batch, logs)

    def on_batch_end(self, batch, logs=None):
        self._batch_hook("on_batch_end", batch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._batch_hook("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._batch_hook("on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._batch_hook("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._batch_hook("on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._batch_hook("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._batch_hook("on_predict_batch_end", batch, logs)

    def on_epoch_begin(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)

    def on_train_begin(self, logs=None):
        logs = logs if logs is not None else {}
        for cb in self.callbacks:
            cb.on_train_begin(logs)

    def on_train_end(self, logs=None):
        logs = logs if logs is not None else {}
        for cb in self.callbacks:
            cb.on_train_end(logs)

    def on_test_begin(self, logs=None):
        logs = logs if logs is not None else {}
        for cb in self.callbacks:
            cb.on_test_begin(logs)

    def on_test_end(self, logs=None):
        logs = logs if logs is not None else {}
        for cb in self.callbacks:
            cb.on_test_end(logs)

    def on_predict_begin(self, logs=None):
        logs = logs if logs is not None else {}
        for cb in self.callbacks:
            cb.on_predict_begin(logs)

    def on_predict_end(self, logs=None):
        logs = logs if logs is not None else {}
        for cb in self.callbacks:
            cb.on_predict_end(logs)

    def __iter__(self):
        return iter(self.callbacks)

    def __len__(self):
        return len(self.callbacks)
