"""Keras 2 backend: control flow, learning phase, gradients, ``rnn`` and old dim-ordering names.

* ``switch`` expands a lower-rank condition on the *right* (``(batch,)`` selects whole rows of a
  ``(batch, d)`` tensor), as tf-keras does; callables are called lazily for scalar conditions.
* The learning phase is a process-wide integer (0 = test, default). ``set_learning_phase`` is
  deprecated in Keras and warns here; the engine can use ``learning_phase_scope(1)`` while
  training so that ``K.in_train_phase`` inside Lambda layers picks the training branch.
* ``gradients(loss, variables)`` is ``torch.autograd.grad`` with ``create_graph=True`` (so
  gradient penalties can be differentiated again); ``None`` for unconnected variables.
* ``K.function`` / ``K.get_session`` need the model graph and live with the engine.
"""
from __future__ import annotations

import contextlib
import warnings
from typing import Any, Callable, List, Optional, Sequence

import torch

from ._common import to_tensor, coerce_pair
from . import config as _config

__all__ = [
    "switch", "in_train_phase", "in_test_phase", "learning_phase", "set_learning_phase",
    "learning_phase_scope", "eager_learning_phase_scope", "stop_gradient", "gradients", "rnn",
    "image_dim_ordering", "set_image_dim_ordering", "normalize_data_format",
]

_LEARNING_PHASE: List[int] = [0]


def _call(v):
    return v() if callable(v) else v


def switch(condition, then_expression, else_expression) -> torch.Tensor:
    """Select between two tensors by ``condition`` (a Python bool/scalar or a bool tensor)."""
    if not torch.is_tensor(condition):
        if isinstance(condition, (bool, int, float)):
            return to_tensor(_call(then_expression) if condition else _call(else_expression))
        condition = to_tensor(condition)
    cond = condition.to(torch.bool)
    if cond.dim() == 0 and (callable(then_expression) or callable(else_expression)):
        return to_tensor(_call(then_expression) if bool(cond) else _call(else_expression))
    a, b = coerce_pair(_call(then_expression), _call(else_expression))
    expr_ndim = max(a.dim(), b.dim())
    if cond.dim() > expr_ndim:
        raise ValueError("Rank of `condition` should be less than or equal to rank of "
                         f"`then_expression` and `else_expression`. ndim(condition)={cond.dim()}, "
                         f"ndim(then_expression)={expr_ndim}")
    if 0 < cond.dim() < expr_ndim:
        cond = cond.reshape(tuple(cond.shape) + (1,) * (expr_ndim - cond.dim()))
    return torch.where(cond.to(a.device), a, b)


def _reset_learning_phase() -> None:
    """``clear_session()`` hook: back to the default (test) phase, as in Keras."""
    _LEARNING_PHASE[0] = 0


def learning_phase() -> int:
    """The learning phase: 1 while a layer runs in training mode (inside ``fit`` or a
    ``model(x, training=True)`` call), else the global value (0 unless set)."""
    from ..engine.base_layer import _CTX
    if _CTX.training is not None and _CTX.depth > 0:
        return int(bool(_CTX.training))
    return _LEARNING_PHASE[0]


def set_learning_phase(value: int) -> None:
    """Deprecated in Keras; sets the global learning phase (0 or 1) with a warning."""
    warnings.warn("`tf.keras.backend.set_learning_phase` is deprecated and will be removed after "
                  "2020-10-11. To update it, simply pass a True/False value to the `training` "
                  "argument of the `__call__` method of your layer or model.",
                  DeprecationWarning, stacklevel=2)
    if value not in (0, 1):
        raise ValueError("Expected learning phase to be 0 or 1.")
    _LEARNING_PHASE[0] = int(value)


@contextlib.contextmanager
def learning_phase_scope(value: int):
    """Temporarily set the learning phase (used by the engine around training steps)."""
    if value not in (0, 1):
        raise ValueError("Expected learning phase to be 0 or 1.")
    old = _LEARNING_PHASE[0]
    _LEARNING_PHASE[0] = int(value)
    try:
        yield value
    finally:
        _LEARNING_PHASE[0] = old


eager_learning_phase_scope = learning_phase_scope  # tf-keras name


def in_train_phase(x, alt, training=None):
    """``x`` in the training phase, ``alt`` otherwise (callables are evaluated lazily)."""
    if training is None:
        training = learning_phase()
    if torch.is_tensor(training) and training.dim() == 0 and not training.requires_grad:
        if training.device.type == "cpu":
            training = bool(training)
    if isinstance(training, (bool, int)) or training is True or training is False:
        return _call(x) if training else _call(alt)
    return switch(training, x, alt)


def in_test_phase(x, alt, training=None):
    """``x`` in the test phase, ``alt`` otherwise."""
    return in_train_phase(alt, x, training=training)


def stop_gradient(variables):
    """``variables`` detached from the graph (a tensor or a list of tensors)."""
    if isinstance(variables, (list, tuple)):
        return [to_tensor(v).detach() for v in variables]
    return to_tensor(variables).detach()


def gradients(loss, variables) -> List[Optional[torch.Tensor]]:
    """Gradients of ``loss`` (summed if not scalar) w.r.t. each of ``variables``."""
    single = torch.is_tensor(variables)
    vs = [variables] if single else list(variables)
    loss = to_tensor(loss)
    if loss.dim() != 0:
        loss = loss.sum()
    wanted = [i for i, v in enumerate(vs) if torch.is_tensor(v) and v.requires_grad]
    out: List[Optional[torch.Tensor]] = [None] * len(vs)
    if wanted and loss.requires_grad:
        grads = torch.autograd.grad(loss, [vs[i] for i in wanted], retain_graph=True,
                                    create_graph=True, allow_unused=True)
        for i, g in zip(wanted, grads):
            out[i] = g
    return out


def rnn(step_function: Callable, inputs, initial_states: Sequence[Any], go_backwards: bool = False,
        mask=None, constants=None, unroll: bool = False, input_length=None,
        time_major: bool = False, zero_output_for_mask: bool = False,
        return_all_outputs: bool = True):
    """Iterate ``step_function(input_t, states + constants) -> (output_t, new_states)`` over time.

    Returns ``(last_output, outputs, new_states)``; ``outputs`` is ``(batch, time, ...)`` (or
    time-major) in iteration order. Where ``mask`` (``(batch, time)``) is False, the states keep
    their previous values and the output repeats the previous output (zeros with
    ``zero_output_for_mask=True``), as in tf-keras.
    """
    x = to_tensor(inputs)
    if not time_major:
        x = x.transpose(0, 1)
    m = None
    if mask is not None:
        m = to_tensor(mask, device=x.device).to(torch.bool)
        if m.dim() > 2:
            m = m.reshape(m.shape[0], m.shape[1])
        if not time_major:
            m = m.transpose(0, 1)
    if go_backwards:
        x = torch.flip(x, [0])
        if m is not None:
            m = torch.flip(m, [0])
    states = list(initial_states)
    consts = list(constants or [])
    outputs = []
    prev = None

    def _mix(mt, new, old):
        mm = mt.reshape(tuple(mt.shape) + (1,) * (new.dim() - 1))
        return torch.where(mm, new, old)

    for t in range(x.shape[0]):
        out, new_states = step_function(x[t], tuple(states) + tuple(consts))
        new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        if m is not None:
            if prev is None:
                prev = torch.zeros_like(out)
            out = _mix(m[t], out, torch.zeros_like(out) if zero_output_for_mask else prev)
            new_states = [_mix(m[t], n, o) for n, o in zip(new_states, states)]
            prev = out
        states = new_states
        if return_all_outputs or t == x.shape[0] - 1:
            outputs.append(out)
    outs = torch.stack(outputs, 0)
    last = outs[-1]
    if not time_major:
        outs = outs.transpose(0, 1)
    return last, outs, states


def image_dim_ordering() -> str:
    """Keras 1 name: ``'tf'`` for channels_last, ``'th'`` for channels_first."""
    return "th" if _config.image_data_format() == "channels_first" else "tf"


def set_image_dim_ordering(dim_ordering: str) -> None:
    """Keras 1 setter: ``'th'`` -> channels_first, ``'tf'`` -> channels_last (deprecated)."""
    mapping = {"th": "channels_first", "tf": "channels_last"}
    if dim_ordering not in mapping:
        raise ValueError("Unknown dim_ordering: " + repr(dim_ordering) +
                         ". Expected 'th' or 'tf'.")
    warnings.warn("`set_image_dim_ordering` is deprecated; use "
                  f"`set_image_data_format({mapping[dim_ordering]!r})`.",
                  DeprecationWarning, stacklevel=2)
    _config.set_image_data_format(mapping[dim_ordering])


def normalize_data_format(value) -> str:
    """Keras 2.2 name of ``standardize_data_format`` (``None`` -> the global setting)."""
    return _config.standardize_data_format(value)
