"""The README's demo: a Keras MLP classifier trained with torchkeras, offline.

Data: a synthetic 10-class "digits" problem generated here (784 features, like flattened
28x28 MNIST images): each class is a noisy prototype, so the model can learn it in a few
epochs. The script is ordinary Keras code — only the import differs.
"""
import numpy as np

import torchkeras as keras
from torchkeras import layers

keras.utils.set_random_seed(1234)

num_classes, n_train, n_test = 10, 6000, 1000
rng = np.random.default_rng(0)
prototypes = rng.random((num_classes, 784)).astype("float32")


def make(n):
    y = rng.integers(0, num_classes, size=n)
    x = prototypes[y] + 0.35 * rng.standard_normal((n, 784)).astype("float32")
    return x.astype("float32"), y


x_train, y_train = make(n_train)
x_test, y_test = make(n_test)
y_train_cat = keras.utils.to_categorical(y_train, num_classes)
y_test_cat = keras.utils.to_categorical(y_test, num_classes)

model = keras.Sequential([
    keras.Input(shape=(784,)),
    layers.Dense(128, activation="relu"),
    layers.Dropout(0.2),
    layers.Dense(64, activation="relu"),
    layers.Dense(num_classes, activation="softmax"),
])
model.summary()
model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
              loss="categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train_cat, batch_size=128, epochs=3, validation_split=0.1)
loss, acc = model.evaluate(x_test, y_test_cat, verbose=0)
print(f"test loss {loss:.4f} - test accuracy {acc:.4f}")
print("history keys:", sorted(history.history))
assert acc > 0.9, "the demo model should learn the synthetic digits"
