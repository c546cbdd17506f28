"""``Masking``: marks timesteps whose features all equal ``mask_value`` as padding."""
from __future__ import annotations

import torch

from ..engine.base_layer import Layer

__all__ = ["Masking"]


class Masking(Layer):
    """Keras ``Masking(mask_value=0.0)``.

    The output mask is ``any(inputs != mask_value, axis=-1)``; masked timesteps are zeroed
    in the output (``inputs * mask``), as Keras does. Downstream layers that declare
    ``mask`` in ``call`` (RNNs, Softmax, BatchNormalization...) receive it through the
    engine's ``_keras_mask`` propagation.
    """

    def __init__(self, mask_value: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def _keep(self, inputs: torch.Tensor) -> torch.Tensor:
        return (inputs != self.mask_value).any(dim=-1, keepdim=True)

    def call(self, inputs):
        keep = self._keep(inputs)
        return inputs * keep.to(inputs.dtype)

    def compute_mask(self, inputs, mask=None):
        return self._keep(inputs).squeeze(-1)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg["mask_value"] = self.mask_value
        return cfg
