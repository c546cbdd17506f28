"""keras.preprocessing.image: ImageDataGenerator, iterators and image file helpers.

References: Keras's documented behaviour and unit tests (keras-preprocessing ``image_test.py``),
and ``scipy.ndimage`` (which Keras calls) for the resampling fallback.
"""
import os

import numpy as np
import pytest

from torchkeras.preprocessing import _affine, image
from torchkeras.preprocessing.image import ImageDataGenerator

PIL = pytest.importorskip("PIL")


def _images(n=8, size=8, channels=3, seed=0):
    return np.random.RandomState(seed).randint(0, 256, (n, size, size, channels)).astype("float32")


# ---------------------------------------------------------------------------- transforms
def test_deterministic_transforms():
    g = ImageDataGenerator(rotation_range=90, fill_mode="constant")
    x = np.random.random((6, 6, 3))
    np.testing.assert_allclose(g.apply_transform(x, {"flip_vertical": True}), x[::-1, :, :])
    np.testing.assert_allclose(g.apply_transform(x, {"flip_horizontal": True}), x[:, ::-1, :])
    # theta=90 about the centre = np.rot90 (counter-clockwise), Keras's matrix + axis swap
    np.testing.assert_allclose(g.apply_transform(x, {"theta": 90}), np.rot90(x, 1, (0, 1)), atol=1e-6)
    # Keras 2's axis swap: the first shift ('tx', from height_shift_range) moves columns
    g = ImageDataGenerator(fill_mode="nearest")
    shifted = g.apply_transform(x, {"tx": 1})
    np.testing.assert_allclose(shifted[:, :-1], x[:, 1:], atol=1e-6)
    np.testing.assert_allclose(g.apply_transform(x, {"zx": 1, "zy": 1}), x)
    cs = g.apply_transform(x, {"channel_shift_intensity": 10.0})
    assert np.allclose(cs, np.clip(x + 10, x.min(), x.max()))


def test_random_transform_functions_keep_shape():
    x = np.random.random((2, 12, 12))
    assert image.random_rotation(x, 45).shape == (2, 12, 12)
    assert image.random_shift(x, 0.2, 0.2).shape == (2, 12, 12)
    assert image.random_shear(x, 20).shape == (2, 12, 12)
    assert image.random_zoom(x, (0.5, 0.5)).shape == (2, 12, 12)
    assert image.random_channel_shift(x, 20, channel_axis=0).shape == (2, 12, 12)
    with pytest.raises(ValueError):
        image.random_zoom(x, (0, 0, 0))
    with pytest.raises(ValueError):
        image.apply_affine_transform(x, theta=10, row_axis=0, col_axis=0)


@pytest.mark.parametrize("mode", ["constant", "nearest", "reflect", "wrap"])
@pytest.mark.parametrize("order", [0, 1])
def test_numpy_resampling_matches_scipy(mode, order):
    ndimage = pytest.importorskip("scipy.ndimage")
    rng = np.random.RandomState(1)
    for _ in range(40):
        h, w = rng.randint(1, 8, size=2)
        img = rng.rand(h, w).astype(np.float32)
        m, off = rng.randn(2, 2) * 1.5, rng.randn(2) * 5
        if rng.rand() < 0.3:
            m, off = np.round(m), np.round(off)
        ref = ndimage.affine_transform(img, m, off, order=order, mode=mode, cval=-2.0)
        got = _affine._numpy_affine(img, m, off, order, mode, -2.0)
        np.testing.assert_allclose(got, ref, atol=1e-6)


def test_get_random_transform_draw_order_and_int_shift():
    g = ImageDataGenerator(rotation_range=30, width_shift_range=3, height_shift_range=0.1,
                           shear_range=5, zoom_range=0.2, horizontal_flip=True,
                           channel_shift_range=4)
    p = g.get_random_transform((10, 20, 3), seed=42)
    np.random.seed(42)
    theta = np.random.uniform(-30, 30)
    tx = np.random.uniform(-0.1, 0.1) * 10           # float range: fraction of the height
    ty = np.random.choice(3) * np.random.choice([-1, 1])  # int range: integer pixels
    assert p["theta"] == theta and p["tx"] == tx and p["ty"] == ty
    assert ty in (-2, -1, 0, 1, 2) and 0.8 <= p["zx"] <= 1.2


# ---------------------------------------------------------------------------- generator
def test_flow_batches_shapes_labels_and_options():
    x, y = _images(10), np.arange(10)
    with pytest.warns(UserWarning, match="overrides"):
        g = ImageDataGenerator(featurewise_center=True, samplewise_center=True,
                               featurewise_std_normalization=True,
                               samplewise_std_normalization=True, zca_whitening=True,
                               rotation_range=90.0, width_shift_range=0.1,
                               height_shift_range=0.1, shear_range=0.5, zoom_range=0.2,
                               channel_shift_range=0.0, brightness_range=(1, 5),
                               fill_mode="nearest", cval=0.5, horizontal_flip=True,
                               vertical_flip=True)
    g.fit(x, augment=True, rounds=1, seed=1)
    it = g.flow(x, y, batch_size=4, shuffle=False, seed=1)
    bx, by = next(it)
    assert bx.shape == (4, 8, 8, 3) and bx.dtype == np.float32 and by.tolist() == [0, 1, 2, 3]
    assert len(it) == 3 and it[2][0].shape == (2, 8, 8, 3)
    sw = g.flow(x, y, sample_weight=np.ones(10), batch_size=5)[0]
    assert len(sw) == 3
    xm, ym = g.flow((x, np.arange(10) * 2), y, batch_size=3, shuffle=False)[0]
    assert isinstance(xm, list) and xm[1].tolist() == [0, 2, 4]
    assert g.flow(x, batch_size=4)[0].shape == (4, 8, 8, 3)


def test_flow_seed_is_reproducible_and_shuffles():
    x, y = _images(12), np.arange(12)
    g = ImageDataGenerator(rotation_range=20)
    a = g.flow(x, y, batch_size=4, shuffle=True, seed=3)[0]
    b = g.flow(x, y, batch_size=4, shuffle=True, seed=3)[0]
    np.testing.assert_array_equal(a[1], b[1])
    np.testing.assert_allclose(a[0], b[0])


def test_rescale_preprocessing_function_and_standardize():
    x = _images(6)
    g = ImageDataGenerator(rescale=1 / 255.0, preprocessing_function=lambda im: im + 255.0)
    bx = g.flow(x, shuffle=False, batch_size=6)[0]
    np.testing.assert_allclose(bx, (x + 255.0) / 255.0, rtol=1e-6)
    g = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True,
                           rescale=0.5)
    g.fit(x)
    assert g.mean.shape == (1, 1, 3) and g.std.shape == (1, 1, 3)
    np.testing.assert_allclose(g.mean.ravel(), (x * 0.5).mean(axis=(0, 1, 2)), rtol=1e-5)
    out = np.stack([g.standardize(im.copy()) for im in x])
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0, atol=1e-4)
    np.testing.assert_allclose(out.std(axis=(0, 1, 2)), 1, atol=1e-3)
    g = ImageDataGenerator(samplewise_center=True, samplewise_std_normalization=True)
    s = g.standardize(x[0].copy())
    assert abs(s.mean()) < 1e-4 and abs(s.std() - 1) < 1e-3
    with pytest.warns(UserWarning, match="hasn't been fit"):
        ImageDataGenerator(featurewise_center=True).standardize(x[0].copy())
    with pytest.raises(ValueError, match="rank 4"):
        g.fit(x[0])


def test_zca_whitening_decorrelates():
    x = np.random.RandomState(0).rand(40, 4, 4, 1).astype("float32")
    with pytest.warns(UserWarning, match="zca_whitening"):
        g = ImageDataGenerator(zca_whitening=True, zca_epsilon=1e-8)
    g.fit(x)
    w = np.stack([g.standardize(im.copy()) for im in x]).reshape(40, -1).astype(np.float64)
    # Keras's ZCA matrix makes the second moment of the (channel-centred) data the identity
    np.testing.assert_allclose(w.T @ w / 40, np.eye(16), atol=2e-3)


def test_validation_split_subsets():
    x = _images(16)
    g = ImageDataGenerator(validation_split=0.5)
    with pytest.raises(ValueError, match="different number of classes"):
        g.flow(x, np.repeat([0, 1], 8), shuffle=False, batch_size=10, subset="validation")
    labels = np.tile(np.repeat([0, 1], 4), 2)
    val = g.flow(x, labels, shuffle=False, batch_size=10, subset="validation")
    tr = g.flow(x, labels, shuffle=False, batch_size=10, subset="training")
    assert len(val) == 1 and len(tr) == 1 and val.n == 8 and tr.n == 8
    np.testing.assert_array_equal(val[0][0], x[:8])
    with pytest.raises(ValueError):
        g.flow(x, np.arange(16), subset="foo")
    with pytest.raises(ValueError, match="validation_split"):
        ImageDataGenerator(validation_split=1.5)


def test_channels_first():
    x = np.transpose(_images(4), (0, 3, 1, 2))
    g = ImageDataGenerator(rotation_range=10, data_format="channels_first", horizontal_flip=True)
    bx = g.flow(x, batch_size=4)[0]
    assert bx.shape == (4, 3, 8, 8)
    flipped = g.apply_transform(x[0], {"flip_horizontal": True})
    np.testing.assert_allclose(flipped, x[0][:, :, ::-1])


# ---------------------------------------------------------------------------- files
@pytest.fixture
def image_dir(tmp_path):
    rng = np.random.RandomState(0)
    filenames = []
    for cls in ("class-0", "class-1"):
        os.makedirs(tmp_path / cls / "sub")
        for i in range(10):
            arr = rng.randint(0, 256, (6, 7, 3)).astype("uint8")
            rel = os.path.join(cls, "sub" if i % 3 == 0 else "", f"img{i}.png")
            rel = os.path.normpath(rel)
            image.save_img(str(tmp_path / rel), arr, scale=False)
            filenames.append(rel)
    (tmp_path / "class-0" / "notes.txt").write_text("not an image")
    return tmp_path, filenames


def test_flow_from_directory(image_dir, capsys):
    root, filenames = image_dir
    g = ImageDataGenerator(rescale=1 / 255.0)
    it = g.flow_from_directory(str(root), target_size=(5, 4), batch_size=6, shuffle=False)
    assert "Found 20 images belonging to 2 classes." in capsys.readouterr().out
    assert it.class_indices == {"class-0": 0, "class-1": 1}
    assert sorted(it.filenames) == sorted(filenames) and len(it.filepaths) == 20
    bx, by = it[0]
    assert bx.shape == (6, 5, 4, 3) and by.shape == (6, 2) and bx.max() <= 1.0
    assert by[:, 0].tolist() == [1.0] * 6
    gray = g.flow_from_directory(str(root), target_size=(6, 7), color_mode="grayscale",
                                 class_mode="sparse", batch_size=20, shuffle=False)
    gx, gy = gray[0]
    assert gx.shape == (20, 6, 7, 1) and gy.tolist() == [0.0] * 10 + [1.0] * 10
    assert g.flow_from_directory(str(root), target_size=(6, 7), class_mode=None)[0].shape[1:] == (6, 7, 3)
    assert g.flow_from_directory(str(root), target_size=(6, 7), class_mode="binary",
                                 classes=["class-1"])[0][1].tolist() == [0.0] * 10
    with pytest.raises(ValueError):
        g.flow_from_directory(str(root), class_mode="bogus")
    with pytest.raises(ValueError):
        g.flow_from_directory(str(root), color_mode="cmyk")


@pytest.mark.parametrize("split,num_training", [(0.25, 16), (0.5, 10), (0.75, 6)])
def test_flow_from_directory_validation_split(image_dir, split, num_training):
    root, filenames = image_dir
    g = ImageDataGenerator(validation_split=split)
    with pytest.raises(ValueError):
        g.flow_from_directory(str(root), subset="foo")
    tr = g.flow_from_directory(str(root), subset="training", target_size=(6, 7))
    va = g.flow_from_directory(str(root), subset="validation", target_size=(6, 7))
    assert tr.samples == num_training and va.samples == 20 - num_training
    assert len(tr.class_indices) == 2 and len(tr.classes) == num_training
    assert not set(tr.filenames) & set(va.filenames)


def test_image_file_helpers(tmp_path):
    arr = np.random.RandomState(0).randint(0, 256, (5, 6, 3)).astype("float32")
    p = tmp_path / "a.png"
    image.save_img(str(p), arr, scale=False)
    img = image.load_img(str(p))
    assert img.size == (6, 5)
    back = image.img_to_array(img)
    np.testing.assert_array_equal(back, arr)
    assert image.img_to_array(img, data_format="channels_first").shape == (3, 5, 6)
    assert image.img_to_array(image.load_img(str(p), color_mode="grayscale")).shape == (5, 6, 1)
    assert image.img_to_array(image.load_img(str(p), color_mode="rgba")).shape == (5, 6, 4)
    assert image.load_img(str(p), target_size=(2, 3)).size == (3, 2)
    assert image.load_img(p, target_size=(4, 4), keep_aspect_ratio=True,
                          interpolation="bilinear").size == (4, 4)
    with pytest.raises(ValueError, match="Invalid interpolation"):
        image.load_img(str(p), target_size=(2, 2), interpolation="magic")
    scaled = image.img_to_array(image.array_to_img(np.array([[[0.0], [0.5]], [[1.0], [0.25]]])))
    assert scaled.ravel().tolist() == [0, 127, 255, 63]
    with pytest.raises(ValueError, match="rank 3"):
        image.array_to_img(np.zeros((2, 2)))
    with pytest.raises(TypeError):
        image.load_img(123)
    j = tmp_path / "b.jpg"
    with pytest.warns(UserWarning, match="RGBA"):
        image.save_img(str(j), np.zeros((4, 4, 4)), file_format="jpg")


def test_brightness_shift_uses_pil():
    x = np.full((4, 4, 3), 100.0)
    out = image.apply_brightness_shift(x, 2.0, scale=False)
    np.testing.assert_allclose(out, 200.0)


def test_pil_missing_gives_clear_import_error(monkeypatch):
    import builtins
    import sys
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "PIL" or name.startswith("PIL."):
            raise ImportError("no PIL")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    for mod in [m for m in sys.modules if m == "PIL" or m.startswith("PIL.")]:
        monkeypatch.delitem(sys.modules, mod)
    with pytest.raises(ImportError, match="Pillow"):
        image.array_to_img(np.zeros((2, 2, 3)))


def test_keras1_dim_ordering_spelling():
    with pytest.warns(DeprecationWarning):
        g = ImageDataGenerator(dim_ordering="th")
    assert g.data_format == "channels_first" and g.channel_axis == 1
    with pytest.raises(TypeError):
        ImageDataGenerator(bogus=True)
    img = image.array_to_img(np.zeros((4, 5, 3)))
    with pytest.warns(DeprecationWarning):
        assert image.img_to_array(img, dim_ordering="th").shape == (3, 4, 5)
