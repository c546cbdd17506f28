"""scikit-learn wrappers (Keras 2 ``KerasClassifier`` / ``KerasRegressor``, Keras 3
``SKLearnClassifier`` / ``SKLearnRegressor``), behaviour of Keras 2's
``keras/wrappers/scikit_learn.py`` and Keras 3's ``keras/src/wrappers``."""
import warnings

import numpy as np
import pytest

import torchkeras as keras
from torchkeras.wrappers.scikit_learn import KerasClassifier, KerasRegressor

warnings.simplefilter("ignore", DeprecationWarning)
rng = np.random.RandomState(0)
X = rng.rand(96, 4).astype("float32")
Y = (X[:, 0] + X[:, 1] > 1).astype(int)


def build(hidden=8):
    m = keras.Sequential([keras.layers.Dense(hidden, activation="relu", input_shape=(4,)),
                          keras.layers.Dense(2, activation="softmax")])
    m.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return m


def test_keras_classifier_fit_predict_score_without_sklearn_helpers():
    clf = KerasClassifier(build_fn=build, epochs=30, batch_size=16, verbose=0)
    clf.fit(X, np.where(Y == 1, "yes", "no"))
    assert list(clf.classes_) == ["no", "yes"]
    pred = clf.predict(X)
    assert set(pred) <= {"no", "yes"}
    assert clf.predict_proba(X).shape == (96, 2)
    assert 0.0 <= clf.score(X, np.where(Y == 1, "yes", "no")) <= 1.0
    with pytest.raises(ValueError, match="not a legal parameter"):
        KerasClassifier(build_fn=build, epochz=3)
    params = clf.get_params()
    assert params["build_fn"] is build and params["epochs"] == 30
    clf.set_params(epochs=2)
    assert clf.sk_params["epochs"] == 2


def test_keras_regressor():
    def build_r():
        m = keras.Sequential([keras.layers.Dense(1, input_shape=(4,))])
        m.compile(loss="mse", optimizer="adam")
        return m
    reg = KerasRegressor(build_fn=build_r, nb_epoch=5, verbose=0)
    reg.fit(X, X.sum(1))
    assert reg.predict(X[:3]).shape == (3,)
    assert reg.score(X, X.sum(1)) <= 0


def test_with_sklearn_model_selection():
    pytest.importorskip("sklearn")
    from sklearn.model_selection import GridSearchCV, cross_val_score
    clf = KerasClassifier(build_fn=build, epochs=5, batch_size=16, verbose=0)
    scores = cross_val_score(clf, X, Y, cv=2)
    assert scores.shape == (2,)
    grid = GridSearchCV(clf, {"hidden": [4, 8]}, cv=2).fit(X, Y)
    assert grid.best_params_["hidden"] in (4, 8)


def test_keras3_sklearn_wrappers():
    pytest.importorskip("sklearn")
    from torchkeras.wrappers import SKLearnClassifier, SKLearnRegressor

    def make(X, y, hidden=8):
        m = keras.Sequential([keras.Input((X.shape[1],)),
                              keras.layers.Dense(hidden, activation="relu"),
                              keras.layers.Dense(y.shape[1], activation="softmax")])
        m.compile(loss="categorical_crossentropy", optimizer="adam")
        return m

    clf = SKLearnClassifier(model=make, model_kwargs={"hidden": 16},
                            fit_kwargs={"epochs": 40}).fit(X, Y)
    assert (clf.predict(X) == Y).mean() > 0.6
    assert clf.predict_proba(X).shape == (96, 2)
    base = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    base.compile(loss="mse", optimizer="adam")
    reg = SKLearnRegressor(model=base, fit_kwargs={"epochs": 2}).fit(X, X.sum(1))
    assert reg.predict(X).shape == (96,)
    assert reg.model_ is not base  # cloned unless warm_start
