"""Keras 2 module path ``keras.utils.data_utils`` (``get_file``, ``Sequence``, enqueuers)."""
from .data import (GeneratorEnqueuer, OrderedEnqueuer, PyDataset, Sequence,  # noqa: F401
                   SequenceEnqueuer, pad_sequences)
from .file_utils import extract_archive, get_file, hash_file, validate_file  # noqa: F401

_extract_archive = extract_archive
_hash_file = hash_file

__all__ = ["get_file", "validate_file", "hash_file", "extract_archive", "Sequence", "PyDataset",
           "SequenceEnqueuer", "OrderedEnqueuer", "GeneratorEnqueuer", "pad_sequences"]
