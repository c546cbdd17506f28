"""Attention layers, one module per piece; ``torchkeras.layers.attention`` re-exports them."""
