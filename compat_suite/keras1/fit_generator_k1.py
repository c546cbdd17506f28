"""Keras 1.x: fit_generator / evaluate_generator / predict_generator with the Keras 1
signatures (samples_per_epoch, nb_epoch, nb_val_samples, val_samples, nb_worker,
pickle_safe, max_q_size)."""
from __future__ import print_function
import numpy as np
np.random.seed(5)

from keras.models import Sequential
from keras.layers import Dense

W = np.random.randn(6, 1).astype('float32')
drawn = {'train': 0}


def batch_generator(batch_size=20, count=None):
    while True:
        X = np.random.rand(batch_size, 6).astype('float32')
        if count is not None:
            drawn[count] += 1
        yield X, X.dot(W)


model = Sequential()
model.add(Dense(16, input_dim=6, activation='relu'))
model.add(Dense(1))
model.compile(loss='mse', optimizer='adam')

h = model.fit_generator(batch_generator(20, 'train'), samples_per_epoch=200, nb_epoch=10,
                        validation_data=batch_generator(20), nb_val_samples=60,
                        nb_worker=1, pickle_safe=False, max_q_size=10, verbose=0)
print('loss', h.history['loss'][0], '->', h.history['loss'][-1])
assert h.history['loss'][-1] < h.history['loss'][0] and 'val_loss' in h.history
assert drawn['train'] == 10 * 10, drawn  # 200 samples / 20 per batch = 10 steps per epoch

score = model.evaluate_generator(batch_generator(20), val_samples=100)
preds = model.predict_generator(batch_generator(20), val_samples=100)
assert preds.shape == (100, 1), preds.shape
print('eval mse', score)
assert score < h.history['loss'][0]
print('OK')
