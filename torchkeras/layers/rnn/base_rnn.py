"""``RNN``: Keras's recurrent layer around any cell (Keras 3 semantics, Keras 2 call forms).

The time loop follows Keras's generic ``backend.rnn``: with a mask, a masked step keeps the
previous states and its output is the previous output (zeros before the first unmasked step),
or zeros when ``zero_output_for_mask``; ``go_backwards`` reverses the inputs (and mask) and
returns the outputs in processing order. Subclasses (LSTM, GRU, SimpleRNN) first try a fused
kernel (``_fused_call``) and fall back to this loop, with the same results.

``stateful=True`` keeps the final states of each call in (non-persistent) buffers that the next
call starts from; it needs a fixed batch size, known when the layer is built.
``reset_states()`` / ``reset_state()`` zero them (or set given values, Keras 2 style).
"""
from __future__ import annotations

from typing import List

import numpy as np
import torch

from ...backend import config as _config
from ...engine import tree
from ...engine.base_layer import Layer, OutputSpec, _shape_of
from ...engine.input_spec import InputSpec, assert_input_compatibility
from . import _utils
from .cells import StackedRNNCells, _GatedCell

__all__ = ["RNN"]


def _is_nested(x) -> bool:
    return isinstance(x, (list, tuple))


def _template_of(state_size):
    """Nested structure (of ``None`` leaves) of a cell's states from its ``state_size``."""
    if isinstance(state_size, (list, tuple)):
        return [None if not isinstance(s, (list, tuple)) else [None] * len(s)
                for s in state_size]
    return [None]


def _expand_like(m: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    return m.view(m.shape[0], *([1] * (t.dim() - 1)))


def _reset_cell_dropout(cell) -> None:
    if isinstance(cell, StackedRNNCells):
        for c in cell.cells:
            _reset_cell_dropout(c)
    for name in ("reset_dropout_mask", "reset_recurrent_dropout_mask"):
        fn = getattr(cell, name, None)
        if callable(fn):
            fn()


class RNN(Layer):
    """``keras.layers.RNN(cell, return_sequences, return_state, go_backwards, stateful, unroll,
    zero_output_for_mask)``; ``cell`` may be a list of cells (-> ``StackedRNNCells``).
    ``unroll`` is accepted (the loop is the same either way); ``time_major`` (Keras 2) is
    honoured."""

    def __init__(self, cell, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 zero_output_for_mask: bool = False, time_major=None, **kwargs):
        input_dim = kwargs.pop("input_dim", None)
        input_length = kwargs.pop("input_length", None)
        if (input_dim is not None or input_length is not None) and \
                kwargs.get("input_shape") is None and kwargs.get("batch_input_shape") is None:
            kwargs["input_shape"] = (input_length, input_dim)
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not hasattr(cell, "call"):
            raise ValueError("Argument `cell` should have a `call` method. Received: "
                             f"cell={cell!r}")
        if not hasattr(cell, "state_size"):
            raise ValueError("The RNN cell should have a `state_size` attribute (single integer "
                             "or list of integers, one integer per RNN state). Received: "
                             f"cell={cell!r}")
        super().__init__(**kwargs)
        owner = f"{type(self).__name__} '{self.name}'"
        self.cell = cell
        self.return_sequences = _utils.as_bool(owner, "return_sequences", return_sequences)
        self.return_state = _utils.as_bool(owner, "return_state", return_state)
        self.go_backwards = _utils.as_bool(owner, "go_backwards", go_backwards)
        self.stateful = _utils.as_bool(owner, "stateful", stateful)
        self.unroll = _utils.as_bool(owner, "unroll", unroll)
        self.zero_output_for_mask = _utils.as_bool(owner, "zero_output_for_mask",
                                                   zero_output_for_mask)
        self._time_major_given = time_major is not None
        self.time_major = bool(time_major) if time_major is not None else False
        self.supports_masking = True
        self.input_spec = None
        self._state_names: List[str] = []
        self._state_template = None
        self._expected_batch_size = None
        state_size = cell.state_size
        if not isinstance(state_size, (list, tuple, int, np.integer)):
            raise ValueError("state_size must be an integer, or a list/tuple of integers (one "
                             f"for each state tensor). Received: {state_size!r}")

    # -- cell description ----------------------------------------------------------------------
    @property
    def state_size(self) -> list:
        s = self.cell.state_size
        return [int(s)] if isinstance(s, (int, np.integer)) else list(s)

    def _output_size(self):
        out = getattr(self.cell, "output_size", None)
        if out is None:
            first = self.state_size[0]
            out = first[0] if isinstance(first, (list, tuple)) else first
        return out

    # -- build ---------------------------------------------------------------------------------
    def _sequence_shape(self, input_shape):
        if isinstance(input_shape, list) and input_shape and \
                isinstance(input_shape[0], (list, tuple)):
            input_shape = input_shape[0]
        shape = tuple(input_shape)
        if self.time_major and len(shape) >= 2:
            shape = (shape[1], shape[0]) + shape[2:]
        return shape

    def _check_input_spec(self, inputs) -> None:
        if self.input_spec is None:
            return
        first = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
        shape = _shape_of(first)
        if shape is not None and self.time_major and len(shape) >= 2:
            shape = (shape[1], shape[0]) + tuple(shape[2:])
        assert_input_compatibility(self.input_spec, [shape], self.name)

    def build(self, sequences_shape, initial_state_shape=None) -> None:
        shape = self._sequence_shape(sequences_shape)
        if len(shape) < 3:
            raise ValueError(f"Input 0 of layer \"{self.name}\" is incompatible with the layer: "
                             f"expected ndim>=3 (batch, timesteps, features), found "
                             f"ndim={len(shape)}. Full shape received: {tuple(sequences_shape)}")
        step_shape = (shape[0],) + tuple(shape[2:])
        cell = self.cell
        if isinstance(cell, Layer) and not cell.built:
            cell.build(step_shape)
            cell.built = True
            cell._build_input_shape = step_shape
        if isinstance(self.input_spec, InputSpec) and shape[-1] is not None and \
                isinstance(cell, _GatedCell):
            self.input_spec = InputSpec(ndim=self.input_spec.ndim or len(shape),
                                        axes={-1: shape[-1]})
        if self.stateful:
            if shape[0] is None:
                raise ValueError(
                    "When using `stateful=True` in a RNN, the batch size must be static. Found "
                    f"dynamic batch size: sequence.shape={tuple(shape)} (layer '{self.name}'). "
                    "Specify it with `batch_size=` / `batch_input_shape=` on the first layer "
                    "or `keras.Input(batch_shape=...)`.")
            self._create_state_buffers(int(shape[0]))
        self.built = True

    def _create_state_buffers(self, batch_size: int) -> None:
        states = self.get_initial_state(batch_size)
        self._state_template = tree.map_structure(lambda _: None, states)
        for name in self._state_names:
            delattr(self, name)
        self._state_names = []
        for i, s in enumerate(tree.flatten(states)):
            name = f"_rnn_state_{i}"
            self.register_buffer(name, s.detach().clone(), persistent=False)
            self._state_names.append(name)
        self._expected_batch_size = batch_size

    # -- states --------------------------------------------------------------------------------
    def get_initial_state(self, batch_size):
        """Zero initial states (the cell's ``get_initial_state`` when it has one), as a list."""
        fn = getattr(self.cell, "get_initial_state", None)
        if fn is not None:
            init = fn(batch_size=batch_size)
            if not _is_nested(init):
                init = [init]
            return list(init)
        dev = self._device_hint()
        dt = self._compute_torch_dtype()
        return [torch.zeros((batch_size, d), dtype=dt, device=dev) for d in self.state_size]

    def _compute_torch_dtype(self):
        return _config.standardize_dtype(self.compute_dtype)

    @property
    def states(self):
        """The stored states of a stateful layer (``None`` otherwise / before build)."""
        if not self._state_names:
            return None
        flat = [getattr(self, n) for n in self._state_names]
        return tree.pack_sequence_as(self._state_template, flat)

    def reset_states(self, states=None) -> None:
        """Zero the stored states of a stateful layer, or set them to ``states`` (numpy arrays /
        tensors, one per state: Keras 2's ``reset_states(states)``)."""
        if not self.stateful:
            if states is not None:
                raise AttributeError("Layer must be stateful.")
            return
        if not self._state_names:
            if states is not None:
                raise ValueError(f"Layer '{self.name}' is not built yet: its states cannot be "
                                 "set. Call it once (or build it) first.")
            return
        bufs = [getattr(self, n) for n in self._state_names]
        if states is None:
            for b in bufs:
                b.zero_()
            return
        values = tree.flatten(states) if _is_nested(states) else [states]
        if len(values) != len(bufs):
            raise ValueError(f"Layer '{self.name}' expects {len(bufs)} states, but it received "
                             f"{len(values)} state values. Received: states={states!r}")
        for i, (b, v) in enumerate(zip(bufs, values)):
            v = torch.as_tensor(np.asarray(v) if not isinstance(v, torch.Tensor) else v)
            if tuple(v.shape) != tuple(b.shape):
                raise ValueError(f"State {i} is incompatible with layer {self.name}: expected "
                                 f"shape={tuple(b.shape)} but found shape={tuple(v.shape)}")
            with torch.no_grad():
                b.copy_(v.to(device=b.device, dtype=b.dtype))

    def reset_state(self) -> None:
        """Keras 3 spelling of ``reset_states()``."""
        self.reset_states()

    def _standardize_initial_state(self, initial_state, batch: int, ref: torch.Tensor):
        if not _is_nested(initial_state):
            initial_state = [initial_state]
        initial_state = list(initial_state)
        flat = tree.flatten(initial_state)
        dt = ref.dtype
        flat = [(v if isinstance(v, torch.Tensor) else torch.as_tensor(np.asarray(v)))
                .to(device=ref.device, dtype=dt) for v in flat]
        sizes = self.state_size
        if all(isinstance(s, (int, np.integer)) for s in sizes) and \
                all(int(s) >= 0 for s in sizes):
            if len(flat) != len(sizes):
                raise ValueError(
                    f"An `initial_state` was passed to layer '{self.name}' that is not "
                    f"compatible with `cell.state_size`: expected {len(sizes)} state tensor(s) "
                    f"of shapes {[(batch, int(s)) for s in sizes]}, received {len(flat)} with "
                    f"shapes {[tuple(v.shape) for v in flat]}.")
            for v, s in zip(flat, sizes):
                if v.dim() != 2 or v.shape[0] != batch or v.shape[1] != int(s):
                    raise ValueError(
                        f"An `initial_state` was passed to layer '{self.name}' that is not "
                        f"compatible with `cell.state_size`: expected shapes "
                        f"{[(batch, int(q)) for q in sizes]}, received "
                        f"{[tuple(q.shape) for q in flat]}.")
            return flat
        if isinstance(self.cell, StackedRNNCells):
            template = _template_of(self.state_size)
            if len(flat) == len(tree.flatten(template)):
                return tree.pack_sequence_as(template, flat)
        return tree.pack_sequence_as(initial_state, flat)

    # -- call ----------------------------------------------------------------------------------
    def call(self, sequences, initial_state=None, mask=None, training=None, constants=None):
        if isinstance(sequences, (list, tuple)):  # Keras 2: [x, *initial_states, *constants]
            parts = list(sequences)
            sequences = parts[0]
            if len(parts) > 1:
                if initial_state is not None:
                    raise ValueError(f"Layer '{self.name}' received initial states both in its "
                                     "inputs list and as `initial_state`.")
                n = len(tree.flatten(_template_of(self.state_size))) \
                    if not isinstance(self.cell, _GatedCell) else len(self.state_size)
                initial_state = parts[1:1 + n]
                if len(parts) > 1 + n:
                    constants = parts[1 + n:]
            if isinstance(mask, (list, tuple)):
                mask = mask[0] if mask else None
        if isinstance(mask, (list, tuple)):
            mask = mask[0] if mask else None
        x = sequences
        if not isinstance(x, torch.Tensor):
            x = torch.as_tensor(np.asarray(x))
        if self.time_major:
            x = x.transpose(0, 1)
            if mask is not None and isinstance(mask, torch.Tensor) and mask.dim() >= 2:
                mask = mask.transpose(0, 1)
        if x.dim() < 3:
            raise ValueError(f"Input 0 of layer \"{self.name}\" is incompatible with the layer: "
                             f"expected ndim>=3, found ndim={x.dim()}. Full shape received: "
                             f"{tuple(x.shape)}")
        wdt = self._weight_dtype()
        if not x.is_floating_point() or (wdt is not None and x.dtype != wdt and
                                         not torch.is_autocast_enabled()):
            x = x.to(wdt or torch.float32)
        batch, steps = x.shape[0], x.shape[1]
        if steps == 0:
            raise ValueError(f"Layer '{self.name}' received a sequence with 0 timesteps: "
                             f"shape {tuple(x.shape)}.")
        mask = _utils.standardize_mask(self.name, mask, batch, steps, x.device)
        if self.stateful:
            if self._expected_batch_size is not None and batch != self._expected_batch_size:
                raise ValueError(
                    "If an RNN is stateful, the batch size of the input sequences must be the "
                    "same as the batch size of the initial state.\n- Expected batch size: "
                    f"{self._expected_batch_size}\n- Received batch size: {batch} "
                    f"(layer '{self.name}')")
        if initial_state is not None:
            states = self._standardize_initial_state(initial_state, batch, x)
        elif self.stateful and self._state_names:
            # copies: the buffers are overwritten in place below, and autograd saved these
            states = tree.map_structure(lambda s: s.clone(), self.states)
        else:
            states = self.get_initial_state(batch)
            states = tree.map_structure(lambda s: s.to(device=x.device, dtype=x.dtype), states)
        if self.go_backwards:
            x = x.flip(1)
            if mask is not None:
                mask = mask.flip(1)
        _reset_cell_dropout(self.cell)
        try:
            result = None
            if constants is None:
                result = self._fused_call(x, states, mask, bool(training))
            if result is None:
                result = self._loop(x, states, mask, bool(training), constants)
        finally:
            _reset_cell_dropout(self.cell)
        seq, last, new_states = result
        if self.stateful and self._state_names:
            with torch.no_grad():
                for name, s in zip(self._state_names, tree.flatten(new_states)):
                    getattr(self, name).copy_(s.detach())
        output = seq if self.return_sequences else last
        if self.time_major and self.return_sequences:
            output = output.transpose(0, 1)
        if self.return_state:
            return [output] + list(new_states)
        return output

    def _weight_dtype(self):
        for p in self.parameters():
            if p.is_floating_point():
                return p.dtype
        return None

    def _fused_call(self, x, states, mask, training):
        """Fused-kernel fast path of subclasses: ``(sequence, last, states)`` or ``None``."""
        return None

    def _loop(self, x, states, mask, training: bool, constants=None):
        cell = self.cell
        steps = x.shape[1]
        fast = isinstance(cell, _GatedCell) and cell._uses_builtin_call() and constants is None
        if fast:
            states = list(states)
            dp = cell._input_masks(x[:, 0], training)
            rdp = cell._recurrent_masks(states[0], training)
            proj = cell._project(x, dp)

            def step(t, st):
                return cell._step(proj[:, t], st, rdp)
        else:
            kw = {}
            if isinstance(cell, Layer):
                if cell._call_has_training:
                    kw["training"] = training
                call_fn = cell
            else:
                call_fn = cell.call
            if constants is not None:
                kw["constants"] = constants

            def step(t, st):
                out, new = call_fn(x[:, t], st, **kw)
                if not _is_nested(new):
                    new = [new]
                return out, new

        keep_all = self.return_sequences
        outputs = []
        prev = None
        for t in range(steps):
            out, new = step(t, states)
            if mask is not None:
                m = mask[:, t]
                flat_new = tree.flatten(new)
                flat_old = tree.flatten(states)
                flat = [torch.where(_expand_like(m, n), n, o) for n, o in zip(flat_new, flat_old)]
                new = tree.pack_sequence_as(new, flat)
                mo = _expand_like(m, out)
                if self.zero_output_for_mask or prev is None:
                    out = torch.where(mo, out, torch.zeros_like(out))
                else:
                    out = torch.where(mo, out, prev)
            prev = out
            states = new
            if keep_all:
                outputs.append(out)
        seq = torch.stack(outputs, dim=1) if keep_all else None
        return seq, prev, list(states) if isinstance(states, tuple) else states

    # -- shapes, masks, config -----------------------------------------------------------------
    def _state_shapes(self, batch):
        shapes = []
        for s in self.state_size:
            if isinstance(s, (list, tuple)):
                shapes.append([(batch, int(d)) for d in s])
            else:
                shapes.append((batch, int(s)))
        return shapes

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = self._sequence_shape(sequences_shape)
        batch, steps = shape[0], shape[1]
        out = self._output_size()
        out = tuple(out) if isinstance(out, (list, tuple)) else (out,)
        if self.return_sequences:
            output = (steps, batch) + out if self.time_major else (batch, steps) + out
        else:
            output = (batch,) + out
        if self.return_state:
            return [output] + self._state_shapes(batch)
        return output

    def compute_output_spec(self, *args, **kwargs):
        inputs = args[0] if args else kwargs.get("sequences", kwargs.get("inputs"))
        first = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
        shapes = self.compute_output_shape(tuple(first.shape))
        dtype = self._output_dtype(first)
        if self.return_state:
            return [OutputSpec(shapes[0], dtype)] + [
                [OutputSpec(s, dtype) for s in st] if isinstance(st, list)
                else OutputSpec(st, dtype) for st in shapes[1:]]
        return OutputSpec(shapes, dtype)

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0] if mask else None
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self.state_size)
        return output_mask

    def _base_config(self):
        cfg = Layer.get_config(self)
        cfg.update({
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
        })
        if self._time_major_given:
            cfg["time_major"] = self.time_major
        return cfg

    def get_config(self):
        from ...saving.serialization import serialize_keras_object
        cfg = self._base_config()
        cfg["cell"] = serialize_keras_object(self.cell)
        return cfg

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ...saving.serialization import deserialize_layer
        config = dict(config)
        cell = config.pop("cell")
        if isinstance(cell, list):
            cell = [deserialize_layer(c, custom_objects=custom_objects) for c in cell]
        elif isinstance(cell, dict):
            cell = deserialize_layer(cell, custom_objects=custom_objects)
        return cls(cell, **config)
