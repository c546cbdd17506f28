"""K.* on CUDA tensors (skipped without a GPU): results stay on the input's device and match CPU."""
import numpy as np
import pytest
import torch

from torchkeras import backend as K

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


def _same(cpu_fn, *args):
    cpu = cpu_fn(*args)
    gpu = cpu_fn(*[a.cuda() if torch.is_tensor(a) else a for a in args])
    assert gpu.device.type == "cuda"
    np.testing.assert_allclose(K.get_value(gpu), K.get_value(cpu), rtol=1e-4, atol=1e-5)


def test_ops_stay_on_cuda_and_match_cpu():
    x = torch.rand(4, 6, 6, 3)
    k = torch.rand(3, 3, 3, 5)
    _same(lambda a, b: K.conv2d(a, b, padding="same", strides=(2, 2)), x, k)
    _same(lambda a: K.pool2d(a, (2, 2), (2, 2), padding="same", pool_mode="avg"), x)
    _same(lambda a, b: K.batch_dot(a, b, axes=(2, 1)), torch.rand(4, 3, 5), torch.rand(4, 5, 2))
    _same(lambda a, b: K.dot(a, b), torch.rand(2, 3, 4), torch.rand(5, 4, 6))
    _same(lambda a: K.maximum(a, 0.5) * np.float64(2.0) + K.sum(a, axis=[1, 2], keepdims=True), x)
    _same(lambda a: K.switch(K.greater(a, 0.5), a, K.zeros_like(a)), x)
    _same(lambda a: K.sparse_categorical_crossentropy(np.array([0, 1, 2, 0]), a), torch.rand(4, 3))
    _same(lambda a: K.categorical_crossentropy(K.one_hot(np.array([0, 1, 2, 0]), 3), a), torch.rand(4, 3))
    _same(lambda a: K.l2_normalize(a, axis=-1), x)
    _same(lambda a: K.ctc_batch_cost(np.array([[0, 1]]), a, np.array([[5]]), np.array([[2]])),
          torch.softmax(torch.rand(1, 5, 3), -1))


def test_random_tensors_follow_the_last_device():
    z = torch.rand(3, 2, device="cuda")
    eps = K.random_normal(shape=(K.shape(z)[0], K.int_shape(z)[1]))
    assert eps.device.type == "cuda"
    out = z + K.exp(0.5 * z) * eps              # the classic VAE sampling Lambda
    assert out.device.type == "cuda"
    assert K.constant([1.0, 2.0]).device.type == "cuda"
    with K.device_scope("cpu"):
        assert K.random_uniform((2,)).device.type == "cpu"
    a = K.random_normal((5,), seed=1)
    assert torch.equal(a, K.random_normal((5,), seed=1))


def test_variables_and_values_on_cuda():
    v = K.variable(np.ones((2, 2))).cuda()
    K.set_value(v, np.zeros((2, 2)))
    assert K.get_value(v).sum() == 0
    w = torch.nn.Parameter(torch.ones(3, device="cuda"))
    (g,) = K.gradients(K.sum(K.square(w)), [w])
    assert g.device.type == "cuda" and K.get_value(g).tolist() == [2, 2, 2]
    d = K.dropout(torch.ones(100, device="cuda"), 0.5, seed=2)
    assert d.device.type == "cuda"
