"""tf.keras 2.x: a custom layer (add_weight in build, get_config), a custom loss, a custom
metric function, register_keras_serializable, save to HDF5 and load_model with custom_objects."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import backend as K

tf.random.set_seed(2)
np.random.seed(2)


@keras.utils.register_keras_serializable(package="Custom")
class RBFLayer(keras.layers.Layer):
    def __init__(self, units, gamma=1.0, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.gamma = gamma

    def build(self, input_shape):
        self.mu = self.add_weight(name="mu", shape=(int(input_shape[1]), self.units),
                                  initializer="uniform", trainable=True)
        super().build(input_shape)

    def call(self, inputs):
        diff = K.expand_dims(inputs) - self.mu
        l2 = K.sum(K.pow(diff, 2), axis=1)
        return K.exp(-1 * self.gamma * l2)

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "gamma": self.gamma})
        return config


def weighted_mse(y_true, y_pred):
    return K.mean(K.square(y_true - y_pred) * (1.0 + y_true), axis=-1)


def max_abs_error(y_true, y_pred):
    return K.max(K.abs(y_true - y_pred))


x = np.random.uniform(-1, 1, (400, 2)).astype("float32")
y = np.exp(-(x ** 2).sum(axis=1, keepdims=True) * 2.0).astype("float32")

model = keras.Sequential([keras.Input(shape=(2,)), RBFLayer(12, gamma=1.5), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(0.02), loss=weighted_mse, metrics=[max_abs_error])
h = model.fit(x, y, epochs=30, batch_size=32, verbose=0)
print("loss", h.history["loss"][0], "->", h.history["loss"][-1])
assert h.history["loss"][-1] < 0.5 * h.history["loss"][0]
assert "max_abs_error" in h.history

model.save("rbf.h5")
restored = keras.models.load_model("rbf.h5", custom_objects={"weighted_mse": weighted_mse,
                                                             "max_abs_error": max_abs_error})
np.testing.assert_allclose(restored.predict(x[:20], verbose=0), model.predict(x[:20], verbose=0),
                           atol=1e-5)
assert restored.layers[0].get_config()["gamma"] == 1.5
print("OK")
