"""Keras 3: keras.Input + Sequential MLP, model.save('model.keras') / keras.saving.load_model,
model.export-free round trip; predictions identical after reload."""
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(0)

x = np.random.rand(600, 8).astype("float32")
y = (x @ np.linspace(-1, 1, 8) > 0).astype("int32")

model = keras.Sequential([
    keras.Input(shape=(8,)),
    layers.Dense(32, activation="relu"),
    layers.Dropout(0.1),
    layers.Dense(2, activation="softmax"),
])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-2),
              loss=keras.losses.SparseCategoricalCrossentropy(),
              metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc")])
history = model.fit(x, y, batch_size=64, epochs=15, validation_split=0.2, verbose=0)
print("loss", history.history["loss"][0], "->", history.history["loss"][-1])
assert history.history["loss"][-1] < history.history["loss"][0]
assert history.history["val_acc"][-1] > 0.85

model.save("model.keras")
restored = keras.saving.load_model("model.keras")
np.testing.assert_allclose(restored.predict(x[:64], verbose=0), model.predict(x[:64], verbose=0),
                           atol=1e-6)
model.save_weights("model.weights.h5")
clone = keras.models.clone_model(model)
clone.load_weights("model.weights.h5")
np.testing.assert_allclose(clone.predict(x[:64], verbose=0), model.predict(x[:64], verbose=0),
                           atol=1e-6)
print("OK")
