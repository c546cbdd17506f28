"""Core layers through the layer harness; shapes and param counts as real Keras reports them."""
import numpy as np
import pytest

import torchkeras as keras
from layer_harness import run_layer_test


def test_dense_2d():
    run_layer_test(keras.layers.Dense, {"units": 3, "activation": "relu"}, (2, 4), (2, 3),
                   expected_num_trainable_weights=2, expected_weight_shapes=[(4, 3), (3,)])


def test_dense_3d_acts_on_last_axis():
    run_layer_test(keras.layers.Dense, {"units": 5, "use_bias": False}, (2, 3, 4), (2, 3, 5),
                   expected_num_trainable_weights=1)


def test_dense_matches_numpy_in_keras_layout():
    layer = keras.layers.Dense(2)
    x = np.arange(6, dtype="float32").reshape(2, 3)
    layer(x)
    k = np.arange(6, dtype="float32").reshape(3, 2) / 10
    b = np.array([0.5, -1], dtype="float32")
    layer.set_weights([k, b])
    np.testing.assert_allclose(layer(x).detach().numpy(), x @ k + b, rtol=1e-6)


@pytest.mark.parametrize("cls,kwargs,shape,out", [
    (keras.layers.Activation, {"activation": "tanh"}, (2, 3), (2, 3)),
    (keras.layers.Dropout, {"rate": 0.5}, (2, 3), (2, 3)),
    (keras.layers.Flatten, {}, (2, 3, 4, 5), (2, 60)),
    (keras.layers.Reshape, {"target_shape": (-1, 2)}, (2, 3, 4), (2, 6, 2)),
    (keras.layers.Permute, {"dims": (2, 1)}, (2, 3, 4), (2, 4, 3)),
    (keras.layers.RepeatVector, {"n": 3}, (2, 4), (2, 3, 4)),
    (keras.layers.Identity, {}, (2, 4), (2, 4)),
    (keras.layers.ActivityRegularization, {"l1": 0.1}, (2, 4), (2, 4)),
])
def test_weightless_core_layers(cls, kwargs, shape, out):
    run_layer_test(cls, kwargs, shape, out, expected_num_trainable_weights=0)


def test_flatten_channels_first_is_keras_order():
    x = np.arange(24, dtype="float32").reshape(1, 2, 3, 4)  # (N, C, H, W)
    y = keras.layers.Flatten(data_format="channels_first")(x).numpy()
    np.testing.assert_array_equal(y[0], np.transpose(x[0], (1, 2, 0)).reshape(-1))


def test_dropout_training_scales_kept_values():
    x = np.ones((50, 40), "float32")
    layer = keras.layers.Dropout(0.25)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    y = layer(x, training=True).numpy()
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    assert 0.6 < kept.mean() < 0.9


def test_lambda_with_output_shape():
    layer = keras.layers.Lambda(lambda t: t[:, :2] * 2, output_shape=(2,))
    inp = keras.Input((5,))
    assert layer(inp).shape == (None, 2)


def test_bad_arguments():
    with pytest.raises(ValueError, match="rate"):
        keras.layers.Dropout(1.5)
    with pytest.raises(TypeError, match="foo"):
        keras.layers.Dense(3, foo=1)
    with pytest.raises(ValueError, match="units"):
        keras.layers.Dense(-2)
    with pytest.raises(ValueError, match="total size"):
        keras.layers.Reshape((4, 4))(keras.Input((3, 5)))


def test_wrong_shape_names_layer_and_shapes():
    layer = keras.layers.Dense(2, name="head")
    layer(np.ones((1, 3), "float32"))
    with pytest.raises(ValueError, match=r'"head".*axis -1.*value 3.*\(4, 5\)'):
        layer(np.ones((4, 5), "float32"))
