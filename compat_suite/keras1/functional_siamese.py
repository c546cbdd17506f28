"""Keras 1.x functional API: Model(input=..., output=...), shared layers (siamese), merge()
with a lambda mode and output_shape, a contrastive loss written with K.*."""
from __future__ import print_function
import numpy as np
np.random.seed(3)

from keras.layers import Input, Dense, Lambda, merge
from keras.models import Model
from keras.optimizers import RMSprop
from keras import backend as K


def euclidean_distance(vects):
    x, y = vects
    return K.sqrt(K.maximum(K.sum(K.square(x - y), axis=1, keepdims=True), K.epsilon()))


def contrastive_loss(y_true, y_pred):
    margin = 1
    return K.mean(y_true * K.square(y_pred) + (1 - y_true) * K.square(K.maximum(margin - y_pred, 0)))


# pairs of points: same cluster (label 1) or different clusters (label 0)
centers = np.random.randn(4, 8).astype('float32') * 3
def make_pairs(n):
    a = np.random.randint(0, 4, n)
    same = np.random.randint(0, 2, n)
    b = np.where(same == 1, a, (a + np.random.randint(1, 4, n)) % 4)
    xa = centers[a] + np.random.randn(n, 8).astype('float32') * 0.3
    xb = centers[b] + np.random.randn(n, 8).astype('float32') * 0.3
    return xa, xb, same.astype('float32')

xa, xb, y = make_pairs(600)

input_a = Input(shape=(8,))
input_b = Input(shape=(8,))
dense1 = Dense(16, activation='relu')
dense2 = Dense(4)
processed_a = dense2(dense1(input_a))
processed_b = dense2(dense1(input_b))
distance = merge([processed_a, processed_b], mode=euclidean_distance,
                 output_shape=lambda shapes: (shapes[0][0], 1))
model = Model(input=[input_a, input_b], output=distance)
model.compile(loss=contrastive_loss, optimizer=RMSprop(lr=0.005))
h = model.fit([xa, xb], y, batch_size=64, nb_epoch=15, verbose=0)
pred = model.predict([xa, xb])
acc = ((pred.ravel() < 0.5) == (y == 1)).mean()
print('loss', h.history['loss'][0], '->', h.history['loss'][-1], 'pair acc', acc)
assert h.history['loss'][-1] < h.history['loss'][0] and acc > 0.8
assert len(model.layers) == 5  # 2 inputs, 2 shared dense, 1 merge

# another merge mode on the shared embeddings
cos = merge([processed_a, processed_b], mode='cos', dot_axes=1)
cos_model = Model(input=[input_a, input_b], output=cos)
c = cos_model.predict([xa[:8], xb[:8]])
assert c.shape == (8, 1) and np.all(np.abs(c) <= 1 + 1e-5)
print('OK')
