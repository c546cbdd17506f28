"""Keras 1.x: a custom layer (build / call(x, mask=None) / get_output_shape_for, add_weight),
Keras 1 layers MaxoutDense and Highway, a custom loss, and load_model with custom_objects."""
from __future__ import print_function
import numpy as np
np.random.seed(11)

from keras import backend as K
from keras.engine.topology import Layer
from keras.models import Sequential, load_model
from keras.layers.core import Dense, MaxoutDense, Highway


class Scale(Layer):
    """y = x * w + b, one weight per feature."""

    def __init__(self, init_value=1.0, **kwargs):
        self.init_value = init_value
        super(Scale, self).__init__(**kwargs)

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[1],), initializer='one', name='w')
        self.b = self.add_weight(shape=(input_shape[1],), initializer='zero', name='b')
        super(Scale, self).build(input_shape)

    def call(self, x, mask=None):
        return x * self.w + self.b

    def get_output_shape_for(self, input_shape):
        return input_shape

    def get_config(self):
        config = {'init_value': self.init_value}
        base_config = super(Scale, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


def rmse(y_true, y_pred):
    return K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1) + K.epsilon())


X = np.random.rand(400, 8).astype('float32')
Y = np.sin(X.sum(axis=1, keepdims=True))

model = Sequential()
model.add(Scale(input_shape=(8,)))
model.add(MaxoutDense(16, nb_feature=3))
model.add(Highway(activation='relu'))
model.add(Dense(1))
model.compile(loss=rmse, optimizer='adam')
h = model.fit(X, Y, nb_epoch=25, batch_size=32, verbose=0)
print('loss', h.history['loss'][0], '->', h.history['loss'][-1])
assert h.history['loss'][-1] < 0.8 * h.history['loss'][0]

model.save('custom.h5')
model2 = load_model('custom.h5', custom_objects={'Scale': Scale, 'rmse': rmse})
np.testing.assert_allclose(model2.predict(X[:16]), model.predict(X[:16]), atol=1e-5)
print('OK')
