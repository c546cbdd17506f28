"""``Model``: a Layer with training (``compile``/``fit``/...), saving and ``summary()``.

``Model(inputs, outputs)`` returns a ``Functional`` model (as Keras does); subclassing
``Model`` and defining ``call`` gives a subclassed model whose layers are tracked from
attributes.
"""
from __future__ import annotations

import json
from typing import List, Optional

import torch

from ..backend import config
from ..training.trainer import Trainer
from .base_layer import Layer, to_snake_case, unique_name


def _wants_functional(args, kwargs) -> bool:
    return len(args) >= 2 or any(k in kwargs for k in ("inputs", "outputs", "input", "output"))


class Model(Trainer, Layer):
    """A trainable Layer grouping other layers (Keras's ``keras.Model``)."""

    def __new__(cls, *args, **kwargs):
        if cls is Model and _wants_functional(args, kwargs):
            from .functional import Functional
            return Functional.__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        if _wants_functional(args, kwargs) and type(self) is Model:  # pragma: no cover
            raise TypeError("Model(inputs, outputs) must build a Functional model.")
        name = kwargs.pop("name", None)
        trainable = kwargs.pop("trainable", True)
        dtype = kwargs.pop("dtype", None)
        if name is None:
            name = unique_name(to_snake_case(type(self).__name__))
        Layer.__init__(self, name=name, trainable=trainable, dtype=dtype, **kwargs)
        Trainer.__init__(self)

    # -- layers --------------------------------------------------------------------------------
    @property
    def layers(self) -> List[Layer]:
        return self._direct_sublayers()

    def get_layer(self, name: Optional[str] = None, index: Optional[int] = None) -> Layer:
        """A layer by name or by index in ``model.layers``."""
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index. Received: "
                             f"index={index}, name={name}.")
        if index is not None:
            layers = self.layers
            if len(layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only "
                                 f"has {len(layers)} layers.")
            return layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: "
                             f"{[l.name for l in self.layers]}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    def build(self, input_shape=None) -> None:
        """Build a subclassed model by running it once on zeros of ``input_shape``."""
        if self.built:
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        from .base_layer import _CTX

        def zeros(shape):
            if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
                return [zeros(s) for s in shape]
            return torch.zeros([1 if d is None else int(d) for d in shape],
                               device=self._device_hint())
        with torch.no_grad():
            prev = _CTX.training
            _CTX.training = False
            try:
                self.call(zeros(input_shape))
            finally:
                _CTX.training = prev
        self.built = True
        self._build_input_shape = input_shape

    # -- summary / config ----------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None) -> None:
        """Print Keras's summary table."""
        from . import summary as _summary
        _summary.print_summary(self, line_length=line_length, positions=positions,
                               print_fn=print_fn, expand_nested=expand_nested,
                               show_trainable=show_trainable, layer_range=layer_range)

    def get_config(self):
        cfg = {"name": self.name, "trainable": self.trainable}
        return cfg

    def to_json(self, **kwargs) -> str:
        """The model's architecture as Keras JSON (``model_from_json`` reads it back)."""
        from ..saving import serialization
        return json.dumps(serialization.model_to_config(self), default=serialization.json_default,
                          **kwargs)

    def to_yaml(self, **kwargs):
        raise RuntimeError("Method `model.to_yaml()` has been removed due to security risk of "
                           "arbitrary code execution. Please use `model.to_json()` instead.")

    # -- device helpers ------------------------------------------------------------------------
    @property
    def device(self) -> torch.device:
        return self._device_hint()
