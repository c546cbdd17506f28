"""tf.keras 2.x: Tokenizer + pad_sequences + Embedding(mask_zero=True) + Bidirectional(LSTM)
sentiment classifier; saved with model.save(h5) and reloaded."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras.preprocessing.text import Tokenizer
from tensorflow.keras.preprocessing.sequence import pad_sequences

tf.random.set_seed(1)
np.random.seed(1)

pos = ["good", "great", "love", "excellent", "fun"]
neg = ["bad", "hate", "boring", "awful", "worst"]
fill = ["this", "film", "is", "the", "story", "was", "so", "and", "i", "it"]
sentences, labels = [], []
for i in range(600):
    lab = i % 2
    n = np.random.randint(3, 9)
    words = list(np.random.choice(fill, n)) + [np.random.choice(pos if lab else neg)]
    np.random.shuffle(words)
    sentences.append(" ".join(words))
    labels.append(lab)
labels = np.array(labels)

tokenizer = Tokenizer(num_words=100, oov_token="<OOV>")
tokenizer.fit_on_texts(sentences)
seqs = tokenizer.texts_to_sequences(sentences)
padded = pad_sequences(seqs, maxlen=10, padding="post", truncating="post")

model = keras.Sequential([
    keras.layers.Embedding(100, 16, input_length=10, mask_zero=True),
    keras.layers.Bidirectional(keras.layers.LSTM(16)),
    keras.layers.Dense(16, activation="relu"),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
history = model.fit(padded, labels, epochs=8, validation_split=0.25, verbose=0)
print("acc", history.history["accuracy"][0], "->", history.history["accuracy"][-1])
assert history.history["loss"][-1] < history.history["loss"][0]
assert history.history["val_accuracy"][-1] > 0.8

test = pad_sequences(tokenizer.texts_to_sequences(["i love this film", "the worst story"]),
                     maxlen=10, padding="post")
p = model.predict(test, verbose=0)
assert p[0, 0] > p[1, 0]
model.save("text.h5")
again = keras.models.load_model("text.h5")
np.testing.assert_allclose(again.predict(padded[:16], verbose=0),
                           model.predict(padded[:16], verbose=0), atol=1e-5)
print("OK")
