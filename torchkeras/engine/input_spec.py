"""``InputSpec``: what a layer accepts (ndim, min/max ndim, fixed axes, dtype)."""
from __future__ import annotations

from typing import Dict, Optional, Sequence


class InputSpec:
    """Keras's ``InputSpec(dtype, shape, ndim, max_ndim, min_ndim, axes, allow_last_axis_squeeze)``."""

    def __init__(self, dtype=None, shape: Optional[Sequence] = None, ndim: Optional[int] = None,
                 max_ndim: Optional[int] = None, min_ndim: Optional[int] = None,
                 axes: Optional[Dict[int, int]] = None, allow_last_axis_squeeze: bool = False,
                 name: Optional[str] = None, optional: bool = False):
        self.dtype = dtype
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name
        self.optional = optional

    def __repr__(self):
        parts = [f"{k}={v}" for k, v in (("dtype", self.dtype), ("shape", self.shape),
                                           ("ndim", self.ndim), ("max_ndim", self.max_ndim),
                                           ("min_ndim", self.min_ndim), ("axes", self.axes or None))
                 if v is not None]
        return "InputSpec(%s)" % ", ".join(parts)

    def get_config(self):
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def assert_input_compatibility(input_spec, shapes, layer_name: str) -> None:
    """Raise Keras's ``ValueError`` when ``shapes`` (one per input) violate ``input_spec``."""
    if not input_spec:
        return
    specs = input_spec if isinstance(input_spec, (list, tuple)) else [input_spec]
    if len(specs) != len(shapes):
        if len(specs) == 1 and len(shapes) > 1:
            raise ValueError(f'Layer "{layer_name}" expects 1 input(s), but it received '
                             f"{len(shapes)} input tensors.")
        return
    for i, (spec, shape) in enumerate(zip(specs, shapes)):
        if spec is None or shape is None:
            continue
        rank = len(shape)
        where = f'Input {i} of layer "{layer_name}" is incompatible with the layer: '
        if spec.ndim is not None and not spec.allow_last_axis_squeeze and rank != spec.ndim:
            raise ValueError(where + f"expected ndim={spec.ndim}, found ndim={rank}. "
                             f"Full shape received: {tuple(shape)}")
        if spec.max_ndim is not None and rank > spec.max_ndim:
            raise ValueError(where + f"expected max_ndim={spec.max_ndim}, found ndim={rank}. "
                             f"Full shape received: {tuple(shape)}")
        if spec.min_ndim is not None and rank < spec.min_ndim:
            raise ValueError(where + f"expected min_ndim={spec.min_ndim}, found ndim={rank}. "
                             f"Full shape received: {tuple(shape)}")
        for axis, value in spec.axes.items():
            if value is None:
                continue
            try:
                got = shape[axis]
            except IndexError:
                raise ValueError(where + f"expected axis {axis} of input shape to have value "
                                 f"{value}, but received input with shape {tuple(shape)}") from None
            if got is not None and got != value:
                raise ValueError(where + f"expected axis {axis} of input shape to have value "
                                 f"{value}, but received input with shape {tuple(shape)}")
        if spec.shape is not None:
            for want, got in zip(spec.shape, shape):
                if want is not None and got is not None and want != got:
                    raise ValueError(where + f"expected shape={spec.shape}, found shape="
                                     f"{tuple(shape)}")
