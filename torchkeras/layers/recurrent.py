"""Recurrent layers family: ``RNN`` and its cells, ``SimpleRNN``, ``LSTM``, ``GRU``,
``Bidirectional``, ``ConvLSTM1D/2D/3D`` (implementations in ``torchkeras.layers.rnn``)."""
from __future__ import annotations

from .rnn.base_rnn import RNN
from .rnn.bidirectional import Bidirectional
from .rnn.conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D, ConvLSTMCell
from .rnn.cells import GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells
from .rnn.gru import GRU
from .rnn.lstm import LSTM
from .rnn.simple_rnn import SimpleRNN

__all__ = ["RNN", "SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells", "SimpleRNN",
           "LSTM", "GRU", "Bidirectional", "ConvLSTMCell", "ConvLSTM1D", "ConvLSTM2D",
           "ConvLSTM3D"]
