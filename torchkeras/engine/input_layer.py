"""``InputLayer`` and ``Input``: the entry points of a Functional graph."""
from __future__ import annotations

from typing import Optional

from ..backend import config
from .base_layer import Layer, unique_name
from .keras_tensor import KerasTensor
from .node import Node


def _default_input_name() -> str:
    # Keras 2 names inputs input_1, input_2...; Keras 3 input_layer, input_layer_1...
    if config.keras_era() == 3:
        return unique_name("input_layer")
    from ..backend.session import get_uid
    return f"input_{get_uid('input')}"


class InputLayer(Layer):
    """Holds the placeholder a model starts from. Accepts Keras 2 (``input_shape``,
    ``batch_input_shape``) and Keras 3 (``shape``, ``batch_shape``) spellings."""

    def __init__(self, shape=None, batch_size: Optional[int] = None, dtype=None,
                 sparse: Optional[bool] = None, batch_shape=None, input_tensor=None,
                 name: Optional[str] = None, input_shape=None, batch_input_shape=None,
                 ragged=None, optional: bool = False, **kwargs):
        if shape is None and input_shape is not None:
            shape = input_shape
        if batch_shape is None and batch_input_shape is not None:
            batch_shape = batch_input_shape
        kwargs.pop("type_spec", None)
        super().__init__(name=name or _default_input_name(), dtype=dtype, **kwargs)
        if input_tensor is not None:
            if not isinstance(input_tensor, KerasTensor):
                raise ValueError("Argument `input_tensor` must be a KerasTensor. "
                                 f"Received: {input_tensor!r}")
            batch_shape = input_tensor.shape
        if batch_shape is None:
            if shape is None:
                raise ValueError("You must pass a `shape` argument to InputLayer / Input.")
            if isinstance(shape, int):
                shape = (shape,)
            batch_shape = (batch_size,) + tuple(shape)
        self._batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        self.sparse = bool(sparse)
        self.ragged = bool(ragged)
        self.built = True
        self._input_dtype = config.standardize_dtype(dtype) if dtype is not None else \
            config.standardize_dtype(config.floatx())
        tensor = input_tensor if input_tensor is not None else \
            KerasTensor(self._batch_shape, dtype=self._input_dtype, name=self.name)
        Node(self, (), {}, tensor)
        self._input_tensor = tensor

    @property
    def batch_shape(self):
        return self._batch_shape

    def get_config(self):
        return {"batch_input_shape": self._batch_shape,
                "dtype": config.dtype_name(self._input_dtype), "sparse": self.sparse,
                "ragged": self.ragged, "name": self.name}

    @classmethod
    def from_config(cls, config_):
        cfg = dict(config_)
        if "input_dtype" in cfg:  # Keras 1
            cfg["dtype"] = cfg.pop("input_dtype")
        return cls(**cfg)

    def call(self, inputs):
        return inputs


def Input(shape=None, batch_size: Optional[int] = None, name: Optional[str] = None, dtype=None,
          sparse: Optional[bool] = None, tensor=None, batch_shape=None, ragged=None,
          batch_input_shape=None, optional: bool = False, **kwargs) -> KerasTensor:
    """``keras.Input``: a symbolic tensor to build a Functional model from."""
    if "input_shape" in kwargs and shape is None:
        shape = kwargs.pop("input_shape")
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments passed to Input: {kwargs}")
    layer = InputLayer(shape=shape, batch_size=batch_size, name=name, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape if batch_shape is not None else batch_input_shape,
                       input_tensor=tensor, ragged=ragged)
    return layer._input_tensor
