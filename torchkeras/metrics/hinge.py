"""Hinge metrics: streaming means of the hinge, squared hinge and categorical hinge losses."""
from __future__ import annotations

from torchkeras.losses.hinge import categorical_hinge, hinge, squared_hinge
from .reduction import BuiltinMeanMetric


class Hinge(BuiltinMeanMetric):
    """Streaming hinge loss (0/1 labels are mapped to -1/1)."""

    def __init__(self, name="hinge", dtype=None):
        super().__init__(fn=hinge, name=name, dtype=dtype)
        self._direction = "down"


class SquaredHinge(BuiltinMeanMetric):
    """Streaming squared hinge loss."""

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(fn=squared_hinge, name=name, dtype=dtype)
        self._direction = "down"


class CategoricalHinge(BuiltinMeanMetric):
    """Streaming categorical hinge loss."""

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(fn=categorical_hinge, name=name, dtype=dtype)
        self._direction = "down"
