"""tf.keras 2.x: Sequential MLP, EarlyStopping(restore_best_weights=True),
ModelCheckpoint(save_best_only) to HDF5, CSVLogger, model.save('model.h5') / load_model."""
import csv
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

tf.random.set_seed(0)
np.random.seed(0)

x = np.random.rand(500, 10).astype("float32")
y = (x[:, 0] * 2 + x[:, 1] > 1.5).astype("int32")

model = keras.Sequential([
    layers.Dense(32, activation="relu", input_shape=(10,)),
    layers.Dense(16, activation="relu"),
    layers.Dense(2, activation="softmax"),
])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=3e-3),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
callbacks = [
    keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True),
    keras.callbacks.ModelCheckpoint("best.h5", monitor="val_accuracy", save_best_only=True),
    keras.callbacks.CSVLogger("log.csv"),
]
history = model.fit(x, y, epochs=25, batch_size=32, validation_split=0.2, callbacks=callbacks,
                    verbose=0)
loss, acc = model.evaluate(x, y, verbose=0)
print("loss", history.history["loss"][0], "->", history.history["loss"][-1], "acc", acc)
assert history.history["loss"][-1] < history.history["loss"][0] and acc > 0.85

rows = list(csv.DictReader(open("log.csv")))
assert len(rows) == len(history.history["loss"]) and "val_accuracy" in rows[0]
best = keras.models.load_model("best.h5")
assert best.evaluate(x, y, verbose=0)[1] > 0.8

model.save("model.h5")
restored = keras.models.load_model("model.h5")
np.testing.assert_allclose(restored.predict(x[:32], verbose=0), model.predict(x[:32], verbose=0),
                           atol=1e-6)
print("OK")
