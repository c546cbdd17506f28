"""Merging layers against real Keras: values, broadcasting, Dot axes, masks of both eras."""
import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras.backend import config as kconfig
from layer_harness import run_layer_test

from _refs import close, configs, np_, ref

L = keras.layers
ELEMWISE = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")


@pytest.mark.parametrize("name", ELEMWISE)
def test_harness(name):
    run_layer_test(getattr(L, name), {}, [(2, 3, 4), (2, 3, 4)], (2, 3, 4),
                   expected_num_trainable_weights=0)


def test_concat_dot_harness():
    run_layer_test(L.Concatenate, {"axis": 1}, [(2, 3, 4), (2, 5, 4)], (2, 8, 4))
    run_layer_test(L.Dot, {"axes": (2, 2)}, [(2, 3, 4), (2, 5, 4)], (2, 3, 5))
    run_layer_test(L.Dot, {"axes": 1}, [(2, 3), (2, 3)], (2, 1))


@pytest.mark.parametrize("lib", ["k3", "k2"])
@pytest.mark.parametrize("name", ELEMWISE)
def test_elementwise_reference(lib, name):
    r = ref("merging", lib)
    a, b, c, d = r["a"], r["b"], r["c"], r["d"]
    cls = getattr(L, name)
    close(cls()([a, b]), r[f"{name}.ab"], atol=1e-6)
    close(cls()([a, c]), r[f"{name}.ac"], atol=1e-6)  # broadcast (2,3,4) with (2,1,4)
    close(cls()([a, d]), r[f"{name}.ad"], atol=1e-6)  # rank 2 gets an axis after the batch
    if name != "Subtract":
        close(cls()([a, b, c]), r[f"{name}.abc"], atol=1e-6)


def test_functional_forms_and_symbolic_shapes():
    r = ref("merging", "k3")
    a, b = r["a"], r["b"]
    for fn, name in ((L.add, "Add"), (L.subtract, "Subtract"), (L.multiply, "Multiply"),
                     (L.average, "Average"), (L.maximum, "Maximum"), (L.minimum, "Minimum")):
        close(fn([a, b]), r[f"{name}.ab"], atol=1e-6)
    close(L.concatenate([a, b], axis=1), r["Concatenate.ab_1"])
    i1, i2 = keras.Input((3, 4)), keras.Input((1, 4))
    assert L.add([i1, i2]).shape == (None, 3, 4)
    assert L.concatenate([i1, i1], axis=1).shape == (None, 6, 4)
    assert L.dot([i1, i1], axes=2).shape == (None, 3, 3)
    model = keras.Model([i1, i2], L.multiply([i1, i2]))
    close(model([a, r["c"]]), r["Multiply.ac"], atol=1e-6)


@pytest.mark.parametrize("lib", ["k3", "k2"])
def test_concatenate_reference(lib):
    r = ref("merging", lib)
    close(L.Concatenate(axis=1)([r["a"], r["b"]]), r["Concatenate.ab_1"])
    close(L.Concatenate()([r["a"], r["b"]]), r["Concatenate.ab_-1"])


@pytest.mark.parametrize("lib", ["k3", "k2"])
@pytest.mark.parametrize("i", range(7))
def test_dot_reference(lib, i):
    r = ref("merging", lib)
    spec = configs(lib)["dots"][f"dot{i}"]
    axes = spec["axes"]
    x1, x2 = r[f"dot{i}.x1"], r[f"dot{i}.x2"]
    for norm in (0, 1):
        want = r[f"dot{i}.{norm}"]
        if want.dtype.kind in "US":  # Keras rejected these shapes
            with pytest.raises(ValueError):
                L.Dot(axes=axes, normalize=bool(norm))([x1, x2])
            continue
        layer = L.Dot(axes=axes, normalize=bool(norm))
        y = layer([x1, x2])
        close(y, want, atol=1e-5)
        inp = [keras.Input(x1.shape[1:]), keras.Input(x2.shape[1:])]
        assert L.Dot(axes=axes)(inp).shape[1:] == tuple(y.shape[1:])


@pytest.mark.parametrize("lib", ["k3", "k2"])
@pytest.mark.parametrize("name", ["Add", "Multiply", "Maximum", "Minimum", "Average",
                                  "Concatenate"])
def test_compute_mask_by_era(lib, name):
    r = ref("merging", lib)
    with kconfig.era_scope(3 if lib == "k3" else 2):
        layer = getattr(L, name)()
    a, b = torch.as_tensor(r["a"]), torch.as_tensor(r["b"])
    ma, mb = torch.as_tensor(r["ma"]), torch.as_tensor(r["mb"])
    np.testing.assert_array_equal(np_(layer.compute_mask([a, b], [ma, mb])), r[f"{name}.mask_ab"])
    got = layer.compute_mask([a, b], [ma, None])
    want = r[f"{name}.mask_aN"]
    if want.shape == () and want == -1:
        assert got is None
    else:
        np.testing.assert_array_equal(np_(got), want)


@pytest.mark.parametrize("name", ["Multiply", "Maximum", "Minimum", "Add"])
def test_masked_inputs_keras3(name):
    """Keras 3 Multiply / Maximum / Minimum skip masked entries of their inputs."""
    r = ref("merging", "k3")
    a, b = torch.as_tensor(r["a"]), torch.as_tensor(r["b"])
    a._keras_mask = torch.as_tensor(r["ma"])
    b._keras_mask = torch.as_tensor(r["mb"])
    y = getattr(L, name)()([a, b])
    close(y, r[f"{name}.masked_y"], atol=1e-6)
    a2, b2 = torch.as_tensor(r["a"]), torch.as_tensor(r["b"])
    a2._keras_mask = torch.as_tensor(r["ma"])
    close(getattr(L, name)()([a2, b2]), r[f"{name}.masked1_y"], atol=1e-6)


def test_mask_propagates_through_model():
    inp = keras.Input((4,), dtype="int64")
    e = L.Embedding(10, 3, mask_zero=True)(inp)
    out = L.Add()([e, e])
    model = keras.Model(inp, out)
    y = model(np.array([[1, 0, 2, 0]]))
    np.testing.assert_array_equal(np_(y._keras_mask), [[True, False, True, False]])


def test_configs_round_trip():
    for lib in ("k3", "k2"):
        for key, cls in (("Concatenate", L.Concatenate), ("Dot", L.Dot)):
            cfg = configs(lib)[key]
            out = cls.from_config(cfg).get_config()
            for k, v in cfg.items():
                assert out[k] == v, (lib, key, k)


def test_errors():
    a = np.zeros((2, 3, 4), "float32")
    with pytest.raises(ValueError, match="incompatible shapes"):
        L.Add(name="m")([a, np.zeros((2, 3, 5), "float32")])
    with pytest.raises(ValueError, match="different batch sizes"):
        L.Add()([a, np.zeros((3, 3, 4), "float32")])
    with pytest.raises(ValueError, match="list of inputs"):
        L.Add()(a)
    with pytest.raises(ValueError, match="exactly 2"):
        L.Subtract()([a, a, a])
    with pytest.raises(ValueError, match="matching shapes"):
        L.Concatenate(axis=1)([a, np.zeros((2, 3, 5), "float32")])
    with pytest.raises(ValueError, match="Incompatible input shapes"):
        L.Dot(axes=2)([a, np.zeros((2, 3, 5), "float32")])
    with pytest.raises(ValueError, match="two"):
        L.Dot(axes=(1, 2, 3))
    with pytest.raises(TypeError, match="axes"):
        L.Dot(axes="x")
    with pytest.raises(ValueError, match="incompatible shapes"):
        L.Add()([keras.Input((3, 4)), keras.Input((3, 5))])


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu():
    r = ref("merging", "k3")
    a, b = torch.as_tensor(r["a"], device="cuda"), torch.as_tensor(r["b"], device="cuda")
    for name in ELEMWISE:
        close(getattr(L, name)()([a, b]).cpu(), r[f"{name}.ab"], atol=1e-5)
    close(L.Concatenate(axis=1)([a, b]).cpu(), r["Concatenate.ab_1"])
    x1 = torch.as_tensor(r["dot1.x1"], device="cuda")
    x2 = torch.as_tensor(r["dot1.x2"], device="cuda")
    close(L.Dot(axes=2, normalize=True)([x1, x2]).cpu(), r["dot1.1"], atol=1e-5)
    e = L.Embedding(7, 3, mask_zero=True)
    y = e(torch.tensor([[1, 0, 2]], device="cuda"))
    assert y.device.type == "cuda" and y._keras_mask.device.type == "cuda"
