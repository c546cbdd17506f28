"""``keras.objectives`` (Keras 1 name of ``keras.losses``)."""
from .losses import *  # noqa: F401,F403
from .losses import get, deserialize, serialize  # noqa: F401
