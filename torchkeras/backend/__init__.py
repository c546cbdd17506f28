"""`keras.backend` (``K``): settings, session helpers and the Keras 2 backend functions on torch tensors."""
from .config import (floatx, set_floatx, epsilon, set_epsilon, image_data_format,
                     set_image_data_format, standardize_data_format, standardize_dtype)
from .session import clear_session, get_uid, reset_uids

try:  # the K.* function library (math, shapes, random, ...)
    from .ops import *  # noqa: F401,F403
except ImportError:  # pragma: no cover - filled in by backend/ops.py
    pass

backend = lambda: "torch"  # noqa: E731  (keras.backend.backend())
from .function import function  # noqa: E402,F401  (K.function: needs the engine graph)
