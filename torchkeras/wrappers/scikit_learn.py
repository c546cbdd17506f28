"""scikit-learn wrappers for Keras models.

Keras 2 / tf.keras 2.0-2.12 (``keras.wrappers.scikit_learn``), same behaviour:

* ``KerasClassifier(build_fn=None, **sk_params)`` / ``KerasRegressor``: ``build_fn`` (a function,
  a callable object, or None for a subclass's ``__call__``) returns a compiled model; the
  ``sk_params`` are split between ``build_fn`` and ``fit`` / ``predict`` / ``evaluate`` by
  argument name, and an unknown one raises ``ValueError`` ("... is not a legal parameter").
* ``KerasClassifier.fit`` stores ``classes_`` (``np.unique(y)``, or ``arange(n)`` for one-hot
  ``y``) and trains on class indices (one-hot encoded when the loss is
  ``categorical_crossentropy``); ``predict`` maps back to the labels; ``predict_proba`` returns
  ``(n, 2)`` for a single sigmoid unit; ``score`` is the model's accuracy (it must be compiled
  with ``metrics=['accuracy']``).
* ``KerasRegressor.predict`` squeezes the last axis; ``score`` is ``-loss``.

Keras 3 (``keras.wrappers``): ``SKLearnClassifier(model, warm_start=False, model_kwargs=None,
fit_kwargs=None)`` and ``SKLearnRegressor`` / ``SKLearnTransformer``: ``model`` is a compiled
model (cloned and recompiled before each fit unless ``warm_start``) or a callable called as
``model(X=X, y=y, **model_kwargs)``; the classifier trains on one-hot targets; fitted
attributes ``model_``, ``history_``, ``classes_``, ``n_features_in_``.
"""
from __future__ import annotations

import copy
import inspect
import types
from typing import Any, Callable, Dict, Optional

import numpy as np

try:  # optional dependency
    from sklearn.base import BaseEstimator as _Base
    from sklearn.base import ClassifierMixin as _ClassifierMixin
    from sklearn.base import RegressorMixin as _RegressorMixin
    from sklearn.base import TransformerMixin as _TransformerMixin
    HAVE_SKLEARN = True
except ImportError:  # pragma: no cover - exercised where scikit-learn is absent
    HAVE_SKLEARN = False

    class _Base:  # noqa: D401 - minimal stand-ins
        pass

    class _ClassifierMixin:
        _estimator_type = "classifier"

    class _RegressorMixin:
        _estimator_type = "regressor"

    class _TransformerMixin:
        pass

__all__ = ["KerasClassifier", "KerasRegressor", "SKLearnClassifier", "SKLearnRegressor",
           "SKLearnTransformer", "HAVE_SKLEARN"]


def _arg_names(fn) -> set:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return set()
    return {n for n, p in params.items()
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and n != "self"}


def _to_categorical(y, num_classes):
    y = np.asarray(y, dtype="int64").reshape(-1)
    out = np.zeros((y.shape[0], num_classes), dtype="float32")
    out[np.arange(y.shape[0]), y] = 1.0
    return out


def _loss_name(model) -> Optional[str]:
    loss = getattr(model, "loss", None)
    if isinstance(loss, str):
        return loss
    if isinstance(loss, types.FunctionType):
        return loss.__name__
    name = getattr(loss, "name", None) or getattr(loss, "__name__", None)
    if name == "CategoricalCrossentropy" or type(loss).__name__ == "CategoricalCrossentropy":
        return "categorical_crossentropy"
    return name


# ------------------------------------------------------------------------------------------
# Keras 2: build_fn + sk_params
# ------------------------------------------------------------------------------------------
class BaseWrapper(_Base):
    """Keras 2's ``BaseWrapper``: ``build_fn`` and ``sk_params`` (see the module docstring)."""

    def __init__(self, build_fn: Optional[Callable] = None, **sk_params):
        self.build_fn = build_fn
        self.sk_params = sk_params
        self.check_params(sk_params)

    def _legal_targets(self):
        from ..engine.sequential import Sequential
        targets = [Sequential.fit, Sequential.predict, Sequential.predict_classes,
                   Sequential.evaluate]
        if self.build_fn is None:
            targets.append(self.__call__)
        elif not isinstance(self.build_fn, types.FunctionType) and \
                not isinstance(self.build_fn, types.MethodType):
            targets.append(self.build_fn.__call__)
        else:
            targets.append(self.build_fn)
        return targets

    def check_params(self, params: Dict[str, Any]) -> None:
        """Raise ``ValueError`` for a parameter no target function accepts (a typo)."""
        legal = set()
        for fn in self._legal_targets():
            legal |= _arg_names(fn)
        for name in params:
            if name not in legal and name != "nb_epoch":
                raise ValueError(f"{name} is not a legal parameter")

    def get_params(self, deep: bool = True, **params) -> Dict[str, Any]:
        res = copy.deepcopy(self.sk_params) if deep else dict(self.sk_params)
        res.update({"build_fn": self.build_fn})
        return res

    def set_params(self, **params):
        self.check_params({k: v for k, v in params.items() if k != "build_fn"})
        if "build_fn" in params:
            self.build_fn = params.pop("build_fn")
        self.sk_params.update(params)
        return self

    def filter_sk_params(self, fn, override: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """The ``sk_params`` (then ``override``) that ``fn`` accepts by name."""
        override = override or {}
        names = _arg_names(fn)
        res = {k: v for k, v in self.sk_params.items() if k in names}
        if "nb_epoch" in self.sk_params and "epochs" in names and "epochs" not in res:
            res["epochs"] = self.sk_params["nb_epoch"]  # Keras 1 spelling
        res.update({k: v for k, v in override.items() if k in names})
        return res

    def _build(self):
        if self.build_fn is None:
            return self.__call__(**self.filter_sk_params(self.__call__))
        if not isinstance(self.build_fn, (types.FunctionType, types.MethodType)):
            return self.build_fn(**self.filter_sk_params(self.build_fn.__call__))
        return self.build_fn(**self.filter_sk_params(self.build_fn))

    def fit(self, x, y, **kwargs):
        """Build a new model with ``build_fn`` and fit it on ``(x, y)``; returns the History."""
        from ..engine.sequential import Sequential
        self.model = self._build()
        if _loss_name(self.model) == "categorical_crossentropy" and np.ndim(y) != 2:
            y = _to_categorical(y, int(np.max(y)) + 1 if np.size(y) else 1)
        fit_args = self.filter_sk_params(Sequential.fit)
        fit_args.update(kwargs)
        return self.model.fit(x, y, **fit_args)


class KerasClassifier(_ClassifierMixin, BaseWrapper):
    """Keras 2's scikit-learn classifier wrapper."""

    def fit(self, x, y, sample_weight=None, **kwargs):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] > 1:
            self.classes_ = np.arange(y.shape[1])
        elif (y.ndim == 2 and y.shape[1] == 1) or y.ndim == 1:
            self.classes_ = np.unique(y)
            y = np.searchsorted(self.classes_, y)
        else:
            raise ValueError(f"Invalid shape for y: {y.shape}")
        self.n_classes_ = len(self.classes_)
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight
        return super().fit(x, y, **kwargs)

    def predict_proba(self, x, **kwargs):
        from ..engine.sequential import Sequential
        probs = np.asarray(self.model.predict(
            x, **self.filter_sk_params(Sequential.predict, kwargs)))
        if probs.ndim == 2 and probs.shape[1] == 1:
            probs = np.hstack([1 - probs, probs])
        return probs

    def predict(self, x, **kwargs):
        from ..engine.sequential import Sequential
        proba = np.asarray(self.model.predict(
            x, **self.filter_sk_params(Sequential.predict, kwargs)))
        if proba.shape[-1] > 1:
            classes = proba.argmax(axis=-1)
        else:
            classes = (proba > 0.5).astype("int32").reshape(-1)
        return self.classes_[classes]

    def score(self, x, y, **kwargs):
        """The model's accuracy on ``(x, y)`` (compile with ``metrics=['accuracy']``)."""
        from ..engine.sequential import Sequential
        y = np.searchsorted(self.classes_, np.asarray(y))
        if _loss_name(self.model) == "categorical_crossentropy" and y.ndim != 2:
            y = _to_categorical(y, len(self.classes_))
        outputs = self.model.evaluate(x, y, **self.filter_sk_params(Sequential.evaluate,
                                                                      kwargs))
        outputs = outputs if isinstance(outputs, list) else [outputs]
        for name, value in zip(self.model.metrics_names, outputs):
            if name in ("accuracy", "acc") or name.endswith("accuracy"):
                return float(value)
        raise ValueError("The model is not configured to compute accuracy. You should pass "
                         "`metrics=[\"accuracy\"]` to the `model.compile()` method.")


class KerasRegressor(_RegressorMixin, BaseWrapper):
    """Keras 2's scikit-learn regressor wrapper."""

    def predict(self, x, **kwargs):
        from ..engine.sequential import Sequential
        out = np.asarray(self.model.predict(x, **self.filter_sk_params(Sequential.predict,
                                                                        kwargs)))
        return np.squeeze(out, axis=-1) if out.ndim > 1 and out.shape[-1] == 1 else out

    def score(self, x, y, **kwargs):
        """``-loss`` on ``(x, y)`` (greater is better, as scikit-learn expects)."""
        from ..engine.sequential import Sequential
        loss = self.model.evaluate(x, y, **self.filter_sk_params(Sequential.evaluate, kwargs))
        if isinstance(loss, list):
            return -float(loss[0])
        return -float(loss)


# ------------------------------------------------------------------------------------------
# Keras 3: SKLearnClassifier / SKLearnRegressor / SKLearnTransformer
# ------------------------------------------------------------------------------------------
def _require_sklearn(name):
    if not HAVE_SKLEARN:
        raise ImportError(f"`keras.wrappers.{name}` requires scikit-learn: "
                          "`pip install scikit-learn`.")


class _SKLBase(_Base):
    def __init__(self, model, warm_start: bool = False, model_kwargs=None, fit_kwargs=None):
        _require_sklearn(type(self).__name__)
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    def _get_model(self, X, y):
        from ..engine.model import Model
        if isinstance(self.model, Model):
            if self.warm_start and getattr(self, "model_", None) is not None:
                return self.model_
            if self.warm_start:
                return self.model
            from ..saving.api import clone_model
            cfg = self.model.get_compile_config()
            if cfg is None:
                raise ValueError(f"{type(self).__name__}: the model passed as `model` must be "
                                 "compiled (call `model.compile(...)` first).")
            clone = clone_model(self.model)
            from ..saving.training_config import compile_from_config
            compile_from_config(clone, cfg)
            return clone
        if self.warm_start and getattr(self, "model_", None) is not None:
            return self.model_
        if not callable(self.model):
            raise TypeError(f"{type(self).__name__}: `model` must be a compiled Model or a "
                            f"callable returning one. Received: {self.model!r}")
        return self.model(X=X, y=y, **(self.model_kwargs or {}))

    def _fit(self, X, y, **kwargs):
        X = np.asarray(X)
        self.n_features_in_ = X.shape[1] if X.ndim > 1 else 1
        self.model_ = self._get_model(X, y)
        fit_kwargs = dict(self.fit_kwargs or {})
        fit_kwargs.update(kwargs)
        fit_kwargs.setdefault("verbose", 0)
        self.history_ = self.model_.fit(X, y, **fit_kwargs).history
        return self

    def _predict_raw(self, X):
        from sklearn.utils.validation import check_is_fitted
        check_is_fitted(self, "model_")
        return np.asarray(self.model_.predict(np.asarray(X), verbose=0))


class SKLearnClassifier(_ClassifierMixin, _SKLBase):
    """Keras 3 ``keras.wrappers.SKLearnClassifier`` (targets one-hot encoded for training)."""

    def fit(self, X, y, **kwargs):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.reshape(-1)
        self.classes_, idx = np.unique(y, return_inverse=True)
        return self._fit(X, _to_categorical(idx, len(self.classes_)), **kwargs)

    def predict_proba(self, X):
        return self._predict_raw(X)

    def predict(self, X):
        proba = self._predict_raw(X)
        if proba.ndim == 2 and proba.shape[1] > 1:
            return self.classes_[proba.argmax(axis=1)]
        return self.classes_[(proba.reshape(-1) > 0.5).astype("int64")]


class SKLearnRegressor(_RegressorMixin, _SKLBase):
    """Keras 3 ``keras.wrappers.SKLearnRegressor``."""

    def fit(self, X, y, **kwargs):
        y = np.asarray(y)
        self._y_ndim = y.ndim
        return self._fit(X, y.reshape(-1, 1) if y.ndim == 1 else y, **kwargs)

    def predict(self, X):
        out = self._predict_raw(X)
        if getattr(self, "_y_ndim", 2) == 1 and out.ndim == 2 and out.shape[1] == 1:
            return out.reshape(-1)
        return out


class SKLearnTransformer(_TransformerMixin, _SKLBase):
    """Keras 3 ``keras.wrappers.SKLearnTransformer``: ``transform`` = the model's output."""

    def fit(self, X, y=None, **kwargs):
        return self._fit(X, y, **kwargs)

    def transform(self, X):
        return self._predict_raw(X)
