"""K.* semantics as Keras 2 documents them (docstring examples of tf-keras ``keras/backend.py``)."""
import itertools
import math
import warnings

import numpy as np
import pytest
import torch

from torchkeras import backend as K
from torchkeras.backend import config


# ---------------------------------------------------------------------------- variables, values
def test_variable_get_set_value_and_name():
    v = K.variable(np.array([[1, 2], [3, 4]]), dtype="float64", name="example_var")
    assert isinstance(v, torch.nn.Parameter) and v.requires_grad
    assert K.dtype(v) == "float64" and v.name == "example_var"
    np.testing.assert_array_equal(K.eval(v), [[1, 2], [3, 4]])
    K.set_value(v, np.zeros((2, 2)))
    assert K.get_value(v).sum() == 0
    v.assign(np.ones((2, 2)))
    v.assign_add(1.0)
    np.testing.assert_array_equal(v.numpy(), 2 * np.ones((2, 2)))
    with pytest.raises(ValueError):
        K.set_value(v, np.zeros(3))
    K.batch_set_value([(v, np.full((2, 2), 3.0))])
    assert K.batch_get_value([v])[0][0, 0] == 3.0
    s = K.variable(0.5)
    assert K.dtype(s) == "float32" and isinstance(K.get_value(s), np.floating)
    iv = K.variable([1, 2], dtype="int32")
    assert not iv.requires_grad


def test_set_value_objects_with_assign_and_errors():
    class LR:
        def __init__(self):
            self.v = 0.1

        def assign(self, value):
            self.v = value

        def numpy(self):
            return np.float32(self.v)

    lr = LR()
    K.set_value(lr, 0.01)
    assert K.get_value(lr) == np.float32(0.01)
    assert K.get_value(0.5) == 0.5
    with pytest.raises(TypeError, match="set_value"):
        K.set_value(0.5, 0.1)


def test_zeros_ones_eye_are_variables_constant_is_not():
    z, o, e = K.zeros((3, 4)), K.ones((2, 3), dtype="int32"), K.eye(3)
    assert isinstance(z, torch.nn.Parameter) and K.int_shape(z) == (3, 4)
    assert K.dtype(o) == "int32" and K.get_value(e).trace() == 3.0
    assert K.int_shape(K.eye((2, 3))) == (2, 3)
    c = K.constant(2.0, shape=(2, 2))
    assert not isinstance(c, torch.nn.Parameter) and K.get_value(c).tolist() == [[2, 2], [2, 2]]
    assert K.dtype(K.constant([1, 2, 3])) == "float32"
    assert K.dtype(K.zeros_like(o)) == "int32" and K.dtype(K.ones_like(z, dtype="float64")) == "float64"
    assert K.count_params(z) == 12


def test_shape_queries():
    x = torch.zeros(2, 4, 5)
    assert K.int_shape(x) == (2, 4, 5) and K.ndim(x) == 3
    assert K.int_shape(np.zeros((3, 1))) == (3, 1)
    s = K.shape(x)
    assert K.dtype(s) == "int32" and s.tolist() == [2, 4, 5]
    # K.shape elements feed other K functions
    assert K.int_shape(K.random_normal((K.shape(x)[0], 7))) == (2, 7)
    assert K.int_shape(K.reshape(x, (K.shape(x)[0], -1))) == (2, 20)
    assert K.is_tensor(x) and not K.is_tensor(np.zeros(1))
    assert K.is_keras_tensor(x) is False
    with pytest.raises(ValueError):
        K.is_keras_tensor(np.zeros(2))


def test_cast_and_cast_to_floatx():
    x = K.cast(np.array([1.7, -1.7]), "int32")
    assert K.dtype(x) == "int32" and x.tolist() == [1, -1]      # truncation, as tf.cast
    assert K.dtype(K.cast(x, torch.float64)) == "float64"
    a = K.cast_to_floatx(np.array([1.0, 2.0], dtype="float64"))
    assert isinstance(a, np.ndarray) and a.dtype == np.float32
    assert K.dtype(K.cast_to_floatx(torch.ones(2, dtype=torch.float64))) == "float32"


def test_print_tensor_returns_input(capsys):
    x = torch.tensor([1.0, 2.0])
    assert K.print_tensor(x, message="x is:") is x
    assert "x is:" in capsys.readouterr().out


def test_update_helpers():
    v = K.variable([1.0, 2.0])
    K.update_add(v, [1.0, 1.0])
    K.update_sub(v, 0.5)
    np.testing.assert_allclose(K.get_value(v), [1.5, 2.5])
    K.moving_average_update(v, torch.tensor([0.0, 0.0]), 0.9)
    np.testing.assert_allclose(K.get_value(v), [1.35, 2.25], rtol=1e-6)


# ---------------------------------------------------------------------------- reductions
def test_reductions_axis_keepdims():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    for fn, ref in [(K.sum, np.sum), (K.mean, np.mean), (K.max, np.max), (K.min, np.min),
                    (K.prod, np.prod), (K.std, np.std), (K.var, np.var)]:
        for axis in [None, 0, -1, [0, 2], (1, -1)]:
            for keep in (False, True):
                ax = tuple(axis) if isinstance(axis, list) else axis
                np.testing.assert_allclose(K.get_value(fn(a, axis=axis, keepdims=keep)),
                                           ref(a, axis=ax, keepdims=keep), rtol=1e-5)
    b = a > 10
    assert K.get_value(K.any(b, axis=1)).tolist() == np.any(b, axis=1).tolist()
    assert K.get_value(K.all(b, axis=[0, 2], keepdims=True)).shape == (1, 3, 1)
    assert K.get_value(K.argmax(a)).tolist() == np.argmax(a, -1).tolist()
    assert K.get_value(K.argmin(a, axis=0)).tolist() == np.argmin(a, 0).tolist()
    assert K.get_value(K.mean(np.array([True, False]))) == 0.5
    np.testing.assert_allclose(K.get_value(K.logsumexp(a, axis=1)),
                               np.log(np.exp(a).sum(1)), rtol=1e-5)
    np.testing.assert_allclose(K.get_value(K.cumsum(a)), np.cumsum(a, 0))
    np.testing.assert_allclose(K.get_value(K.cumprod(a[:, :1] + 1, axis=1)), a[:, :1] + 1)


# ---------------------------------------------------------------------------- element-wise
def test_elementwise_and_keras_specific_clipping():
    x = np.array([-4.0, -0.5, 0.0, 2.5, 9.0], dtype=np.float32)
    np.testing.assert_allclose(K.get_value(K.sqrt(x)), [0.0, 0.0, 0.0, math.sqrt(2.5), 3.0], rtol=1e-6)
    assert K.get_value(K.round(np.array([0.5, 1.5, 2.5, -0.5]))).tolist() == [0, 2, 2, -0.0]
    assert K.get_value(K.clip(x, 0, 5)).tolist() == [0, 0, 0, 2.5, 5]
    assert K.get_value(K.clip(x, 1, 0)).tolist() == [1, 1, 1, 1, 1]   # max < min -> min
    assert K.get_value(K.clip(x, None, 1)).tolist() == [-4, -0.5, 0, 1, 1]
    np.testing.assert_allclose(K.get_value(K.pow(x, 2)), x ** 2)
    np.testing.assert_allclose(K.get_value(K.exp(K.log(np.abs(x) + 1))), np.abs(x) + 1, rtol=1e-6)
    np.testing.assert_allclose(K.get_value(K.sin(x)), np.sin(x), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(K.get_value(K.cos(x)), np.cos(x), rtol=1e-6, atol=1e-7)
    assert K.get_value(K.sign(x)).tolist() == [-1, -1, 0, 1, 1]
    assert K.get_value(K.square(x)).tolist() == (x * x).tolist()
    t = torch.tensor(x)
    assert K.dtype(K.maximum(t, 0)) == "float32"
    assert K.get_value(K.maximum(t, 0)).tolist() == [0, 0, 0, 2.5, 9]
    assert K.get_value(K.minimum(0.0, t)).tolist() == [-4, -0.5, 0, 0, 0]
    assert K.dtype(K.maximum(t, np.float64(1.0))) == "float32"     # numpy scalar is weak
    for fn, ref in [(K.equal, np.equal), (K.not_equal, np.not_equal), (K.greater, np.greater),
                    (K.greater_equal, np.greater_equal), (K.less, np.less),
                    (K.less_equal, np.less_equal)]:
        assert K.get_value(fn(t, 0.0)).tolist() == ref(x, 0.0).tolist()


# ---------------------------------------------------------------------------- dot / batch_dot
def test_dot_shapes_from_keras_docstrings():
    assert K.int_shape(K.dot(torch.ones(2, 3), torch.ones(3, 4))) == (2, 4)
    assert K.int_shape(K.dot(torch.ones(32, 28, 3), torch.ones(3))) == (32, 28)
    assert K.int_shape(K.dot(torch.ones(2, 3), torch.ones(4, 3, 5))) == (2, 4, 5)
    x, y = np.random.rand(2, 3, 4), np.random.rand(5, 4, 6)
    np.testing.assert_allclose(K.get_value(K.dot(x, y)), np.dot(x, y), rtol=1e-6)


def test_batch_dot_examples_and_axes():
    got = K.batch_dot(np.array([[1.0, 2], [3, 4]]), np.array([[5.0, 6], [7, 8]]), axes=1)
    assert K.get_value(got).tolist() == [[17.0], [53.0]]
    assert K.int_shape(K.batch_dot(K.ones((32, 20, 1)), K.ones((32, 30, 20)), axes=(1, 2))) == (32, 1, 30)
    assert K.int_shape(K.batch_dot(torch.ones(100, 20), torch.ones(100, 30, 20), axes=(1, 2))) == (100, 30)
    x, y = np.random.rand(3, 4, 5, 6), np.random.rand(3, 6, 2)
    # default axes: last of x with second-to-last of y
    np.testing.assert_allclose(K.get_value(K.batch_dot(x, y)), np.einsum("bijk,bkl->bijl", x, y),
                               rtol=1e-6)
    x, y = np.random.rand(3, 4, 5), np.random.rand(3, 7, 4, 2)
    np.testing.assert_allclose(K.get_value(K.batch_dot(x, y, axes=(1, 2))),
                               np.einsum("bkj,bmkl->bjml", x, y), rtol=1e-6)
    np.testing.assert_allclose(K.get_value(K.batch_dot(x, np.random.rand(3, 5)[:, :5] * 0 + 1, axes=(2, 1))),
                               x.sum(-1), rtol=1e-6)
    with pytest.raises(ValueError, match="axis 0"):
        K.batch_dot(x, x, axes=(0, 0))
    with pytest.raises(ValueError, match="rank < 2"):
        K.batch_dot(np.ones(3), np.ones(3))


# ---------------------------------------------------------------------------- shape manipulation
def test_shape_manipulation():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    assert K.int_shape(K.transpose(a)) == (4, 3, 2)
    assert K.int_shape(K.permute_dimensions(a, (1, 0, 2))) == (3, 2, 4)
    assert K.int_shape(K.flatten(a)) == (24,) and K.int_shape(K.batch_flatten(a)) == (2, 12)
    assert K.int_shape(K.expand_dims(a)) == (2, 3, 4, 1) and K.int_shape(K.expand_dims(a, 0)) == (1, 2, 3, 4)
    assert K.int_shape(K.squeeze(K.expand_dims(a, 1), 1)) == (2, 3, 4)
    assert K.int_shape(K.tile(a, (1, 2, 3))) == (2, 6, 12)
    r = K.repeat(np.array([[1.0, 2.0]]), 3)
    assert K.get_value(r).tolist() == [[[1, 2], [1, 2], [1, 2]]]
    np.testing.assert_array_equal(K.get_value(K.repeat_elements(a, 2, axis=1)), np.repeat(a, 2, axis=1))
    assert K.get_value(K.arange(3)).tolist() == [0, 1, 2] and K.dtype(K.arange(3)) == "int32"
    assert K.get_value(K.arange(-2)).tolist() == []
    assert K.get_value(K.arange(1, 7, 2, dtype="float32")).tolist() == [1.0, 3.0, 5.0]
    assert K.int_shape(K.concatenate([a, a])) == (2, 3, 8)
    assert K.int_shape(K.concatenate([a, a], axis=0)) == (4, 3, 4)
    assert K.int_shape(K.stack([a, a], axis=1)) == (2, 2, 3, 4)
    assert [K.int_shape(t) for t in K.unstack(a, axis=1)] == [(2, 4)] * 3
    np.testing.assert_array_equal(K.get_value(K.gather(a, [1, 0])), a[[1, 0]])
    np.testing.assert_array_equal(K.get_value(K.gather(a, np.array([[0], [1]]))), a[[[0], [1]]])
    oh = K.one_hot(np.array([[0, 2], [1, 1]]), 3)
    assert K.dtype(oh) == "float32" and K.get_value(oh)[0].tolist() == [[1, 0, 0], [0, 0, 1]]
    np.testing.assert_array_equal(K.get_value(K.reverse(a, [0, 2])), a[::-1, :, ::-1])
    np.testing.assert_array_equal(K.get_value(K.slice(a, (0, 1, 1), (-1, 2, 2))), a[:, 1:3, 1:3])
    np.testing.assert_array_equal(K.get_value(K.temporal_padding(a, (1, 2)))[:, 1:4], a)
    assert K.int_shape(K.spatial_2d_padding(np.ones((1, 2, 2, 3)), ((1, 0), (0, 2)))) == (1, 3, 4, 3)
    assert K.int_shape(K.spatial_2d_padding(np.ones((1, 3, 2, 2)), data_format="channels_first")) == (1, 3, 4, 4)
    assert K.int_shape(K.spatial_3d_padding(np.ones((1, 2, 2, 2, 1)))) == (1, 4, 4, 4, 1)
    up = K.resize_images(np.arange(4.0).reshape(1, 2, 2, 1), 2, 3, "channels_last")
    assert K.get_value(up)[0, :, :, 0].tolist() == [[0, 0, 0, 1, 1, 1]] * 2 + [[2, 2, 2, 3, 3, 3]] * 2
    assert K.int_shape(K.resize_volumes(np.ones((1, 1, 2, 2, 2)), 2, 2, 2, "channels_first")) == (1, 1, 4, 4, 4)
    assert K.get_value(K.map_fn(lambda t: t * 2, np.array([1.0, 2.0]))).tolist() == [2, 4]
    assert float(K.foldl(lambda acc, t: acc + t, np.array([1.0, 2.0, 3.0]))) == 6.0
    assert float(K.foldr(lambda acc, t: acc - t, np.array([1.0, 2.0, 10.0]))) == 7.0


# ---------------------------------------------------------------------------- nn helpers
def test_l2_normalize_softmax_bias_add():
    x = np.array([[3.0, 4.0], [0.0, 0.0]], dtype=np.float32)
    np.testing.assert_allclose(K.get_value(K.l2_normalize(x, axis=-1)), [[0.6, 0.8], [0, 0]])
    np.testing.assert_allclose(K.get_value(K.l2_normalize(x)), x / 5.0, rtol=1e-6)
    np.testing.assert_allclose(K.get_value(K.softmax(x, axis=0)).sum(0), [1, 1], rtol=1e-6)
    y = np.zeros((2, 3, 4, 5), dtype=np.float32)
    b = np.arange(5, dtype=np.float32)
    assert K.get_value(K.bias_add(y, b))[0, 0, 0].tolist() == b.tolist()
    yc = K.bias_add(np.zeros((2, 5, 3, 4), dtype=np.float32), b, data_format="channels_first")
    assert K.get_value(yc)[0, :, 0, 0].tolist() == b.tolist()
    full = np.random.rand(3, 4, 5).astype(np.float32)
    np.testing.assert_allclose(K.get_value(K.bias_add(y, full)), y + full[None])
    with pytest.raises(ValueError, match="bias dimensions"):
        K.bias_add(y, np.zeros((4, 5)))


def test_relu_variants():
    x = np.array([-2.0, -0.5, 0.2, 1.0, 7.0], dtype=np.float32)
    assert K.get_value(K.relu(x)).tolist() == [0, 0, np.float32(0.2), 1, 7]
    np.testing.assert_allclose(K.get_value(K.relu(x, alpha=0.1)), np.where(x > 0, x, 0.1 * x))
    assert K.get_value(K.relu(x, max_value=6)).tolist()[-1] == 6
    np.testing.assert_allclose(K.get_value(K.relu(x, threshold=0.5)), [0, 0, 0, 1, 7])
    np.testing.assert_allclose(K.get_value(K.elu(x, alpha=0.5)), np.where(x > 0, x, 0.5 * (np.exp(x) - 1)),
                               rtol=1e-6)


def test_dropout_scaling_noise_shape_and_seed():
    x = torch.ones(200, 50)
    y = K.dropout(x, 0.4, seed=3)
    vals = np.unique(K.get_value(y))
    assert len(vals) == 2 and vals[0] == 0 and vals[1] == pytest.approx(1 / 0.6)
    assert torch.equal(y, K.dropout(x, 0.4, seed=3))
    z = K.get_value(K.dropout(x, 0.5, noise_shape=(200, 1)))
    assert all(len(set(row.tolist())) == 1 for row in z)


def test_in_top_k_ties_count_in():
    preds = np.array([[0.1, 0.5, 0.5, 0.2], [0.9, 0.05, 0.05, 0.0]], dtype=np.float32)
    assert K.get_value(K.in_top_k(preds, np.array([2, 1]), 1)).tolist() == [True, False]
    assert K.get_value(K.in_top_k(preds, np.array([3, 2]), 2)).tolist() == [False, True]


def test_batch_normalization_helpers():
    x = np.random.rand(8, 3).astype(np.float32)
    normed, mean, var = K.normalize_batch_in_training(x, np.ones(3), np.zeros(3), [0])
    np.testing.assert_allclose(K.get_value(mean), x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(K.get_value(var), x.var(0), rtol=1e-5)
    ref = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3)
    np.testing.assert_allclose(K.get_value(normed), ref, rtol=1e-4, atol=1e-5)
    bn = K.batch_normalization(x, x.mean(0), x.var(0), np.zeros(3), np.ones(3), epsilon=1e-3)
    np.testing.assert_allclose(K.get_value(bn), ref, rtol=1e-4, atol=1e-5)


def test_sparse_categorical_crossentropy_ignore_class_and_axis():
    p = np.random.rand(2, 3, 4).astype(np.float32)
    p /= p.sum(-1, keepdims=True)
    t = np.array([[0, 1, 3], [2, 2, 0]])
    full = K.get_value(K.sparse_categorical_crossentropy(t, p))
    np.testing.assert_allclose(full, -np.log(np.take_along_axis(p, t[..., None], -1)[..., 0]), rtol=1e-5)
    ign = K.get_value(K.sparse_categorical_crossentropy(t, p, ignore_class=2))
    np.testing.assert_allclose(ign, np.where(t == 2, 0.0, full), rtol=1e-6)
    ax1 = K.get_value(K.sparse_categorical_crossentropy(t, np.moveaxis(p, -1, 1), axis=1))
    np.testing.assert_allclose(ax1, full, rtol=1e-6)


def test_crossentropy_clipping_with_epsilon():
    # p = 0 and p = 1 are clipped to [eps, 1 - eps]: finite losses, as in Keras
    bce = K.get_value(K.binary_crossentropy(np.array([1.0, 0.0]), np.array([0.0, 1.0])))
    assert np.all(np.isfinite(bce)) and bce[0] == pytest.approx(-np.log(2e-7), rel=1e-3)
    cce = K.get_value(K.categorical_crossentropy(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])))
    assert cce[0] == pytest.approx(-np.log(1e-7), rel=1e-3)


# ---------------------------------------------------------------------------- random
def test_random_seeds_and_ranges():
    a = K.random_normal((1000,), mean=2.0, stddev=0.5, seed=1)
    assert torch.equal(a, K.random_normal((1000,), mean=2.0, stddev=0.5, seed=1))
    assert abs(float(a.mean()) - 2.0) < 0.1 and abs(float(a.std()) - 0.5) < 0.1
    u = K.random_uniform((1000,), -1, 3, seed=2)
    assert float(u.min()) >= -1 and float(u.max()) < 3
    tn = K.truncated_normal((5000,), stddev=2.0, seed=4)
    assert float(tn.abs().max()) <= 4.0 + 1e-5 and abs(float(tn.std()) - 2 * 0.88) < 0.1
    b = K.random_binomial((1000,), p=0.3, seed=5)
    assert set(np.unique(K.get_value(b)).tolist()) <= {0.0, 1.0} and abs(float(b.mean()) - 0.3) < 0.06
    assert K.dtype(K.random_uniform((2,), 0, 10, dtype="int32")) == "int32"
    v = K.random_normal_variable((2, 3), 0, 1, seed=1)
    assert isinstance(v, torch.nn.Parameter) and K.int_shape(v) == (2, 3)
    assert K.int_shape(K.random_uniform_variable((4,), 0, 1)) == (4,)


# ---------------------------------------------------------------------------- control flow
def test_switch_expands_condition_on_the_right():
    cond = np.array([True, False])
    out = K.switch(torch.tensor(cond), torch.ones(2, 3), torch.zeros(2, 3))
    assert K.get_value(out).tolist() == [[1, 1, 1], [0, 0, 0]]
    assert K.get_value(K.switch(True, lambda: torch.ones(1), lambda: torch.zeros(1))).tolist() == [1]
    assert K.get_value(K.switch(torch.tensor(False), lambda: torch.ones(1), torch.zeros(1))).tolist() == [0]
    with pytest.raises(ValueError):
        K.switch(torch.ones(2, 2, 2, dtype=torch.bool), torch.ones(2), torch.zeros(2))


def test_learning_phase_and_in_train_phase():
    assert K.learning_phase() == 0
    assert K.in_train_phase(lambda: 1.0, lambda: 0.0) == 0.0
    assert K.in_train_phase(1.0, 0.0, training=True) == 1.0
    assert K.in_test_phase(1.0, 0.0) == 1.0
    with K.learning_phase_scope(1):
        assert K.learning_phase() == 1 and K.in_train_phase("train", "test") == "train"
    assert K.learning_phase() == 0
    with pytest.warns(DeprecationWarning):
        K.set_learning_phase(1)
    try:
        assert K.learning_phase() == 1
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            K.set_learning_phase(0)
    t = K.in_train_phase(torch.ones(2, 2), torch.zeros(2, 2), training=torch.tensor([True, False]))
    assert K.get_value(t).tolist() == [[1, 1], [0, 0]]


def test_gradients_and_stop_gradient():
    w = K.variable([1.0, 2.0, 3.0])
    other = K.variable([1.0])
    loss = K.sum(K.square(w))
    g, none = K.gradients(loss, [w, other])
    assert K.get_value(g).tolist() == [2, 4, 6] and none is None
    # second order (gradient penalty style)
    (g2,) = K.gradients(K.sum(K.square(g)), [w])
    assert K.get_value(g2).tolist() == [8, 16, 24]
    s = K.stop_gradient(w * 2)
    assert not s.requires_grad
    assert all(not t.requires_grad for t in K.stop_gradient([w, w]))


def test_rnn_masking_and_go_backwards():
    x = torch.arange(1.0, 7.0).reshape(1, 6, 1).repeat(2, 1, 1)
    mask = torch.tensor([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0]], dtype=torch.bool)

    def step(inp, states):
        s = states[0] + inp
        return s, [s]

    last, outs, states = K.rnn(step, x, [torch.zeros(2, 1)], mask=mask)
    assert K.get_value(last)[:, 0].tolist() == [21, 6]
    assert K.get_value(outs)[1, :, 0].tolist() == [1, 3, 6, 6, 6, 6]
    _, outs0, _ = K.rnn(step, x, [torch.zeros(2, 1)], mask=mask, zero_output_for_mask=True)
    assert K.get_value(outs0)[1, :, 0].tolist() == [1, 3, 6, 0, 0, 0]
    last_b, outs_b, _ = K.rnn(step, x, [torch.zeros(2, 1)], go_backwards=True)
    assert K.get_value(outs_b)[0, :, 0].tolist() == [6, 11, 15, 18, 20, 21]


def test_image_dim_ordering_legacy_names():
    assert K.image_dim_ordering() == "tf"
    with pytest.warns(DeprecationWarning):
        K.set_image_dim_ordering("th")
    try:
        assert K.image_data_format() == "channels_first" and K.image_dim_ordering() == "th"
        assert K.normalize_data_format(None) == "channels_first"
    finally:
        config.set_image_data_format("channels_last")
    with pytest.raises(ValueError):
        K.set_image_dim_ordering("xx")


def test_placeholder_clear_error_or_symbolic():
    try:
        p = K.placeholder(shape=(None, 3))
    except RuntimeError as e:
        assert "placeholder" in str(e)
    else:  # the engine provides a symbolic stand-in
        assert K.is_keras_tensor(p) and K.int_shape(p)[-1] == 3


# ---------------------------------------------------------------------------- conv / pool / ctc
def test_conv_padding_and_pool_same_shapes():
    x = torch.rand(2, 7, 7, 3)
    assert K.int_shape(K.conv2d(x, torch.rand(3, 3, 3, 5), strides=(2, 2), padding="same")) == (2, 4, 4, 5)
    assert K.int_shape(K.conv2d(x, torch.rand(3, 3, 3, 5), dilation_rate=(2, 2))) == (2, 3, 3, 5)
    assert K.int_shape(K.conv1d(torch.rand(2, 10, 3), torch.rand(4, 3, 6), padding="causal")) == (2, 10, 6)
    assert K.int_shape(K.conv3d(torch.rand(1, 4, 4, 4, 2), torch.rand(2, 2, 2, 2, 3))) == (1, 3, 3, 3, 3)
    assert K.int_shape(K.pool2d(x, (2, 2), (2, 2), padding="same")) == (2, 4, 4, 3)
    assert K.int_shape(K.pool3d(torch.rand(1, 4, 4, 4, 2), (2, 2, 2), (2, 2, 2))) == (1, 2, 2, 2, 2)
    # 1x1 kernel = per-pixel matrix product
    k = torch.rand(1, 1, 3, 4)
    np.testing.assert_allclose(K.get_value(K.conv2d(x, k)), K.get_value(K.dot(x, k[0, 0])), rtol=1e-5)
    out = K.conv2d_transpose(torch.rand(1, 3, 3, 2), torch.rand(3, 3, 4, 2), (1, 6, 6, 4), (2, 2), "same")
    assert K.int_shape(out) == (1, 6, 6, 4)
    with pytest.raises(ValueError):
        K.pool2d(x, (2, 2), pool_mode="median")


def _ctc_brute_force(probs, label, blank):
    """Sum over all alignments that collapse to ``label`` (definition of CTC)."""
    T, C = probs.shape
    total = 0.0
    for path in itertools.product(range(C), repeat=T):
        collapsed, prev = [], None
        for c in path:
            if c != prev and c != blank:
                collapsed.append(c)
            prev = c
        if collapsed == list(label):
            total += np.prod([probs[t, c] for t, c in enumerate(path)])
    return -np.log(total)


def test_ctc_batch_cost_matches_definition_and_greedy_decode():
    rng = np.random.RandomState(0)
    p = rng.rand(2, 5, 3).astype(np.float64)
    p /= p.sum(-1, keepdims=True)
    labels = np.array([[0, 1], [1, 1]])
    loss = K.get_value(K.ctc_batch_cost(labels, p, np.array([[5], [4]]), np.array([[2], [2]])))
    assert loss.shape == (2, 1)
    pe = (p + 1e-7) / (p + 1e-7).sum(-1, keepdims=True)
    assert loss[0, 0] == pytest.approx(_ctc_brute_force(pe[0], [0, 1], 2), rel=1e-5)
    assert loss[1, 0] == pytest.approx(_ctc_brute_force(pe[1, :4], [1, 1], 2), rel=1e-5)
    y = np.zeros((1, 6, 3))
    for t, c in enumerate([0, 0, 2, 0, 1, 1]):
        y[0, t, c] = 1.0
    (dense,), logp = K.ctc_decode(y, np.array([6]))
    assert K.get_value(dense).tolist() == [[0, 0, 1]]
    assert K.get_value(logp).shape == (1, 1)


# ---------------------------------------------------------------------------- Keras 1 spellings
def test_keras1_keyword_spellings_are_translated():
    with pytest.warns(DeprecationWarning):
        a = K.random_normal((2000,), mean=1.0, std=0.1, seed=1)
    assert abs(float(a.std()) - 0.1) < 0.01
    with pytest.warns(DeprecationWarning):
        u = K.random_uniform((100,), low=2.0, high=3.0, seed=1)
    assert float(u.min()) >= 2.0 and float(u.max()) < 3.0
    x, k = torch.rand(1, 5, 5, 2), torch.rand(3, 3, 2, 4)
    with pytest.warns(DeprecationWarning):
        y = K.conv2d(x, k, border_mode="same", dim_ordering="tf")
    np.testing.assert_allclose(K.get_value(y), K.get_value(K.conv2d(x, k, padding="same")))
    with pytest.warns(DeprecationWarning):
        p = K.pool2d(x, (2, 2), (2, 2), "valid", "th")          # positional Keras 1 'th'
    assert K.int_shape(p) == (1, 5, 2, 1)
    with pytest.raises(TypeError, match="unexpected keyword"):
        K.conv2d(x, k, bogus=1)
    assert K.int_shape(K.spatial_2d_padding(torch.ones(1, 2, 2, 1), (1, 2))) == (1, 4, 6, 1)
    assert K.int_shape(K.temporal_padding(torch.ones(1, 2, 3), 2)) == (1, 6, 3)
    with K.eager_learning_phase_scope(1):
        assert K.learning_phase() == 1
