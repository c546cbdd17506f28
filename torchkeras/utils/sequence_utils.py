"""``pad_sequences`` (``keras.utils.pad_sequences`` / ``keras.preprocessing.sequence``).

Matches Keras: the output array is filled with ``value`` and has ``dtype`` (default
``'int32'``); ``maxlen`` defaults to the longest sequence; ``'pre'``/``'post'`` padding and
truncating; samples may have trailing dimensions (taken from the first non-empty sequence);
string values need ``dtype=object`` or a string dtype.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

__all__ = ["pad_sequences"]


def pad_sequences(sequences: Sequence[Any], maxlen: Optional[int] = None, dtype="int32",
                  padding: str = "pre", truncating: str = "pre", value=0.0) -> np.ndarray:
    """Pad (and truncate) a list of sequences to a 2-D (or higher) numpy array."""
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    num_samples = len(sequences)
    lengths = []
    sample_shape = ()
    flag = True
    for x in sequences:
        try:
            lengths.append(len(x))
            if flag and len(x):
                sample_shape = np.asarray(x).shape[1:]
                flag = False
        except TypeError as e:
            raise ValueError("`sequences` must be a list of iterables. "
                             f"Found non-iterable: {x!s}") from e
    if maxlen is None:
        maxlen = int(np.max(lengths)) if lengths else 0

    is_dtype_str = np.issubdtype(dtype, np.str_)
    if isinstance(value, str) and dtype is not object and not is_dtype_str:
        raise ValueError(f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\n"
                         "You should set `dtype=object` for variable length strings.")

    x = np.full((num_samples, maxlen) + tuple(sample_shape), value, dtype=dtype)
    for idx, s in enumerate(sequences):
        if not len(s):
            continue
        if truncating == "pre":
            trunc = s[-maxlen:] if maxlen else s[:0]
        elif truncating == "post":
            trunc = s[:maxlen]
        else:
            raise ValueError(f'Truncating type "{truncating}" not understood')
        trunc = np.asarray(trunc, dtype=dtype)
        if trunc.shape[1:] != tuple(sample_shape):
            raise ValueError(f"Shape of sample {trunc.shape[1:]} of sequence at position {idx} "
                             f"is different from expected shape {sample_shape}")
        if padding == "post":
            x[idx, :len(trunc)] = trunc
        elif padding == "pre":
            if len(trunc):
                x[idx, -len(trunc):] = trunc
        else:
            raise ValueError(f'Padding type "{padding}" not understood')
    return x
