"""Keras 3: custom layer and loss written with keras.ops, registered with
@keras.saving.register_keras_serializable, saved as .keras and reloaded without custom_objects."""
import numpy as np
import keras
from keras import layers, ops

keras.utils.set_random_seed(2)


@keras.saving.register_keras_serializable(package="compat")
class GatedDense(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], 2 * self.units),
                                 initializer="glorot_uniform", name="w")
        self.b = self.add_weight(shape=(2 * self.units,), initializer="zeros", name="b")

    def call(self, inputs):
        h = ops.matmul(inputs, self.w) + self.b
        value, gate = h[:, :self.units], h[:, self.units:]
        return value * ops.sigmoid(gate)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="compat")
def log_cosh_loss(y_true, y_pred):
    d = y_pred - y_true
    return ops.mean(d + ops.softplus(-2.0 * d) - ops.log(2.0), axis=-1)


x = np.random.rand(500, 6).astype("float32")
y = np.sin(3 * x[:, :1]) + x[:, 1:2] ** 2

inputs = keras.Input(shape=(6,))
h = GatedDense(16)(inputs)
outputs = layers.Dense(1)(h)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=log_cosh_loss)
history = model.fit(x, y, epochs=30, batch_size=32, verbose=0)
print("loss", history.history["loss"][0], "->", history.history["loss"][-1])
assert history.history["loss"][-1] < 0.3 * history.history["loss"][0]

model.save("gated.keras")
restored = keras.saving.load_model("gated.keras")
np.testing.assert_allclose(restored.predict(x[:32], verbose=0), model.predict(x[:32], verbose=0),
                           atol=1e-6)
assert isinstance(restored.layers[1], GatedDense)
print("OK")
