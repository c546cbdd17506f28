"""`keras.optimizers.experimental` (tf.keras 2.9-2.10 home of the new optimizers): aliases."""
from . import (SGD, Adadelta, Adafactor, Adagrad, Adam, Adamax, AdamW, Ftrl, Lion,  # noqa: F401
               Nadam, Optimizer, RMSprop)
