"""Layers that exist only in Keras 1 (and as deprecated copies in Keras 2.0-2.1):
``MaxoutDense``, ``Highway``, the ``Merge`` layer and the ``merge`` function.

They keep their Keras 1 argument names (as Keras 2's ``keras/legacy/layers.py`` did) and Keras
1's config format, so Keras 1 files rebuild. Semantics follow Keras 1.2.2 / Keras 2.1:

* ``MaxoutDense(output_dim, nb_feature=4)``: ``max_k (x W_k + b_k)``, weights ``W`` of shape
  ``(nb_feature, input_dim, output_dim)`` and ``b`` of shape ``(nb_feature, output_dim)``.
* ``Highway()``: ``t = sigmoid(x W_carry + b_carry)``, ``y = t * act(x W + b) + (1 - t) * x``;
  weights ``W, W_carry, b, b_carry`` (``b_carry`` starts at 1).
* ``Merge(layers=None, mode='sum'|'mul'|'concat'|'ave'|'max'|'dot'|'cos'|callable,
  concat_axis=-1, dot_axes=-1, output_shape=None, output_mask=None, arguments=None)``: on a
  list of tensors, or, given ``layers`` (models), as the first layer of a Keras 1
  ``Sequential``, which then takes one input per branch input (``model.fit([xa, xb], y)``).
* ``merge(inputs, mode=..., ...)``: ``Merge(...)(inputs)``.

``'cos'`` returns the shape Keras 1's ``get_output_shape_for`` declared (``(batch, 1)`` for
two 2-D inputs); Keras 1's ``call`` added one more axis that its own shape inference did
not report.
"""
from __future__ import annotations

import inspect
import types
import warnings
from typing import Any, Dict, List, Optional

import torch
from torch import nn

from .. import activations, constraints, initializers, regularizers
from ..backend import config as _config
from ..engine.base_layer import Layer
from ..engine.input_spec import InputSpec
from ..engine.keras_tensor import KerasTensor
from ..engine.sequential import Sequential

__all__ = ["MaxoutDense", "Highway", "Merge", "merge"]

_MODES = ("sum", "mul", "concat", "ave", "cos", "dot", "max")


def _deprecated(name: str) -> None:
    warnings.warn(f"The `{name}` layer is a Keras 1 layer (deprecated in Keras 2.0 and removed "
                  "in Keras 2.2); torchkeras keeps it for old code and files.",
                  DeprecationWarning, stacklevel=4)


def _input_dim_kwargs(input_dim, kwargs) -> None:
    if input_dim and "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
        kwargs["input_shape"] = (int(input_dim),)


# ------------------------------------------------------------------------------------------
# MaxoutDense
# ------------------------------------------------------------------------------------------
class MaxoutDense(Layer):
    """Keras 1 ``MaxoutDense``: the element-wise max of ``nb_feature`` linear layers."""

    def __init__(self, output_dim: int, nb_feature: int = 4, init="glorot_uniform",
                 weights=None, W_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 W_constraint=None, b_constraint=None, bias: bool = True, input_dim=None,
                 **kwargs):
        _deprecated("MaxoutDense")
        _input_dim_kwargs(input_dim, kwargs)
        super().__init__(weights=weights, activity_regularizer=activity_regularizer, **kwargs)
        for arg, value in (("output_dim", output_dim), ("nb_feature", nb_feature)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Layer '{self.name}' (MaxoutDense): `{arg}` must be a positive "
                                 f"integer. Received: {arg}={value!r}")
        self.output_dim = output_dim
        self.nb_feature = nb_feature
        self.init = initializers.get(init)
        self.W_regularizer = regularizers.get(W_regularizer)
        self.b_regularizer = regularizers.get(b_regularizer)
        self.W_constraint = constraints.get(W_constraint)
        self.b_constraint = constraints.get(b_constraint)
        self.bias = bool(bias)
        self.input_dim = input_dim
        self.input_spec = InputSpec(ndim=2)

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"Layer '{self.name}' (MaxoutDense) needs a known last input "
                             f"dimension. Received input shape {tuple(input_shape)}.")
        self.input_spec = InputSpec(ndim=2, axes={-1: int(input_dim)})
        self.W = self.add_weight("W", (self.nb_feature, int(input_dim), self.output_dim),
                                 initializer=self.init, regularizer=self.W_regularizer,
                                 constraint=self.W_constraint)
        self.b = self.add_weight("b", (self.nb_feature, self.output_dim), initializer="zeros",
                                 regularizer=self.b_regularizer,
                                 constraint=self.b_constraint) if self.bias else None
        self.built = True

    def call(self, inputs):
        out = torch.einsum("bi,fio->bfo", inputs, self.W.to(inputs.dtype))
        if self.b is not None:
            out = out + self.b.to(inputs.dtype)
        return out.amax(dim=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_dim)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"output_dim": self.output_dim, "init": initializers.serialize(self.init),
                    "nb_feature": self.nb_feature,
                    "W_regularizer": regularizers.serialize(self.W_regularizer),
                    "b_regularizer": regularizers.serialize(self.b_regularizer),
                    "W_constraint": constraints.serialize(self.W_constraint),
                    "b_constraint": constraints.serialize(self.b_constraint),
                    "bias": self.bias, "input_dim": self.input_dim})
        return cfg


# ------------------------------------------------------------------------------------------
# Highway
# ------------------------------------------------------------------------------------------
class Highway(Layer):
    """Keras 1 ``Highway``: ``t * act(x W + b) + (1 - t) * x`` with ``t = sigmoid(x W_carry +
    b_carry)``."""

    def __init__(self, init="glorot_uniform", activation=None, weights=None, W_regularizer=None,
                 b_regularizer=None, activity_regularizer=None, W_constraint=None,
                 b_constraint=None, bias: bool = True, input_dim=None, **kwargs):
        _deprecated("Highway")
        if "transform_bias" in kwargs:
            value = kwargs.pop("transform_bias")
            warnings.warn(f"`Highway(transform_bias={value!r})`: Keras 2 removed "
                          "`transform_bias` and ignored it; the carry bias starts at 1 "
                          "(`b_carry`). The value given is not used.", UserWarning, stacklevel=3)
        _input_dim_kwargs(input_dim, kwargs)
        super().__init__(weights=weights, activity_regularizer=activity_regularizer, **kwargs)
        self.init = initializers.get(init)
        self.activation = activations.get(activation)
        self.W_regularizer = regularizers.get(W_regularizer)
        self.b_regularizer = regularizers.get(b_regularizer)
        self.W_constraint = constraints.get(W_constraint)
        self.b_constraint = constraints.get(b_constraint)
        self.bias = bool(bias)
        self.input_dim = input_dim
        self.input_spec = InputSpec(ndim=2)

    def build(self, input_shape):
        d = input_shape[-1]
        if d is None:
            raise ValueError(f"Layer '{self.name}' (Highway) needs a known last input "
                             f"dimension. Received input shape {tuple(input_shape)}.")
        d = int(d)
        self.input_spec = InputSpec(ndim=2, axes={-1: d})
        self.W = self.add_weight("W", (d, d), initializer=self.init,
                                 regularizer=self.W_regularizer, constraint=self.W_constraint)
        self.W_carry = self.add_weight("W_carry", (d, d), initializer=self.init)
        if self.bias:
            self.b = self.add_weight("b", (d,), initializer="zeros",
                                     regularizer=self.b_regularizer, constraint=self.b_constraint)
            self.b_carry = self.add_weight("b_carry", (d,), initializer="ones")
        else:
            self.b = self.b_carry = None
        self.built = True

    def call(self, inputs):
        dt = inputs.dtype
        carry = inputs @ self.W_carry.to(dt)
        if self.b_carry is not None:
            carry = carry + self.b_carry.to(dt)
        transform = torch.sigmoid(carry)
        y = inputs @ self.W.to(dt)
        if self.b is not None:
            y = y + self.b.to(dt)
        return self.activation(y) * transform + (1 - transform) * inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"init": initializers.serialize(self.init),
                    "activation": activations.serialize(self.activation),
                    "W_regularizer": regularizers.serialize(self.W_regularizer),
                    "b_regularizer": regularizers.serialize(self.b_regularizer),
                    "W_constraint": constraints.serialize(self.W_constraint),
                    "b_constraint": constraints.serialize(self.b_constraint),
                    "bias": self.bias, "input_dim": self.input_dim})
        return cfg


# ------------------------------------------------------------------------------------------
# Merge
# ------------------------------------------------------------------------------------------
def _dump_callable(fn):
    """Keras 1 config encoding of ``mode`` / ``output_shape`` / ``output_mask``."""
    from ..layers.core import _func_dump
    if fn is None or not callable(fn):
        return fn, "raw"
    if isinstance(fn, types.FunctionType) and fn.__name__ == "<lambda>":
        return _func_dump(fn), "lambda"
    return getattr(fn, "__name__", str(fn)), "function"


def _load_callable(value, kind, custom_objects=None, what="mode"):
    if kind in (None, "raw"):
        return value
    if kind == "lambda":
        from ..saving import safe_mode as _safe
        if _safe.in_safe_mode():
            raise ValueError(f"Requested the deserialization of a Merge layer whose `{what}` is "
                             "stored as Python bytecode. This carries a potential risk of "
                             "arbitrary code execution and thus it is disallowed by default. If "
                             "you trust the source of the saved model, pass `safe_mode=False` "
                             "to the loading function.")
        from ..layers.core import _func_load
        return _func_load(value)
    from ..saving import object_registry
    fn = object_registry.get_registered_object(value, custom_objects)
    if fn is None:
        import torchkeras
        fn = getattr(torchkeras.backend, value, None)
    if fn is None:
        raise ValueError(f"Unknown function in Merge layer `{what}`: '{value}'. Pass it in "
                         "`custom_objects`.")
    return fn


def _normalize_dot_axes(dot_axes, n1: int, n2: int, name: str):
    if isinstance(dot_axes, int) and not isinstance(dot_axes, bool):
        return [dot_axes % n1, dot_axes % n2] if dot_axes < 0 else [dot_axes, dot_axes]
    if not isinstance(dot_axes, (list, tuple)) or len(dot_axes) != 2 or \
            not all(isinstance(a, int) for a in dot_axes):
        raise ValueError(f"Merge layer '{name}': `dot_axes` must be an int or a list of two "
                         f"ints. Received: dot_axes={dot_axes!r}")
    return [dot_axes[0] % n1, dot_axes[1] % n2]


class Merge(Layer):
    """Keras 1 ``Merge``: combines a list of tensors (or, given ``layers``, the outputs of
    those models) with ``mode``."""

    def __init__(self, layers=None, mode="sum", concat_axis: int = -1, dot_axes=-1,
                 output_shape=None, output_mask=None, arguments=None, node_indices=None,
                 tensor_indices=None, name=None, **kwargs):
        for key in ("mode_type", "output_shape_type", "output_mask_type"):
            kwargs.pop(key, None)  # Keras 1 config keys: decoded by from_config
        super().__init__(name=name, **kwargs)
        if not callable(mode) and mode not in _MODES:
            raise ValueError(f"Merge layer '{self.name}': invalid merge mode: {mode!r}. "
                             f"Expected one of {_MODES} or a function.")
        if node_indices and any(i != 0 for i in node_indices):
            raise ValueError(f"Merge layer '{self.name}': `node_indices` other than 0 are not "
                             f"supported. Received: {node_indices}")
        if tensor_indices and any(i not in (None, 0) for i in tensor_indices):
            raise ValueError(f"Merge layer '{self.name}': `tensor_indices` other than 0 are "
                             f"not supported. Received: {tensor_indices}")
        self.mode = mode
        self.concat_axis = concat_axis
        self.dot_axes = dot_axes
        self._output_shape = output_shape
        self._output_mask = output_mask
        self.arguments = dict(arguments or {})
        self.supports_masking = True
        self._branches: Optional[nn.ModuleList] = None
        if layers:
            if not isinstance(layers, (list, tuple)) or len(layers) < 2:
                raise TypeError(f"A Merge should only be applied to a list of layers with at "
                                f"least 2 elements. Found: {layers!r}")
            for layer in layers:
                if not isinstance(layer, Layer) or not getattr(layer, "inputs", None):
                    raise ValueError(
                        f"Merge layer '{self.name}': `layers` must be models with known inputs "
                        f"(e.g. Sequential models whose first layer has `input_dim` / "
                        f"`input_shape`). Received: {layer!r}")
            self._branches = nn.ModuleList(list(layers))
        _deprecated("Merge")

    # -- Keras 1 Sequential head -----------------------------------------------------------
    @property
    def layers(self) -> Optional[List[Layer]]:
        """The merged models (Keras 1 ``Merge(layers=[...])``), or None."""
        return list(self._branches) if self._branches is not None else None

    def _branch_inputs(self) -> List[KerasTensor]:
        out = []
        for branch in self._branches:
            out.extend(branch.inputs)
        return out

    def _adopt_as_first_layer(self, model: Sequential, rebuild: bool = True) -> None:
        """``Sequential.add`` hook: a Sequential starting with ``Merge([model_a, model_b])``
        becomes a multi-input model (Keras 1)."""
        if self._branches is None:
            raise ValueError(f"Merge layer '{self.name}' can only start a Sequential model when "
                             "it merges models (`Merge([model_a, model_b], mode=...)`); use the "
                             "functional API to merge tensors.")
        model.__class__ = _MergedSequential
        model._stack.append(self)
        model.add_module(model._module_key(self), self)
        if rebuild:
            model._maybe_rebuild()

    def _run_branches(self, inputs):
        flat = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        want = len(self._branch_inputs())
        if len(flat) != want:
            raise ValueError(f"Merge layer '{self.name}' merges {len(self._branches)} models "
                             f"that take {want} inputs in all; received {len(flat)} inputs.")
        outs, i = [], 0
        for branch in self._branches:
            n = len(branch.inputs)
            x = flat[i:i + n]
            outs.append(branch(x[0] if n == 1 else x))
            i += n
        return outs

    # -- computation -----------------------------------------------------------------------
    def _check_list(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise TypeError(f"Merge layer '{self.name}' must be called on a list of at least 2 "
                            f"tensors." + (f" Received: {inputs!r}" if inputs is not None else ""))

    def _dot_axes_for(self, a, b):
        return _normalize_dot_axes(self.dot_axes, a.dim(), b.dim(), self.name)

    def call(self, inputs, mask=None):
        if self._branches is not None:
            inputs = self._run_branches(inputs)
            from ..engine.base_layer import _get_mask
            mask = _get_mask(inputs)
        self._check_list(inputs)
        mode = self.mode
        if callable(mode):
            kw = dict(self.arguments)
            try:
                if "mask" in inspect.signature(mode).parameters:
                    kw["mask"] = mask
            except (TypeError, ValueError):
                pass
            return mode(list(inputs), **kw)
        xs = list(inputs)
        if mode in ("sum", "ave"):
            out = xs[0]
            for x in xs[1:]:
                out = out + x
            return out / len(xs) if mode == "ave" else out
        if mode == "mul":
            out = xs[0]
            for x in xs[1:]:
                out = out * x
            return out
        if mode == "max":
            out = xs[0]
            for x in xs[1:]:
                out = torch.maximum(out, x)
            return out
        if mode == "concat":
            return torch.cat(xs, dim=self.concat_axis)
        if len(xs) != 2:
            raise ValueError(f"Merge layer '{self.name}': mode {mode!r} takes exactly 2 inputs; "
                             f"received {len(xs)}.")
        from ..backend.math_ops import batch_dot
        a, b = xs
        axes = self._dot_axes_for(a, b)
        if mode == "dot":
            return batch_dot(a, b, axes)
        # cos
        denom = torch.sqrt(batch_dot(a, a, [axes[0], axes[0]]) *
                           batch_dot(b, b, [axes[1], axes[1]]))
        denom = torch.clamp(denom, min=_config.epsilon())
        return batch_dot(a, b, axes) / denom

    def compute_mask(self, inputs, mask=None):
        if self._branches is not None:
            return None  # computed from the branches' masks inside call (not propagated)
        if mask is None or all(m is None for m in mask):
            return None
        mode = self.mode
        if callable(mode):
            return self._output_mask(mask) if callable(self._output_mask) else self._output_mask
        if mode in ("sum", "mul", "ave", "max"):
            out = None
            for m in mask:
                if m is not None:
                    out = m.bool() if out is None else out & m.bool()
            return out
        if mode == "concat":
            parts = []
            for x, m in zip(inputs, mask):
                if m is None:
                    parts.append(torch.ones_like(x, dtype=torch.bool))
                else:
                    m = m.bool()
                    while m.dim() < x.dim():
                        m = m.unsqueeze(-1)
                    parts.append(m.expand_as(x))
            return torch.cat(parts, dim=self.concat_axis).all(dim=-1)
        return None

    def compute_output_shape(self, input_shape):
        if self._branches is not None:
            raise NotImplementedError  # run the branches on dummy tensors
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) < 2 or \
                not all(isinstance(s, (list, tuple)) for s in input_shape):
            self._check_list(None)
        shapes = [tuple(s) for s in input_shape]
        mode = self.mode
        if callable(mode):
            if callable(self._output_shape):
                return tuple(self._output_shape(shapes))
            if self._output_shape is not None:
                return (shapes[0][0],) + tuple(self._output_shape)
            raise NotImplementedError  # infer by running the function
        if mode in ("sum", "mul", "ave", "max"):
            return shapes[0]
        if mode == "concat":
            out = list(shapes[0])
            ax = self.concat_axis
            for s in shapes[1:]:
                if out[ax] is None or s[ax] is None:
                    out[ax] = None
                    break
                out[ax] += s[ax]
            return tuple(out)
        s1, s2 = list(shapes[0]), list(shapes[1])
        axes = _normalize_dot_axes(self.dot_axes, len(s1), len(s2), self.name)
        if s1[axes[0]] is not None and s2[axes[1]] is not None and s1[axes[0]] != s2[axes[1]]:
            raise ValueError(f"Merge layer '{self.name}': dimension incompatibility using "
                             f"{mode} mode: {s1[axes[0]]} != {s2[axes[1]]}. Layer shapes: "
                             f"{shapes[0]}, {shapes[1]}")
        s1.pop(axes[0])
        s2.pop(axes[1])
        s2.pop(0)
        out = s1 + s2
        if len(out) == 1:
            out.append(1)
        return tuple(out)

    # -- config ----------------------------------------------------------------------------
    def get_config(self):
        mode, mode_type = _dump_callable(self.mode)
        out_shape, out_shape_type = _dump_callable(self._output_shape)
        out_mask, out_mask_type = _dump_callable(self._output_mask)
        cfg = {"name": self.name, "mode": mode, "mode_type": mode_type,
               "concat_axis": self.concat_axis, "dot_axes": self.dot_axes,
               "output_shape": list(out_shape) if isinstance(out_shape, tuple) and
               out_shape_type == "raw" else out_shape,
               "output_shape_type": out_shape_type, "output_mask": out_mask,
               "output_mask_type": out_mask_type, "arguments": self.arguments}
        if self._branches is not None:
            from ..saving.serialization import serialize_layer
            cfg["layers"] = [serialize_layer(b) for b in self._branches]
        return cfg

    @classmethod
    def from_config(cls, config, custom_objects=None):
        cfg = dict(config)
        cfg["mode"] = _load_callable(cfg.get("mode", "sum"), cfg.pop("mode_type", "raw"),
                                     custom_objects, "mode")
        cfg["output_shape"] = _load_callable(cfg.get("output_shape"),
                                             cfg.pop("output_shape_type", "raw"),
                                             custom_objects, "output_shape")
        cfg["output_mask"] = _load_callable(cfg.get("output_mask"),
                                            cfg.pop("output_mask_type", "raw"),
                                            custom_objects, "output_mask")
        if cfg.get("layers"):
            from ..saving.serialization import deserialize_layer
            cfg["layers"] = [deserialize_layer(c, custom_objects=custom_objects)
                             for c in cfg["layers"]]
        return cls(**cfg)


class _MergedSequential(Sequential):
    """A Keras 1 ``Sequential`` whose first layer is ``Merge([model_a, model_b, ...])``: its
    inputs are the branches' inputs. Instances get this class from ``Merge``'s
    ``Sequential.add`` hook; everything else is ``Sequential``."""

    def _maybe_rebuild(self) -> None:
        self._graph = None
        head = self._stack[0]
        inputs = head._branch_inputs()
        x = head(inputs)
        for layer in self._stack[1:]:
            x = layer(x)
            if isinstance(x, (list, tuple)):
                if len(x) != 1:
                    raise ValueError(f"All layers in a Sequential model should have a single "
                                     f"output tensor. Layer '{layer.name}' returned {len(x)}.")
                x = x[0]
        self._graph = (list(inputs), x)
        self.built = True
        self._build_input_shape = [t.shape for t in inputs]

    def build(self, input_shape=None) -> None:
        if not self.built:
            self._maybe_rebuild()

    @property
    def inputs(self):
        return list(self._graph[0]) if self._graph else None

    @property
    def input(self):
        if not self._graph:
            raise AttributeError(f"Sequential model '{self.name}' has no defined input yet.")
        return list(self._graph[0])

    @property
    def input_shape(self):
        if self._graph:
            return [t.shape for t in self._graph[0]]
        raise AttributeError(f"Sequential model '{self.name}' has no defined input shape yet.")

    @property
    def input_names(self):
        names = []
        for t in self._graph[0] if self._graph else []:
            hist = getattr(t, "_keras_history", None)
            names.append(hist[0].name if hist else t.name)
        return names

    def compute_output_shape(self, input_shape):
        return self._graph[1].shape if self._graph else super().compute_output_shape(
            input_shape)

    def compute_output_spec(self, *args, **kwargs):
        return Layer.compute_output_spec(self, *args, **kwargs)

    def _symbolic_call(self, args, kwargs):
        return Layer._symbolic_call(self, args, kwargs)


def merge(inputs, mode="sum", concat_axis: int = -1, dot_axes=-1, output_shape=None,
          output_mask=None, arguments=None, name=None):
    """Keras 1 functional ``merge``: ``Merge(mode=..., ...)(inputs)`` on a list of tensors."""
    layer = Merge(mode=mode, concat_axis=concat_axis, dot_axes=dot_axes,
                  output_shape=output_shape, output_mask=output_mask, arguments=arguments,
                  name=name)
    return layer(list(inputs))


def __getattr__(name):
    if name == "Container":  # Keras 1 ``keras.engine.topology.Container`` = a functional model
        from ..engine.functional import Functional
        return Functional
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
