"""torchkeras.activations against real Keras numbers.

Fixture: tests/fixtures/training_oracle/act_functions.{npz,json}, copied from the training
oracle (tf-keras 2.21 = k2, Keras 3.15.1 = k3): ``keras.activations.get(name)(x, **kwargs)`` on
x = linspace(-6, 6, 36) as (3, 12), plus activation-layer cases reproduced with the function
and the layer's defaults.
"""
import json
import os

import numpy as np
import pytest
import torch

from torchkeras import activations
from torchkeras.backend import config

FIX = os.path.join(os.path.dirname(__file__), "fixtures", "training_oracle")
with open(os.path.join(FIX, "act_functions.json")) as f:
    META = json.load(f)
DATA = np.load(os.path.join(FIX, "act_functions.npz"))
TOL = META["tolerance"]

CASES = [(name, lib) for name, spec in sorted(META["cases"].items()) for lib in spec["libs"]]


@pytest.mark.parametrize("name,lib", CASES, ids=[f"{n}-{l}" for n, l in CASES])
def test_matches_keras(name, lib):
    spec = META["cases"][name]
    with config.era_scope(2 if lib == "k2" else 3):
        fn = activations.get(spec["function"])
    x = torch.from_numpy(DATA["x"])
    y = fn(x, **spec["kwargs"])
    assert isinstance(y, torch.Tensor) and y.dtype == torch.float32
    np.testing.assert_allclose(y.numpy(), DATA[f"{name}.{lib}"], rtol=TOL["rtol"],
                               atol=TOL["atol"])


def test_numpy_input_gives_torch():
    x = DATA["x"]
    y = activations.get("relu")(x)
    assert isinstance(y, torch.Tensor) and y.dtype == torch.float32
    np.testing.assert_allclose(y.numpy(), DATA["act_relu.k3"], rtol=1e-6)
    y64 = activations.tanh(x.astype(np.float64))
    assert y64.dtype == torch.float64
    assert activations.sigmoid([0.0, 1.0]).dtype == torch.float32
    assert activations.relu(np.array([-1, 2])).dtype == torch.float32  # ints -> floatx
    assert isinstance(activations.linear(x), torch.Tensor)


def test_hard_sigmoid_era_fixed_at_get_time():
    x = torch.from_numpy(DATA["x"])
    with config.era_scope(2):
        k2_fn = activations.get("hard_sigmoid")
    k3_fn = activations.get("hard_sigmoid")
    # the definition stays with the function after the scope ended
    np.testing.assert_allclose(k2_fn(x).numpy(), DATA["act_hard_sigmoid.k2"], atol=1e-6)
    np.testing.assert_allclose(k3_fn(x).numpy(), DATA["act_hard_sigmoid.k3"], atol=1e-6)
    assert not np.allclose(DATA["act_hard_sigmoid.k2"], DATA["act_hard_sigmoid.k3"])
    assert activations.serialize(k2_fn) == activations.serialize(k3_fn) == "hard_sigmoid"
    assert activations.serialize(activations.hard_sigmoid) == "hard_sigmoid"
    # the module-level function follows the era at call time
    with config.era_scope(1):
        np.testing.assert_allclose(activations.hard_sigmoid(x).numpy(),
                                   DATA["act_hard_sigmoid.k2"], atol=1e-6)
    np.testing.assert_allclose(activations.hard_sigmoid(x).numpy(),
                               DATA["act_hard_sigmoid.k3"], atol=1e-6)


def test_relu_keras_docstring_examples_and_alpha():
    x = torch.tensor([-10.0, -5.0, 0.0, 5.0, 10.0])
    assert activations.relu(x).tolist() == [0, 0, 0, 5, 10]
    assert activations.relu(x, negative_slope=0.5).tolist() == [-5, -2.5, 0, 5, 10]
    assert activations.relu(x, max_value=5.0).tolist() == [0, 0, 0, 5, 5]
    assert activations.relu(x, threshold=5.0).tolist() == [0, 0, 0, 0, 10]
    assert activations.relu(x, alpha=0.5).tolist() == [-5, -2.5, 0, 5, 10]  # Keras 2 keyword
    assert activations.relu(x, max_value=6).tolist() == [0, 0, 0, 5, 6]


def test_get_identifiers():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.get(activations.tanh) is activations.tanh
    assert activations.get("softmax_v2") is activations.softmax  # tf.keras 2 spelling
    fn = lambda t: t * 2  # noqa: E731
    assert activations.get(fn) is fn
    k3_cfg = {"module": "keras.activations", "class_name": "function", "config": "elu",
              "registered_name": "elu"}
    assert activations.get(k3_cfg) is activations.elu
    with pytest.raises(ValueError, match="Unknown activation function: 'foo'"):
        activations.get("foo")
    with pytest.raises(ValueError, match="Unknown activation function"):
        activations.get("Relu")  # case-sensitive, like Keras
    with pytest.raises(TypeError):
        activations.get(3)
    with pytest.raises(ValueError):
        activations.get(3)


def test_custom_objects():
    def my_act(t):
        return t + 1

    assert activations.deserialize("my_act", custom_objects={"my_act": my_act}) is my_act
    cfg = activations.serialize(my_act)
    assert cfg["class_name"] == "function" and cfg["config"] == "my_act"
    assert activations.deserialize(cfg, custom_objects={"my_act": my_act}) is my_act
    with pytest.raises(ValueError):
        activations.serialize(lambda t: t)


BUILTIN_NAMES = ["relu", "relu6", "leaky_relu", "elu", "selu", "celu", "sigmoid", "log_sigmoid",
                 "tanh", "hard_tanh", "tanh_shrink", "silu", "swish", "hard_silu", "hard_swish",
                 "mish", "gelu", "softplus", "softsign", "sparse_plus", "squareplus",
                 "hard_shrink", "soft_shrink", "exponential", "linear", "softmax",
                 "log_softmax", "sparsemax", "glu"]


@pytest.mark.parametrize("name", BUILTIN_NAMES)
def test_serialize_roundtrip(name):
    fn = activations.get(name)
    assert activations.serialize(fn) == name
    assert activations.deserialize(activations.serialize(fn)) is fn
    assert getattr(activations, name) is fn


def test_softmax_axes_and_autograd():
    x = torch.randn(2, 3, 4, dtype=torch.float64, requires_grad=True)
    y = activations.softmax(x, axis=1)
    torch.testing.assert_close(y.sum(dim=1), torch.ones(2, 4, dtype=torch.float64))
    y2 = activations.softmax(x, axis=(1, 2))
    torch.testing.assert_close(y2.sum(dim=(1, 2)), torch.ones(2, dtype=torch.float64))
    ref = torch.softmax(x.reshape(2, 12), -1).reshape(2, 3, 4)
    torch.testing.assert_close(y2, ref)
    torch.testing.assert_close(activations.log_softmax(x, axis=(1, 2)), ref.log())
    activations.mish(x).sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()


def test_sparsemax_follows_keras3_formula():
    # one dominant logit: the projection onto the simplex (Keras docstring example)
    assert activations.sparsemax(np.array([-1.0, 0.0, 1.0])).tolist() == [0.0, 0.0, 1.0]
    # k = 2: Keras 3's threshold (cumsum_1 + cumsum_2 - 1) / 2
    x = torch.tensor([1.0, 0.8, -2.0])
    tau = ((1.0) + (1.8) - 1.0) / 2
    torch.testing.assert_close(activations.sparsemax(x), torch.clamp(x - tau, min=0.0))
    y = activations.sparsemax(torch.tensor([[1.0, 0.8, -2.0]]).T, axis=0)
    torch.testing.assert_close(y[:, 0], torch.clamp(x - tau, min=0.0))


def test_glu_needs_even_axis():
    with pytest.raises(ValueError, match="divisible by 2"):
        activations.glu(torch.ones(2, 3))
    y = activations.glu(torch.ones(2, 4))
    assert y.shape == (2, 2)


def test_gelu_approximate_differs():
    x = torch.from_numpy(DATA["x"])
    assert not torch.allclose(activations.gelu(x), activations.gelu(x, approximate=True),
                              atol=1e-5)
