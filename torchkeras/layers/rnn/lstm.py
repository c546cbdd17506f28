"""``LSTM``: Keras's LSTM layer; ``torch.lstm`` (cuDNN on GPU) whenever the configuration is the
standard one (tanh / sigmoid, no active recurrent dropout, a mask made of contiguous blocks),
the ``LSTMCell`` loop otherwise — same numbers either way."""
from __future__ import annotations

import torch

from ._cell_layer import _CellLayer, is_sigmoid, is_tanh
from ._fused import fused_rnn
from .cells import LSTMCell

__all__ = ["LSTM"]


class LSTM(_CellLayer):
    """Long Short-Term Memory layer (Hochreiter 1997), Keras 3 arguments and defaults.

    Weights (in the ``cell`` sublayer, Keras order): kernel ``(input_dim, 4u)``,
    recurrent_kernel ``(u, 4u)``, bias ``(4u,)``, gate blocks i, f, c, o.
    """

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid",
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias: bool = True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed=None,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 use_cudnn="auto", **kwargs):
        cell = LSTMCell(units, activation=activation, recurrent_activation=recurrent_activation,
                        use_bias=use_bias, kernel_initializer=kernel_initializer,
                        unit_forget_bias=unit_forget_bias,
                        recurrent_initializer=recurrent_initializer,
                        bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                        recurrent_regularizer=recurrent_regularizer,
                        bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                        recurrent_constraint=recurrent_constraint,
                        bias_constraint=bias_constraint, dropout=dropout,
                        recurrent_dropout=recurrent_dropout, dtype=kwargs.get("dtype"),
                        trainable=kwargs.get("trainable", True), name="lstm_cell", seed=seed,
                        implementation=kwargs.pop("implementation", None))
        super().__init__(cell, use_cudnn=use_cudnn, return_sequences=return_sequences,
                         return_state=return_state, go_backwards=go_backwards,
                         stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)

    def _fusable(self, training: bool) -> bool:
        cell = self.cell
        ok = super()._fusable(training) and is_tanh(cell.activation) and \
            is_sigmoid(cell.recurrent_activation)
        self._check_use_cudnn(ok or self.use_cudnn is not True)
        return ok

    def _fused_call(self, x, states, mask, training):
        if not self._fusable(training):
            return None
        cell = self.cell
        x = self._dropped_inputs(x, training)
        h0, c0 = states[0], states[1]
        weights = [cell.weight_ih, cell.weight_hh]
        if cell.use_bias:
            weights += [cell.bias_ih, cell.bias_ih.new_zeros(cell.bias_ih.shape)]
        res = fused_rnn("lstm", x, (h0.unsqueeze(0), c0.unsqueeze(0)), weights, cell.use_bias,
                        training=torch.is_grad_enabled(), mask=mask,
                        zero_output_for_mask=self.zero_output_for_mask)
        if res is None:
            return None
        seq, last, (h, c) = res
        return seq, last, [h[0], c[0]]

