"""Keras 2.0-2.2: stateful LSTM (examples/stateful_lstm.py style): batch_input_shape, shuffle=False,
one epoch per fit call with reset_states() between epochs, predict with the same batch size."""
from __future__ import print_function
import numpy as np
np.random.seed(9)

from keras.models import Sequential
from keras.layers import Dense, LSTM

batch_size = 8
tsteps = 1
lahead = 1
epochs = 12

# a noisy cosine; predict the moving average of the next value
t = np.arange(0, 800) * 0.1
cos = np.cos(t).reshape(-1, 1, 1).astype('float32')
expected = np.zeros((len(cos), 1), dtype='float32')
for i in range(len(cos) - lahead):
    expected[i, 0] = np.mean(cos[i + 1:i + lahead + 1])

model = Sequential()
model.add(LSTM(16, input_shape=(tsteps, 1), batch_size=batch_size, return_sequences=True,
               stateful=True))
model.add(LSTM(16, return_sequences=False, stateful=True))
model.add(Dense(1))
model.compile(loss='mse', optimizer='rmsprop')

losses = []
for i in range(epochs):
    h = model.fit(cos, expected, batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
    losses.append(h.history['loss'][0])
    model.reset_states()
print('loss', losses[0], '->', losses[-1])
assert losses[-1] < 0.5 * losses[0]

predicted = model.predict(cos, batch_size=batch_size)
assert predicted.shape == (len(cos), 1)
assert np.mean((predicted - expected) ** 2) < losses[0]
# states persist between batches until reset
first = model.predict(cos[:batch_size], batch_size=batch_size)
second = model.predict(cos[:batch_size], batch_size=batch_size)
model.reset_states()
third = model.predict(cos[:batch_size], batch_size=batch_size)
assert not np.allclose(first, second)
print('OK')
