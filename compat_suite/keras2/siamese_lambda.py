"""Keras 2.0-2.2: mnist_siamese.py style: a shared base network applied to two inputs,
Lambda(euclidean_distance, output_shape=...), contrastive loss and accuracy written with K.*,
save / load_model with custom_objects."""
from __future__ import print_function
import numpy as np
np.random.seed(1337)

from keras.models import Model, Sequential, load_model
from keras.layers import Dense, Dropout, Input, Lambda
from keras.optimizers import RMSprop
from keras import backend as K


def euclidean_distance(vects):
    x, y = vects
    sum_square = K.sum(K.square(x - y), axis=1, keepdims=True)
    return K.sqrt(K.maximum(sum_square, K.epsilon()))


def eucl_dist_output_shape(shapes):
    shape1, shape2 = shapes
    return (shape1[0], 1)


def contrastive_loss(y_true, y_pred):
    margin = 1
    square_pred = K.square(y_pred)
    margin_square = K.square(K.maximum(margin - y_pred, 0))
    return K.mean(y_true * square_pred + (1 - y_true) * margin_square)


def accuracy(y_true, y_pred):
    return K.mean(K.equal(y_true, K.cast(y_pred < 0.5, y_true.dtype)))


def create_base_network(input_shape):
    input = Input(shape=input_shape)
    x = Dense(32, activation='relu')(input)
    x = Dropout(0.1)(x)
    x = Dense(8, activation='relu')(x)
    return Model(input, x)


centers = np.random.randn(5, 12).astype('float32') * 2
def create_pairs(n):
    a = np.random.randint(0, 5, n)
    same = np.random.randint(0, 2, n)
    b = np.where(same == 1, a, (a + np.random.randint(1, 5, n)) % 5)
    noise = lambda: np.random.randn(n, 12).astype('float32') * 0.4
    return [centers[a] + noise(), centers[b] + noise()], same.astype('float32')

(tr_a, tr_b), tr_y = create_pairs(800)
input_shape = (12,)
base_network = create_base_network(input_shape)
input_a = Input(shape=input_shape)
input_b = Input(shape=input_shape)
processed_a = base_network(input_a)
processed_b = base_network(input_b)
distance = Lambda(euclidean_distance, output_shape=eucl_dist_output_shape)([processed_a, processed_b])
model = Model([input_a, input_b], distance)

rms = RMSprop()
model.compile(loss=contrastive_loss, optimizer=rms, metrics=[accuracy])
h = model.fit([tr_a, tr_b], tr_y, batch_size=64, epochs=15, validation_split=0.2, verbose=0)
print('loss', h.history['loss'][0], '->', h.history['loss'][-1], 'acc', h.history['accuracy'][-1])
assert h.history['loss'][-1] < h.history['loss'][0] and h.history['accuracy'][-1] > 0.7
assert len(base_network.trainable_weights) == 4  # shared: one set of weights

model.save('siamese.h5')
again = load_model('siamese.h5', custom_objects={'contrastive_loss': contrastive_loss,
                                                 'accuracy': accuracy,
                                                 'euclidean_distance': euclidean_distance,
                                                 'eucl_dist_output_shape': eucl_dist_output_shape})
np.testing.assert_allclose(again.predict([tr_a[:20], tr_b[:20]]),
                           model.predict([tr_a[:20], tr_b[:20]]), atol=1e-5)
print('OK')
