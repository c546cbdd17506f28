"""Keras 1.x: two Sequential branches joined by a Merge layer in a Sequential model
(multi-input `fit([X1, X2], y)`), as in the Keras 1 guide."""
from __future__ import print_function
import numpy as np
np.random.seed(7)

from keras.models import Sequential, load_model
from keras.layers import Dense, Merge, Activation

left_branch = Sequential()
left_branch.add(Dense(16, input_dim=10))
left_branch.add(Activation('relu'))

right_branch = Sequential()
right_branch.add(Dense(16, input_dim=5))
right_branch.add(Activation('relu'))

merged = Merge([left_branch, right_branch], mode='concat')

final_model = Sequential()
final_model.add(merged)
final_model.add(Dense(1, activation='sigmoid'))
final_model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])

X1 = np.random.rand(400, 10).astype('float32')
X2 = np.random.rand(400, 5).astype('float32')
labels = ((X1[:, 0] + X2[:, 0]) > 1.0).astype('int32')
h = final_model.fit([X1, X2], labels, nb_epoch=30, batch_size=32, verbose=0)
loss, acc = final_model.evaluate([X1, X2], labels, verbose=0)
print('loss', h.history['loss'][0], '->', h.history['loss'][-1], 'acc', acc)
assert h.history['loss'][-1] < h.history['loss'][0] and acc > 0.8

final_model.save('merged.h5')
again = load_model('merged.h5')
np.testing.assert_allclose(again.predict([X1[:10], X2[:10]]),
                           final_model.predict([X1[:10], X2[:10]]), atol=1e-6)
print('OK')
