"""``GRU``: Keras's GRU layer. ``reset_after=True`` (the default) is exactly ``torch.gru``
(cuDNN on GPU) once the gate blocks are reordered (Keras z, r, h <-> torch r, z, n, done by
the weight specs); ``reset_after=False`` (Keras 2.2 era files) runs the ``GRUCell`` loop."""
from __future__ import annotations

import torch

from ._cell_layer import _CellLayer, is_sigmoid, is_tanh
from ._fused import fused_rnn
from .cells import GRUCell

__all__ = ["GRU"]


class GRU(_CellLayer):
    """Gated Recurrent Unit (Cho et al. 2014), Keras 3 arguments and defaults.

    Weights (in the ``cell`` sublayer, Keras order): kernel ``(input_dim, 3u)``,
    recurrent_kernel ``(u, 3u)``, bias ``(2, 3u)`` (``(3u,)`` when ``reset_after=False``),
    gate blocks z, r, h.
    """

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid",
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 seed=None, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 reset_after: bool = True, use_cudnn="auto", **kwargs):
        cell = GRUCell(units, activation=activation, recurrent_activation=recurrent_activation,
                       use_bias=use_bias, kernel_initializer=kernel_initializer,
                       recurrent_initializer=recurrent_initializer,
                       bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                       recurrent_regularizer=recurrent_regularizer,
                       bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                       recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                       dropout=dropout, recurrent_dropout=recurrent_dropout,
                       reset_after=reset_after, dtype=kwargs.get("dtype"),
                       trainable=kwargs.get("trainable", True), name="gru_cell", seed=seed,
                       implementation=kwargs.pop("implementation", None))
        super().__init__(cell, use_cudnn=use_cudnn, return_sequences=return_sequences,
                         return_state=return_state, go_backwards=go_backwards,
                         stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)

    def _fusable(self, training: bool) -> bool:
        cell = self.cell
        ok = super()._fusable(training) and cell.reset_after and is_tanh(cell.activation) and \
            is_sigmoid(cell.recurrent_activation)
        self._check_use_cudnn(ok or self.use_cudnn is not True)
        return ok

    def fused_weights(self):
        cell = self.cell
        if not cell.use_bias:
            return [cell.weight_ih, cell.weight_hh]
        return [cell.weight_ih, cell.weight_hh, cell.bias_ih[0], cell.bias_ih[1]]

    def _fused_call(self, x, states, mask, training):
        if not self._fusable(training):
            return None
        cell = self.cell
        x = self._dropped_inputs(x, training)
        res = fused_rnn("gru", x, states[0].unsqueeze(0), self.fused_weights(), cell.use_bias,
                        training=torch.is_grad_enabled(), mask=mask,
                        zero_output_for_mask=self.zero_output_for_mask)
        if res is None:
            return None
        seq, last, h = res
        return seq, last, [h[0]]
