"""Merging layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot and
their functional forms ``add([...])``, ``subtract``, ``multiply``, ``average``, ``maximum``,
``minimum``, ``concatenate``, ``dot``.

Keras's rules: a list of inputs; non-batch shapes must broadcast (equal or 1, aligned on the
right); inputs of lower rank get new axes after the batch axis; different batch sizes are an
error. Masks follow the era the layer was created in: Keras 3 ORs the input masks (None if one
is missing) and lets ``Multiply`` / ``Maximum`` / ``Minimum`` skip masked entries; tf.keras 2
ANDs the masks that exist and computes ignoring them.
"""
from __future__ import annotations

from typing import List

import numpy as np
import torch
import torch.nn.functional as F

from ..backend import config as _config
from ..engine.base_layer import Layer

__all__ = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot",
           "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot"]


def _check_list(layer, inputs, what: str = "inputs"):
    if not isinstance(inputs, (list, tuple)):
        shape = getattr(inputs, "shape", None)
        raise ValueError(f"A merge layer should be called on a list of inputs. Layer "
                         f"'{layer.name}' received: {what} of shape {shape} (not a list of "
                         "tensors)")


def _get_mask(x):
    return getattr(x, "_keras_mask", None)


class _Merge(Layer):
    """Base of the elementwise merge layers (Keras's ``Merge``)."""

    _min_inputs = 1

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self._era = _config.keras_era()
        self._reshape_required = False

    # -- shapes ------------------------------------------------------------------------------
    def _elemwise_shape(self, shape1, shape2):
        if shape1 is None or shape2 is None:
            return None
        if len(shape1) < len(shape2):
            return self._elemwise_shape(shape2, shape1)
        if not shape2:
            return tuple(shape1)
        out = list(shape1[:len(shape1) - len(shape2)])
        for i, j in zip(shape1[len(shape1) - len(shape2):], shape2):
            if i is None or j is None:
                out.append(None)
            elif i == 1:
                out.append(j)
            elif j == 1 or i == j:
                out.append(i)
            else:
                raise ValueError(f"Inputs have incompatible shapes. Received shapes "
                                 f"{tuple(shape1)} and {tuple(shape2)} (layer '{self.name}')")
        return tuple(out)

    def _check_shapes(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not input_shape or \
                not isinstance(input_shape[0], (list, tuple)):
            raise ValueError(f"A merge layer should be called on a list of inputs. Layer "
                             f"'{self.name}' received: input_shape={input_shape} (not a list "
                             "of shapes)")
        if len(input_shape) < self._min_inputs:
            raise ValueError(f"A merge layer should be called on a list of at least "
                             f"{self._min_inputs} input(s). Layer '{self.name}' received "
                             f"{len(input_shape)} inputs. Full input_shape received: "
                             f"{list(input_shape)}")
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(f"Cannot merge tensors with different batch sizes. Layer "
                             f"'{self.name}' received tensors with shapes {list(input_shape)}")
        out = tuple(input_shape[0][1:])
        for s in input_shape[1:]:
            out = self._elemwise_shape(out, tuple(s[1:]))
        return batch_sizes, out

    def build(self, input_shape) -> None:
        self._check_shapes(input_shape)
        self._reshape_required = len({len(s) for s in input_shape}) != 1
        self.built = True

    def compute_output_shape(self, input_shape):
        batch_sizes, out = self._check_shapes(input_shape)
        batch = next(iter(batch_sizes)) if len(batch_sizes) == 1 else None
        return (batch,) + tuple(out)

    # -- call --------------------------------------------------------------------------------
    def call(self, inputs):
        _check_list(self, inputs)
        xs = list(inputs)
        if len(xs) < self._min_inputs:
            raise ValueError(f"Layer '{self.name}' should be called on at least "
                             f"{self._min_inputs} inputs. Received {len(xs)}.")
        masks = [_get_mask(x) for x in xs]
        ndim = max(x.dim() for x in xs)
        if any(x.dim() != ndim for x in xs):  # new axes after the batch axis, as Keras
            xs = [x.reshape((x.shape[0],) + (1,) * (ndim - x.dim()) + tuple(x.shape[1:]))
                  for x in xs]
        try:
            return self._merge(xs, masks)
        except RuntimeError as e:
            if "size of tensor" in str(e) or "broadcast" in str(e):
                raise ValueError(f"Inputs have incompatible shapes. Layer '{self.name}' "
                                 f"received shapes {[tuple(x.shape) for x in inputs]}") from None
            raise

    def _merge(self, xs: List[torch.Tensor], masks) -> torch.Tensor:
        raise NotImplementedError

    # -- masks -------------------------------------------------------------------------------
    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)):
            raise ValueError(f"`mask` should be a list. Received: mask={mask!r} (layer "
                             f"'{self.name}')")
        if not isinstance(inputs, (list, tuple)) or len(mask) != len(inputs):
            raise ValueError(f"The lists `inputs` and `mask` should have the same length "
                             f"(layer '{self.name}'). Received {len(mask)} masks.")
        if self._era >= 3:
            if any(m is None for m in mask):
                return None
            out = mask[0]
            for m in mask[1:]:
                out = torch.logical_or(out, m)
            return out
        present = [m for m in mask if m is not None]
        if not present:
            return None
        out = present[0].bool()
        for m in present[1:]:
            out = torch.logical_and(out, m)
        return out

    def _masked_minmax(self, op, xs, masks):
        """Keras 3: masked entries take the other operand's value; output masked where every
        input is."""
        if self._era < 3 or all(m is None for m in masks):
            out = xs[0]
            for x in xs[1:]:
                out = op(out, x)
            return out
        out = None
        out_mask = None
        for x, m in zip(xs, masks):
            if m is not None:
                m = m.bool().unsqueeze(-1).expand_as(x)
            if out is None:
                out, out_mask = x, m
                continue
            if m is not None:
                x = torch.where(m, x, out)
            if out_mask is not None:
                out = torch.where(out_mask, out, x)
            out_mask = torch.logical_or(out_mask, m) if (m is not None and
                                                          out_mask is not None) else None
            out = op(out, x)
        return out


class Add(_Merge):
    """Elementwise sum of a list of inputs (same shape, or broadcastable)."""

    def _merge(self, xs, masks):
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


class Subtract(_Merge):
    """``inputs[0] - inputs[1]`` (exactly two inputs)."""

    _min_inputs = 2

    def build(self, input_shape) -> None:
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f"A `Subtract` layer should be called on exactly 2 inputs. Layer "
                             f"'{self.name}' received {len(input_shape)} inputs: "
                             f"{list(input_shape)}")

    def _merge(self, xs, masks):
        if len(xs) != 2:
            raise ValueError(f"A `Subtract` layer should be called on exactly 2 inputs. Layer "
                             f"'{self.name}' received {len(xs)} inputs.")
        return xs[0] - xs[1]


class Multiply(_Merge):
    """Elementwise product. Keras 3 with masks: masked entries count as 1, and where every
    input is masked (all inputs carrying masks) the output is 0."""

    def _merge(self, xs, masks):
        if self._era < 3 or all(m is None for m in masks):
            out = xs[0]
            for x in xs[1:]:
                out = out * x
            return out
        all_masked = all(m is not None for m in masks)
        out = None
        out_mask = None
        for x, m in zip(xs, masks):
            if m is not None:
                m = m.bool().unsqueeze(-1).expand_as(x)
                x = torch.where(m, x, torch.ones((), dtype=x.dtype, device=x.device))
                if all_masked:
                    out_mask = m if out_mask is None else torch.logical_or(out_mask, m)
            out = x if out is None else out * x
        if all_masked:
            out = torch.where(out_mask, out, torch.zeros((), dtype=out.dtype,
                                                         device=out.device))
        return out


class Average(_Merge):
    """Elementwise mean of the inputs."""

    def _merge(self, xs, masks):
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out / len(xs)


class Maximum(_Merge):
    """Elementwise maximum of the inputs."""

    def _merge(self, xs, masks):
        return self._masked_minmax(torch.maximum, xs, masks)


class Minimum(_Merge):
    """Elementwise minimum of the inputs."""

    def _merge(self, xs, masks):
        return self._masked_minmax(torch.minimum, xs, masks)


class Concatenate(_Merge):
    """Concatenation along ``axis`` (default -1); all other dimensions must match."""

    def __init__(self, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"Argument `axis` of Concatenate must be an int. Received: "
                            f"axis={axis!r}")
        self.axis = int(axis)

    def _check_concat(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not input_shape or \
                not isinstance(input_shape[0], (list, tuple)):
            raise ValueError(f"A `Concatenate` layer should be called on a list of inputs. Layer"
                             f" '{self.name}' received: input_shape={input_shape}")
        shapes = [tuple(s) for s in input_shape]
        ranks = {len(s) for s in shapes}
        err = ValueError(
            "A `Concatenate` layer requires inputs with matching shapes except for the "
            f"concatenation axis. Layer '{self.name}' received: input_shape={shapes}")
        if len(ranks) != 1:
            raise err
        rank = ranks.pop()
        if not -rank <= self.axis < rank:
            raise ValueError(f"Invalid concatenation axis {self.axis} for inputs of rank {rank} "
                             f"(layer '{self.name}', input shapes {shapes}).")
        ax = self.axis % rank
        for i in range(rank):
            if i == ax:
                continue
            dims = {s[i] for s in shapes} - {None}
            if i == 0:
                if len(dims) > 1:
                    raise err
                continue
            if len(dims) > 1:
                raise err
        return shapes, ax

    def build(self, input_shape) -> None:
        self._check_concat(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        shapes, ax = self._check_concat(input_shape)
        out = list(shapes[0])
        for i in range(len(out)):
            known = [s[i] for s in shapes if s[i] is not None]
            if i == ax:
                out[i] = None if any(s[i] is None for s in shapes) else sum(s[i] for s in shapes)
            else:
                out[i] = known[0] if known else None
        return tuple(out)

    def call(self, inputs):
        _check_list(self, inputs)
        try:
            return torch.cat(list(inputs), dim=self.axis)
        except (RuntimeError, IndexError):
            self._check_concat([tuple(x.shape) for x in inputs])
            raise

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)):
            raise ValueError(f"`mask` should be a list. Received mask={mask!r} (layer "
                             f"'{self.name}')")
        if not isinstance(inputs, (list, tuple)) or len(mask) != len(inputs):
            raise ValueError(f"The lists `inputs` and `mask` should have the same length "
                             f"(layer '{self.name}').")
        if all(m is None for m in mask):
            return None
        full = []
        for x, m in zip(inputs, mask):
            if m is None:
                full.append(torch.ones(x.shape, dtype=torch.bool, device=x.device))
            elif m.dim() < x.dim():
                full.append(m.bool().unsqueeze(-1).expand(x.shape))
            else:
                full.append(m.bool())
        cat = torch.cat(full, dim=self.axis)
        return cat.any(dim=-1) if self._era >= 3 else cat.all(dim=-1)

    def get_config(self):
        cfg = super().get_config()
        cfg["axis"] = self.axis
        return cfg


class Dot(_Merge):
    """Batched dot product of two inputs along ``axes`` (an int or a pair, batch axis
    included in the counting); ``normalize=True`` L2-normalises both along those axes first
    (cosine proximity). Output shape: ``shape1`` without its axis + ``shape2[1:]`` without its
    axis, ``(batch, 1)`` when nothing else remains."""

    def __init__(self, axes, normalize: bool = False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axes, (int, np.integer)) and not isinstance(axes, bool):
            axes = int(axes)
        elif isinstance(axes, (list, tuple)):
            if len(axes) != 2:
                raise ValueError(f"Invalid format for argument `axes`: it should contain two "
                                 f"elements. Received: axes={axes!r}")
            if not all(isinstance(a, (int, np.integer)) and not isinstance(a, bool)
                       for a in axes):
                raise ValueError(f"Invalid format for argument `axes`: list elements should be "
                                 f"integers. Received: axes={axes!r}")
            axes = [int(a) for a in axes]
        else:
            raise TypeError(f"Invalid type for argument `axes`: it should be a list or an int. "
                            f"Received: axes={axes!r}")
        self.axes = axes
        self.normalize = bool(normalize)

    def _resolve(self, r1: int, r2: int) -> List[int]:
        if isinstance(self.axes, int):
            return [self.axes % r1, self.axes % r2] if self.axes < 0 else [self.axes] * 2
        return [self.axes[0] % r1, self.axes[1] % r2]

    def _check_dot(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 or \
                not isinstance(input_shape[0], (list, tuple)):
            raise ValueError(f"A `Dot` layer should be called on a list of 2 inputs. Layer "
                             f"'{self.name}' received: input_shape={input_shape}")
        s1, s2 = tuple(input_shape[0]), tuple(input_shape[1])
        a1, a2 = self._resolve(len(s1), len(s2))
        if a1 == 0 or a2 == 0 or a1 >= len(s1) or a2 >= len(s2):
            raise ValueError(f"Invalid `axes` {self.axes} for inputs of shapes {s1} and {s2} "
                             f"(layer '{self.name}'): the axes must be non-batch axes of the "
                             "inputs.")
        if s1[a1] is not None and s2[a2] is not None and s1[a1] != s2[a2]:
            raise ValueError(f"Incompatible input shapes: axis values {s1[a1]} (at axis {a1}) "
                             f"!= {s2[a2]} (at axis {a2}). Full input shapes: {s1}, {s2} "
                             f"(layer '{self.name}')")
        return s1, s2, a1, a2

    def build(self, input_shape) -> None:
        self._check_dot(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        s1, s2, a1, a2 = self._check_dot(input_shape)
        out = [d for i, d in enumerate(s1) if i != a1] + \
            [d for i, d in enumerate(s2) if i not in (0, a2)]
        if len(out) == 1:
            out.append(1)
        return tuple(out)

    def call(self, inputs):
        _check_list(self, inputs)
        if len(inputs) != 2:
            raise ValueError(f"A `Dot` layer should be called on exactly 2 inputs. Layer "
                             f"'{self.name}' received {len(inputs)} inputs.")
        x1, x2 = inputs
        _, _, a1, a2 = self._check_dot([tuple(x1.shape), tuple(x2.shape)])
        if self.normalize:
            x1 = F.normalize(x1, p=2.0, dim=a1, eps=1e-7)
            x2 = F.normalize(x2, p=2.0, dim=a2, eps=1e-7)
        n = x1.shape[0]
        m1 = x1.movedim(a1, -1)
        rest1 = tuple(m1.shape[1:-1])
        m2 = x2.movedim(a2, 1)
        rest2 = tuple(m2.shape[2:])
        k = m1.shape[-1]
        y = torch.bmm(m1.reshape(n, -1, k), m2.reshape(n, k, -1))
        out_shape = (n,) + rest1 + rest2
        if len(out_shape) == 1:
            out_shape = (n, 1)
        return y.reshape(out_shape)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"axes": self.axes, "normalize": self.normalize})
        return cfg


# ------------------------------------------------------------------------------------------
# functional forms
# ------------------------------------------------------------------------------------------
def add(inputs, **kwargs):
    """``Add(**kwargs)(inputs)``."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """``Subtract(**kwargs)(inputs)``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """``Multiply(**kwargs)(inputs)``."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """``Average(**kwargs)(inputs)``."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """``Maximum(**kwargs)(inputs)``."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """``Minimum(**kwargs)(inputs)``."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis: int = -1, **kwargs):
    """``Concatenate(axis=axis, **kwargs)(inputs)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes, normalize: bool = False, **kwargs):
    """``Dot(axes, normalize=normalize, **kwargs)(inputs)``."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
