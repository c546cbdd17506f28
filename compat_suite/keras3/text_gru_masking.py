"""Keras 3: keras.utils.pad_sequences + Embedding(mask_zero=True) + GRU classifier on
variable-length token sequences, saved as .keras and reloaded."""
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(5)

vocab = 30
seqs, labels = [], []
for i in range(600):
    lab = i % 2
    n = np.random.randint(2, 9)
    s = list(np.random.randint(3, vocab, n))
    s.insert(np.random.randint(0, n), 1 if lab else 2)  # the informative token
    seqs.append(s)
    labels.append(lab)
x = keras.utils.pad_sequences(seqs, maxlen=10, padding="post")
y = np.array(labels, dtype="float32")

model = keras.Sequential([
    keras.Input(shape=(10,), dtype="int32"),
    layers.Embedding(vocab, 16, mask_zero=True),
    layers.GRU(16),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy",
              metrics=["accuracy"])
history = model.fit(x, y, epochs=8, batch_size=32, validation_split=0.2, verbose=0)
print("val acc", history.history["val_accuracy"][-1])
assert history.history["loss"][-1] < history.history["loss"][0]
assert history.history["val_accuracy"][-1] > 0.85

# padding does not change the prediction (masking)
short = keras.utils.pad_sequences([[1, 5, 7]], maxlen=10, padding="post")
longer = keras.utils.pad_sequences([[1, 5, 7]], maxlen=10, padding="post")
assert np.allclose(model.predict(short, verbose=0), model.predict(longer, verbose=0))
model.save("gru.keras")
again = keras.saving.load_model("gru.keras")
np.testing.assert_allclose(again.predict(x[:32], verbose=0), model.predict(x[:32], verbose=0),
                           atol=1e-6)
print("OK")
