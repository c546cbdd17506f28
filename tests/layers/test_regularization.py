"""Noise / spatial-dropout layers: the training-oracle facts (identity in inference and in
predict, active in training, kept values scaled by 1/(1-rate)), statistics, configs."""
import numpy as np
import pytest
import torch

import torchkeras as keras
from layer_harness import run_layer_test

from _refs import configs, np_

L = keras.layers
STOCHASTIC = [("SpatialDropout1D", {"rate": 0.3}, (4, 5, 6)),
              ("SpatialDropout2D", {"rate": 0.3}, (4, 3, 5, 6)),
              ("SpatialDropout3D", {"rate": 0.3}, (2, 3, 3, 4, 6)),
              ("GaussianNoise", {"stddev": 0.5}, (4, 6)),
              ("GaussianDropout", {"rate": 0.3}, (4, 6)),
              ("AlphaDropout", {"rate": 0.3}, (4, 6))]


@pytest.mark.parametrize("name,kwargs,shape", STOCHASTIC)
def test_oracle_facts(name, kwargs, shape):
    """Same checks as shared/training_oracle stochastic_* (check_training.run_stochastic)."""
    x = np.random.default_rng(0).normal(size=shape).astype("float32") + 2.0
    layer = getattr(L, name)(**kwargs)
    np.testing.assert_array_equal(np_(layer(x, training=False)), x)
    np.testing.assert_array_equal(np_(layer(x)), x)
    model = keras.Sequential([keras.Input(shape[1:]), getattr(L, name)(**kwargs)])
    np.testing.assert_allclose(model.predict(x, verbose=0), x, atol=1e-7)
    y = np_(layer(x, training=True))
    assert not np.array_equal(y, x)
    if name.startswith("Spatial"):
        keep = y != 0
        np.testing.assert_allclose(y[keep], x[keep] / 0.7, rtol=1e-5)


@pytest.mark.parametrize("name,kwargs,shape", STOCHASTIC)
def test_harness(name, kwargs, shape):
    run_layer_test(getattr(L, name), kwargs, shape, shape, expected_num_trainable_weights=0,
                   deterministic=False)


def test_spatial_dropout_drops_whole_maps():
    x = torch.ones(64, 5, 5, 8)
    y = L.SpatialDropout2D(0.5)(x, training=True)
    per_map = y.amax(dim=(1, 2)) == y.amin(dim=(1, 2))
    assert bool(per_map.all())
    yc = L.SpatialDropout2D(0.5, data_format="channels_first")(x, training=True)
    assert bool((yc.amax(dim=(2, 3)) == yc.amin(dim=(2, 3))).all())
    y1 = L.SpatialDropout1D(0.5)(torch.ones(64, 7, 8), training=True)
    assert bool((y1.amax(dim=1) == y1.amin(dim=1)).all())


def test_noise_statistics():
    torch.manual_seed(0)
    x = torch.full((200_000,), 2.0)
    y = L.GaussianNoise(0.5)(x, training=True) - x
    assert abs(float(y.mean())) < 0.01 and abs(float(y.std()) - 0.5) < 0.01
    y = L.GaussianDropout(0.2)(x, training=True) / 2.0
    assert abs(float(y.mean()) - 1) < 0.01 and abs(float(y.std()) - 0.5) < 0.01
    z = torch.randn(400_000)
    y = L.AlphaDropout(0.2)(z, training=True)  # keeps zero mean / unit variance
    assert abs(float(y.mean())) < 0.01 and abs(float(y.std()) - 1) < 0.01
    y = L.AlphaDropout(0.2, seed=3)(z, training=True)
    assert abs(float(y.mean())) < 0.01 and abs(float(y.std()) - 1) < 0.01


def test_seeded_layers_are_reproducible():
    x = torch.ones(4, 6)
    a = L.GaussianNoise(1.0, seed=7)(x, training=True)
    b = L.GaussianNoise(1.0, seed=7)(x, training=True)
    np.testing.assert_array_equal(np_(a), np_(b))
    ad = L.AlphaDropout(0.5, noise_shape=(None, 1), seed=1)(x, training=True)
    assert bool((ad.amax(dim=1) == ad.amin(dim=1)).all())


def test_configs():
    for lib in ("k3", "k2"):
        for name, _, _ in STOCHASTIC:
            cfg = configs(lib)[name]
            out = getattr(L, name).from_config(cfg).get_config()
            for k, v in cfg.items():
                if k == "noise_shape" and name.startswith("Spatial"):
                    continue  # derived from the input
                assert out[k] == v, (lib, name, k)


def test_bad_arguments():
    with pytest.raises(ValueError, match="rate"):
        L.SpatialDropout1D(1.5)
    with pytest.raises(ValueError, match="stddev"):
        L.GaussianNoise(-1)
    with pytest.raises(ValueError, match="rate"):
        L.GaussianDropout(-0.1)
    with pytest.raises(ValueError, match="rate"):
        L.AlphaDropout(2)
    with pytest.raises(ValueError, match="ndim=4"):
        L.SpatialDropout2D(0.2)(np.zeros((2, 3, 4), "float32"))
