"""Keras 1.x: CNN with Theano dim ordering (K.set_image_dim_ordering('th')), Convolution2D
positional kernel sizes, border_mode, MaxPooling2D, save_weights / load_weights."""
from __future__ import print_function
import numpy as np
np.random.seed(1337)

from keras import backend as K
from keras.models import Sequential
from keras.layers import Convolution2D, MaxPooling2D
from keras.layers import Dense, Dropout, Activation, Flatten
from keras.utils import np_utils

K.set_image_dim_ordering('th')
img_rows, img_cols = 12, 12
nb_filters, nb_pool, nb_conv = 8, 2, 3

# class 1: bright square in the top-left corner, class 0: bottom-right
n = 240
X = np.random.rand(n, 1, img_rows, img_cols).astype('float32') * 0.3
y = np.random.randint(0, 2, n)
for i in range(n):
    if y[i]:
        X[i, 0, 1:5, 1:5] += 1.0
    else:
        X[i, 0, 7:11, 7:11] += 1.0
Y = np_utils.to_categorical(y, 2)

model = Sequential()
model.add(Convolution2D(nb_filters, nb_conv, nb_conv, border_mode='valid',
                        input_shape=(1, img_rows, img_cols)))
model.add(Activation('relu'))
model.add(Convolution2D(nb_filters, nb_conv, nb_conv))
model.add(Activation('relu'))
model.add(MaxPooling2D(pool_size=(nb_pool, nb_pool)))
model.add(Dropout(0.25))
model.add(Flatten())
model.add(Dense(16))
model.add(Activation('relu'))
model.add(Dense(2))
model.add(Activation('softmax'))
model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
assert model.layers[0].output_shape == (None, nb_filters, 10, 10), model.layers[0].output_shape

h = model.fit(X, Y, batch_size=32, nb_epoch=10, verbose=0)
score = model.evaluate(X, Y, verbose=0)
print('loss', h.history['loss'][0], '->', h.history['loss'][-1], 'acc', score[1])
assert h.history['loss'][-1] < h.history['loss'][0] and score[1] > 0.8

model.save_weights('cnn_th_weights.h5')
json_string = model.to_json()
from keras.models import model_from_json
model2 = model_from_json(json_string)
model2.load_weights('cnn_th_weights.h5')
np.testing.assert_allclose(model2.predict(X[:20]), model.predict(X[:20]), atol=1e-5)
print('OK')
