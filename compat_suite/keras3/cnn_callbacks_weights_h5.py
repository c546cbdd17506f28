"""Keras 3: CNN with BatchNormalization; ModelCheckpoint writing .weights.h5 (save_best_only),
ReduceLROnPlateau, EarlyStopping; best weights loaded back."""
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(1)

n = 320
x = np.random.rand(n, 10, 10, 1).astype("float32") * 0.5
y = np.random.randint(0, 3, n)
for cls, (r, c) in enumerate([(1, 1), (1, 6), (6, 3)]):
    x[y == cls, r:r + 3, c:c + 3, 0] += 1.0

model = keras.Sequential([
    keras.Input(shape=(10, 10, 1)),
    layers.Conv2D(8, 3, padding="same", use_bias=False),
    layers.BatchNormalization(),
    layers.Activation("relu"),
    layers.MaxPooling2D(2),
    layers.Flatten(),
    layers.Dense(3, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
callbacks = [
    keras.callbacks.ModelCheckpoint("best.weights.h5", monitor="val_accuracy",
                                    save_best_only=True, save_weights_only=True),
    keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2),
    keras.callbacks.EarlyStopping(monitor="val_loss", patience=4),
]
history = model.fit(x, y, epochs=15, batch_size=32, validation_split=0.2, callbacks=callbacks,
                    verbose=0)
print("val acc", max(history.history["val_accuracy"]))
assert history.history["loss"][-1] < history.history["loss"][0]
assert max(history.history["val_accuracy"]) > 0.8

model.load_weights("best.weights.h5")
_, acc = model.evaluate(x[-64:], y[-64:], verbose=0)
assert abs(acc - max(history.history["val_accuracy"])) < 1e-5, acc
print("OK")
