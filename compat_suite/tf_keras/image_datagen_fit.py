"""tf.keras 2.x: ImageDataGenerator (rescale, flips, shifts) .flow() fed to model.fit with
steps_per_epoch; evaluate on the generator, predict on arrays."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras.preprocessing.image import ImageDataGenerator

tf.random.set_seed(5)
np.random.seed(5)

n = 256
x = (np.random.rand(n, 12, 12, 1) * 80).astype("float32")
y = np.random.randint(0, 2, n)
x[y == 1, :, 4:8, 0] += 170.0   # a vertical bar
x[y == 0, 4:8, :, 0] += 170.0   # a horizontal bar

datagen = ImageDataGenerator(rescale=1.0 / 255, horizontal_flip=True, vertical_flip=True,
                             width_shift_range=0.1, height_shift_range=0.1)
train_gen = datagen.flow(x, y, batch_size=32, shuffle=True)

model = keras.Sequential([
    keras.layers.Conv2D(8, (3, 3), activation="relu", input_shape=(12, 12, 1)),
    keras.layers.MaxPooling2D((2, 2)),
    keras.layers.Conv2D(8, (3, 3), activation="relu"),
    keras.layers.GlobalAveragePooling2D(),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy",
              metrics=["accuracy"])
history = model.fit(train_gen, steps_per_epoch=len(train_gen), epochs=10, verbose=0)
print("acc", history.history["accuracy"][0], "->", history.history["accuracy"][-1])
assert history.history["loss"][-1] < history.history["loss"][0]
test_gen = ImageDataGenerator(rescale=1.0 / 255).flow(x, y, batch_size=32, shuffle=False)
loss, acc = model.evaluate(test_gen, verbose=0)
assert acc > 0.8, acc
pred = model.predict(x / 255.0, verbose=0)
assert pred.shape == (n, 1)
print("OK")
