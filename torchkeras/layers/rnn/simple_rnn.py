"""``SimpleRNN``: Keras's fully-connected RNN, ``torch.rnn_tanh`` / ``torch.rnn_relu`` when the
activation is tanh / relu (single bias in ``bias_ih``, zero ``bias_hh``), the cell loop
otherwise."""
from __future__ import annotations

import torch

from ._cell_layer import _CellLayer, is_relu, is_tanh
from ._fused import fused_rnn
from .cells import SimpleRNNCell

__all__ = ["SimpleRNN"]


class SimpleRNN(_CellLayer):
    """``h_t = activation(x_t @ kernel + bias + h_{t-1} @ recurrent_kernel)``, Keras 3
    arguments and defaults. Weights: kernel ``(input_dim, u)``, recurrent_kernel ``(u, u)``,
    bias ``(u,)`` (in the ``cell`` sublayer)."""

    def __init__(self, units: int, activation="tanh", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, return_sequences: bool = False,
                 return_state: bool = False, go_backwards: bool = False, stateful: bool = False,
                 unroll: bool = False, seed=None, **kwargs):
        cell = SimpleRNNCell(units, activation=activation, use_bias=use_bias,
                             kernel_initializer=kernel_initializer,
                             recurrent_initializer=recurrent_initializer,
                             bias_initializer=bias_initializer,
                             kernel_regularizer=kernel_regularizer,
                             recurrent_regularizer=recurrent_regularizer,
                             bias_regularizer=bias_regularizer,
                             kernel_constraint=kernel_constraint,
                             recurrent_constraint=recurrent_constraint,
                             bias_constraint=bias_constraint, dropout=dropout,
                             recurrent_dropout=recurrent_dropout, seed=seed,
                             dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
                             name="simple_rnn_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)

    @property
    def recurrent_activation(self):
        raise AttributeError("SimpleRNN has no `recurrent_activation`.")

    def _fused_mode(self):
        act = self.cell.activation
        return "rnn_tanh" if is_tanh(act) else "rnn_relu" if is_relu(act) else None

    def _fused_call(self, x, states, mask, training):
        mode = self._fused_mode()
        if mode is None or not self._fusable(training):
            return None
        cell = self.cell
        x = self._dropped_inputs(x, training)
        weights = [cell.weight_ih, cell.weight_hh]
        if cell.use_bias:
            weights += [cell.bias_ih, cell.bias_ih.new_zeros(cell.bias_ih.shape)]
        res = fused_rnn(mode, x, states[0].unsqueeze(0), weights, cell.use_bias,
                        training=torch.is_grad_enabled(), mask=mask,
                        zero_output_for_mask=self.zero_output_for_mask)
        if res is None:
            return None
        seq, last, h = res
        return seq, last, [h[0]]
