"""Implementation modules of the convolution family (``torchkeras.layers.convolutional`` is the
public family module that re-exports them)."""
