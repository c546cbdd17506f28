"""Convolution layers: real-Keras numbers (Keras 3.15 / TF 2.21 reference cases and the
shared/keras_files models), the layer harness, configs of both eras, and Keras-style errors."""
import json
import os

import numpy as np
import pytest
import torch

import torchkeras as keras
from _keras_layer_cases import det, load_cases, run_case
from _keras_models import (FIXTURES, MissingLayer, build_and_run, load_fixture,
                           load_shared)
from layer_harness import run_layer_test

L = keras.layers


@pytest.fixture
def _no_tf32():
    """Reference comparisons on CUDA in full float32 (cuDNN convs default to TF32)."""
    old = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    yield
    torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = old
CONV_CASES = load_cases("conv")


@pytest.mark.parametrize("case,want", CONV_CASES, ids=[c["name"] for c, _ in CONV_CASES])
def test_matches_real_keras(case, want):
    """Strides, dilation, 'same' with even kernels / strides > 1, 'causal', groups,
    transposes with and without output_padding, depthwise / separable, 1D/2D/3D and
    channels_first: the outputs Keras 3 computed for the same inputs and weights."""
    layer, _, y = run_case(case)
    assert y.shape == want.shape
    np.testing.assert_allclose(y, want, atol=1e-5, rtol=1e-5)
    assert tuple(layer.compute_output_shape(tuple([None] + case["input_shape"][1:]))[1:]) == \
        want.shape[1:]


# -- the real Keras files ------------------------------------------------------------------
@pytest.mark.parametrize("name", ["cnn_bn", "cnn_flatten", "conv1d", "conv2d_misc"])
def test_keras_file_models(name):
    config, weights, x, y_k3 = load_fixture(name)
    try:
        y, _ = build_and_run(config, weights, x)
    except MissingLayer as e:
        pytest.skip(f"layer {e} is not implemented yet")
    np.testing.assert_allclose(y, y_k3, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_mobilenet_small_from_shared_files(device):
    if device == "cuda" and not torch.cuda.is_available():
        pytest.skip("needs CUDA")
    loaded = load_shared("mobilenet_small")
    if loaded is None:
        pytest.skip("shared/keras_files is not available")
    config, weights, x, y_k3 = loaded
    try:
        y, _ = build_and_run(config, weights, x, device=device)
    except MissingLayer as e:
        pytest.skip(f"layer {e} is not implemented yet")
    np.testing.assert_allclose(y, y_k3, atol=1e-4, rtol=1e-4)


def test_keras2_configs_of_the_files_load():
    """tf-keras writes inherited Conv keys (groups, kernel_*) into DepthwiseConv2D /
    SeparableConv2D / Conv2DTranspose configs: they must be accepted."""
    path = os.path.join(FIXTURES, "conv2d_misc.k3.json")
    assert os.path.exists(path)
    k2 = {
        "DepthwiseConv2D": {"kernel_size": [3, 3], "strides": [1, 1], "padding": "same",
                            "data_format": "channels_last", "dilation_rate": [1, 1],
                            "groups": 1, "activation": "linear", "use_bias": True,
                            "depth_multiplier": 2, "bias_regularizer": None,
                            "activity_regularizer": None, "bias_constraint": None,
                            "depthwise_regularizer": None, "depthwise_constraint": None},
        "SeparableConv2D": {"filters": 6, "kernel_size": [3, 3], "groups": 1,
                            "kernel_initializer": {"class_name": "GlorotUniform",
                                                   "config": {"seed": None}},
                            "kernel_regularizer": None, "kernel_constraint": None,
                            "depth_multiplier": 1},
        "Conv2DTranspose": {"filters": 4, "kernel_size": [3, 3], "strides": [2, 2],
                            "padding": "same", "groups": 1, "output_padding": None},
    }
    for cls_name, cfg in k2.items():
        layer = getattr(L, cls_name).from_config(cfg)
        y = layer(np.ones((1, 5, 5, 2), "float32"))
        assert y.shape[0] == 1


# -- harness: config / weight round trips, training step, symbolic shapes -------------------
@pytest.mark.parametrize("cls,kwargs,shape,out,weights", [
    (L.Conv1D, {"filters": 4, "kernel_size": 3, "padding": "causal", "dilation_rate": 2},
     (2, 7, 3), (2, 7, 4), [(3, 3, 4), (4,)]),
    (L.Conv2D, {"filters": 4, "kernel_size": (2, 3), "strides": 2, "padding": "same",
                "activation": "relu"}, (2, 7, 8, 3), (2, 4, 4, 4), [(2, 3, 3, 4), (4,)]),
    (L.Conv2D, {"filters": 4, "kernel_size": 3, "groups": 2, "use_bias": False},
     (2, 5, 5, 6), (2, 3, 3, 4), [(3, 3, 3, 4)]),
    (L.Conv2D, {"filters": 3, "kernel_size": 2, "data_format": "channels_first"},
     (2, 2, 5, 6), (2, 3, 4, 5), [(2, 2, 2, 3), (3,)]),
    (L.Conv3D, {"filters": 2, "kernel_size": 2, "strides": 2, "padding": "same"},
     (1, 3, 4, 5, 2), (1, 2, 2, 3, 2), [(2, 2, 2, 2, 2), (2,)]),
    (L.Conv1DTranspose, {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same"},
     (2, 4, 3), (2, 8, 2), [(3, 2, 3), (2,)]),
    (L.Conv2DTranspose, {"filters": 2, "kernel_size": 3, "strides": 2,
                         "output_padding": 1}, (2, 3, 4, 3), (2, 8, 10, 2),
     [(3, 3, 2, 3), (2,)]),
    (L.Conv3DTranspose, {"filters": 2, "kernel_size": 2, "strides": 2},
     (1, 2, 3, 2, 2), (1, 4, 6, 4, 2), [(2, 2, 2, 2, 2), (2,)]),
    (L.DepthwiseConv1D, {"kernel_size": 3, "depth_multiplier": 2, "padding": "same"},
     (2, 6, 3), (2, 6, 6), [(3, 3, 2), (6,)]),
    (L.DepthwiseConv2D, {"kernel_size": 3, "depth_multiplier": 2, "strides": 2,
                         "padding": "same"}, (2, 5, 6, 3), (2, 3, 3, 6),
     [(3, 3, 3, 2), (6,)]),
    (L.SeparableConv1D, {"filters": 4, "kernel_size": 3}, (2, 6, 3), (2, 4, 4),
     [(3, 3, 1), (1, 3, 4), (4,)]),
    (L.SeparableConv2D, {"filters": 4, "kernel_size": 3, "depth_multiplier": 2,
                         "padding": "same"}, (2, 5, 6, 3), (2, 5, 6, 4),
     [(3, 3, 3, 2), (1, 1, 6, 4), (4,)]),
])
def test_layer_harness(cls, kwargs, shape, out, weights):
    run_layer_test(cls, kwargs, shape, out, expected_weight_shapes=weights,
                   expected_num_trainable_weights=len(weights))


def test_config_is_keras3_shaped():
    cfg = L.Conv2D(8, 3, padding="SAME", name="c").get_config()
    assert cfg["kernel_size"] == (3, 3) and cfg["strides"] == (1, 1)
    assert cfg["padding"] == "same" and cfg["data_format"] == "channels_last"
    assert cfg["groups"] == 1 and cfg["dilation_rate"] == (1, 1)
    assert cfg["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert L.Conv2DTranspose(2, 3).get_config()["output_padding"] is None
    assert "groups" not in L.Conv2DTranspose(2, 3).get_config()
    sep = L.SeparableConv2D(4, 3).get_config()
    assert {"depthwise_initializer", "pointwise_initializer", "depth_multiplier"} <= set(sep)
    assert "kernel_initializer" not in sep


def test_aliases_are_the_conv_classes():
    """Keras 2/3 aliases (the legacy edge may wrap the Keras 1 spellings in subclasses that
    accept the old positional signature)."""
    for alias, cls in (("Convolution1D", "Conv1D"), ("Convolution2D", "Conv2D"),
                       ("Convolution3D", "Conv3D"),
                       ("Convolution2DTranspose", "Conv2DTranspose"),
                       ("SeparableConvolution1D", "SeparableConv1D"),
                       ("SeparableConvolution2D", "SeparableConv2D")):
        assert issubclass(getattr(L, alias), getattr(L, cls))
    assert type(L.Convolution2D(4, 3)(np.ones((1, 5, 5, 2), "float32"))) is torch.Tensor


def test_default_data_format_follows_backend_config():
    from torchkeras.backend import config
    old = config.image_data_format()
    try:
        config.set_image_data_format("channels_first")
        layer = L.Conv2D(3, 2)
        assert layer.data_format == "channels_first"
        assert tuple(layer(np.ones((1, 2, 5, 5), "float32")).shape) == (1, 3, 4, 4)
    finally:
        config.set_image_data_format(old)


def test_kernel_in_keras_layout_matches_numpy_correlation():
    layer = L.Conv2D(2, (2, 3), use_bias=False)
    x = det((1, 4, 5, 3), 1)
    layer.build(x.shape)
    k = det((2, 3, 3, 2), 2)
    layer.set_weights([k])
    y = layer(x).detach().numpy()
    ref = np.zeros((1, 3, 3, 2), "float32")
    for i in range(3):
        for j in range(3):
            ref[0, i, j] = np.tensordot(x[0, i:i + 2, j:j + 3], k, axes=3)
    np.testing.assert_allclose(y, ref, atol=1e-5)
    np.testing.assert_allclose(layer.kernel.detach().numpy(), k)


def test_symbolic_shapes_with_unknown_spatial_dims():
    inp = keras.Input((None, None, 3))
    out = L.Conv2D(4, 3, strides=2, padding="same")(inp)
    assert tuple(out.shape) == (None, None, None, 4)
    out = L.Conv2DTranspose(4, 3, strides=2)(inp)
    assert tuple(out.shape) == (None, None, None, 4)


def test_float64_numpy_input_and_integer_input():
    layer = L.Conv1D(2, 2)
    assert layer(np.ones((1, 4, 3))).dtype == torch.float32
    assert layer(np.ones((1, 4, 3), dtype="int64")).dtype == torch.float32


# -- errors ---------------------------------------------------------------------------------
def test_bad_arguments():
    with pytest.raises(ValueError, match="padding"):
        L.Conv2D(2, 3, padding="full")
    with pytest.raises(ValueError, match="padding"):
        L.Conv2D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="data_format"):
        L.Conv2D(2, 3, data_format="NHWC")
    with pytest.raises(ValueError, match="filters"):
        L.Conv2D(0, 3)
    with pytest.raises(ValueError, match="kernel_size"):
        L.Conv2D(2, (3, 3, 3))
    with pytest.raises(ValueError, match="kernel_size"):
        L.Conv2D(2, 0)
    with pytest.raises(ValueError, match="dilation_rate"):
        L.Conv2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="groups"):
        L.Conv2D(3, 3, groups=2)
    with pytest.raises(ValueError, match="output padding"):
        L.Conv2DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="depth_multiplier"):
        L.DepthwiseConv2D(3, depth_multiplier=0)
    with pytest.raises(TypeError, match="foo"):
        L.Conv2D(2, 3, foo=1)


def test_bad_inputs_name_layer_and_shapes():
    with pytest.raises(ValueError, match=r"conv.*ndim=4.*\(2, 5, 3\)"):
        L.Conv2D(2, 3, name="conv")(np.ones((2, 5, 3), "float32"))
    with pytest.raises(ValueError, match=r"groups.*5 channels"):
        L.Conv2D(4, 3, groups=2)(np.ones((1, 6, 6, 5), "float32"))
    with pytest.raises(ValueError, match=r"negative|smaller"):
        L.Conv2D(2, 5)(np.ones((1, 3, 8, 2), "float32"))
    layer = L.Conv2D(2, 3, name="c2")
    layer(np.ones((1, 5, 5, 3), "float32"))
    with pytest.raises(ValueError, match=r'"c2".*axis -1.*value 3'):
        layer(np.ones((1, 5, 5, 4), "float32"))
    with pytest.raises(ValueError, match=r"c2.*smaller than the \(dilated\) kernel"):
        layer(np.ones((1, 2, 5, 3), "float32"))
    with pytest.raises(ValueError, match="channel dimension"):
        L.Conv1D(2, 3).build((None, 5, None))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.usefixtures("_no_tf32")
def test_cuda_channels_last_matches_cpu():
    for case, want in CONV_CASES:
        layer, x, _ = run_case(case)
        layer.cuda()
        y = layer(torch.as_tensor(x).cuda()).detach().cpu().numpy()
        np.testing.assert_allclose(y, want, atol=1e-4, rtol=1e-4, err_msg=case["name"])
        for spec in layer._weight_specs:
            t = spec.tensor
            if t.dim() == 4 and layer.data_format == "channels_last":
                assert t.is_contiguous(memory_format=torch.channels_last), case["name"]


def test_fixture_metadata_names_keras_version():
    with open(os.path.join(FIXTURES, "..", "keras_conv_cases.json")) as f:
        meta = json.load(f)
    assert meta["keras"].startswith("3.")


def test_regularizers_see_the_keras_layout_kernel():
    layer = L.Conv2D(2, 3, kernel_regularizer="l2", bias_regularizer="l1",
                     bias_initializer="ones")
    layer(np.ones((1, 5, 5, 3), "float32"))
    k, b = layer.get_weights()
    got = sorted(float(v.detach()) for v in layer.losses)
    np.testing.assert_allclose(got, sorted([0.01 * float((k ** 2).sum()),
                                            0.01 * float(np.abs(b).sum())]), rtol=1e-6)


def test_dtype_float64_layer():
    layer = L.Conv1D(2, 3, padding="same", dtype="float64")
    y = layer(np.ones((1, 5, 2), "float32"))
    assert y.dtype == torch.float64 and layer.get_weights()[0].dtype == np.float64
