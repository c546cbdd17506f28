"""Keras 2.0-2.1: variational autoencoder (examples/variational_autoencoder.py of that era):
a sampling Lambda with K.random_normal and a custom layer that adds the VAE loss with
self.add_loss(loss, inputs=inputs); compiled with loss=None."""
from __future__ import print_function
import numpy as np
np.random.seed(0)

from keras.layers import Input, Dense, Lambda, Layer
from keras.models import Model
from keras import backend as K
from keras import metrics

batch_size = 50
original_dim = 16
latent_dim = 2
intermediate_dim = 8
epochs = 25
epsilon_std = 1.0

x = Input(shape=(original_dim,))
h = Dense(intermediate_dim, activation='relu')(x)
z_mean = Dense(latent_dim)(h)
z_log_var = Dense(latent_dim)(h)


def sampling(args):
    z_mean, z_log_var = args
    epsilon = K.random_normal(shape=(K.shape(z_mean)[0], latent_dim), mean=0.,
                              stddev=epsilon_std)
    return z_mean + K.exp(z_log_var / 2) * epsilon


z = Lambda(sampling, output_shape=(latent_dim,))([z_mean, z_log_var])
decoder_h = Dense(intermediate_dim, activation='relu')
decoder_mean = Dense(original_dim, activation='sigmoid')
x_decoded_mean = decoder_mean(decoder_h(z))


class CustomVariationalLayer(Layer):
    def __init__(self, **kwargs):
        self.is_placeholder = True
        super(CustomVariationalLayer, self).__init__(**kwargs)

    def vae_loss(self, x, x_decoded_mean, z_mean, z_log_var):
        xent_loss = original_dim * metrics.binary_crossentropy(x, x_decoded_mean)
        kl_loss = - 0.5 * K.sum(1 + z_log_var - K.square(z_mean) - K.exp(z_log_var), axis=-1)
        return K.mean(xent_loss + kl_loss)

    def call(self, inputs):
        x, x_decoded_mean, z_mean, z_log_var = inputs
        loss = self.vae_loss(x, x_decoded_mean, z_mean, z_log_var)
        self.add_loss(loss, inputs=inputs)
        return x


y = CustomVariationalLayer()([x, x_decoded_mean, z_mean, z_log_var])
vae = Model(x, y)
vae.compile(optimizer='rmsprop', loss=None)

# binary "images": two prototypes plus noise
protos = (np.random.rand(2, original_dim) > 0.5).astype('float32')
x_train = protos[np.random.randint(0, 2, 500)]
flip = np.random.rand(*x_train.shape) < 0.05
x_train = np.where(flip, 1 - x_train, x_train).astype('float32')

h = vae.fit(x_train, shuffle=True, epochs=epochs, batch_size=batch_size, verbose=0)
print('loss', h.history['loss'][0], '->', h.history['loss'][-1])
assert h.history['loss'][-1] < 0.9 * h.history['loss'][0]

encoder = Model(x, z_mean)
codes = encoder.predict(x_train, batch_size=batch_size)
assert codes.shape == (500, latent_dim)
decoder_input = Input(shape=(latent_dim,))
generator = Model(decoder_input, decoder_mean(decoder_h(decoder_input)))
sample = generator.predict(np.zeros((1, latent_dim)))
assert sample.shape == (1, original_dim) and np.all((sample >= 0) & (sample <= 1))
print('OK')
