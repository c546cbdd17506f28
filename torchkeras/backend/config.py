"""Global Keras settings: floatx, epsilon, image data format, era (for era-dependent semantics).

Matches `keras.backend.floatx()` / `epsilon()` / `image_data_format()` and their setters.
"""
from __future__ import annotations

import torch

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"

_DTYPES = {
    "float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32,
    "float64": torch.float64, "int8": torch.int8, "int16": torch.int16, "int32": torch.int32,
    "int64": torch.int64, "uint8": torch.uint8, "bool": torch.bool, "half": torch.float16,
    "float": torch.float32, "double": torch.float64,
}


def floatx() -> str:
    """Default float type as a string, e.g. ``'float32'``."""
    return _FLOATX


def set_floatx(value: str) -> None:
    global _FLOATX
    if value not in ("float16", "bfloat16", "float32", "float64"):
        raise ValueError(f"Unknown `floatx` value: {value!r}. Expected one of "
                         "'float16', 'bfloat16', 'float32', 'float64'.")
    _FLOATX = str(value)


def epsilon() -> float:
    """Fuzz factor used in numeric expressions (Keras default 1e-7)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    global _EPSILON
    _EPSILON = float(value)


def image_data_format() -> str:
    """``'channels_last'`` (default) or ``'channels_first'``."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format: str) -> None:
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("The `data_format` argument must be one of "
                         f"'channels_first', 'channels_last'. Received: {data_format!r}")
    _IMAGE_DATA_FORMAT = data_format


def standardize_data_format(data_format) -> str:
    if data_format is None:
        return image_data_format()
    df = str(data_format).lower()
    if df not in ("channels_last", "channels_first"):
        raise ValueError("The `data_format` argument must be one of "
                         f"'channels_first', 'channels_last'. Received: {data_format!r}")
    return df


def standardize_dtype(dtype) -> torch.dtype:
    """A Keras dtype spelling (string, numpy dtype, torch dtype, DTypePolicy config) -> torch dtype."""
    if dtype is None:
        return _DTYPES[_FLOATX]
    if isinstance(dtype, torch.dtype):
        return dtype
    if isinstance(dtype, dict):  # Keras 3 DTypePolicy config
        dtype = dtype.get("config", {}).get("name", _FLOATX)
    name = getattr(dtype, "name", None) if not isinstance(dtype, str) else dtype
    if name is None:
        name = str(dtype)
    name = str(name)
    if name.startswith("mixed_"):
        name = "float32"
    if name not in _DTYPES:
        raise ValueError(f"Unknown dtype: {dtype!r}")
    return _DTYPES[name]


def dtype_name(dtype: torch.dtype) -> str:
    for k, v in _DTYPES.items():
        if v == dtype and k not in ("half", "float", "double"):
            return k
    return str(dtype).replace("torch.", "")


# ---------------------------------------------------------------------------------------------
# Era: a few definitions differ between Keras 2 and Keras 3 (hard_sigmoid, LeakyReLU default...).
# New code follows Keras 3; loading a file or config written by Keras 1/2 switches to its era
# for the objects created while it is read (``era_scope``).
# ---------------------------------------------------------------------------------------------
import contextlib as _contextlib

_ERA = 3


def keras_era() -> int:
    """The Keras major version whose semantics era-dependent definitions follow (2 or 3)."""
    return _ERA


def set_keras_era(era: int) -> None:
    global _ERA
    era = int(era)
    if era not in (1, 2, 3):
        raise ValueError(f"Keras era must be 1, 2 or 3. Received: {era!r}")
    _ERA = 3 if era == 3 else 2


@_contextlib.contextmanager
def era_scope(era):
    """Temporarily follow Keras ``era`` (1/2 -> Keras 2 semantics, 3 -> Keras 3)."""
    global _ERA
    old = _ERA
    set_keras_era(era)
    try:
        yield
    finally:
        _ERA = old


def era_from_version(version) -> int:
    """'2.21.0' -> 2, '3.15.1' -> 3, '1.2.2' -> 1 (bytes accepted)."""
    if isinstance(version, bytes):
        version = version.decode()
    try:
        return int(str(version).strip().split(".")[0])
    except ValueError:
        return 2
