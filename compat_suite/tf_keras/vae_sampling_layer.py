"""tf.keras 2.x: VAE built from encoder / decoder models with a Sampling layer, the KL term
added with self.add_loss inside a layer, and a reconstruction loss in compile."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
from tensorflow.keras import backend as K

tf.random.set_seed(3)
np.random.seed(3)

original_dim, latent_dim = 12, 2


class Sampling(layers.Layer):
    """Uses (z_mean, z_log_var) to sample z; adds the KL divergence as a layer loss."""

    def call(self, inputs):
        z_mean, z_log_var = inputs
        kl = -0.5 * K.mean(K.sum(1 + z_log_var - K.square(z_mean) - K.exp(z_log_var), axis=-1))
        self.add_loss(kl / original_dim)
        epsilon = K.random_normal(shape=K.shape(z_mean))
        return z_mean + K.exp(0.5 * z_log_var) * epsilon


encoder_inputs = keras.Input(shape=(original_dim,))
h = layers.Dense(16, activation="relu")(encoder_inputs)
z_mean = layers.Dense(latent_dim, name="z_mean")(h)
z_log_var = layers.Dense(latent_dim, name="z_log_var")(h)
z = Sampling()([z_mean, z_log_var])
encoder = keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")

latent_inputs = keras.Input(shape=(latent_dim,))
d = layers.Dense(16, activation="relu")(latent_inputs)
decoder_outputs = layers.Dense(original_dim, activation="sigmoid")(d)
decoder = keras.Model(latent_inputs, decoder_outputs, name="decoder")

outputs = decoder(encoder(encoder_inputs)[2])
vae = keras.Model(encoder_inputs, outputs, name="vae")
vae.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy")

protos = (np.random.rand(3, original_dim) > 0.5).astype("float32")
data = protos[np.random.randint(0, 3, 600)]
history = vae.fit(data, data, epochs=15, batch_size=64, verbose=0)
print("loss", history.history["loss"][0], "->", history.history["loss"][-1])
assert history.history["loss"][-1] < 0.7 * history.history["loss"][0]
assert len(vae.losses) >= 1

means, _, _ = encoder.predict(data[:30], verbose=0)
assert means.shape == (30, latent_dim)
recon = decoder.predict(means, verbose=0)
assert ((recon > 0.5) == (data[:30] > 0.5)).mean() > 0.9
print("OK")
