"""Keras 3: a keras.utils.PyDataset fed to fit / evaluate / predict, with a validation
PyDataset and a LearningRateScheduler callback."""
import math
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(4)
W = np.random.randn(4, 1).astype("float32")


class Batches(keras.utils.PyDataset):
    def __init__(self, n, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x = np.random.rand(n, 4).astype("float32")
        self.y = self.x @ W + 0.5
        self.batch_size = batch_size

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, idx):
        lo = idx * self.batch_size
        hi = min(lo + self.batch_size, len(self.x))
        return self.x[lo:hi], self.y[lo:hi]


model = keras.Sequential([keras.Input((4,)), layers.Dense(16, activation="relu"), layers.Dense(1)])
model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
schedule = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.95)
train, val = Batches(320, 32), Batches(64, 32)
history = model.fit(train, validation_data=val, epochs=12, callbacks=[schedule], verbose=0)
print("loss", history.history["loss"][0], "->", history.history["loss"][-1])
assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
assert len(history.history["val_mae"]) == 12
loss, mae = model.evaluate(val, verbose=0)
pred = model.predict(val, verbose=0)
assert pred.shape == (64, 1) and mae < history.history["mae"][0]
assert float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)) < 0.05
print("OK")
