"""Preprocessing layers that run inside models: Rescaling, Normalization, Resizing,
CenterCrop and the random image augmentations (RandomFlip, RandomRotation, RandomZoom,
RandomTranslation, RandomContrast)."""
from .image import (CenterCrop, RandomContrast, RandomFlip, RandomRotation, RandomTranslation,
                    RandomZoom, Resizing)
from .numeric import Normalization, Rescaling

__all__ = ["Rescaling", "Normalization", "Resizing", "CenterCrop", "RandomFlip",
           "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast"]
