"""Shared argument normalisation and Keras (TensorFlow) padding arithmetic for the conv,
pooling and reshaping families.

Keras semantics matched (verified against tf-keras 2.21 / Keras 3.15, see
``docs/keras-file-formats.md`` §8):

* ``'same'``: total padding ``max((ceil(n/s) - 1) * s + (k - 1) * d + 1 - n, 0)``; the smaller
  half goes before, the extra pixel goes **after** (bottom / right). torch's
  ``padding='same'`` is stride-1 only, so asymmetric cases are padded explicitly.
* ``'causal'`` (1-D convolutions): ``(k - 1) * d`` zeros before, none after.
* Output lengths follow Keras's ``conv_output_length`` / ``deconv_output_length``.
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple

import numpy as np


def normalize_tuple(value, n: int, name: str, layer: str, allow_zero: bool = False
                    ) -> Tuple[int, ...]:
    """An int or a sequence of ``n`` ints -> a tuple of ``n`` ints (Keras's
    ``standardize_tuple``), with a Keras-style ``ValueError`` naming ``layer`` otherwise."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        values = (int(value),) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(f"The `{name}` argument of {layer} must be a tuple of {n} integers."
                             f" Received: {name}={value!r}") from None
        if len(values) != n or not all(isinstance(v, (int, np.integer)) and
                                       not isinstance(v, bool) for v in values):
            raise ValueError(f"The `{name}` argument of {layer} must be a tuple of {n} integers."
                             f" Received: {name}={value!r}")
        values = tuple(int(v) for v in values)
    lowest = 0 if allow_zero else 1
    if any(v < lowest for v in values):
        req = "non-negative" if allow_zero else "positive (> 0)"
        raise ValueError(f"The `{name}` argument of {layer} must only contain {req} values. "
                         f"Received: {name}={value!r}, including "
                         f"{[v for v in values if v < lowest]}")
    return values


def normalize_padding(value, layer: str, allow_causal: bool = False) -> str:
    """'valid' / 'same' (/ 'causal'), case-insensitive, as Keras's ``standardize_padding``."""
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    if not isinstance(value, str) or value.lower() not in allowed:
        raise ValueError(f"The `padding` argument of {layer} must be one of "
                         f"{', '.join(repr(a) for a in allowed)}. Received: padding={value!r}")
    return value.lower()


def normalize_pairs(value, n: int, name: str, layer: str) -> Tuple[Tuple[int, int], ...]:
    """ZeroPadding / Cropping amounts: an int (same everywhere), ``n`` ints (symmetric per
    axis) or ``n`` pairs ``(before, after)`` -> ``n`` pairs of non-negative ints."""
    def bad():
        return ValueError(f"`{name}` of {layer} should be an int, a tuple of {n} ints, or a tuple "
                          f"of {n} tuples of 2 ints. Received: {name}={value!r}")
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        pairs = ((int(value), int(value)),) * n
    else:
        try:
            items = tuple(value)
        except TypeError:
            raise bad() from None
        if n == 1 and len(items) == 2 and all(isinstance(v, (int, np.integer)) for v in items):
            pairs = ((int(items[0]), int(items[1])),)
        elif len(items) != n:
            raise bad()
        else:
            out = []
            for it in items:
                if isinstance(it, (int, np.integer)) and not isinstance(it, bool):
                    out.append((int(it), int(it)))
                else:
                    try:
                        pair = tuple(int(v) for v in it)
                    except (TypeError, ValueError):
                        raise bad() from None
                    if len(pair) != 2:
                        raise bad()
                    out.append(pair)
            pairs = tuple(out)
    if any(v < 0 for p in pairs for v in p):
        raise ValueError(f"`{name}` of {layer} cannot contain negative values. "
                         f"Received: {name}={value!r}")
    return pairs


def same_pads(n: int, k: int, s: int, d: int = 1) -> Tuple[int, int]:
    """TensorFlow 'SAME' padding ``(before, after)`` for one spatial axis of length ``n``."""
    eff = (k - 1) * d + 1
    out = -(-n // s)
    total = max((out - 1) * s + eff - n, 0)
    return total // 2, total - total // 2


def padding_amounts(padding: str, spatial: Sequence[int], kernel: Sequence[int],
                    strides: Sequence[int], dilation: Sequence[int]) -> Tuple[Tuple[int, int], ...]:
    """``(before, after)`` per spatial axis for 'valid' / 'same' / 'causal'."""
    if padding == "valid":
        return tuple((0, 0) for _ in spatial)
    if padding == "causal":
        return tuple(((k - 1) * d, 0) for k, d in zip(kernel, dilation))
    return tuple(same_pads(n, k, s, d) for n, k, s, d in zip(spatial, kernel, strides, dilation))


def torch_pad_arg(pairs: Sequence[Tuple[int, int]]) -> Tuple[int, ...]:
    """Per-axis ``(before, after)`` pairs (first spatial axis first) -> ``F.pad``'s argument
    (last axis first)."""
    out = []
    for b, a in reversed(tuple(pairs)):
        out.extend((b, a))
    return tuple(out)


def conv_output_length(n: Optional[int], k: int, padding: str, s: int, d: int = 1
                       ) -> Optional[int]:
    """Keras ``conv_output_length`` (None passes through)."""
    if n is None:
        return None
    eff = (k - 1) * d + 1
    if padding == "valid":
        return (n - eff) // s + 1 if n >= eff else n - eff + 1  # <= 0 flags an error
    if padding in ("same", "causal"):
        return -(-n // s)
    raise ValueError(f"Unknown padding {padding!r}")


def deconv_output_length(n: Optional[int], k: int, padding: str, output_padding: Optional[int],
                         s: int, d: int = 1) -> Optional[int]:
    """Keras ``deconv_output_length`` (transposed convolutions; None passes through)."""
    if n is None:
        return None
    eff = (k - 1) * d + 1
    if output_padding is None:
        if padding == "valid":
            return n * s + max(eff - s, 0)
        return n * s
    pad = eff // 2 if padding == "same" else 0
    return (n - 1) * s + eff - 2 * pad + output_padding


def transpose_crop(n: int, k: int, padding: str, output_padding: Optional[int], s: int,
                   d: int = 1) -> Tuple[int, int]:
    """How TensorFlow's ``conv_transpose`` with an explicit output size places its output:
    ``(start, length)`` of the window kept from the full (unpadded) transposed convolution of
    length ``(n - 1) * s + (k - 1) * d + 1`` (positions past its end are zeros)."""
    eff = (k - 1) * d + 1
    length = deconv_output_length(n, k, padding, output_padding, s, d)
    full = (n - 1) * s + eff
    start = max(full - length, 0) // 2 if padding == "same" else 0
    return start, length
