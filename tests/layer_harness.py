"""A declarative layer-test harness, in the spirit of Keras 3's ``run_layer_test``.

``run_layer_test(cls, init_kwargs, input_shape, expected_output_shape, ...)`` checks, for one
layer configuration:

* construction, symbolic call on ``keras.Input`` and eager call on random data agree on the
  output shape (and equal ``expected_output_shape``, ``None`` for the batch axis allowed);
* the numbers of trainable / non-trainable weights (and optionally their Keras shapes);
* ``get_config`` -> ``from_config`` round trip gives the same config and, after
  ``set_weights(get_weights())``, the same outputs;
* ``get_weights`` / ``set_weights`` round trip (Keras layout) is exact;
* one training step: gradients reach every trainable weight and a plain SGD step changes them,
  while non-trainable weights get no gradient;
* optionally numerical equality with reference outputs computed by real Keras
  (``expected_output`` for ``input_data``).
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
import torch

import torchkeras as keras


def _random_input(shape, dtype="float32", seed=0):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind in "iu":
        return rng.integers(0, 5, size=shape).astype(dtype)
    return rng.standard_normal(size=shape).astype(dtype)


def _to_np(y):
    if isinstance(y, (list, tuple)):
        return [_to_np(v) for v in y]
    return y.detach().cpu().numpy()


def _shape_matches(got, want) -> bool:
    got, want = tuple(got), tuple(want)
    return len(got) == len(want) and all(w is None or g == w for g, w in zip(got, want))


def run_layer_test(cls, init_kwargs: Optional[dict] = None, input_shape: Sequence = (2, 3),
                   expected_output_shape: Optional[Sequence] = None,
                   expected_num_trainable_weights: Optional[int] = None,
                   expected_num_non_trainable_weights: Optional[int] = None,
                   expected_weight_shapes: Optional[Sequence[Sequence[int]]] = None,
                   input_dtype: str = "float32", input_data=None, expected_output=None,
                   atol: float = 1e-5, rtol: float = 1e-5, run_training_check: bool = True,
                   call_kwargs: Optional[dict] = None, supports_masking: Optional[bool] = None,
                   deterministic: bool = True):
    init_kwargs = dict(init_kwargs or {})
    call_kwargs = dict(call_kwargs or {})
    multi = bool(input_shape) and isinstance(input_shape[0], (list, tuple))
    shapes = list(input_shape) if multi else [tuple(input_shape)]
    if input_data is None:
        data = [_random_input(s, input_dtype, seed=i) for i, s in enumerate(shapes)]
    else:
        data = list(input_data) if multi else [input_data]
    x = data if multi else data[0]

    # eager call
    layer = cls(**init_kwargs)
    y = layer(x, **call_kwargs)
    y_np = _to_np(y)
    outs = y_np if isinstance(y_np, list) else [y_np]
    if expected_output_shape is not None:
        want = expected_output_shape if isinstance(expected_output_shape[0], (list, tuple)) \
            else [expected_output_shape]
        for o, w in zip(outs, want):
            assert _shape_matches(o.shape, w), f"eager output shape {o.shape}, want {tuple(w)}"
    if expected_num_trainable_weights is not None:
        assert len(layer.trainable_weights) == expected_num_trainable_weights, \
            f"{len(layer.trainable_weights)} trainable weights, want " \
            f"{expected_num_trainable_weights}"
    if expected_num_non_trainable_weights is not None:
        assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights, \
            f"{len(layer.non_trainable_weights)} non-trainable weights, want " \
            f"{expected_num_non_trainable_weights}"
    if expected_weight_shapes is not None:
        got = [tuple(w.shape) for w in layer.get_weights()]
        assert got == [tuple(s) for s in expected_weight_shapes], f"weight shapes {got}"
    if supports_masking is not None:
        assert layer.supports_masking == supports_masking

    # symbolic call agrees with the eager shape
    sym_layer = cls(**init_kwargs)
    inputs = [keras.Input(batch_shape=(None,) + tuple(s[1:]), dtype=input_dtype) for s in shapes]
    sym = sym_layer(inputs if multi else inputs[0], **call_kwargs)
    sym_list = sym if isinstance(sym, (list, tuple)) else [sym]
    for s, o in zip(sym_list, outs):
        assert _shape_matches(o.shape, tuple(d if d is not None else o.shape[i]
                                              for i, d in enumerate(s.shape))), \
            f"symbolic shape {s.shape} vs eager {o.shape}"

    # get/set weights round trip
    weights = layer.get_weights()
    perturbed = [w + 0.5 if np.issubdtype(w.dtype, np.floating) else w for w in weights]
    layer.set_weights(perturbed)
    for a, b in zip(layer.get_weights(), perturbed):
        np.testing.assert_array_equal(a, b)
    layer.set_weights(weights)

    # config round trip
    config = layer.get_config()
    clone = cls.from_config(config)
    assert clone.get_config() == config or _configs_equal(clone.get_config(), config), \
        f"config round trip differs:\n{clone.get_config()}\nvs\n{config}"
    y2 = clone(x, **call_kwargs)
    clone.set_weights(layer.get_weights())
    if deterministic:
        y_a = _to_np(layer(x, **call_kwargs))
        y_b = _to_np(clone(x, **call_kwargs))
        for a, b in zip(y_a if isinstance(y_a, list) else [y_a],
                        y_b if isinstance(y_b, list) else [y_b]):
            np.testing.assert_allclose(a, b, atol=1e-6, rtol=1e-6)
    del y2

    # reference numbers from real Keras
    if expected_output is not None:
        exp = expected_output if isinstance(expected_output, list) else [expected_output]
        for o, e in zip(outs, exp):
            np.testing.assert_allclose(o, e, atol=atol, rtol=rtol)

    # one training step
    if run_training_check and layer.trainable_weights:
        tensors = [torch.as_tensor(d) for d in data]
        out = layer(tensors if multi else tensors[0], training=True, **call_kwargs) \
            if layer._call_has_training else layer(tensors if multi else tensors[0],
                                                   **call_kwargs)
        flat = out if isinstance(out, (list, tuple)) else [out]
        loss = sum((o.float() ** 2).mean() for o in flat if o.is_floating_point())
        params = [w.tensor for w in layer.trainable_weights]
        for p in params:
            p.grad = None
        loss.backward()
        for w in layer.trainable_weights:
            assert w.tensor.grad is not None, f"no gradient for trainable weight {w.path}"
        for w in layer.non_trainable_weights:
            assert w.tensor.grad is None, f"gradient for non-trainable weight {w.path}"
        before = [w.numpy().copy() for w in layer.trainable_weights]
        with torch.no_grad():
            for p in params:
                p -= 0.1 * p.grad
        changed = any(not np.array_equal(b, w.numpy())
                      for b, w in zip(before, layer.trainable_weights))
        assert changed, "a training step changed no weight"
    return layer


def _configs_equal(a, b) -> bool:
    import json
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)
