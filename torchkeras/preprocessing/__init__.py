"""``keras.preprocessing``: the Keras 2 ``sequence``, ``text`` and ``image`` utilities (numpy).

Also re-exports Keras 3's top-level ``keras.preprocessing`` helpers that exist here
(``timeseries_dataset_from_array``).
"""
from . import image, sequence, text  # noqa: F401
from torchkeras.utils.data import timeseries_dataset_from_array  # noqa: F401

__all__ = ["image", "sequence", "text", "timeseries_dataset_from_array"]
