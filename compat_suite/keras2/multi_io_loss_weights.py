"""Keras 2.0-2.2: the functional-API guide's multi-input / multi-output model: a main
input (sequence of word ids) and an auxiliary input, two outputs, loss_weights, named
inputs / outputs given as dicts."""
from __future__ import print_function
import numpy as np
np.random.seed(2)

import keras
from keras.layers import Input, Embedding, LSTM, Dense
from keras.models import Model

main_input = Input(shape=(12,), dtype='int32', name='main_input')
x = Embedding(output_dim=16, input_dim=40, input_length=12)(main_input)
lstm_out = LSTM(16)(x)
auxiliary_output = Dense(1, activation='sigmoid', name='aux_output')(lstm_out)
auxiliary_input = Input(shape=(3,), name='aux_input')
x = keras.layers.concatenate([lstm_out, auxiliary_input])
x = Dense(16, activation='relu')(x)
main_output = Dense(1, activation='sigmoid', name='main_output')(x)
model = Model(inputs=[main_input, auxiliary_input], outputs=[main_output, auxiliary_output])

model.compile(optimizer='rmsprop',
              loss={'main_output': 'binary_crossentropy', 'aux_output': 'binary_crossentropy'},
              loss_weights={'main_output': 1., 'aux_output': 0.2}, metrics=['accuracy'])

n = 400
headline_data = np.random.randint(1, 40, (n, 12))
additional_data = np.random.rand(n, 3).astype('float32')
labels = (additional_data[:, 0] > 0.5).astype('float32')
aux_labels = (headline_data[:, -1] > 20).astype('float32')
h = model.fit({'main_input': headline_data, 'aux_input': additional_data},
              {'main_output': labels, 'aux_output': aux_labels}, epochs=20, batch_size=32,
              verbose=0)
print(sorted(h.history.keys()))
for key in ('loss', 'main_output_loss', 'aux_output_loss'):
    assert h.history[key][-1] < h.history[key][0], key
total = h.history['loss'][-1]
parts = h.history['main_output_loss'][-1] + 0.2 * h.history['aux_output_loss'][-1]
assert abs(total - parts) < 1e-3 * max(1.0, total), (total, parts)
res = model.evaluate([headline_data, additional_data], [labels, aux_labels], verbose=0)
print(dict(zip(model.metrics_names, res)))
assert len(res) == len(model.metrics_names)
main_pred, aux_pred = model.predict([headline_data, additional_data])
assert main_pred.shape == (n, 1) and aux_pred.shape == (n, 1)
print('main acc', ((main_pred.ravel() > 0.5) == labels).mean())
assert ((main_pred.ravel() > 0.5) == labels).mean() > 0.75
print('OK')
