"""``keras.config`` (Keras 3): global settings."""
from .backend.config import (epsilon, floatx, image_data_format, set_epsilon, set_floatx,
                             set_image_data_format)
from .mixed_precision import dtype_policy, set_dtype_policy
from .saving.safe_mode import enable_unsafe_deserialization


def backend() -> str:
    return "torch"


def enable_interactive_logging() -> None:
    pass


def disable_interactive_logging() -> None:
    pass


def is_interactive_logging_enabled() -> bool:
    return True


def disable_traceback_filtering() -> None:
    pass


def enable_traceback_filtering() -> None:
    pass
