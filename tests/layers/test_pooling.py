"""Pooling layers against Keras 3.15 / TF 2.21 reference outputs ('same' max pads -inf,
'same' average counts real elements only, also with asymmetric padding), the layer harness,
masks, aliases and errors."""
import numpy as np
import pytest
import torch

import torchkeras as keras
from _keras_layer_cases import det, load_cases, run_case
from layer_harness import run_layer_test

L = keras.layers


@pytest.fixture
def _no_tf32():
    """Reference comparisons on CUDA in full float32 (cuDNN convs default to TF32)."""
    old = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    yield
    torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = old
POOL_CASES = load_cases("pooling")


@pytest.mark.parametrize("case,want", POOL_CASES, ids=[c["name"] for c, _ in POOL_CASES])
def test_matches_real_keras(case, want):
    layer, _, y = run_case(case)
    assert y.shape == want.shape
    np.testing.assert_allclose(y, want, atol=1e-5, rtol=1e-5)
    if "mask" not in case:
        shape = layer.compute_output_shape(tuple([None] + case["input_shape"][1:]))
        assert tuple(shape[1:]) == want.shape[1:]


@pytest.mark.parametrize("cls,kwargs,shape,out", [
    (L.MaxPooling1D, {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 7, 3), (2, 4, 3)),
    (L.MaxPooling2D, {}, (2, 5, 7, 3), (2, 2, 3, 3)),
    (L.MaxPooling2D, {"padding": "same", "data_format": "channels_first"}, (2, 3, 5, 7),
     (2, 3, 3, 4)),
    (L.MaxPooling3D, {"pool_size": 2, "padding": "same"}, (1, 3, 4, 5, 2), (1, 2, 2, 3, 2)),
    (L.AveragePooling1D, {"pool_size": 2}, (2, 7, 3), (2, 3, 3)),
    (L.AveragePooling2D, {"pool_size": 3, "strides": 1, "padding": "same"}, (2, 4, 5, 2),
     (2, 4, 5, 2)),
    (L.AveragePooling3D, {"pool_size": 2}, (1, 4, 4, 4, 2), (1, 2, 2, 2, 2)),
    (L.GlobalMaxPooling1D, {}, (2, 5, 3), (2, 3)),
    (L.GlobalAveragePooling1D, {"keepdims": True}, (2, 5, 3), (2, 1, 3)),
    (L.GlobalMaxPooling2D, {"data_format": "channels_first"}, (2, 3, 4, 5), (2, 3)),
    (L.GlobalAveragePooling2D, {}, (2, 4, 5, 3), (2, 3)),
    (L.GlobalMaxPooling3D, {"keepdims": True}, (1, 2, 3, 4, 2), (1, 1, 1, 1, 2)),
    (L.GlobalAveragePooling3D, {}, (1, 2, 3, 4, 2), (1, 2)),
])
def test_layer_harness(cls, kwargs, shape, out):
    run_layer_test(cls, kwargs, shape, out, expected_num_trainable_weights=0)


def test_defaults_and_config():
    cfg = L.MaxPooling2D().get_config()
    assert cfg["pool_size"] == (2, 2) and cfg["strides"] == (2, 2)
    assert cfg["padding"] == "valid" and cfg["data_format"] == "channels_last"
    cfg = L.AveragePooling1D(3, strides=1, padding="SAME").get_config()
    assert cfg["pool_size"] == (3,) and cfg["strides"] == (1,) and cfg["padding"] == "same"
    assert L.GlobalAveragePooling2D().get_config()["keepdims"] is False
    # Keras 3 configs round trip
    layer = L.MaxPooling1D.from_config({"name": "max_pooling1d", "trainable": True,
                                        "dtype": "float32", "pool_size": [2],
                                        "padding": "valid", "strides": [2],
                                        "data_format": "channels_last"})
    assert layer.pool_size == (2,)


def test_aliases():
    assert L.MaxPool2D is L.MaxPooling2D and L.AvgPool1D is L.AveragePooling1D
    assert L.MaxPool3D is L.MaxPooling3D and L.AvgPool3D is L.AveragePooling3D
    assert L.GlobalMaxPool2D is L.GlobalMaxPooling2D
    assert L.GlobalAvgPool2D is L.GlobalAveragePooling2D
    assert L.GlobalAvgPool1D is L.GlobalAveragePooling1D


def test_global_average_pooling1d_mask_from_previous_layer():
    x = np.array([[1, 2, 0, 0], [3, 0, 0, 0]], dtype="int64")
    emb = L.Embedding(5, 2, mask_zero=True) if hasattr(L, "Embedding") else None
    if emb is None:
        pytest.skip("Embedding not available")
    seq = emb(x)
    pooled = L.GlobalAveragePooling1D()(seq)
    e = emb.get_weights()[0]
    want = np.stack([(e[1] + e[2]) / 2, e[3]])
    np.testing.assert_allclose(pooled.detach().numpy(), want, atol=1e-6)
    assert getattr(pooled, "_keras_mask", None) is None


def test_global_average_pooling1d_bad_mask():
    with pytest.raises(ValueError, match=r"mask.*\(2, 5\)"):
        L.GlobalAveragePooling1D()(np.ones((2, 5, 3), "float32"),
                                   mask=torch.ones(2, 4, dtype=torch.bool))


def test_same_average_counts_only_real_elements():
    x = np.ones((1, 5, 1), "float32")
    y = L.AveragePooling1D(2, padding="same")(x).numpy()
    np.testing.assert_array_equal(y, np.ones((1, 3, 1), "float32"))
    x = -np.ones((1, 3, 3, 1), "float32")
    y = L.MaxPooling2D(2, padding="same")(x).numpy()
    np.testing.assert_array_equal(y, -np.ones((1, 2, 2, 1), "float32"))


def test_errors():
    with pytest.raises(ValueError, match="padding"):
        L.MaxPooling2D(padding="causal")
    with pytest.raises(ValueError, match="pool_size"):
        L.MaxPooling2D(pool_size=(2, 2, 2))
    with pytest.raises(ValueError, match="strides"):
        L.AveragePooling2D(2, strides=0)
    with pytest.raises(ValueError, match="data_format"):
        L.GlobalMaxPooling2D(data_format="NCHW")
    with pytest.raises(ValueError, match=r"negative.*max_pooling2d.*\(1, 1, 5, 2\)"):
        L.MaxPooling2D((2, 2))(np.ones((1, 1, 5, 2), "float32"))
    layer = L.MaxPooling1D(3, name="mp")
    layer(np.ones((1, 6, 2), "float32"))
    with pytest.raises(ValueError, match=r"negative.*'mp'"):
        layer(np.ones((1, 2, 2), "float32"))
    with pytest.raises(ValueError, match=r"ndim=4"):
        L.MaxPooling2D()(np.ones((2, 4, 4), "float32"))


def test_channels_last_output_is_contiguous_nhwc():
    x = torch.as_tensor(det((2, 7, 9, 4), 3))
    for layer in (L.MaxPooling2D(padding="same"), L.AveragePooling2D(3, 2, padding="same"),
                  L.MaxPooling1D(padding="same")):
        inp = x if layer.__class__.__name__.endswith("2D") else x[:, 0]
        assert layer(inp).is_contiguous()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.usefixtures("_no_tf32")
def test_cuda_matches_real_keras():
    for case, want in POOL_CASES:
        from _keras_layer_cases import build_case
        layer, x, call_kw = build_case(case)
        layer.cuda()
        if "mask" in call_kw:
            call_kw["mask"] = torch.as_tensor(call_kw["mask"]).cuda()
        y = layer(torch.as_tensor(x).cuda(), **call_kw).cpu().numpy()
        np.testing.assert_allclose(y, want, atol=1e-4, rtol=1e-4, err_msg=case["name"])
