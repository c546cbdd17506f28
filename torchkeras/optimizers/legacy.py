"""`keras.optimizers.legacy` (tf.keras 2.11+ kept the OptimizerV2 classes here): the same classes;
their Keras 2 arguments (``lr``, ``decay``) are honoured by the constructors."""
from . import (SGD, Adadelta, Adagrad, Adam, Adamax, Ftrl, Nadam, Optimizer,  # noqa: F401
               RMSprop)
