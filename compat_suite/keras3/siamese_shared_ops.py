"""Keras 3: siamese network, one embedding model applied to two inputs (shared weights), a
distance computed with keras.ops in a Lambda layer, a contrastive loss with ops; .keras round
trip with the loss passed through custom_objects."""
import numpy as np
import keras
from keras import layers, ops

keras.utils.set_random_seed(6)


def euclidean_distance(vects):
    x, y = vects
    sum_square = ops.sum(ops.square(x - y), axis=1, keepdims=True)
    return ops.sqrt(ops.maximum(sum_square, keras.backend.epsilon()))


def contrastive_loss(y_true, y_pred, margin=1.0):
    square_pred = ops.square(y_pred)
    margin_square = ops.square(ops.maximum(margin - y_pred, 0))
    return ops.mean((1 - y_true) * margin_square + y_true * square_pred)


centers = np.random.randn(5, 10).astype("float32") * 2
def pairs(n):
    a = np.random.randint(0, 5, n)
    same = np.random.randint(0, 2, n)
    b = np.where(same == 1, a, (a + np.random.randint(1, 5, n)) % 5)
    jitter = lambda: np.random.randn(n, 10).astype("float32") * 0.4
    return centers[a] + jitter(), centers[b] + jitter(), same.astype("float32")

xa, xb, y = pairs(800)
embedding = keras.Sequential([keras.Input((10,)), layers.Dense(32, activation="relu"),
                              layers.Dense(8)], name="embedding")
in_a, in_b = keras.Input((10,)), keras.Input((10,))
distance = layers.Lambda(euclidean_distance, output_shape=(1,))([embedding(in_a),
                                                                 embedding(in_b)])
model = keras.Model([in_a, in_b], distance)
model.compile(optimizer="adam", loss=contrastive_loss)
history = model.fit([xa, xb], y, batch_size=64, epochs=10, verbose=0)
pred = model.predict([xa, xb], verbose=0).ravel()
acc = ((pred < 0.5) == (y == 1)).mean()
print("loss", history.history["loss"][0], "->", history.history["loss"][-1], "acc", acc)
assert history.history["loss"][-1] < history.history["loss"][0] and acc > 0.85
assert len(model.trainable_weights) == 4  # the embedding's weights, shared by both branches

model.save("siamese.keras")
restored = keras.saving.load_model("siamese.keras", safe_mode=False,
                                   custom_objects={"contrastive_loss": contrastive_loss,
                                                   "euclidean_distance": euclidean_distance})
np.testing.assert_allclose(restored.predict([xa[:16], xb[:16]], verbose=0), pred[:16, None],
                           atol=1e-5)
print("OK")
