"""UpSampling / ZeroPadding / Cropping against Keras 3.15 / TF 2.21 reference outputs (every
UpSampling2D interpolation, including tf-keras's 'gaussian' / 'mitchellcubic' from
``tf.image.resize``), the layer harness, configs and errors."""
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
RESHAPE_CASES = load_cases("reshaping")


@pytest.mark.parametrize("case,want", RESHAPE_CASES, ids=[c["name"] for c, _ in RESHAPE_CASES])
def test_matches_real_keras(case, want):
    layer, _, y = run_case(case)
    assert y.shape == want.shape
    np.testing.assert_allclose(y, want, atol=1e-5, rtol=1e-5)
    shape = layer.compute_output_shape(tuple([None] + case["input_shape"][1:]))
    assert tuple(shape[1:]) == want.shape[1:]


@pytest.mark.parametrize("cls,kwargs,shape,out", [
    (L.UpSampling1D, {"size": 3}, (2, 4, 3), (2, 12, 3)),
    (L.UpSampling2D, {"size": (2, 3), "interpolation": "bilinear"}, (2, 3, 4, 2),
     (2, 6, 12, 2)),
    (L.UpSampling2D, {"interpolation": "bicubic", "data_format": "channels_first"},
     (2, 2, 3, 4), (2, 2, 6, 8)),
    (L.UpSampling3D, {"size": 2}, (1, 2, 3, 2, 2), (1, 4, 6, 4, 2)),
    (L.ZeroPadding1D, {"padding": (1, 2)}, (2, 4, 3), (2, 7, 3)),
    (L.ZeroPadding2D, {"padding": ((1, 0), (2, 1))}, (2, 3, 4, 2), (2, 4, 7, 2)),
    (L.ZeroPadding3D, {"padding": 1, "data_format": "channels_first"}, (1, 2, 2, 3, 2),
     (1, 2, 4, 5, 4)),
    (L.Cropping1D, {"cropping": (1, 2)}, (2, 6, 3), (2, 3, 3)),
    (L.Cropping2D, {"cropping": ((1, 1), (2, 0))}, (2, 5, 6, 2), (2, 3, 4, 2)),
    (L.Cropping3D, {"cropping": 1}, (1, 4, 5, 3, 2), (1, 2, 3, 1, 2)),
])
def test_layer_harness(cls, kwargs, shape, out):
    run_layer_test(cls, kwargs, shape, out, expected_num_trainable_weights=0)


def test_configs():
    assert L.ZeroPadding2D(((1, 0), (2, 1))).get_config()["padding"] == ((1, 0), (2, 1))
    assert L.ZeroPadding2D(2).get_config()["padding"] == ((2, 2), (2, 2))
    assert L.ZeroPadding2D((1, 2)).get_config()["padding"] == ((1, 1), (2, 2))
    assert L.ZeroPadding1D(3).get_config()["padding"] == (3, 3)
    assert L.Cropping1D().get_config()["cropping"] == (1, 1)
    assert "data_format" not in L.Cropping1D().get_config()
    assert L.Cropping2D().get_config()["cropping"] == ((0, 0), (0, 0))
    up = L.UpSampling2D().get_config()
    assert up["size"] == (2, 2) and up["interpolation"] == "nearest"
    assert L.UpSampling1D().get_config()["size"] == 2
    # Keras 3 JSON spelling (lists) loads
    layer = L.ZeroPadding2D.from_config({"name": "zp", "padding": [[1, 0], [2, 1]],
                                         "data_format": "channels_last"})
    assert layer.padding == ((1, 0), (2, 1))


def test_no_copy_layouts():
    x = torch.as_tensor(det((2, 4, 5, 3), 1))
    assert L.ZeroPadding2D(1)(x).is_contiguous()
    assert L.UpSampling2D(interpolation="bilinear")(x).is_contiguous()
    assert L.UpSampling2D()(x).is_contiguous()
    y = L.Cropping2D(1)(x)
    assert y.data_ptr() != 0 and y._base is x  # a view, no copy


def test_errors():
    with pytest.raises(ValueError, match="interpolation"):
        L.UpSampling2D(interpolation="cubic")
    with pytest.raises(TypeError, match="size"):
        L.UpSampling1D(size=(2,))
    with pytest.raises(ValueError, match="padding"):
        L.ZeroPadding2D(((1, 2, 3), (1, 1)))
    with pytest.raises(ValueError, match="negative"):
        L.ZeroPadding1D(-1)
    with pytest.raises(ValueError, match=r"cropping.*smaller.*\(1, 3, 6, 2\)"):
        L.Cropping2D(((2, 1), (0, 0)))(np.ones((1, 3, 6, 2), "float32"))
    with pytest.raises(ValueError, match="ndim=4"):
        L.UpSampling2D()(np.ones((1, 3, 4), "float32"))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.usefixtures("_no_tf32")
def test_cuda_matches_real_keras():
    for case, want in RESHAPE_CASES:
        from _keras_layer_cases import build_case
        layer, x, call_kw = build_case(case)
        layer.cuda()
        if "mask" in call_kw:
            call_kw["mask"] = torch.as_tensor(call_kw["mask"]).cuda()
        y = layer(torch.as_tensor(x).cuda(), **call_kw).cpu().numpy()
        np.testing.assert_allclose(y, want, atol=1e-4, rtol=1e-4, err_msg=case["name"])
