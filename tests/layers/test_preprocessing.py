"""Preprocessing layers against real Keras 3 (TF backend): Rescaling, Normalization (adapt),
Resizing (every supported interpolation, crop/pad to aspect ratio), CenterCrop, and the
random augmentations with one-value factor ranges (deterministic) for every fill mode and
interpolation."""
import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras.backend import config as kconfig
from layer_harness import run_layer_test

from _refs import close, configs, np_, ref

L = keras.layers
IMG_TOL = dict(atol=2e-4, rtol=1e-5)  # pixel values are 0..255 (float32 ulp there ~1.5e-5)


@pytest.fixture(scope="module")
def r():
    return ref("preprocessing", "k3")


def test_harness():
    run_layer_test(L.Rescaling, {"scale": 0.5, "offset": 1.0}, (2, 3), (2, 3))
    run_layer_test(L.Normalization, {"mean": [1.0, 2.0, 3.0], "variance": [1.0, 2.0, 3.0]},
                   (2, 3), (2, 3), expected_num_trainable_weights=0)
    run_layer_test(L.Resizing, {"height": 4, "width": 2}, (2, 5, 6, 3), (2, 4, 2, 3))
    run_layer_test(L.CenterCrop, {"height": 2, "width": 3}, (2, 5, 6, 3), (2, 2, 3, 3))
    for cls, kw in ((L.RandomFlip, {}), (L.RandomRotation, {"factor": 0.2}),
                    (L.RandomZoom, {"height_factor": 0.2}),
                    (L.RandomTranslation, {"height_factor": 0.1, "width_factor": 0.1}),
                    (L.RandomContrast, {"factor": 0.2})):
        run_layer_test(cls, kw, (2, 5, 6, 3), (2, 5, 6, 3), deterministic=True)


def test_rescaling(r):
    img = r["img"]
    close(L.Rescaling(1 / 127.5, offset=-1)(img), r["rescale.y"], atol=1e-6)
    close(L.Rescaling([0.5, 2.0], offset=[1.0, -1.0])(img), r["rescale_ch.y"], atol=1e-5)
    y = L.Rescaling(1 / 255)(img.astype(np.uint8))
    assert y.dtype == torch.float32
    cfg = configs()["rescale"]
    assert L.Rescaling.from_config(cfg).get_config()["scale"] == pytest.approx(cfg["scale"])


@pytest.mark.parametrize("tag,kwargs", [("norm_last", {}), ("norm_none", {"axis": None}),
                                        ("norm_12", {"axis": (1, 2)}), ("norm_1", {"axis": 1})])
def test_normalization_adapt(r, tag, kwargs):
    data = r["norm.data"]
    layer = L.Normalization(**kwargs)
    layer.adapt(data)
    close(layer(data[:2]), r[f"{tag}.y"], atol=1e-5)
    got = layer.get_weights()
    assert [w.shape for w in got] == [r[f"{tag}.w{i}"].shape for i in range(3)]
    close(got[0], r[f"{tag}.w0"], atol=1e-5)
    close(got[1], r[f"{tag}.w1"], atol=1e-4, rtol=1e-5)
    assert [w.name for w in layer.weights] == ["mean", "variance", "count"]
    assert not layer.trainable_weights
    cfg = configs()[tag]
    again = L.Normalization.from_config(cfg).get_config()
    assert list(np.atleast_1d(again["axis"])) == list(np.atleast_1d(cfg["axis"]))


def test_normalization_adapt_batches_tensor_and_loader(r):
    data = r["norm.data"]
    for source in ([data[:3], data[3:7], data[7:]], torch.as_tensor(data),
                   torch.utils.data.DataLoader(torch.utils.data.TensorDataset(
                       torch.as_tensor(data), torch.zeros(10)), batch_size=4)):
        layer = L.Normalization()
        layer.adapt(source)
        close(layer(data[:2]), r["norm_batches.y"], atol=1e-5)


def test_normalization_given_and_invert(r):
    data = r["norm.data"]
    kw = dict(mean=[1.0, 2.0, 3.0, 4.0], variance=[1.0, 4.0, 0.25, 2.0])
    layer = L.Normalization(**kw)
    close(layer(data[:2]), r["norm_given.y"], atol=1e-6)
    assert layer.get_weights() == []
    close(L.Normalization(invert=True, **kw)(data[:2]), r["norm_invert.y"], atol=1e-6)
    cfg = configs()["norm_given"]
    assert L.Normalization.from_config(cfg).get_config()["mean"] == cfg["mean"]


def test_normalization_count_by_era(r):
    data = r["norm.data"]
    layer = L.Normalization()
    layer.adapt(data)
    assert layer.get_weights()[2] == 0  # Keras 3 never fills `count`
    with kconfig.era_scope(2):
        layer = L.Normalization()
    layer.adapt(data)
    assert layer.get_weights()[2] == 30  # tf.keras: number of reduced samples


def test_normalization_errors():
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        L.Normalization(mean=[1.0])
    with pytest.raises(ValueError, match="same shape"):
        L.Normalization(mean=[1.0, 2.0], variance=[1.0])
    layer = L.Normalization()
    layer.adapt(np.zeros((4, 3), "float32"))
    with pytest.raises(ValueError, match="incompatible shape"):
        layer.adapt(np.zeros((4, 5), "float32"))
    with pytest.raises(ValueError, match="empty"):
        L.Normalization().adapt([])


RESIZE_CASES = [("rs_bilinear_down", dict(height=4, width=5)),
                ("rs_nearest_down", dict(height=4, width=5, interpolation="nearest")),
                ("rs_bicubic_down", dict(height=4, width=5, interpolation="bicubic")),
                ("rs_area_down", dict(height=4, width=5, interpolation="area")),
                ("rs_area_half", dict(height=3, width=7, interpolation="area")),
                ("rs_bilinear_up", dict(height=9, width=11)),
                ("rs_nearest_up", dict(height=9, width=11, interpolation="nearest")),
                ("rs_bicubic_up", dict(height=9, width=11, interpolation="bicubic")),
                ("rs_crop", dict(height=4, width=3, crop_to_aspect_ratio=True)),
                ("rs_pad", dict(height=4, width=3, pad_to_aspect_ratio=True, fill_value=7.0)),
                ("rs_pad_w", dict(height=3, width=8, pad_to_aspect_ratio=True)),
                ("rs_antialias", dict(height=3, width=4, antialias=True))]


@pytest.mark.parametrize("tag,kwargs", RESIZE_CASES)
def test_resizing(r, tag, kwargs):
    layer = L.Resizing(**kwargs)
    close(layer(r["img"]), r[f"{tag}.y"], **IMG_TOL)
    cfg = configs()[tag]
    assert L.Resizing.from_config(cfg).get_config() == {**layer.get_config(),
                                                        "name": cfg.get("name", layer.name)} \
        or all(layer.get_config()[k] == v for k, v in cfg.items())
    inp = keras.Input((6, 7, 2))
    assert layer(inp).shape == (None,) + r[f"{tag}.y"].shape[1:]


def test_resizing_integer_images_and_channels_first(r):
    y = L.Resizing(4, 5)(r["img"].astype(np.uint8))
    assert y.dtype == torch.uint8
    np.testing.assert_array_equal(np_(y), r["rs_uint8.y"])
    cf = L.Resizing(4, 5, data_format="channels_first")(np.transpose(r["img"], (0, 3, 1, 2)))
    close(cf.permute(0, 2, 3, 1), r["rs_bilinear_down.y"], **IMG_TOL)
    with pytest.raises(ValueError, match="lanczos3"):
        L.Resizing(2, 2, interpolation="lanczos3")


def test_center_crop(r):
    close(L.CenterCrop(4, 3)(r["img"]), r["cc_small.y"], atol=0)
    close(L.CenterCrop(8, 9)(r["img"]), r["cc_big.y"], **IMG_TOL)  # smaller input: resized
    close(L.CenterCrop(3, 4)(r["img"][0]), r["cc_unbatched.y"], atol=0)
    assert L.CenterCrop.from_config(configs()["cc"]).get_config()["height"] == 4


FILLS = ("reflect", "wrap", "nearest", "constant")
INTERPS = ("bilinear", "nearest")


@pytest.mark.parametrize("fill", FILLS)
@pytest.mark.parametrize("interp", INTERPS)
def test_affine_augmentations_match_keras(r, fill, interp):
    img = r["img"]
    kw = dict(fill_mode=fill, interpolation=interp, fill_value=3.0)
    close(L.RandomRotation((0.1, 0.1), **kw)(img, training=True), r[f"rot_{fill}_{interp}.y"],
          **IMG_TOL)
    close(L.RandomZoom((0.4, 0.4), (-0.3, -0.3), **kw)(img, training=True),
          r[f"zoom_{fill}_{interp}.y"], **IMG_TOL)
    close(L.RandomZoom((-0.5, -0.5), **kw)(img, training=True), r[f"zoomin_{fill}_{interp}.y"],
          **IMG_TOL)
    close(L.RandomTranslation((0.3, 0.3), (-0.35, -0.35), **kw)(img, training=True),
          r[f"trans_{fill}_{interp}.y"], **IMG_TOL)
    close(L.RandomTranslation((-0.9, -0.9), (0.8, 0.8), **kw)(img, training=True),
          r[f"transbig_{fill}_{interp}.y"], **IMG_TOL)


def test_random_layers_are_identity_in_inference(r):
    img = r["img"]
    close(L.RandomRotation(0.2)(img, training=False), r["rot_infer.y"], atol=0)
    for layer in (L.RandomFlip(), L.RandomRotation(0.2), L.RandomZoom(0.3),
                  L.RandomTranslation(0.2, 0.2), L.RandomContrast(0.3)):
        np.testing.assert_array_equal(np_(layer(img)), img)
        model = keras.Sequential([keras.Input((6, 7, 2)), layer])
        np.testing.assert_array_equal(model.predict(img, verbose=0), img)


def test_random_contrast(r):
    img = r["img"]
    close(L.RandomContrast((-0.5, 0.5))(img, training=True), r["contrast.y"], **IMG_TOL)
    close(L.RandomContrast((-0.5, 0.5), value_range=(0, 1))(img / 255.0, training=True),
          r["contrast_vr.y"], atol=1e-6)
    cfg = configs()["RandomContrast"]  # Keras 3: factor 0.1 -> (0, 0.1)
    assert list(L.RandomContrast(0.1).get_config()["factor"]) == cfg["factor"]


def test_random_flip_semantics():
    x = torch.arange(2 * 3 * 4, dtype=torch.float32).reshape(1, 3, 4, 2).repeat(64, 1, 1, 1)
    y = L.RandomFlip("horizontal", seed=1)(x, training=True)
    flipped = (y == x.flip(2)).flatten(1).all(1)
    same = (y == x).flatten(1).all(1)
    assert bool((flipped | same).all()) and 0 < int(flipped.sum()) < 64
    y = L.RandomFlip(seed=2)(x, training=True)  # Keras 3: both flips together or none
    both = (y == x.flip(1).flip(2)).flatten(1).all(1)
    assert bool((both | (y == x).flatten(1).all(1)).all())


def test_random_layers_seeded_and_in_training_change(r):
    img = torch.as_tensor(r["img"])
    a = L.RandomRotation(0.3, seed=5)(img, training=True)
    b = L.RandomRotation(0.3, seed=5)(img, training=True)
    np.testing.assert_array_equal(np_(a), np_(b))
    assert not torch.equal(a, img)


def test_configs_round_trip():
    for name in ("RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
                 "RandomContrast", "Resizing"):
        cfg = configs()[name]
        out = getattr(L, name).from_config(cfg).get_config()
        for k, v in cfg.items():
            got = list(out[k]) if isinstance(out[k], tuple) else out[k]
            assert got == v, (name, k, got, v)


def test_bad_arguments():
    with pytest.raises(NotImplementedError, match="fill_mode"):
        L.RandomRotation(0.1, fill_mode="mirror")
    with pytest.raises(NotImplementedError, match="interpolation"):
        L.RandomZoom(0.1, interpolation="bicubic")
    with pytest.raises(ValueError, match="factor"):
        L.RandomZoom(-1.5)
    with pytest.raises(ValueError, match="mode"):
        L.RandomFlip("diagonal")
    with pytest.raises(ValueError, match="rank 3"):
        L.CenterCrop(2, 2, name="cc")(np.zeros((2, 3), "float32"))
    with pytest.raises(ValueError, match="height"):
        L.Resizing(0, 2)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_keras(r):
    img = torch.as_tensor(r["img"], device="cuda")
    for tag, kwargs in RESIZE_CASES:
        close(L.Resizing(**kwargs)(img).cpu(), r[f"{tag}.y"], **IMG_TOL)
    for fill in FILLS:
        for interp in INTERPS:
            kw = dict(fill_mode=fill, interpolation=interp, fill_value=3.0)
            close(L.RandomRotation((0.1, 0.1), **kw)(img, training=True).cpu(),
                  r[f"rot_{fill}_{interp}.y"], **IMG_TOL)
            close(L.RandomTranslation((0.3, 0.3), (-0.35, -0.35), **kw)(img, training=True).cpu(),
                  r[f"trans_{fill}_{interp}.y"], **IMG_TOL)
    data = torch.as_tensor(r["norm.data"], device="cuda")
    layer = L.Normalization()
    layer.adapt(data)
    close(layer(data[:2]).cpu(), r["norm_last.y"], atol=1e-5)
    close(L.RandomContrast((-0.5, 0.5))(img, training=True).cpu(), r["contrast.y"], **IMG_TOL)
