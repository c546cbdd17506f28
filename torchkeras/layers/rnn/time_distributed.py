"""``TimeDistributed``: applies a layer to every temporal slice of its input.

The slices are processed as one batch (``(batch * timesteps, ...)`` through the wrapped layer,
then reshaped back), which equals Keras 3's per-step loop for any layer that treats samples
independently (Dense, Conv2D, pooling, ...). Layers whose training-time computation mixes the
batch (BatchNormalization statistics) see the ``batch * timesteps`` samples together, as in
tf.keras 2.
"""
from __future__ import annotations

import torch

from ...engine import tree
from ...engine.base_layer import Layer

__all__ = ["TimeDistributed"]


class TimeDistributed(Layer):
    """``keras.layers.TimeDistributed(layer)``; the wrapped layer is the sublayer ``layer``
    (its weights are this layer's weights)."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `TimeDistributed` layer with a "
                             f"`keras.layers.Layer` instance. Received: {layer!r}")
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = True

    def _child_input_shape(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape` with at "
                             f"least 3 dimensions, received: {input_shape} (layer "
                             f"'{self.name}')")
        return (input_shape[0],) + tuple(input_shape[2:])

    def build(self, input_shape):
        child = self._child_input_shape(tuple(input_shape))
        if not self.layer.built:
            self.layer.build(child)
            self.layer.built = True
            self.layer._build_input_shape = child
        self.built = True

    def call(self, inputs, training=None, mask=None):
        if inputs.dim() < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an input with at least 3 "
                             f"dimensions, received shape {tuple(inputs.shape)} (layer "
                             f"'{self.name}')")
        batch, steps = inputs.shape[0], inputs.shape[1]
        kwargs = {}
        if self.layer._call_has_training:
            kwargs["training"] = training
        if mask is not None:
            if not isinstance(mask, torch.Tensor):
                mask = torch.as_tensor(mask)
            if mask.dim() < 2:
                raise ValueError("The `mask` passed to the `TimeDistributed` layer must be at "
                                 "least 2D (e.g., `(batch_size, timesteps)`), but it has "
                                 f"{mask.dim()} dimension(s) with shape {tuple(mask.shape)}.")
            if mask.shape[0] != batch or mask.shape[1] != steps:
                raise ValueError(
                    "The `mask` passed to the `TimeDistributed` layer has a shape "
                    f"{tuple(mask.shape)} that is incompatible with the input shape "
                    f"{tuple(inputs.shape)}. The first two dimensions of the mask (batch size "
                    "and timesteps) must match the input's first two dimensions.")
            if self.layer._call_has_mask:
                kwargs["mask"] = mask.reshape((batch * steps,) + tuple(mask.shape[2:]))
        flat = inputs.reshape((batch * steps,) + tuple(inputs.shape[2:]))
        out = self.layer(flat, **kwargs)
        return tree.map_structure(
            lambda y: y.reshape((batch, steps) + tuple(y.shape[1:])), out)

    def compute_output_shape(self, input_shape):
        child = self._child_input_shape(tuple(input_shape))
        out = self.layer.compute_output_shape(child)
        return (out[0], input_shape[1]) + tuple(out[1:])

    def get_config(self):
        from ...saving.serialization import serialize_keras_object
        cfg = super().get_config()
        cfg["layer"] = serialize_keras_object(self.layer)
        return cfg

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ...saving.serialization import deserialize_layer
        config = dict(config)
        layer = deserialize_layer(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)
