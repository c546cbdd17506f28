"""``K.function(inputs, outputs)``: run part of a functional graph on numpy arrays.

Matches Keras 1/2 (``keras.backend.function``) as old scripts use it, typically to read an
intermediate layer::

    get_hidden = K.function([model.input, K.learning_phase()], [model.layers[1].output])
    hidden = get_hidden([x, 0])[0]

``inputs`` are the model's input tensors (``keras.Input`` tensors), plus optionally
``K.learning_phase()`` (any number of phase slots; the value fed there, 0 or 1, runs the layers
in test or training mode, as the placeholder did). ``outputs`` are KerasTensors of the same
graph (layer outputs). The call takes a list of arrays (one per input, in order) and returns a
list of numpy arrays, one per output. A sub-model ``Model(inputs, outputs)`` sharing the
layers (and their weights) does the work, so later weight updates are seen.

Not supported (they need TensorFlow's symbolic graph): ``updates=`` (Keras 1/2 custom training
steps), feeding tensors that are not model inputs, and outputs built from symbolic
gradients; these raise ``ValueError`` / ``NotImplementedError`` naming the problem.
"""
from __future__ import annotations

from typing import Any, List, Sequence

import numpy as np
import torch

__all__ = ["function", "Function"]


def _is_phase(x) -> bool:
    """A learning-phase placeholder: ``K.learning_phase()`` is 0 / 1 here (a Python int)."""
    return isinstance(x, (bool, int, np.integer)) or (
        isinstance(x, torch.Tensor) and x.dim() == 0 and not x.is_floating_point())


class Function:
    """The callable ``K.function`` returns."""

    def __init__(self, inputs, outputs, updates=None, name=None, **kwargs):
        from ..engine.keras_tensor import KerasTensor
        if updates:
            raise NotImplementedError(
                "K.function(..., updates=...) is not supported: Keras 1/2 used it to build "
                "training steps on the TensorFlow/Theano graph. Train with `model.fit` / "
                "`model.train_on_batch`, or write the step with torch autograd.")
        for key in ("session_kwargs", "fetches", "feed_dict", "options", "run_metadata"):
            kwargs.pop(key, None)
        if kwargs:
            raise ValueError(f"Invalid argument(s) passed to K.function: {sorted(kwargs)}")
        self.name = name
        inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        self._n_inputs = len(inputs)
        self._phase_slots = [i for i, x in enumerate(inputs) if _is_phase(x)]
        tensors = [x for i, x in enumerate(inputs) if i not in self._phase_slots]
        for i, x in enumerate(tensors):
            if not isinstance(x, KerasTensor):
                raise ValueError(f"K.function: input #{i} must be a Keras tensor (a model input) "
                                 f"or K.learning_phase(). Received: {x!r}")
        for i, y in enumerate(outputs):
            if not isinstance(y, KerasTensor):
                raise ValueError(f"K.function: output #{i} must be a Keras tensor (the output of "
                                 f"a layer of the graph). Received: {type(y).__name__}: {y!r}. "
                                 "Symbolic gradients (K.gradients on Keras tensors) need "
                                 "TensorFlow's graph: compute them eagerly with "
                                 "torch.autograd instead.")
        from ..engine.functional import Functional
        try:
            self._model = Functional(tensors, outputs, name=name or "k_function")
        except ValueError as e:
            raise ValueError(f"K.function: cannot build a function from the given inputs to the "
                             f"outputs ({e}). The inputs must be the `keras.Input` tensors the "
                             "outputs were computed from (e.g. `model.inputs`).") from e

    def _device(self):
        for p in self._model.parameters():
            return p.device
        for b in self._model.buffers():
            return b.device
        return torch.device("cpu")

    def __call__(self, inputs: Sequence[Any]) -> List[np.ndarray]:
        values = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(values) != self._n_inputs:
            raise ValueError(f"K.function expects {self._n_inputs} input values (one per input "
                             f"given when it was created); received {len(values)}.")
        training = False
        for i in self._phase_slots:
            v = values[i]
            v = v.item() if isinstance(v, torch.Tensor) else v
            if v not in (0, 1, True, False):
                raise ValueError(f"K.function: the learning phase (input #{i}) must be 0 (test) "
                                 f"or 1 (train). Received: {v!r}")
            training = training or bool(v)
        dev = self._device()
        data = []
        for i, (v, t) in enumerate(zip([v for j, v in enumerate(values)
                                        if j not in self._phase_slots],
                                       self._model.inputs)):
            x = torch.as_tensor(np.asarray(v) if not isinstance(v, torch.Tensor) else v)
            if x.is_floating_point() and t.dtype.is_floating_point:
                x = x.to(t.dtype)
            data.append(x.to(dev))
        x = data[0] if len(data) == 1 else data
        with torch.no_grad():
            out = self._model(x, training=training)
        outs = out if isinstance(out, (list, tuple)) else [out]
        result = [o.detach().cpu().numpy() if isinstance(o, torch.Tensor) else np.asarray(o)
                  for o in outs]
        return result


def function(inputs, outputs, updates=None, name=None, **kwargs) -> Function:
    """``keras.backend.function``: a callable ``f(list_of_arrays) -> list_of_arrays``."""
    return Function(inputs, outputs, updates=updates, name=name, **kwargs)
