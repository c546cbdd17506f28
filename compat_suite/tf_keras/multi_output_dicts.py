"""tf.keras 2.x functional API: named inputs fed as a dict, two named outputs with loss,
loss_weights and metrics dicts; save / load_model (HDF5) and identical predictions."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

tf.random.set_seed(4)
np.random.seed(4)

num_tags, num_departments = 6, 3
title_input = keras.Input(shape=(8,), name="title")
tags_input = keras.Input(shape=(num_tags,), name="tags")
x = layers.concatenate([layers.Dense(16, activation="relu")(title_input), tags_input])
x = layers.Dense(16, activation="relu")(x)
priority_pred = layers.Dense(1, name="priority")(x)
department_pred = layers.Dense(num_departments, activation="softmax", name="department")(x)
model = keras.Model(inputs=[title_input, tags_input], outputs=[priority_pred, department_pred])

model.compile(
    optimizer=keras.optimizers.RMSprop(1e-2),
    loss={"priority": keras.losses.MeanSquaredError(),
          "department": keras.losses.CategoricalCrossentropy()},
    loss_weights={"priority": 1.0, "department": 0.5},
    metrics={"department": ["accuracy"]},
)

n = 600
title_data = np.random.rand(n, 8).astype("float32")
tags_data = np.random.randint(2, size=(n, num_tags)).astype("float32")
priority_targets = (title_data[:, :2].sum(axis=1, keepdims=True)).astype("float32")
dept = (tags_data[:, :3] * np.array([1, 2, 4])).sum(axis=1).astype(int) % num_departments
dept_targets = keras.utils.to_categorical(dept, num_departments)

history = model.fit({"title": title_data, "tags": tags_data},
                    {"priority": priority_targets, "department": dept_targets},
                    epochs=20, batch_size=32, verbose=0)
h = history.history
print(sorted(h))
assert h["priority_loss"][-1] < h["priority_loss"][0]
assert h["department_loss"][-1] < h["department_loss"][0]
assert h["department_accuracy"][-1] > 0.7
assert abs(h["loss"][-1] - (h["priority_loss"][-1] + 0.5 * h["department_loss"][-1])) < 1e-2

model.save("multi.h5")
restored = keras.models.load_model("multi.h5")
a = model.predict({"title": title_data[:10], "tags": tags_data[:10]}, verbose=0)
b = restored.predict({"title": title_data[:10], "tags": tags_data[:10]}, verbose=0)
for u, v in zip(a, b):
    np.testing.assert_allclose(u, v, atol=1e-6)
print("OK")
