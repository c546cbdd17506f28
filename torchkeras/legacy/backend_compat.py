"""Keras 1 helper functions that old module paths still name.

* ``keras.utils.visualize_util.plot(model, to_file=..., show_shapes=...)`` (Keras 1's name of
  ``plot_model``);
* ``keras.utils.np_utils.probas_to_classes`` / ``categorical_probas_to_classes`` (Keras 1):
  argmax for several classes, ``> 0.5`` for one probability column;
* ``keras.utils.np_utils.convert_kernel`` (Keras 1's home of ``convert_kernel``).
"""
from __future__ import annotations

import numpy as np

__all__ = ["plot", "probas_to_classes", "categorical_probas_to_classes", "convert_kernel"]


def plot(model, to_file: str = "model.png", show_shapes: bool = False,
         show_layer_names: bool = True, **kwargs):
    """Keras 1 ``keras.utils.visualize_util.plot`` = ``keras.utils.plot_model``."""
    from ..utils import plot_model
    return plot_model(model, to_file=to_file, show_shapes=show_shapes,
                      show_layer_names=show_layer_names, **kwargs)


def categorical_probas_to_classes(p) -> np.ndarray:
    return np.argmax(np.asarray(p), axis=1)


def probas_to_classes(y_pred) -> np.ndarray:
    y_pred = np.asarray(y_pred)
    if y_pred.ndim > 1 and y_pred.shape[1] > 1:
        return categorical_probas_to_classes(y_pred)
    return np.array([1 if p > 0.5 else 0 for p in np.ravel(y_pred)])


def convert_kernel(kernel):
    """Flip a convolution kernel along its spatial axes (Theano <-> TensorFlow)."""
    from .weights import convert_kernel as _convert
    return _convert(kernel)
