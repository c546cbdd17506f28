"""torchkeras.initializers: Keras formulas (fans, scales, truncation), seeds, configs.

Statistics are checked against the formulas Keras uses (``keras.src.initializers``): fans
from the Keras weight layout, ``stddev = sqrt(scale / n) / 0.87962566103423978`` before
truncation at 2 stddev, ``limit = sqrt(3 * scale / n)``. Config dicts below are copied from
files real Keras wrote (/work/shared/keras_files: k22 = Keras 2.2.4, k2 = tf-keras 2.21,
k3 = Keras 3.15.1).
"""
import math

import numpy as np
import pytest
import torch

from torchkeras import initializers as I
from torchkeras.backend import config

TRUNC = 0.87962566103423978


def _std(t):
    return float(t.double().std())


# ------------------------------------------------------------------ fans
@pytest.mark.parametrize("shape,fans", [
    ((), (1, 1)), ((7,), (7, 7)), ((5, 3), (5, 3)), ((4, 5, 3), (20, 12)),
    ((3, 3, 16, 32), (144, 288)), ((2, 3, 3, 8, 4), (144, 72)),
])
def test_compute_fans_keras_layout(shape, fans):
    assert I.compute_fans(shape) == fans


# ------------------------------------------------------------------ variance scaling family
@pytest.mark.parametrize("name,scale,mode,dist", [
    ("glorot_normal", 1.0, "fan_avg", "truncated_normal"),
    ("glorot_uniform", 1.0, "fan_avg", "uniform"),
    ("he_normal", 2.0, "fan_in", "truncated_normal"),
    ("he_uniform", 2.0, "fan_in", "uniform"),
    ("lecun_normal", 1.0, "fan_in", "truncated_normal"),
    ("lecun_uniform", 1.0, "fan_in", "uniform"),
])
@pytest.mark.parametrize("shape", [(300, 200), (3, 3, 32, 64)])
def test_variance_scaling_presets(name, scale, mode, dist, shape):
    torch.manual_seed(0)
    w = I.get(name)(shape)
    assert tuple(w.shape) == shape and w.dtype == torch.float32
    fan_in, fan_out = I.compute_fans(shape)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    target_std = math.sqrt(scale / n)
    assert abs(_std(w) - target_std) / target_std < 0.03
    if dist == "uniform":
        limit = math.sqrt(3 * scale / n)
        assert float(w.abs().max()) <= limit * (1 + 1e-6)
        assert float(w.abs().max()) > 0.95 * limit
    else:
        bound = 2 * target_std / TRUNC  # cut at 2 stddev of the pre-truncation normal
        assert float(w.abs().max()) <= bound * (1 + 1e-6)
        assert float(w.abs().max()) > 0.95 * bound
    assert abs(float(w.double().mean())) < 0.05 * target_std


def test_glorot_normal_300x200_std():
    torch.manual_seed(1)
    w = I.GlorotNormal()((300, 200))
    assert abs(_std(w) - math.sqrt(2 / 500)) / math.sqrt(2 / 500) < 0.02


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
def test_variance_scaling_untruncated_and_modes(mode):
    torch.manual_seed(2)
    shape = (5, 5, 20, 40)
    w = I.VarianceScaling(scale=3.0, mode=mode, distribution="untruncated_normal")(shape)
    fi, fo = 500, 1000
    n = {"fan_in": fi, "fan_out": fo, "fan_avg": (fi + fo) / 2}[mode]
    assert abs(_std(w) - math.sqrt(3.0 / n)) / math.sqrt(3.0 / n) < 0.02
    assert float(w.abs().max()) > 3 * math.sqrt(3.0 / n)  # not truncated


def test_variance_scaling_normal_is_truncated_and_validation():
    vs = I.VarianceScaling(distribution="normal")  # Keras 2 name
    assert vs.distribution == "truncated_normal"
    with pytest.raises(ValueError, match="scale"):
        I.VarianceScaling(scale=0.0)
    with pytest.raises(ValueError, match="mode"):
        I.VarianceScaling(mode="fan_x")
    with pytest.raises(ValueError, match="distribution"):
        I.VarianceScaling(distribution="poisson")


def test_fan_floor_at_one():
    w = I.VarianceScaling(scale=1.0, mode="fan_in", distribution="uniform", seed=0)((0, 4))
    assert w.shape == (0, 4)
    w = I.VarianceScaling(1.0, "fan_in", "uniform", seed=0)(())
    assert float(w.abs()) <= math.sqrt(3.0)


# ------------------------------------------------------------------ simple random
def test_random_normal_uniform_truncated():
    torch.manual_seed(3)
    w = I.RandomNormal()((400, 400))
    assert abs(_std(w) - 0.05) < 0.001 and abs(float(w.mean())) < 0.001
    w = I.RandomNormal(mean=1.0, stddev=2.0)((400, 400))
    assert abs(_std(w) - 2.0) < 0.02 and abs(float(w.mean()) - 1.0) < 0.02
    w = I.RandomUniform()((400, 400))
    assert float(w.min()) >= -0.05 and float(w.max()) < 0.05 and float(w.max()) > 0.049
    w = I.RandomUniform(minval=2.0, maxval=3.0)((1000,))
    assert float(w.min()) >= 2.0 and float(w.max()) < 3.0
    w = I.TruncatedNormal(mean=0.5, stddev=0.1)((400, 400))
    assert float((w - 0.5).abs().max()) <= 0.2 + 1e-6
    assert abs(_std(w) - 0.1 * TRUNC) < 0.002  # std after truncation


# ------------------------------------------------------------------ orthogonal / identity
@pytest.mark.parametrize("shape", [(6, 6), (4, 9), (9, 4), (3, 3, 4, 8), (2, 3, 5)])
def test_orthogonal(shape):
    w = I.Orthogonal(gain=2.0, seed=5)(shape)
    assert tuple(w.shape) == shape
    flat = w.reshape(-1, shape[-1]).double() / 2.0
    rows, cols = flat.shape
    gram = flat @ flat.T if rows <= cols else flat.T @ flat
    torch.testing.assert_close(gram, torch.eye(min(rows, cols), dtype=torch.float64),
                               atol=1e-5, rtol=0)


def test_orthogonal_needs_rank_2():
    with pytest.raises(ValueError, match="two-dimensional"):
        I.Orthogonal()((5,))


def test_identity():
    torch.testing.assert_close(I.Identity()((3, 3)), torch.eye(3))
    torch.testing.assert_close(I.Identity(gain=0.5)((2, 3)), 0.5 * torch.eye(2, 3))
    with pytest.raises(ValueError, match="2D"):
        I.Identity()((2, 2, 2))


def test_constant_zeros_ones():
    assert I.Zeros()((2, 3)).eq(0).all() and I.Ones()((2, 3)).eq(1).all()
    assert I.get("zero")((2,)).eq(0).all() and I.get("one")((2,)).eq(1).all()
    c = I.Constant(0.25)((3, 2), dtype="float64")
    assert c.dtype == torch.float64 and c.eq(0.25).all()
    assert I.Constant(value=np.float32(2.0)).get_config() == {"value": 2.0}


# ------------------------------------------------------------------ seeds and dtypes
def test_seeds():
    a = I.GlorotUniform(seed=7)((20, 10))
    init = I.GlorotUniform(seed=7)
    torch.testing.assert_close(a, init((20, 10)))
    torch.testing.assert_close(init((20, 10)), init((20, 10)))  # same values every call
    assert not torch.equal(a, I.GlorotUniform(seed=8)((20, 10)))
    # unseeded: torch's global RNG decides
    torch.manual_seed(123)
    u1 = I.HeNormal()((20, 10))
    u2 = I.HeNormal()((20, 10))
    assert not torch.equal(u1, u2)
    torch.manual_seed(123)
    torch.testing.assert_close(I.HeNormal()((20, 10)), u1)
    # a torch.Generator advances between calls
    g = torch.Generator().manual_seed(0)
    init = I.RandomNormal(seed=g)
    assert not torch.equal(init((5,)), init((5,)))
    with pytest.raises(ValueError, match="seed"):
        I.RandomNormal(seed="abc")


@pytest.mark.parametrize("dtype,expected", [
    (None, torch.float32), ("float64", torch.float64), ("float16", torch.float16),
    (torch.bfloat16, torch.bfloat16), ("float32", torch.float32)])
def test_dtypes(dtype, expected):
    for name in ("glorot_uniform", "orthogonal", "truncated_normal", "zeros", "uniform"):
        assert I.get(name)((4, 4), dtype=dtype).dtype == expected


def test_floatx_default():
    old = config.floatx()
    try:
        config.set_floatx("float64")
        assert I.GlorotNormal()((3, 3)).dtype == torch.float64
    finally:
        config.set_floatx(old)


# ------------------------------------------------------------------ get / (de)serialize
ALIASES = {
    "glorot_uniform": I.GlorotUniform, "glorot_normal": I.GlorotNormal,
    "he_uniform": I.HeUniform, "he_normal": I.HeNormal, "lecun_uniform": I.LecunUniform,
    "lecun_normal": I.LecunNormal, "zeros": I.Zeros, "zero": I.Zeros, "ones": I.Ones,
    "one": I.Ones, "uniform": I.RandomUniform, "normal": I.RandomNormal,
    "random_uniform": I.RandomUniform, "random_normal": I.RandomNormal,
    "truncated_normal": I.TruncatedNormal, "identity": I.Identity, "orthogonal": I.Orthogonal,
    "Orthogonal": I.Orthogonal, "OrthogonalInitializer": I.Orthogonal,
    "IdentityInitializer": I.Identity, "variance_scaling": I.VarianceScaling,
    "constant": I.Constant, "GlorotUniform": I.GlorotUniform, "VarianceScaling": I.VarianceScaling,
}


@pytest.mark.parametrize("name,cls", sorted(ALIASES.items()))
def test_get_aliases(name, cls):
    obj = I.get(name)
    assert type(obj) is cls
    assert getattr(I, name) is cls


def test_get_misc():
    assert I.get(None) is None
    assert isinstance(I.get(I.HeNormal), I.HeNormal)
    inst = I.HeNormal(seed=1)
    assert I.get(inst) is inst

    def fn(shape, dtype=None):
        return torch.zeros(shape)

    assert I.get(fn) is fn
    with pytest.raises(ValueError, match="Unknown initializer: 'nope'"):
        I.get("nope")
    with pytest.raises(TypeError):
        I.get(5)


# configs written by real Keras (shared/keras_files)
K22_CONFIGS = [
    {"class_name": "VarianceScaling",
     "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": None}},
    {"class_name": "VarianceScaling",
     "config": {"scale": 2.0, "mode": "fan_in", "distribution": "normal", "seed": None}},
    {"class_name": "Zeros", "config": {}},
    {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": None}},
    {"class_name": "RandomUniform", "config": {"minval": -0.05, "maxval": 0.05, "seed": None}},
]
K3_CONFIGS = [
    {"module": "keras.initializers", "class_name": "GlorotUniform",
     "config": {"seed": None, "input_axes": None, "output_axes": None}, "registered_name": None},
    {"module": "keras.initializers", "class_name": "Orthogonal",
     "config": {"seed": None, "gain": 1.0}, "registered_name": None},
    {"module": "keras.initializers", "class_name": "RandomUniform",
     "config": {"seed": None, "minval": -0.05, "maxval": 0.05}, "registered_name": None},
    {"module": "keras.initializers", "class_name": "Ones", "config": {}, "registered_name": None},
]


@pytest.mark.parametrize("cfg", K22_CONFIGS + K3_CONFIGS)
def test_deserialize_real_keras_configs(cfg):
    obj = I.deserialize(cfg)
    assert type(obj).__name__ == cfg["class_name"]
    assert obj((4, 3)).shape == (4, 3)
    again = I.deserialize(I.serialize(obj))
    assert type(again) is type(obj) and again.get_config() == obj.get_config()


def test_deserialize_keras2_normal_means_truncated():
    obj = I.deserialize(K22_CONFIGS[1])
    assert obj.get_config() == {"scale": 2.0, "mode": "fan_in",
                                "distribution": "truncated_normal", "seed": None}


def test_serialize_format():
    assert I.serialize(I.GlorotUniform()) == {
        "module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": None},
        "registered_name": None}
    assert I.serialize(I.Orthogonal(gain=1.5, seed=3), use_legacy_format=True) == {
        "class_name": "Orthogonal", "config": {"gain": 1.5, "seed": 3}}


CONFIG_CASES = [
    I.Zeros(), I.Ones(), I.Constant(3.0), I.Identity(2.0), I.RandomNormal(0.1, 0.2, seed=1),
    I.RandomUniform(-1, 1, seed=2), I.TruncatedNormal(0.0, 1.0, seed=3),
    I.VarianceScaling(0.5, "fan_out", "untruncated_normal", seed=4), I.GlorotUniform(seed=5),
    I.GlorotNormal(), I.HeUniform(), I.HeNormal(), I.LecunUniform(), I.LecunNormal(),
    I.Orthogonal(1.2, seed=6),
]


@pytest.mark.parametrize("init", CONFIG_CASES, ids=lambda i: type(i).__name__)
def test_config_roundtrip(init):
    cfg = init.get_config()
    clone = type(init).from_config(cfg)
    assert clone.get_config() == cfg
    if getattr(init, "seed", None) is not None or not hasattr(init, "seed"):
        torch.testing.assert_close(clone((6, 5)), init((6, 5)))


def test_preset_from_config_ignores_tf1_keys():
    obj = I.GlorotUniform.from_config({"seed": 1, "dtype": "float32", "scale": 1.0,
                                       "mode": "fan_avg", "distribution": "uniform"})
    assert obj.get_config() == {"seed": 1}


def test_custom_initializer_via_custom_objects():
    class MyInit(I.Initializer):
        def __call__(self, shape, dtype=None):
            return torch.full(shape, 7.0)

    cfg = I.serialize(MyInit())
    assert cfg["registered_name"] == "MyInit"
    obj = I.deserialize(cfg, custom_objects={"MyInit": MyInit})
    assert obj((2,)).tolist() == [7.0, 7.0]
