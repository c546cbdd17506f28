"""``Embedding``: integer ids -> dense vectors, wrapping ``nn.Embedding`` / ``F.embedding``.

Keras's arguments (``embeddings_initializer='uniform'`` = U(-0.05, 0.05), regularizer,
constraint, ``mask_zero``), the Keras 3 weight name ``embeddings`` of shape
``(input_dim, output_dim)`` (the same layout as ``nn.Embedding.weight``), and the tf.keras 2
``input_length`` argument (on a first layer it sets the input shape ``(input_length,)``).
Float inputs are truncated to int64, as Keras casts them to int32 (a ``Sequential`` model
feeds float32 unless its ``Input`` says otherwise).
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .. import constraints, initializers, regularizers
from ..engine.base_layer import Layer
from .normalization import _ser

__all__ = ["Embedding"]


def _positive_int(arg: str, value) -> int:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"`{arg}` must be a positive integer. Received: {arg}={value!r} "
                         f"(of type {type(value).__name__}).")
    return int(value)


class Embedding(Layer):
    """Turns non-negative integer ids ``< input_dim`` into vectors of size ``output_dim``.

    ``mask_zero=True`` makes id 0 padding: the output mask is ``inputs != 0`` (so
    ``input_dim`` should be vocabulary size + 1). Ids outside ``[0, input_dim)`` raise a
    ``ValueError`` on CPU (Keras on TF/CPU raises too); on CUDA torch asserts on the device.
    """

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None,
                 mask_zero: bool = False, weights=None, lora_rank=None, lora_alpha=None,
                 quantization_config=None, input_length=None, sparse: bool = False,
                 activity_regularizer=None, **kwargs):
        input_dim = _positive_int("input_dim", input_dim)
        output_dim = _positive_int("output_dim", output_dim)
        if input_length is not None and "input_shape" not in kwargs and \
                "batch_input_shape" not in kwargs:
            il = tuple(input_length) if isinstance(input_length, (list, tuple)) \
                else (input_length,)
            kwargs["input_shape"] = il
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if lora_rank:
            raise ValueError("Embedding(lora_rank=...) is not supported by torchkeras.")
        if quantization_config is not None:
            raise ValueError("Embedding(quantization_config=...) is not supported by torchkeras.")
        if sparse:
            raise ValueError("Embedding(sparse=True) (tf.SparseTensor outputs) is not supported "
                             "by torchkeras.")
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.input_length = input_length
        self.autocast = False
        from ..backend import config as _config
        self._era = _config.keras_era()
        if weights is not None:
            self.build(None)
            if not (isinstance(weights, list) and len(weights) == 1):
                weights = [weights]
            self.set_weights(weights)
            self._initial_weights = None

    def build(self, input_shape=None) -> None:
        if self.built:
            return
        self.embedding = nn.utils.skip_init(nn.Embedding, self.input_dim, self.output_dim,
                                            dtype=self._dtype)
        self.add_torch_weight("embeddings", self.embedding.weight,
                              (self.input_dim, self.output_dim),
                              initializer=self.embeddings_initializer,
                              regularizer=self.embeddings_regularizer,
                              constraint=self.embeddings_constraint)
        self.built = True

    @property
    def embeddings(self) -> torch.Tensor:
        """The ``(input_dim, output_dim)`` table (``nn.Embedding.weight``)."""
        return self.embedding.weight

    def call(self, inputs):
        ids = inputs
        if ids.dtype not in (torch.int64, torch.int32):
            ids = ids.long()
        try:
            out = F.embedding(ids, self.embedding.weight)
        except IndexError:
            raise ValueError(f"Layer '{self.name}' (Embedding, input_dim={self.input_dim}) "
                             "received an id outside [0, input_dim). Ids range from "
                             f"{int(ids.min())} to {int(ids.max())}.") from None
        cdt = self.compute_dtype
        if cdt != self.dtype:
            from ..backend import config as _config
            out = out.to(_config.standardize_dtype(cdt))
        return out

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return inputs != 0

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        if self.input_length is not None:
            lens = list(self.input_length) if isinstance(self.input_length, (list, tuple)) \
                else [self.input_length]
            if len(lens) != len(shape) - 1:
                raise ValueError(f'"input_length" is {self.input_length}, but received input '
                                 f"has shape {tuple(input_shape)} (layer '{self.name}')")
            for i, (want, got) in enumerate(zip(lens, shape[1:])):
                if want is not None and got is not None and want != got:
                    raise ValueError(f'"input_length" is {self.input_length}, but received '
                                     f"input has shape {tuple(input_shape)} (layer "
                                     f"'{self.name}')")
                if got is None:
                    shape[i + 1] = want
        return tuple(shape) + (self.output_dim,)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": _ser(regularizers, self.embeddings_regularizer),
            "activity_regularizer": _ser(regularizers, self.activity_regularizer),
            "embeddings_constraint": _ser(constraints, self.embeddings_constraint),
            "mask_zero": self.mask_zero,
        })
        if self._era >= 3:
            cfg["quantization_config"] = None
        if self.input_length is not None or self._era < 3:
            cfg["input_length"] = self.input_length
        return cfg
