"""Masking against real Keras: zeroed timesteps and the propagated mask."""
import numpy as np
import torch

import torchkeras as keras
from layer_harness import run_layer_test

from _refs import close, configs, np_, ref

L = keras.layers


def test_harness():
    run_layer_test(L.Masking, {"mask_value": 0.5}, (2, 3, 4), (2, 3, 4), supports_masking=True)


def test_reference():
    for lib in ("k3", "k2"):
        r = ref("embedding", lib)
        layer = L.Masking()
        y = layer(r["masking.x"])
        close(y, r["masking.y"], atol=0)
        np.testing.assert_array_equal(np_(y._keras_mask), r["masking.mask"])
        layer = L.Masking.from_config(configs(lib)["masking"])
        y = layer(r["masking_m1.x"])
        close(y, r["masking_m1.y"], atol=0)
        np.testing.assert_array_equal(np_(y._keras_mask), r["masking_m1.mask"])


class _Sink(keras.layers.Layer):
    """Records the mask the engine passes to call()."""

    def call(self, inputs, mask=None):
        self.seen = mask
        return inputs


def test_mask_reaches_downstream_layers():
    x = np.ones((2, 3, 2), "float32")
    x[0, 1] = 0
    sink = _Sink()
    model = keras.Sequential([keras.Input((3, 2)), L.Masking(), L.Dense(2), sink])
    model(x)
    np.testing.assert_array_equal(np_(sink.seen), [[1, 0, 1], [1, 1, 1]])
    sm = L.Softmax(axis=1)
    y = sm(torch.ones(2, 3), mask=torch.tensor([[1, 1, 0], [1, 0, 0]], dtype=torch.bool))
    close(y, [[0.5, 0.5, 0], [1, 0, 0]], atol=1e-6)
