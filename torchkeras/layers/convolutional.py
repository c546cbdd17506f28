"""Convolution layers (family module): Conv1D/2D/3D, Conv1D/2D/3DTranspose,
SeparableConv1D/2D, DepthwiseConv1D/2D and the aliases Keras 2 / Keras 3 export
(``Convolution2D``, ``Convolution2DTranspose``, ``SeparableConvolution2D``...).

Implementations live in ``torchkeras.layers.conv``; all of them run channels-last inputs
without layout copies (see ``torchkeras.layers.conv._layout``).
"""
from __future__ import annotations

from .conv.conv import Conv1D, Conv2D, Conv3D
from .conv.depthwise import DepthwiseConv1D, DepthwiseConv2D, SeparableConv1D, SeparableConv2D
from .conv.transpose import Conv1DTranspose, Conv2DTranspose, Conv3DTranspose

# Aliases exported by tf.keras 2.x and Keras 3. ``Convolution1D/2D/3D`` and
# ``SeparableConvolution2D`` also read Keras 1 positional arguments (``Convolution2D(32, 3, 3)``
# is a 3x3 kernel, as in Keras 1 and 2.0-2.3): see torchkeras.legacy.classes.
from ..legacy.classes import Convolution1D, Convolution2D, Convolution3D  # noqa: E402
from ..legacy.classes import SeparableConvolution2D  # noqa: E402
Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
SeparableConvolution1D = SeparableConv1D

__all__ = [
    "Conv1D", "Conv2D", "Conv3D",
    "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
    "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D",
    "Convolution1D", "Convolution2D", "Convolution3D",
    "Convolution1DTranspose", "Convolution2DTranspose", "Convolution3DTranspose",
    "SeparableConvolution1D", "SeparableConvolution2D",
]
