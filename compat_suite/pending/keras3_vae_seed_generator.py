"""Keras 3: VAE whose Sampling layer draws with keras.random.normal and a SeedGenerator, the KL
term added with self.add_loss; encoder / decoder models; the model saved as .keras."""
import numpy as np
import keras
from keras import layers, ops

keras.utils.set_random_seed(3)
original_dim, latent_dim = 12, 2


@keras.saving.register_keras_serializable(package="compat")
class Sampling(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        kl = -0.5 * ops.mean(ops.sum(1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var),
                                     axis=-1))
        self.add_loss(kl / original_dim)
        epsilon = keras.random.normal(shape=ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


encoder_inputs = keras.Input(shape=(original_dim,))
h = layers.Dense(16, activation="relu")(encoder_inputs)
z_mean = layers.Dense(latent_dim, name="z_mean")(h)
z_log_var = layers.Dense(latent_dim, name="z_log_var")(h)
z = Sampling()([z_mean, z_log_var])
encoder = keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")
latent_inputs = keras.Input(shape=(latent_dim,))
decoder_outputs = layers.Dense(original_dim, activation="sigmoid")(
    layers.Dense(16, activation="relu")(latent_inputs))
decoder = keras.Model(latent_inputs, decoder_outputs, name="decoder")
vae = keras.Model(encoder_inputs, decoder(encoder(encoder_inputs)[2]), name="vae")
vae.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy")

protos = (np.random.rand(3, original_dim) > 0.5).astype("float32")
data = protos[np.random.randint(0, 3, 600)]
history = vae.fit(data, data, epochs=15, batch_size=64, verbose=0)
print("loss", history.history["loss"][0], "->", history.history["loss"][-1])
assert history.history["loss"][-1] < 0.7 * history.history["loss"][0]

vae.save("vae.keras")
restored = keras.saving.load_model("vae.keras")
np.testing.assert_allclose(restored.get_layer("encoder").predict(data[:8], verbose=0)[0],
                           encoder.predict(data[:8], verbose=0)[0], atol=1e-6)
print("OK")
