"""``_CellLayer``: what LSTM, GRU and SimpleRNN share — an RNN around one built-in cell whose
arguments the layer exposes (``layer.units``...), flattens into its config like Keras, and
whose fused-kernel fast path it takes when the configuration allows it."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ... import activations
from ...engine.input_spec import InputSpec
from .base_rnn import RNN

_TANH = (activations.tanh, torch.tanh, F.tanh)
_SIGMOID = (activations.sigmoid, torch.sigmoid, F.sigmoid)
_RELU = (activations.relu, torch.relu, F.relu)

_CELL_ATTRS = ("units", "activation", "recurrent_activation", "use_bias", "unit_forget_bias",
               "kernel_initializer", "recurrent_initializer", "bias_initializer",
               "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
               "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
               "recurrent_dropout", "reset_after", "implementation")

_BASE_KEYS = ("name", "trainable", "dtype", "batch_input_shape", "activity_regularizer")


def is_tanh(fn) -> bool:
    return any(fn is f for f in _TANH)


def is_sigmoid(fn) -> bool:
    return any(fn is f for f in _SIGMOID)


def is_relu(fn) -> bool:
    return any(fn is f for f in _RELU)


def _delegate(name):
    def get(self):
        return getattr(self.cell, name)
    get.__name__ = name
    return property(get, doc=f"The cell's ``{name}``.")


class _CellLayer(RNN):
    """RNN subclass built around one built-in cell (see module docstring)."""

    def __init__(self, cell, use_cudnn="auto", **kwargs):
        super().__init__(cell, **kwargs)
        if use_cudnn not in ("auto", True, False):
            raise ValueError("Invalid valid received for argument `use_cudnn`. Expected one of "
                             f"{{'auto', True, False}}. Received: use_cudnn={use_cudnn!r}")
        self.use_cudnn = use_cudnn
        self.input_spec = InputSpec(ndim=3)

    def _fusable(self, training: bool) -> bool:
        """Whether the cell's computation is what the fused kernel computes."""
        cell = self.cell
        if self.use_cudnn is False or not cell._uses_builtin_call():
            return False
        if training and cell._dropout_active(cell.recurrent_dropout):
            return False
        if training and cell.dropout_mask_count and cell._dropout_active(cell.dropout):
            return False
        return True

    def _dropped_inputs(self, x, training):
        """Keras's fused path: one input dropout mask per sequence, applied to every step."""
        dp = self.cell._input_masks(x[:, 0], training)
        return x if dp is None else x * dp.unsqueeze(1)

    def _check_use_cudnn(self, ok: bool) -> None:
        if self.use_cudnn is True and not ok:
            raise ValueError("use_cudnn=True was specified, but cuDNN is not supported for this "
                             "layer configuration with this backend. Pass use_cudnn='auto' to "
                             "fallback to a non-cuDNN implementation.")

    def get_config(self):
        cfg = self._base_config()
        cell_cfg = self.cell.get_config()
        for k in _BASE_KEYS:
            cell_cfg.pop(k, None)
        seed = cell_cfg.pop("seed", None)
        impl = cell_cfg.pop("implementation", None)
        cfg.update(cell_cfg)
        cfg.setdefault("activity_regularizer", None)
        if self.activity_regularizer is None:
            cfg["activity_regularizer"] = None
        cfg["seed"] = seed
        if impl is not None:
            cfg["implementation"] = impl
        return cfg

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config.pop("cell", None)
        return cls(**config)


for _name in _CELL_ATTRS:
    setattr(_CellLayer, _name, _delegate(_name))
