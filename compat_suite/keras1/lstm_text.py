"""Keras 1.x: text classification, Tokenizer + pad_sequences + Embedding + LSTM with
Keras 1 recurrent arguments (dropout_W / dropout_U, inner_activation), imdb_lstm.py style."""
from __future__ import print_function
import numpy as np
np.random.seed(1337)

from keras.preprocessing.text import Tokenizer
from keras.preprocessing import sequence
from keras.models import Sequential
from keras.layers import Dense, Embedding
from keras.layers import LSTM

good = ['great', 'fine', 'lovely', 'superb', 'nice', 'happy']
bad = ['awful', 'poor', 'sad', 'boring', 'terrible', 'bad']
filler = ['the', 'movie', 'was', 'a', 'plot', 'and', 'actor', 'really', 'very', 'it']
texts, labels = [], []
for i in range(500):
    lab = i % 2
    words = list(np.random.choice(filler, 6)) + list(np.random.choice(good if lab else bad, 2))
    np.random.shuffle(words)
    texts.append(' '.join(words))
    labels.append(lab)

max_features, maxlen = 50, 10
tokenizer = Tokenizer(nb_words=max_features)
tokenizer.fit_on_texts(texts)
sequences = tokenizer.texts_to_sequences(texts)
X = sequence.pad_sequences(sequences, maxlen=maxlen)
y = np.array(labels)
assert X.shape == (500, maxlen)

model = Sequential()
model.add(Embedding(max_features, 16, input_length=maxlen, dropout=0.1))
model.add(LSTM(16, dropout_W=0.1, dropout_U=0.1, inner_activation='hard_sigmoid'))
model.add(Dense(1, activation='sigmoid'))
model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
h = model.fit(X, y, batch_size=32, nb_epoch=8, validation_split=0.2, verbose=0)
loss, acc = model.evaluate(X, y, batch_size=32, verbose=0)
print('loss', h.history['loss'][0], '->', h.history['loss'][-1], 'acc', acc)
assert h.history['loss'][-1] < h.history['loss'][0] and acc > 0.8
print('OK')
