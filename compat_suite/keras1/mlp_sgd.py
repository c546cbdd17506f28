"""Keras 1.x: MLP classifier (the mnist_mlp.py style), SGD with lr/decay/nesterov,
nb_epoch, predict_classes, model.save / load_model."""
from __future__ import print_function
import numpy as np
np.random.seed(1337)

from keras.models import Sequential, load_model
from keras.layers.core import Dense, Dropout, Activation
from keras.optimizers import SGD
from keras.utils import np_utils

nb_classes = 3
X_train = np.random.rand(600, 20).astype('float32')
y_train = (X_train[:, :3].argmax(axis=1)).astype('int32')
Y_train = np_utils.to_categorical(y_train, nb_classes)

model = Sequential()
model.add(Dense(64, input_dim=20, init='uniform'))
model.add(Activation('tanh'))
model.add(Dropout(0.2))
model.add(Dense(output_dim=64, init='uniform', W_regularizer=None))
model.add(Activation('tanh'))
model.add(Dropout(p=0.2))
model.add(Dense(nb_classes, init='uniform'))
model.add(Activation('softmax'))

sgd = SGD(lr=0.1, decay=1e-6, momentum=0.9, nesterov=True)
model.compile(loss='categorical_crossentropy', optimizer=sgd, metrics=['accuracy'])
history = model.fit(X_train, Y_train, nb_epoch=20, batch_size=32, verbose=0,
                    validation_split=0.1)
score = model.evaluate(X_train, Y_train, batch_size=32, verbose=0)
print('loss', history.history['loss'][0], '->', history.history['loss'][-1], 'acc', score[1])
assert history.history['loss'][-1] < history.history['loss'][0]
assert score[1] > 0.6, score

classes = model.predict_classes(X_train, batch_size=32, verbose=0)
assert (classes == y_train).mean() > 0.6
proba = model.predict_proba(X_train[:5], verbose=0)
assert proba.shape == (5, nb_classes)

model.save('keras1_mlp.h5')
model2 = load_model('keras1_mlp.h5')
np.testing.assert_allclose(model2.predict(X_train[:50]), model.predict(X_train[:50]), atol=1e-6)
print('OK')
