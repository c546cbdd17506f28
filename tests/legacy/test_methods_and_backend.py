"""Keras 1 / 2 generator methods, optimizer ``lr`` / ``decay``, ``K.function``, and custom
losses / metrics / Lambda layers written with ``K.*``."""
import warnings

import numpy as np
import pytest

import torchkeras as keras
from torchkeras import backend as K
from torchkeras import layers as L

rng = np.random.RandomState(1)


def _model():
    m = keras.Sequential([L.Dense(8, activation="relu", input_shape=(3,)), L.Dense(1)])
    m.compile(optimizer="adam", loss="mse")
    return m


class CountingGen:
    """An endless generator of batches of ``bs`` that counts the batches drawn."""

    def __init__(self, bs=8):
        self.bs, self.drawn = bs, 0

    def __iter__(self):
        return self

    def __next__(self):
        self.drawn += 1
        x = rng.rand(self.bs, 3).astype("float32")
        return x, x.sum(1, keepdims=True)


def test_fit_generator_keras1_samples_per_epoch_become_steps():
    m, gen, val = _model(), CountingGen(8), CountingGen(4)
    with pytest.warns(DeprecationWarning, match="samples_per_epoch=36 samples -> steps_per_"):
        h = m.fit_generator(gen, samples_per_epoch=36, nb_epoch=2, verbose=0,
                            validation_data=val, nb_val_samples=10, nb_worker=1,
                            pickle_safe=False, max_q_size=5)
    assert len(h.history["loss"]) == 2 and "val_loss" in h.history
    assert gen.drawn == 2 * 5  # ceil(36 / 8) = 5 steps per epoch; the peeked batch is used
    assert val.drawn == 2 * 3  # ceil(10 / 4) = 3 validation steps


def test_fit_generator_keras2_signature():
    m, gen = _model(), CountingGen(4)
    with pytest.warns(DeprecationWarning, match="fit_generator"):
        h = m.fit_generator(gen, 3, 2, verbose=0)  # steps_per_epoch=3, epochs=2
    assert gen.drawn == 6 and len(h.history["loss"]) == 2
    with pytest.warns(DeprecationWarning):
        m.fit_generator(gen, steps_per_epoch=2, epochs=1, workers=2, use_multiprocessing=False,
                        max_queue_size=4, verbose=0)


def test_evaluate_and_predict_generator_val_samples():
    m, gen = _model(), CountingGen(5)
    with pytest.warns(DeprecationWarning, match="val_samples"):
        loss = m.evaluate_generator(gen, val_samples=12)
    assert np.isfinite(loss) and gen.drawn == 3
    gen2 = CountingGen(5)
    with pytest.warns(DeprecationWarning):
        pred = m.predict_generator(gen2, val_samples=10)
    assert pred.shape == (10, 1) and gen2.drawn == 2
    with pytest.warns(DeprecationWarning):
        pred = m.predict_generator(CountingGen(5), steps=2)
    assert pred.shape == (10, 1)


def test_fit_generator_with_sequence_and_samples():
    class Seq(keras.utils.Sequence):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            x = np.full((6, 3), i, "float32")
            return x, x[:, :1]

    m = _model()
    with pytest.warns(DeprecationWarning, match="batches of 6"):
        h = m.fit_generator(Seq(), samples_per_epoch=12, nb_epoch=1, verbose=0)
    assert len(h.history["loss"]) == 1


def test_optimizer_lr_and_decay_are_honoured():
    """``SGD(lr=, decay=)``: lr honoured and Keras 2's time-based decay
    ``lr / (1 + decay * iterations)`` applied (tf-keras 2.11+ silently ignores ``lr``)."""
    with pytest.warns(DeprecationWarning):
        opt = keras.optimizers.SGD(lr=0.5, decay=0.25)
    w = keras.Variable(np.array([1.0], "float32")) if hasattr(keras, "Variable") else None
    import torch
    p = torch.nn.Parameter(torch.tensor([1.0]))
    opt.build([p])
    values = [1.0]
    for it in range(3):
        p.grad = torch.tensor([1.0])
        opt.apply_gradients([(p.grad, p)])
        values.append(float(p.detach()[0]))
    expected = [1.0]
    for it in range(3):
        expected.append(expected[-1] - 0.5 / (1 + 0.25 * it))
    np.testing.assert_allclose(values, expected, rtol=1e-6)
    with pytest.warns(DeprecationWarning):
        assert float(keras.optimizers.Adam(lr=0.01).learning_rate) == pytest.approx(0.01)


def test_k_function_reads_intermediate_layers_and_learning_phase():
    inp = keras.Input((4,))
    h = L.Dense(3, activation="relu", name="hidden")(inp)
    d = L.Dropout(0.5)(h)
    out = L.Dense(2)(d)
    model = keras.Model(inp, out)
    x = rng.rand(6, 4).astype("float32")
    f = K.function([model.input, K.learning_phase()], [model.get_layer("hidden").output,
                                                        model.layers[2].output])
    hid, drop = f([x, 0])
    W, b = model.get_layer("hidden").get_weights()
    np.testing.assert_allclose(hid, np.maximum(x @ W + b, 0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(drop, hid)  # test phase: dropout is the identity
    hid1, drop1 = f([x, 1])
    assert not np.allclose(drop1, hid1) or not hid1.any()
    g = K.function([model.input], [model.output])
    np.testing.assert_allclose(g([x])[0], model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="input values"):
        g([x, x])
    with pytest.raises(NotImplementedError, match="updates"):
        K.function([model.input], [model.output], updates=[1])


def test_custom_loss_metric_and_lambda_with_K():
    def my_loss(y_true, y_pred):
        return K.mean(K.square(y_pred - y_true), axis=-1) + 0.0 * K.sum(K.abs(y_pred))

    def mean_pred(y_true, y_pred):
        return K.mean(y_pred)

    inp = keras.Input((3,))
    x = L.Lambda(lambda t: K.concatenate([t, K.square(t)], axis=-1))(inp)
    x = L.Dense(8, activation="tanh")(x)
    out = L.Dense(1)(x)
    model = keras.Model(inp, out)
    model.compile(optimizer="adam", loss=my_loss, metrics=[mean_pred])
    xs = rng.rand(64, 3).astype("float32")
    ys = (xs ** 2).sum(1, keepdims=True)
    h = model.fit(xs, ys, epochs=20, batch_size=16, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]
    assert "mean_pred" in h.history
