"""Core layers: Dense, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector, Lambda,
Identity, ActivityRegularization — Keras's arguments, defaults, shapes and configs."""
from __future__ import annotations

import base64
import inspect
import marshal
import types
import warnings
from typing import Optional

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .. import activations, constraints, initializers, regularizers
from ..backend import config as _config
from ..engine.base_layer import Layer
from ..engine.input_spec import InputSpec


_LINEAR = activations.linear


def _transpose(w: torch.Tensor) -> torch.Tensor:
    return w.t()


def _positive_int(layer: str, arg: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        if isinstance(value, float) and value.is_integer() and value > 0:
            return int(value)
        raise ValueError(f"Received an invalid value for `{arg}`, expected a positive integer. "
                         f"Received: {arg}={value!r} (in {layer})")
    return int(value)


def _rate(layer: str, value) -> float:
    if not isinstance(value, (int, float, np.floating)) or isinstance(value, bool) or \
            not 0 <= value <= 1:
        raise ValueError(f"Invalid value received for argument `rate` of {layer}. Expected a "
                         f"float value between 0 and 1. Received: rate={value!r}")
    return float(value)


class Dense(Layer):
    """``output = activation(dot(input, kernel) + bias)`` on the last axis.

    Wraps ``nn.Linear`` (created in ``build``); Keras's kernel ``(in, out)`` is
    ``linear.weight.T``. Inputs of rank > 2 are handled on their last axis, as Keras does.
    """

    def __init__(self, units: int, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = _positive_int(self.name, "units", units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        if lora_rank:
            raise ValueError("Dense(lora_rank=...) is not supported by torchkeras.")
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(f"The last dimension of the inputs to a Dense layer should be "
                             f"defined. Found None. Full input shape received: {input_shape} "
                             f"(layer '{self.name}')")
        self.linear = nn.utils.skip_init(nn.Linear, in_dim, self.units, bias=self.use_bias,
                                         dtype=self._dtype)
        self.add_torch_weight("kernel", self.linear.weight, (in_dim, self.units),
                              to_keras=_transpose, from_keras=_transpose,
                              initializer=self.kernel_initializer,
                              regularizer=self.kernel_regularizer,
                              constraint=self.kernel_constraint)
        if self.use_bias:
            self.add_torch_weight("bias", self.linear.bias, (self.units,),
                                  initializer=self.bias_initializer,
                                  regularizer=self.bias_regularizer,
                                  constraint=self.bias_constraint)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: in_dim})
        self.built = True

    @property
    def kernel(self) -> torch.Tensor:
        """The kernel in Keras layout ``(in, out)`` (a view of ``linear.weight``)."""
        return self.linear.weight.t()

    @property
    def bias(self) -> Optional[torch.Tensor]:
        return self.linear.bias if self.use_bias else None

    def call(self, inputs):
        # direct dict lookups: nn.Module attribute access is a slow Python path (hot loop)
        params = self._modules["linear"]._parameters
        y = F.linear(inputs, params["weight"], params["bias"])
        act = self.activation
        if act is not _LINEAR:
            y = act(y)
        return y

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer)
            if self.kernel_regularizer else None,
            "bias_regularizer": regularizers.serialize(self.bias_regularizer)
            if self.bias_regularizer else None,
            "kernel_constraint": constraints.serialize(self.kernel_constraint)
            if self.kernel_constraint else None,
            "bias_constraint": constraints.serialize(self.bias_constraint)
            if self.bias_constraint else None,
        })
        cfg.setdefault("activity_regularizer", None)
        return cfg


class Activation(Layer):
    """Applies an activation function (resolved once, at construction)."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg["activation"] = activations.serialize(self.activation)
        return cfg


class Dropout(Layer):
    """Zeroes a fraction ``rate`` of inputs in training and scales the rest by
    ``1 / (1 - rate)``; the identity in inference. ``noise_shape`` broadcasts the mask."""

    def __init__(self, rate: float, noise_shape=None, seed: Optional[int] = None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _rate(self.name, rate)
        self.noise_shape = tuple(noise_shape) if noise_shape is not None else None
        self.seed = seed
        self.supports_masking = True
        self._generator = None

    def _gen(self, device):
        if self.seed is None:
            return None
        if self._generator is None or self._generator.device != device:
            self._generator = torch.Generator(device=device)
            self._generator.manual_seed(int(self.seed))
        return self._generator

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        if self.rate >= 1:
            return torch.zeros_like(inputs)
        if self.noise_shape is None and self.seed is None:
            return F.dropout(inputs, self.rate, True)
        shape = self._noise_shape(inputs)
        keep = torch.rand(shape, device=inputs.device, generator=self._gen(inputs.device)) \
            >= self.rate
        return inputs * keep.to(inputs.dtype) / (1.0 - self.rate)

    def _noise_shape(self, inputs):
        if self.noise_shape is None:
            return inputs.shape
        return tuple(inputs.shape[i] if d is None else d for i, d in enumerate(self.noise_shape))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed})
        return cfg


class Flatten(Layer):
    """Flattens all but the batch axis, in Keras order (channels-first input is transposed to
    channels-last first, as Keras does, so weights are layout independent)."""

    def __init__(self, data_format: Optional[str] = None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _config.standardize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.dim() >= 3:
            inputs = inputs.movedim(1, -1)
        return inputs.reshape(inputs.shape[0], -1)

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        n = None if any(d is None for d in rest) else int(np.prod(rest)) if rest else 1
        return (input_shape[0], n)

    def get_config(self):
        cfg = super().get_config()
        cfg["data_format"] = self.data_format
        return cfg


class Reshape(Layer):
    """Reshapes to ``target_shape`` (batch axis excluded; one -1 allowed)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target_shape = tuple(int(d) for d in target_shape)
        if sum(1 for d in target_shape if d == -1) > 1:
            raise ValueError("There must be at most one unknown dimension (-1) in "
                             f"`target_shape`. Received: target_shape={target_shape}")
        self.target_shape = target_shape

    def _resolve(self, input_shape):
        rest = input_shape[1:]
        if any(d is None for d in rest):
            return tuple(None if d == -1 else d for d in self.target_shape)
        total = int(np.prod(rest)) if rest else 1
        known = int(np.prod([d for d in self.target_shape if d != -1])) if self.target_shape \
            else 1
        if -1 in self.target_shape:
            if known == 0 or total % known:
                raise ValueError(f"total size of new array must be unchanged, input_shape = "
                                 f"{list(rest)}, output_shape = {list(self.target_shape)} "
                                 f"(layer '{self.name}')")
            return tuple(total // known if d == -1 else d for d in self.target_shape)
        if known != total:
            raise ValueError(f"total size of new array must be unchanged, input_shape = "
                             f"{list(rest)}, output_shape = {list(self.target_shape)} "
                             f"(layer '{self.name}')")
        return self.target_shape

    def build(self, input_shape):
        self._resolve(tuple(input_shape))
        self.built = True

    def call(self, inputs):
        return inputs.reshape((inputs.shape[0],) + self.target_shape)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolve(tuple(input_shape))

    def get_config(self):
        cfg = super().get_config()
        cfg["target_shape"] = self.target_shape
        return cfg


class Permute(Layer):
    """Permutes the non-batch axes; ``dims`` are 1-indexed, e.g. ``(2, 1)``."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError("Invalid permutation argument `dims` for Permute Layer. The set of "
                             "indices in `dims` must be consecutive and start from 1. "
                             f"Received dims={self.dims}")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        return inputs.permute((0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        cfg = super().get_config()
        cfg["dims"] = self.dims
        return cfg


class RepeatVector(Layer):
    """(batch, features) -> (batch, n, features)."""

    def __init__(self, n: int, **kwargs):
        super().__init__(**kwargs)
        self.n = _positive_int(self.name, "n", n)
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return inputs.unsqueeze(1).expand(-1, self.n, -1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        cfg = super().get_config()
        cfg["n"] = self.n
        return cfg


class Identity(Layer):
    """Returns its input unchanged."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape


class ActivityRegularization(Layer):
    """Identity that adds ``l1 * sum(|x|) + l2 * sum(x**2)`` (divided by the batch size, as
    Keras's activity regularizers are) to the model's losses."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = float(l1), float(l2)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg.pop("activity_regularizer", None)
        cfg.update({"l1": self.l1, "l2": self.l2})
        return cfg


# ------------------------------------------------------------------------------------------
# Lambda
# ------------------------------------------------------------------------------------------
def _func_dump(fn) -> tuple:
    code = marshal.dumps(fn.__code__)
    raw = base64.b64encode(code).decode("ascii")
    defaults = fn.__defaults__
    closure = tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None
    return raw, defaults, closure


def _func_load(code, defaults=None, closure=None, globs=None):
    if isinstance(code, (tuple, list)):
        code, defaults, closure = (list(code) + [None, None])[:3]
    raw = base64.b64decode(code.encode("ascii") if isinstance(code, str) else code)
    try:
        code_obj = marshal.loads(raw)
    except (ValueError, EOFError, TypeError) as e:
        raise ValueError("Cannot load the Lambda layer's function: its Python bytecode was "
                         "written by another Python version. Re-create the Lambda in code and "
                         "pass it through `custom_objects`.") from e
    if closure is not None:
        closure = tuple(types.CellType(c) for c in closure)
    import torchkeras
    glob = dict(globs or {})
    glob.setdefault("K", torchkeras.backend)
    glob.setdefault("keras", torchkeras)
    glob.setdefault("torch", torch)
    glob.setdefault("np", np)
    return types.FunctionType(code_obj, glob, name=code_obj.co_name, argdefs=defaults,
                              closure=closure)


class Lambda(Layer):
    """Wraps an arbitrary function ``function(inputs, **arguments)``.

    ``output_shape`` (tuple or function) is used for symbolic shape inference when given,
    otherwise the function runs on dummy tensors. A Lambda stored as Python bytecode in a
    file is only rebuilt when the caller opts out of ``safe_mode``.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(f"Lambda layer '{self.name}': `function` must be callable. "
                             f"Received: {function!r}")
        self.function = function
        self.arguments = dict(arguments or {})
        self._output_shape = output_shape
        self.mask = mask
        self.supports_masking = mask is not None
        try:
            self._fn_takes_mask = "mask" in inspect.signature(function).parameters
            self._fn_takes_training = "training" in inspect.signature(function).parameters
        except (TypeError, ValueError):
            self._fn_takes_mask = self._fn_takes_training = False

    def call(self, inputs, mask=None, training=None):
        kw = dict(self.arguments)
        if self._fn_takes_mask:
            kw["mask"] = mask
        if self._fn_takes_training:
            kw["training"] = training
        return self.function(inputs, **kw)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            raise NotImplementedError
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        shape = tuple(self._output_shape)
        if isinstance(input_shape, list):
            batch = input_shape[0][0]
        else:
            batch = input_shape[0]
        return (batch,) + shape

    def get_config(self):
        cfg = super().get_config()
        fn = self.function
        from ..saving import object_registry
        registered = object_registry.get_registered_name(fn) if not isinstance(
            fn, types.LambdaType) or fn.__name__ != "<lambda>" else None
        if isinstance(fn, types.FunctionType) and fn.__name__ == "<lambda>":
            cfg["function"] = _func_dump(fn)
            cfg["function_type"] = "lambda"
        else:
            cfg["function"] = registered or getattr(fn, "__name__", str(fn))
            cfg["function_type"] = "function"
        if self._output_shape is None:
            cfg["output_shape"] = None
            cfg["output_shape_type"] = "raw"
        elif callable(self._output_shape) and getattr(self._output_shape, "__name__",
                                                      "<lambda>") != "<lambda>":
            # a named function: saved by name and found again in custom_objects, as `function`
            cfg["output_shape"] = object_registry.get_registered_name(self._output_shape)
            cfg["output_shape_type"] = "function"
        elif callable(self._output_shape):
            cfg["output_shape"] = _func_dump(self._output_shape)
            cfg["output_shape_type"] = "lambda"
        else:
            cfg["output_shape"] = list(self._output_shape)
            cfg["output_shape_type"] = "raw"
        cfg["arguments"] = self.arguments
        return cfg

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        from ..saving import object_registry
        cfg = dict(config)
        ftype = cfg.pop("function_type", "function")
        fn = cfg.pop("function")
        if safe_mode is None:
            from ..saving import safe_mode as _safe
            safe_mode = _safe.in_safe_mode()
        if isinstance(fn, dict) and fn.get("class_name") == "__lambda__":  # Keras 3
            ftype, fn = "lambda", fn["config"]["code"]
        if ftype == "lambda":
            if safe_mode:
                raise ValueError(
                    "Requested the deserialization of a Lambda layer whose function is stored as "
                    "Python bytecode. This carries a potential risk of arbitrary code execution "
                    "and thus it is disallowed by default. If you trust the source of the saved "
                    "model, you can pass `safe_mode=False` to the loading function in order to "
                    "allow Lambda layer loading.")
            fn = _func_load(fn)
        else:
            name = fn
            fn = object_registry.get_registered_object(name, custom_objects)
            if fn is None:
                import torchkeras
                fn = getattr(torchkeras.backend, name, None) or getattr(torchkeras.activations,
                                                                        name, None)
            if fn is None:
                raise ValueError(f"Unknown function in Lambda layer: '{name}'. Pass it in "
                                 "`custom_objects`.")
        out_type = cfg.pop("output_shape_type", "raw")
        out = cfg.pop("output_shape", None)
        if out_type == "lambda" and out is not None:
            if safe_mode:
                raise ValueError("Lambda layer output_shape stored as bytecode: pass "
                                 "`safe_mode=False` to allow loading it.")
            out = _func_load(out)
        elif out_type == "function" and isinstance(out, str):
            name = out
            out = object_registry.get_registered_object(name, custom_objects)
            if out is None:
                raise ValueError(f"Unknown function in Lambda layer `output_shape`: '{name}'. "
                                 "Pass it in `custom_objects`.")
        elif isinstance(out, dict) and out.get("class_name") == "__lambda__":
            out = None
        cfg.pop("output_shape_module", None)
        cfg.pop("module", None)
        cfg.pop("function_module", None)
        return cls(fn, output_shape=out, **cfg)


class _OpLayer(Lambda):
    """Operator on KerasTensors (``x + 1``, ``x[:, 0]``...), like Keras's TFOpLambda; saved
    as a ``Lambda``."""
