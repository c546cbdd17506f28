"""Keras 1 / early Keras 2 spellings, translated at one edge (see ``edge.py``)."""
