"""to_categorical / normalize / set_random_seed (Keras docstrings and Keras's own unit tests)."""
import random

import numpy as np
import pytest
import torch

from torchkeras.backend import ops as K
from torchkeras.utils.numerical import normalize, to_categorical
from torchkeras.utils.np_utils import to_categorical as legacy_to_categorical
from torchkeras.utils.rng import set_random_seed


def test_to_categorical_docstring_example():
    a = to_categorical([0, 1, 2, 3], num_classes=4)
    assert a.dtype == np.float32 and a.tolist() == np.eye(4).tolist()
    assert legacy_to_categorical is to_categorical


@pytest.mark.parametrize("shape,expected", [
    ((1,), (1, 5)), ((3,), (3, 5)), ((4, 3), (4, 3, 5)), ((5, 4, 3), (5, 4, 3, 5)),
    ((3, 1), (3, 5)), ((3, 2, 1), (3, 2, 5))])
def test_to_categorical_shapes(shape, expected):
    labels = np.random.randint(0, 5, shape)
    one_hot = to_categorical(labels, 5)
    assert one_hot.shape == expected
    assert np.all(one_hot.sum(axis=-1) == 1)
    assert np.all(np.argmax(one_hot, -1).reshape(labels.shape) == labels)


def test_to_categorical_infers_classes_dtype_and_torch():
    assert to_categorical([2, 0]).shape == (2, 3)
    assert to_categorical([1], 3, dtype="int64").dtype == np.int64
    t = to_categorical(torch.tensor([[1], [2]]), 4)
    assert torch.is_tensor(t) and tuple(t.shape) == (2, 4) and t.dtype == torch.float32


def test_normalize():
    x = np.random.random((3, 4))
    np.testing.assert_allclose(np.linalg.norm(normalize(x), axis=-1), 1, rtol=1e-6)
    np.testing.assert_allclose(np.abs(normalize(x, axis=0, order=1)).sum(0), 1, rtol=1e-6)
    z = normalize(np.zeros((2, 3)))
    assert np.all(z == 0)                     # zero rows stay zero (norm treated as 1)
    t = normalize(torch.tensor(x))
    np.testing.assert_allclose(t.numpy(), normalize(x), rtol=1e-6)


def test_set_random_seed_reproduces_python_numpy_torch_and_K_random():
    set_random_seed(7)
    a = (random.random(), np.random.rand(), torch.rand(1).item(), K.get_value(K.random_normal((3,))))
    set_random_seed(7)
    b = (random.random(), np.random.rand(), torch.rand(1).item(), K.get_value(K.random_normal((3,))))
    assert a[:3] == b[:3] and np.array_equal(a[3], b[3])
    with pytest.raises(ValueError, match="integer"):
        set_random_seed(1.5)
