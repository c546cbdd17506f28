"""Keras 2.0-2.2: fit_generator / evaluate_generator / predict_generator with the Keras 2
signatures (steps_per_epoch, epochs, validation_steps, workers, use_multiprocessing), a
keras.utils.Sequence, and save / load with a custom loss in custom_objects."""
from __future__ import print_function
import numpy as np
np.random.seed(4)

import keras
from keras.models import Sequential, load_model
from keras.layers import Dense
from keras.utils import Sequence
from keras import backend as K

W = np.random.randn(5, 1).astype('float32')


def generate_arrays(batch_size):
    while 1:
        x = np.random.rand(batch_size, 5).astype('float32')
        yield (x, x.dot(W))


class DataSequence(Sequence):
    def __init__(self, n_batches, batch_size):
        self.x = np.random.rand(n_batches * batch_size, 5).astype('float32')
        self.y = self.x.dot(W)
        self.batch_size = batch_size

    def __len__(self):
        return int(np.ceil(len(self.x) / float(self.batch_size)))

    def __getitem__(self, idx):
        s = slice(idx * self.batch_size, (idx + 1) * self.batch_size)
        return self.x[s], self.y[s]


def huber(y_true, y_pred):
    err = K.abs(y_true - y_pred)
    quad = K.minimum(err, 1.0)
    return K.mean(0.5 * K.square(quad) + (err - quad), axis=-1)


model = Sequential()
model.add(Dense(16, activation='relu', input_shape=(5,)))
model.add(Dense(1))
model.compile(loss=huber, optimizer='adam')

h = model.fit_generator(generate_arrays(16), steps_per_epoch=20, epochs=8,
                        validation_data=generate_arrays(16), validation_steps=4,
                        workers=1, use_multiprocessing=False, verbose=0)
print('loss', h.history['loss'][0], '->', h.history['loss'][-1])
assert h.history['loss'][-1] < h.history['loss'][0] and len(h.history['val_loss']) == 8

seq = DataSequence(10, 16)
h2 = model.fit_generator(seq, epochs=3, verbose=0, shuffle=True)
assert h2.history['loss'][-1] <= h.history['loss'][0]
loss = model.evaluate_generator(DataSequence(4, 16), steps=4)
pred = model.predict_generator(DataSequence(4, 16), steps=4)
assert pred.shape == (64, 1) and np.isfinite(loss)

model.save('gen_model.h5')
again = load_model('gen_model.h5', custom_objects={'huber': huber})
np.testing.assert_allclose(again.predict(seq.x[:32]), model.predict(seq.x[:32]), atol=1e-5)
print('OK')
