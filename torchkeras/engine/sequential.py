"""``Sequential``: a plain stack of single-input, single-output layers.

As in Keras: layers from the constructor list or ``add()``; the input shape comes from an
``Input`` / ``InputLayer`` first, or from ``input_shape`` / ``input_dim`` /
``batch_input_shape`` on the first layer; without one the model builds on its first call.
Once the input shape is known a Functional graph is recorded (for ``summary()``,
``layer.output``, ``model.inputs``); the forward pass itself simply chains the layers.
"""
from __future__ import annotations

from typing import List, Optional

import torch

from . import tree
from .base_layer import Layer, OutputSpec, convert_inputs
from .input_layer import InputLayer
from .keras_tensor import KerasTensor
from .model import Model


class Sequential(Model):
    def __init__(self, layers: Optional[List[Layer]] = None, name: Optional[str] = None,
                 trainable: bool = True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._input_layer: Optional[InputLayer] = None
        self._stack: List[Layer] = []
        self._graph = None  # (inputs, outputs) KerasTensors once the input shape is known
        if layers:
            for layer in layers:
                self.add(layer, rebuild=False)
            self._maybe_rebuild()

    # -- building the stack --------------------------------------------------------------------
    def add(self, layer, rebuild: bool = True) -> None:
        """Append a layer (or an ``Input`` tensor / ``InputLayer`` to fix the input shape)."""
        if isinstance(layer, KerasTensor):
            hist = layer._keras_history
            if hist is None or not isinstance(hist[0], InputLayer):
                raise ValueError("Sequential.add() only accepts a KerasTensor that comes from "
                                 f"keras.Input(). Received: {layer}")
            layer = hist[0]
        if not isinstance(layer, Layer):
            raise ValueError("Only instances of `keras.Layer` can be added to a Sequential "
                             f"model. Received: {layer!r} (of type {type(layer)})")
        adopt = getattr(layer, "_adopt_as_first_layer", None)
        if adopt is not None and not self._stack and self._input_layer is None:
            # Keras 1 ``Merge([model_a, model_b])`` as first layer (torchkeras.legacy.layers)
            return adopt(self, rebuild)
        if isinstance(layer, InputLayer):
            if self._stack or self._input_layer is not None:
                raise ValueError("An InputLayer can only be added first to a Sequential model.")
            self._input_layer = layer
        else:
            names = {l.name for l in self._stack}
            if layer.name in names:
                raise ValueError(f"All layers added to a Sequential model should have unique "
                                 f"names. Name '{layer.name}' is already the name of a layer in "
                                 "this model. Update the `name` argument to pass a unique name.")
            if not self._stack and self._input_layer is None and \
                    layer._batch_input_shape is not None:
                self._input_layer = InputLayer(batch_shape=layer._batch_input_shape,
                                               dtype=getattr(layer, "_input_dtype_hint", None))
            self._stack.append(layer)
            self.add_module(self._module_key(layer), layer)
        if rebuild:
            self._maybe_rebuild()

    def _module_key(self, layer) -> str:
        key = layer.name.replace(".", "_")
        if key in self._modules or hasattr(Model, key) or key in self.__dict__ or \
                key == "training":
            key = f"layer_{key}"
        while key in self._modules:
            key += "_"
        return key

    def pop(self, rebuild: bool = True) -> Layer:
        """Remove and return the last layer."""
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        for k, v in list(self._modules.items()):
            if v is layer:
                del self._modules[k]
        self._graph = None
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self) -> None:
        self._graph = None
        if self._input_layer is None or not self._stack:
            self.built = bool(self._stack) and all(l.built for l in self._stack) and \
                self._input_layer is not None
            return
        x = self._input_layer._input_tensor
        inputs = x
        for layer in self._stack:
            x = layer(x)
            if isinstance(x, (list, tuple)):
                if len(x) != 1:
                    raise ValueError(
                        "All layers in a Sequential model should have a single output tensor. For"
                        f" multi-output layers, use the functional API. Layer '{layer.name}' "
                        f"returned {len(x)} outputs.")
                x = x[0]
        self._graph = (inputs, x)
        self.built = True
        self._build_input_shape = inputs.shape

    def build(self, input_shape=None) -> None:
        """Build with ``input_shape`` (batch dimension included)."""
        if input_shape is None:
            if self._input_layer is None:
                raise ValueError("You must provide an `input_shape` argument.")
            input_shape = self._input_layer.batch_shape
        if self._input_layer is None or tuple(self._input_layer.batch_shape) != tuple(input_shape):
            self._input_layer = InputLayer(batch_shape=tuple(input_shape))
        self._maybe_rebuild()

    # -- calling -------------------------------------------------------------------------------
    def call(self, inputs, training=None, mask=None):
        x = inputs
        for layer in self._stack:
            x = layer(x)
        return x

    def forward(self, *args, **kwargs):
        if not self.built and args:
            x = convert_inputs(args[0])
            if isinstance(x, torch.Tensor) and self._stack:
                shape = (None,) + tuple(x.shape[1:])
                self._input_layer = InputLayer(batch_shape=shape, dtype=_input_dtype(x))
                self._maybe_rebuild()
                self.to(x.device)
            args = (x,) + args[1:]
        if self._input_layer is not None and args and isinstance(args[0], torch.Tensor):
            x = args[0]
            want = self._input_layer._input_dtype
            if x.dtype != want and not (x.dtype in (torch.float16, torch.bfloat16)
                                        and want.is_floating_point):
                args = (x.to(want),) + args[1:]
        return super().forward(*args, **kwargs)

    # -- Keras API -----------------------------------------------------------------------------
    @property
    def layers(self) -> List[Layer]:
        return list(self._stack)

    def _direct_sublayers(self) -> List[Layer]:
        if "_stack" in self.__dict__:
            return list(self._stack)
        return super()._direct_sublayers()

    @property
    def inputs(self):
        return [self._graph[0]] if self._graph else None

    @property
    def outputs(self):
        return [self._graph[1]] if self._graph else None

    @property
    def input(self):
        if not self._graph:
            raise AttributeError(f"Sequential model '{self.name}' has no defined input yet.")
        return self._graph[0]

    @property
    def output(self):
        if not self._graph:
            raise AttributeError(f"Sequential model '{self.name}' has no defined output yet.")
        return self._graph[1]

    @property
    def input_shape(self):
        if self._graph:
            return self._graph[0].shape
        raise AttributeError(f"Sequential model '{self.name}' has no defined input shape yet.")

    @property
    def output_shape(self):
        if self._graph:
            return self._graph[1].shape
        raise AttributeError(f"Sequential model '{self.name}' has no defined output shape yet.")

    @property
    def input_names(self):
        return [self._input_layer.name] if self._input_layer is not None else []

    @property
    def output_names(self):
        return [self._stack[-1].name] if self._stack else []

    def compute_output_shape(self, input_shape):
        shape = input_shape
        for layer in self._stack:
            shape = layer.compute_output_shape(shape)
        return shape

    def compute_output_spec(self, *args, **kwargs):
        if self._graph is not None and args and isinstance(args[0], KerasTensor) and \
                tuple(args[0].shape[1:]) == tuple(self._graph[0].shape[1:]):
            out = self._graph[1]
            return OutputSpec(args[0].shape[:1] + out.shape[1:], out.dtype)
        return super().compute_output_spec(*args, **kwargs)

    def _symbolic_call(self, args, kwargs):
        if not self.built and args and isinstance(args[0], KerasTensor):
            self._input_layer = InputLayer(batch_shape=(None,) + tuple(args[0].shape[1:]),
                                           dtype=args[0].dtype)
            self._maybe_rebuild()
        return super()._symbolic_call(args, kwargs)

    def get_config(self):
        from .functional_config import sequential_get_config
        return sequential_get_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from .functional_config import sequential_from_config
        return sequential_from_config(cls, config, custom_objects)

    # Keras 1 / 2 conveniences ----------------------------------------------------------------
    def predict_classes(self, x, batch_size=32, verbose=0):
        """Removed in Keras 2.6: argmax of ``predict`` (or > 0.5 for one sigmoid unit)."""
        from ..legacy.edge import warn
        warn("`model.predict_classes()` is deprecated: use `np.argmax(model.predict(x), "
             "axis=-1)` (or `(model.predict(x) > 0.5).astype('int32')` for binary outputs).")
        import numpy as np
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def predict_proba(self, x, batch_size=32, verbose=0):
        """Removed in Keras 2.6: same as ``predict``."""
        from ..legacy.edge import warn
        warn("`model.predict_proba()` is deprecated: use `model.predict()`.")
        return self.predict(x, batch_size=batch_size, verbose=verbose)


def _input_dtype(x: torch.Tensor):
    if x.dtype.is_floating_point:
        return None if x.dtype == torch.float64 else x.dtype
    return x.dtype
