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

# K.* applied to KerasTensors records graph nodes (Keras 2's TFOpLambda), so that symbolic terms
# like a VAE's KL loss can be built and passed to ``model.add_loss``.
from ..engine.symbolic_ops import wrap_namespace as _wrap_namespace  # noqa: E402

_NOT_OPS = {"int_shape", "shape", "ndim", "dtype", "is_tensor", "is_keras_tensor",
            "is_placeholder", "is_sparse", "count_params", "get_value", "set_value",
            "batch_get_value", "batch_set_value", "eval", "variable", "constant", "placeholder",
            "learning_phase", "set_learning_phase", "learning_phase_scope", "function",
            "gradients", "get_session", "set_session", "clear_session", "manual_variable_initialization",
            "image_data_format", "set_image_data_format", "image_dim_ordering",
            "set_image_dim_ordering", "floatx", "set_floatx", "epsilon", "set_epsilon",
            "cast_to_floatx", "get_uid", "reset_uids", "device_scope", "print_tensor", "name_scope",
            "update", "update_add", "update_sub", "moving_average_update", "stop_gradient"}
try:
    from . import ops as _ops_module
    _wrap_namespace(globals(), [n for n in getattr(_ops_module, "__all__", [])
                                if n not in _NOT_OPS])
except ImportError:  # pragma: no cover
    pass
