"""Layer wrappers: ``TimeDistributed`` and ``Bidirectional`` (implementations in
``torchkeras.layers.rnn``)."""
from __future__ import annotations

from .rnn.bidirectional import Bidirectional
from .rnn.time_distributed import TimeDistributed

__all__ = ["TimeDistributed", "Bidirectional"]
