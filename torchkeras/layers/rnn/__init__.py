"""Recurrent layers, one module per piece (cells, base RNN, LSTM, GRU, SimpleRNN, ConvLSTM,
Bidirectional, TimeDistributed); ``torchkeras.layers.recurrent`` re-exports them."""
