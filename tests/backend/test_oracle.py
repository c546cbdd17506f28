"""K.* numerics against numbers real Keras computed (fixtures made by make_fixtures.py).

* losses/activations: ``training_oracle`` cases (tf-keras 2.21 = k2, Keras 3.15.1 = k3);
* convolution/pooling/rnn: whole real models (weights + inputs + outputs from
  ``keras_files``) re-run with K.* functions only.
"""
import os

import numpy as np
import pytest
import torch

from torchkeras import backend as K

FIX = os.path.join(os.path.dirname(__file__), "..", "fixtures", "backend")
ORACLE = np.load(os.path.join(FIX, "oracle_losses_acts.npz"))
MODELS = np.load(os.path.join(FIX, "keras_models.npz"))
RTOL, ATOL = 1e-4, 1e-6


def _case(name):
    return {k[len(name) + 1:]: ORACLE[k] for k in ORACLE.files if k.startswith(name + "/")}


def _close(a, b, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(K.get_value(a), b, rtol=rtol, atol=atol)


# --------------------------------------------------------------------------------------------
# cross-entropies: Keras's loss functions are K.* plus a mean over the last axis (binary ones)
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case,kwargs", [("loss_bce", {}), ("loss_bce_logits", {"from_logits": True})])
def test_binary_crossentropy(case, kwargs):
    c = _case(case)
    got = K.mean(K.binary_crossentropy(c["in.y_true"], c["in.y_pred"], **kwargs), axis=-1)
    _close(got, c["k2.fn.binary_crossentropy"])
    _close(got, c["k3.fn.binary_crossentropy"])


@pytest.mark.parametrize("case,kwargs", [("loss_cce", {}), ("loss_cce_logits", {"from_logits": True}),
                                         ("loss_cce_unnormalised", {})])
def test_categorical_crossentropy(case, kwargs):
    c = _case(case)
    got = K.categorical_crossentropy(c["in.y_true"], c["in.y_pred"], **kwargs)
    _close(got, c["k2.fn.categorical_crossentropy"])


@pytest.mark.parametrize("case,kwargs", [("loss_scce", {}), ("loss_scce_logits", {"from_logits": True})])
def test_sparse_categorical_crossentropy(case, kwargs):
    c = _case(case)
    got = K.sparse_categorical_crossentropy(c["in.y_true"], c["in.y_pred"], **kwargs)
    _close(got, c["k2.fn.sparse_categorical_crossentropy"])
    # (N, 1) integer targets are accepted too
    got = K.sparse_categorical_crossentropy(c["in.y_true"].reshape(-1, 1), c["in.y_pred"], **kwargs)
    _close(got, c["k2.fn.sparse_categorical_crossentropy"])


@pytest.mark.parametrize("case,kwargs", [
    ("loss_binary_focal", {}),
    ("loss_binary_focal_logits_balanced",
     {"apply_class_balancing": True, "alpha": 0.25, "gamma": 2.0, "from_logits": True})])
def test_binary_focal_crossentropy(case, kwargs):
    c = _case(case)
    got = K.mean(K.binary_focal_crossentropy(c["in.y_true"], c["in.y_pred"], **kwargs), axis=-1)
    _close(got, c["k2.fn.binary_focal_crossentropy"])


@pytest.mark.parametrize("case,kwargs", [("loss_categorical_focal", {}),
                                         ("loss_categorical_focal_logits", {"from_logits": True})])
def test_categorical_focal_crossentropy(case, kwargs):
    c = _case(case)
    got = K.categorical_focal_crossentropy(c["in.y_true"], c["in.y_pred"], **kwargs)
    _close(got, c["k2.fn.categorical_focal_crossentropy"])


# --------------------------------------------------------------------------------------------
# activations (x = linspace(-6, 6, 36) reshaped (3, 12))
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case,fn", [
    ("act_relu", K.relu), ("act_elu", K.elu), ("act_softplus", K.softplus),
    ("act_softsign", K.softsign), ("act_sigmoid", K.sigmoid), ("act_tanh", K.tanh),
    ("act_softmax", K.softmax), ("act_layer_elu_default", K.elu),
    ("act_layer_relu_params", lambda x: K.relu(x, alpha=0.1, max_value=4.0, threshold=0.5)),
])
def test_activations(case, fn):
    c = _case(case)
    _close(fn(c["in.x"].astype(np.float32)), c["k2.y"], rtol=1e-5)
    _close(fn(c["in.x"].astype(np.float32)), c["k3.y"], rtol=1e-5)


def test_hard_sigmoid_is_keras2_definition():
    c = _case("act_hard_sigmoid")
    _close(K.hard_sigmoid(c["in.x"]), c["k2.y"], rtol=1e-5)


# --------------------------------------------------------------------------------------------
# real models re-run with K.* only
# --------------------------------------------------------------------------------------------
def _w(model, path):
    return torch.from_numpy(MODELS[f"{model}/w/{path}"])


def test_conv1d_model_same_causal_dilated_strided_pools():
    m = "conv1d"
    x = torch.from_numpy(MODELS[f"{m}/x"])
    h = K.relu(K.bias_add(K.conv1d(x, _w(m, "conv1d/vars/0"), padding="same"), _w(m, "conv1d/vars/1")))
    h = K.squeeze(K.pool2d(K.expand_dims(h, 2), (2, 1), strides=(2, 1)), 2)  # MaxPooling1D(2)
    h = K.bias_add(K.conv1d(h, _w(m, "conv1d_1/vars/0"), padding="causal", dilation_rate=2),
                   _w(m, "conv1d_1/vars/1"))
    h = K.tanh(K.bias_add(K.conv1d(h, _w(m, "conv1d_2/vars/0"), strides=2), _w(m, "conv1d_2/vars/1")))
    h = K.squeeze(K.pool2d(K.expand_dims(h, 2), (2, 1), strides=(2, 1), padding="same",
                           pool_mode="avg"), 2)                              # AveragePooling1D same
    h = K.max(h, axis=1)                                                     # GlobalMaxPooling1D
    y = K.bias_add(K.dot(h, _w(m, "dense/vars/0")), _w(m, "dense/vars/1"))
    _close(y, MODELS[f"{m}/y"], rtol=1e-4, atol=1e-5)


def test_conv2d_misc_model_separable_depthwise_transpose():
    m = "conv2d_misc"
    x = torch.from_numpy(MODELS[f"{m}/x"])
    h = K.spatial_2d_padding(x, ((1, 0), (2, 1)))
    h = K.separable_conv2d(h, _w(m, "separable_conv2d/vars/0"), _w(m, "separable_conv2d/vars/1"))
    h = K.relu(K.bias_add(h, _w(m, "separable_conv2d/vars/2")))
    h = K.depthwise_conv2d(h, _w(m, "depthwise_conv2d/vars/0"), padding="same")
    h = K.bias_add(h, _w(m, "depthwise_conv2d/vars/1"))
    n, rows, cols, _ = K.int_shape(h)
    h = K.conv2d_transpose(h, _w(m, "conv2d_transpose/vars/0"), (n, rows * 2, cols * 2, 4),
                           strides=(2, 2), padding="same")
    h = K.bias_add(h, _w(m, "conv2d_transpose/vars/1"))
    h = h[:, 1:-1, 2:, :]                                                    # Cropping2D
    h = K.pool2d(h, (2, 2), strides=(2, 2), pool_mode="avg")
    h = K.resize_images(h, 2, 1, "channels_last")                            # UpSampling2D
    h = K.relu(K.bias_add(K.conv2d(h, _w(m, "conv2d/vars/0")), _w(m, "conv2d/vars/1")))
    y = K.bias_add(K.dot(K.batch_flatten(h), _w(m, "dense/vars/0")), _w(m, "dense/vars/1"))
    _close(y, MODELS[f"{m}/y"], rtol=1e-4, atol=1e-5)


def test_cnn_flatten_model_channels_first_equivalent():
    m = "cnn_flatten"
    x = torch.from_numpy(MODELS[f"{m}/x"])
    h = K.relu(K.bias_add(K.conv2d(x, _w(m, "conv2d/vars/0")), _w(m, "conv2d/vars/1")))
    h = K.pool2d(h, (2, 2), strides=(2, 2))
    y = K.bias_add(K.dot(K.batch_flatten(h), _w(m, "dense/vars/0")), _w(m, "dense/vars/1"))
    _close(y, MODELS[f"{m}/y"], rtol=1e-4, atol=1e-5)
    # the same network in channels_first gives the same numbers
    xc = K.permute_dimensions(x, (0, 3, 1, 2))
    hc = K.relu(K.bias_add(K.conv2d(xc, _w(m, "conv2d/vars/0"), data_format="channels_first"),
                           _w(m, "conv2d/vars/1"), data_format="channels_first"))
    hc = K.pool2d(hc, (2, 2), strides=(2, 2), data_format="channels_first")
    np.testing.assert_allclose(K.get_value(K.permute_dimensions(hc, (0, 2, 3, 1))),
                               K.get_value(h), rtol=1e-5, atol=1e-6)


def test_rnn_lstm_with_keras2_hard_sigmoid():
    m = "legacy_lstm_hard_sigmoid"
    x = torch.from_numpy(MODELS[f"{m}/x"])
    kernel, rec, bias = (_w(m, f"lstm/cell/vars/{i}") for i in range(3))
    units = rec.shape[0]

    def step(inp, states):
        h, c = states
        z = K.dot(inp, kernel) + K.dot(h, rec) + bias
        i, f, g, o = (z[:, k * units:(k + 1) * units] for k in range(4))
        c = K.hard_sigmoid(f) * c + K.hard_sigmoid(i) * K.tanh(g)
        h = K.hard_sigmoid(o) * K.tanh(c)
        return h, [h, c]

    zeros = K.zeros_like(x[:, 0, :1]) * K.zeros((1, units))
    last, outputs, states = K.rnn(step, x, [zeros, zeros])
    assert K.int_shape(outputs) == (x.shape[0], x.shape[1], units)
    y = K.dot(last, _w(m, "dense/vars/0")) + _w(m, "dense/vars/1")
    _close(y, MODELS[f"{m}/y"], rtol=1e-4, atol=1e-5)
