"""The Keras engine on PyTorch: Layer (an ``nn.Module``), the symbolic graph, Functional,
Sequential and Model. ``keras.engine`` (Keras 2 path) re-exports the same names."""
from .input_spec import InputSpec
from .keras_tensor import KerasTensor
from .base_layer import Layer
from .input_layer import Input, InputLayer
from .model import Model
from .functional import Functional
from .sequential import Sequential

__all__ = ["InputSpec", "KerasTensor", "Layer", "Input", "InputLayer", "Model", "Functional",
           "Sequential"]
