"""``load_img``, ``img_to_array``, ``array_to_img``, ``save_img`` (Keras semantics, via Pillow).

Pillow is an optional dependency (``pip install keras-on-pytorch[images]``); every function that
needs it raises an ``ImportError`` saying so. Arrays are numpy with ``floatx()`` by default and
``image_data_format()`` channel order.
"""
from __future__ import annotations

import io
import os
import pathlib
import warnings
from typing import Optional, Tuple

import numpy as np

__all__ = ["load_img", "img_to_array", "array_to_img", "save_img", "pil_image"]

_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def pil_image():
    """The ``PIL.Image`` module, or an ``ImportError`` explaining how to get it."""
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError("Could not import PIL.Image. Image loading and saving require Pillow: "
                          "`pip install Pillow` (or `pip install keras-on-pytorch[images]`).") from e
    return Image


def _resample(name: str):
    Image = pil_image()
    if name not in _INTERPOLATIONS:
        raise ValueError(f"Invalid interpolation method {name} specified. Supported methods are "
                         f"{', '.join(_INTERPOLATIONS)}")
    resampling = getattr(Image, "Resampling", Image)
    return getattr(resampling, name.upper())


def _data_format(data_format: Optional[str], kwargs: Optional[dict] = None) -> str:
    from torchkeras.backend.config import image_data_format
    if kwargs:
        if set(kwargs) != {"dim_ordering"}:
            raise TypeError(f"Unexpected keyword arguments: {sorted(kwargs)}")
        warnings.warn("`dim_ordering` is the Keras 1 name of `data_format`.",
                      DeprecationWarning, stacklevel=3)
        data_format = {"th": "channels_first", "tf": "channels_last"}.get(
            kwargs["dim_ordering"], data_format)
    df = data_format if data_format is not None else image_data_format()
    if df not in ("channels_first", "channels_last"):
        raise ValueError(f"Unknown data_format: {df}")
    return df


def _floatx() -> str:
    from torchkeras.backend.config import floatx
    return floatx()


def load_img(path, grayscale: bool = False, color_mode: str = "rgb",
             target_size: Optional[Tuple[int, int]] = None, interpolation: str = "nearest",
             keep_aspect_ratio: bool = False):
    """Load an image file (path or ``io.BytesIO``) as a PIL image.

    ``color_mode`` ``'grayscale'`` (keeps 8/16/32-bit grayscale), ``'rgb'`` or ``'rgba'``;
    ``target_size=(height, width)`` resizes with ``interpolation``; ``keep_aspect_ratio``
    centre-crops to the target aspect ratio first.
    """
    if grayscale:
        warnings.warn('grayscale is deprecated. Please use color_mode = "grayscale"')
        color_mode = "grayscale"
    Image = pil_image()
    if isinstance(path, io.BytesIO):
        img = Image.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str)) or hasattr(path, "__fspath__"):
        if isinstance(path, pathlib.Path):
            path = str(path.resolve())
        with open(path, "rb") as f:
            img = Image.open(io.BytesIO(f.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif color_mode == "rgba":
        if img.mode != "RGBA":
            img = img.convert("RGBA")
    elif color_mode == "rgb":
        if img.mode != "RGB":
            img = img.convert("RGB")
    else:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')
    if target_size is not None:
        width_height = (int(target_size[1]), int(target_size[0]))
        if img.size != width_height:
            resample = _resample(interpolation)
            if keep_aspect_ratio:
                width, height = img.size
                target_w, target_h = width_height
                crop_h = min(height, (width * target_h) // target_w)
                crop_w = min(width, (height * target_w) // target_h)
                h0, w0 = (height - crop_h) // 2, (width - crop_w) // 2
                img = img.resize(width_height, resample, box=(w0, h0, w0 + crop_w, h0 + crop_h))
            else:
                img = img.resize(width_height, resample)
    return img


def img_to_array(img, data_format: Optional[str] = None, dtype=None, **kwargs) -> np.ndarray:
    """PIL image -> numpy array ``(h, w, c)`` (channels_last) or ``(c, h, w)``."""
    df = _data_format(data_format, kwargs)
    x = np.asarray(img, dtype=dtype if dtype is not None else _floatx())
    if x.ndim == 3:
        if df == "channels_first":
            x = x.transpose(2, 0, 1)
    elif x.ndim == 2:
        x = x.reshape((1,) + x.shape) if df == "channels_first" else x.reshape(x.shape + (1,))
    else:
        raise ValueError(f"Unsupported image shape: {x.shape}")
    return x


def array_to_img(x, data_format: Optional[str] = None, scale: bool = True, dtype=None,
                 **kwargs):
    """3-D numpy array -> PIL image; ``scale`` maps the value range to 0..255 first."""
    Image = pil_image()
    df = _data_format(data_format, kwargs)
    x = np.asarray(x, dtype=dtype if dtype is not None else _floatx())
    if x.ndim != 3:
        raise ValueError("Expected image array to have rank 3 (single image). Got array with "
                         f"shape: {x.shape}")
    if df == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x = x / x_max
        x = x * 255
    channels = x.shape[2]
    if channels == 4:
        return Image.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return Image.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:  # 32-bit signed integer grayscale
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}")


def save_img(path, x, data_format: Optional[str] = None, file_format: Optional[str] = None,
             scale: bool = True, **kwargs) -> None:
    """Save a 3-D numpy array as an image file (``file_format`` from the extension if None)."""
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format in ("jpg", "jpeg"):
        warnings.warn("The JPG format does not support RGBA images, converting to RGB.")
        img = img.convert("RGB")
    if file_format == "jpg":
        file_format = "jpeg"
    img.save(os.fspath(path) if hasattr(path, "__fspath__") else path, format=file_format,
             **kwargs)
