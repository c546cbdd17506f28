"""``keras.wrappers``: scikit-learn estimators around Keras models.

* Keras 2 / tf.keras (``keras.wrappers.scikit_learn``): ``KerasClassifier``, ``KerasRegressor``
  (``build_fn`` + ``sk_params``);
* Keras 3 (``keras.wrappers``): ``SKLearnClassifier``, ``SKLearnRegressor``,
  ``SKLearnTransformer`` (``model`` callable or compiled model, ``model_kwargs``,
  ``fit_kwargs``, ``warm_start``).

scikit-learn is optional: the Keras 2 wrappers work without it (duck-typed estimators, as in
Keras 2); with it installed they are ``sklearn.base.BaseEstimator`` subclasses, so ``clone``,
``GridSearchCV``, ``cross_val_score`` and pipelines treat them as native estimators. The Keras 3
wrappers need scikit-learn (as in Keras 3).
"""
from . import scikit_learn
from .scikit_learn import (KerasClassifier, KerasRegressor, SKLearnClassifier,
                           SKLearnRegressor, SKLearnTransformer)

__all__ = ["scikit_learn", "KerasClassifier", "KerasRegressor", "SKLearnClassifier",
           "SKLearnRegressor", "SKLearnTransformer"]
