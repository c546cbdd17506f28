"""``Layer``: Keras's layer anatomy on a ``torch.nn.Module``.

Matches Keras 3's ``Layer``: ``__init__`` validates its arguments (unknown keyword ->
``TypeError`` naming it), ``build(input_shape)`` runs lazily on the first call and creates the
weights (``add_weight``, or ``add_torch_weight`` to expose a wrapped ``torch.nn`` module's
parameter in Keras layout), ``call(inputs, training=None, mask=None)`` computes,
``compute_output_shape`` / ``compute_mask`` / ``get_config`` describe it. Calling a layer on
``KerasTensor`` s records a graph node instead of computing.

``training`` resolution: an explicit ``training=`` argument wins; else the value given to the
outermost call (``model(x, training=True)``, ``fit``); else the module's torch mode
(``layer.train()`` / ``.eval()``). Layers start in eval mode, so a plain ``layer(x)`` is
inference as in Keras.
"""
from __future__ import annotations

import inspect
import re
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import torch
from torch import nn

from ..backend import config
from ..backend.session import get_uid
from ..legacy import edge
from ..saving import object_registry
from . import tree
from .input_spec import InputSpec, assert_input_compatibility
from .keras_tensor import KerasTensor
from .variables import KerasVariable, WeightSpec


def to_snake_case(name: str) -> str:
    """Keras's class-name -> default layer name rule ('Conv2D' -> 'conv2d', 'ReLU' -> 're_lu')."""
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    s = re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()
    return s[1:] if s.startswith("_") else s


def unique_name(base: str) -> str:
    """'dense', then 'dense_1', 'dense_2'... until ``backend.clear_session()``."""
    n = get_uid(base)
    return base if n == 1 else f"{base}_{n - 1}"


# ------------------------------------------------------------------------------------------
# call context: training flag of the outermost call, and the call "generation" for losses
# ------------------------------------------------------------------------------------------
class _CallContext:
    __slots__ = ("training", "depth", "generation")

    def __init__(self):
        self.training = None
        self.depth = 0
        self.generation = 0


_CTX = _CallContext()


def _as_tensor(x, dtype=None):
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, np.ndarray):
        if x.dtype == np.float64:
            return torch.from_numpy(x.astype(np.float32 if dtype is None else np.float32))
        if x.dtype.kind in "U" or x.dtype == object:
            return x
        return torch.from_numpy(np.ascontiguousarray(x))
    if isinstance(x, (float, int, bool)) or (isinstance(x, (list, tuple)) and x and
                                             not isinstance(x[0], (torch.Tensor, np.ndarray))):
        arr = np.asarray(x)
        if arr.dtype == np.float64:
            arr = arr.astype(np.float32)
        return torch.from_numpy(arr)
    if hasattr(x, "__array__") and not isinstance(x, (list, tuple, dict)):
        return _as_tensor(np.asarray(x), dtype)
    return x


def convert_inputs(x):
    """numpy / python leaves -> torch tensors (float64 -> float32, as Keras casts to floatx)."""
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, (list, tuple)):
        if x and not isinstance(x[0], (torch.Tensor, np.ndarray, list, tuple, dict, KerasTensor)):
            return _as_tensor(x)
        return type(x)(convert_inputs(v) for v in x)
    if isinstance(x, dict):
        return {k: convert_inputs(v) for k, v in x.items()}
    return _as_tensor(x)


def _shape_of(x):
    if isinstance(x, (torch.Tensor, KerasTensor)):
        return tuple(x.shape)
    return None


def _shapes_struct(x):
    """Input shapes in Keras's convention: a tuple for one tensor, a list of tuples for several."""
    if isinstance(x, (torch.Tensor, KerasTensor)):
        return tuple(x.shape)
    if isinstance(x, (list, tuple)):
        return [_shapes_struct(v) for v in x]
    if isinstance(x, dict):
        return {k: _shapes_struct(v) for k, v in x.items()}
    return None


class Layer(nn.Module):
    """Base class of every Keras layer (and of ``Model``)."""

    # Whether ``call`` takes ``training`` / ``mask`` (computed per class).
    _call_has_training = False
    _call_has_mask = False
    _overrides_compute_mask = False
    _keras_kind = "layer"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        edge.install(cls)
        try:
            params = inspect.signature(cls.call).parameters
        except (TypeError, ValueError):
            params = {}
        var_kw = any(p.kind == p.VAR_KEYWORD for p in params.values())
        cls._call_has_training = "training" in params or var_kw
        cls._call_has_mask = "mask" in params
        cls._overrides_compute_mask = cls.compute_mask is not Layer.compute_mask
        if cls.__module__.startswith("torchkeras.") and not cls.__name__.startswith("_"):
            object_registry.register_builtin(cls._keras_kind, cls.__name__, cls)

    def __init__(self, trainable: bool = True, name: Optional[str] = None, dtype=None,
                 autocast: bool = True, input_dim: Optional[int] = None, input_shape=None,
                 batch_input_shape=None, batch_size: Optional[int] = None,
                 activity_regularizer=None, weights=None, input_dtype=None, **kwargs):
        nn.Module.__init__(self)
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                            f"{kwargs}")
        self.training = False
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Argument `name` must be a string, received: {name!r}")
        self._name = name if name else unique_name(to_snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        if input_dtype is not None and dtype is None:
            dtype = input_dtype
        self._dtype_policy_name = self._policy_name(dtype)
        self._explicit_dtype = dtype is not None
        self._dtype = config.standardize_dtype(self._compute_weight_dtype(dtype))
        self.autocast = autocast
        self.built = False
        self.supports_masking = getattr(self, "supports_masking", False)
        self.stateful = getattr(self, "stateful", False)
        self.input_spec: Optional[InputSpec] = None
        self._spec_checked_shape = None
        self._inbound_nodes: List = []
        self._outbound_nodes: List = []
        self._weight_specs: List[WeightSpec] = []
        self._call_losses: List[torch.Tensor] = []
        self._call_losses_gen = -1
        self._build_input_shape = None
        self._initial_weights = weights
        from .. import regularizers as _regs
        self.activity_regularizer = _regs.get(activity_regularizer) if activity_regularizer \
            else None
        # Keras 2: input_shape / input_dim / batch_input_shape on the first layer.
        if batch_input_shape is None and (input_shape is not None or input_dim is not None):
            if input_shape is None:
                input_shape = (input_dim,)
            if isinstance(input_shape, int):
                input_shape = (input_shape,)
            batch_input_shape = (batch_size,) + tuple(input_shape)
        self._batch_input_shape = tuple(batch_input_shape) if batch_input_shape is not None \
            else None

    # -- dtype ---------------------------------------------------------------------------------
    @staticmethod
    def _policy_name(dtype) -> str:
        if dtype is None:
            from .. import mixed_precision
            return mixed_precision.global_policy().name
        if isinstance(dtype, dict):
            return dtype.get("config", {}).get("name", config.floatx())
        if hasattr(dtype, "name") and not isinstance(dtype, (str, torch.dtype)):
            return dtype.name
        if isinstance(dtype, torch.dtype):
            return config.dtype_name(dtype)
        return str(dtype)

    def _compute_weight_dtype(self, dtype):
        name = self._dtype_policy_name
        if name.startswith("mixed_"):
            return "float32"
        return name

    @property
    def dtype(self) -> str:
        """The variable dtype name, e.g. 'float32'."""
        return config.dtype_name(self._dtype)

    @property
    def dtype_policy(self):
        from .. import mixed_precision
        return mixed_precision.Policy(self._dtype_policy_name)

    @property
    def compute_dtype(self) -> str:
        name = self._dtype_policy_name
        if name == "mixed_float16":
            return "float16"
        if name == "mixed_bfloat16":
            return "bfloat16"
        return config.dtype_name(self._dtype)

    @property
    def variable_dtype(self) -> str:
        return self.dtype

    # -- naming --------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self._name = value

    @property
    def path(self) -> str:
        return self._name

    def __repr__(self):
        if getattr(self, "_name", None) is None:
            return nn.Module.__repr__(self)
        return f"<{type(self).__name__} name={self._name}, built={self.built}>"

    def extra_repr(self) -> str:
        return f"name={self._name!r}"

    # -- attribute tracking --------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, nn.Parameter):
            params = self.__dict__.get("_parameters")
            if params is not None and name not in params and \
                    any(p is value for p in params.values()):
                # add_weight already registered it under its Keras name: keep one entry
                object.__setattr__(self, name, value)
                return
        elif isinstance(value, (list, tuple)) and value and \
                all(isinstance(v, nn.Module) for v in value) and "_modules" in self.__dict__:
            value = nn.ModuleList(value)
        elif isinstance(value, dict) and value and "_modules" in self.__dict__ and \
                all(isinstance(v, nn.Module) for v in value.values()) and \
                all(isinstance(k, str) for k in value):
            value = nn.ModuleDict(value)
        super().__setattr__(name, value)

    # -- trainable -----------------------------------------------------------------------------
    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = bool(value)
        for layer in self._flatten_layers(include_self=True):
            layer._trainable = value
            layer._sync_requires_grad()

    def _sync_requires_grad(self) -> None:
        for spec in self._weight_specs:
            want = spec.trainable and self._trainable and self._all_parents_trainable()
            if spec.tensor.requires_grad != want and spec.tensor.is_leaf:
                spec.tensor.requires_grad_(want)

    def _all_parents_trainable(self) -> bool:
        return True  # a frozen parent propagates by setting _trainable on every sublayer

    # -- sublayers -----------------------------------------------------------------------------
    def _flatten_layers(self, include_self: bool = True, recursive: bool = True):
        """Layers in tracking order (depth first), each once."""
        seen = set()
        out = []

        def visit(layer, top):
            if id(layer) in seen:
                return
            seen.add(id(layer))
            if not top or include_self:
                out.append(layer)
            if top or recursive:
                for child in layer._direct_sublayers():
                    visit(child, False)

        visit(self, True)
        return out

    def _direct_sublayers(self) -> List["Layer"]:
        found = []

        def collect(module):
            for child in module._modules.values():
                if child is None:
                    continue
                if isinstance(child, Layer):
                    found.append(child)
                elif isinstance(child, (nn.ModuleList, nn.ModuleDict, nn.Sequential)):
                    collect(child)
        collect(self)
        return found

    def _keras_children(self) -> Dict[str, "Layer"]:
        """Ordered mapping ``Keras sub-path -> sublayer``: how Keras 3 addresses this layer's
        nested layers in weights files (``.keras`` / ``.weights.h5``: ``lstm/cell/vars``,
        ``bidirectional/forward_layer/...``, ``multi_head_attention/query_dense/vars``).

        Default, as Keras 3's saver walks objects: a Functional / Sequential model lists
        ``layers/<snake_case(class)>`` (``_1``, ``_2``... for repeats) in ``model.layers``
        order; any other layer lists its direct sublayers under their attribute names, and
        layers held in a list / dict attribute as ``<attr>/<snake_case(class)>[_n]``. Layers
        whose Keras attribute names differ from the torch ones override this.
        """
        from .functional import Functional
        from .sequential import Sequential
        out: Dict[str, Layer] = {}

        def add_container(prefix, layers):
            used: Dict[str, int] = {}
            for layer in layers:
                base = to_snake_case(type(layer).__name__)
                n = used.get(base, -1) + 1
                used[base] = n
                out[f"{prefix}/{base}" if n == 0 else f"{prefix}/{base}_{n}"] = layer

        if isinstance(self, (Functional, Sequential)):
            add_container("layers", self.layers)
            return out
        for attr, child in self._modules.items():
            if isinstance(child, Layer):
                out[attr] = child
            elif isinstance(child, (nn.ModuleList, nn.Sequential)):
                add_container(attr, [c for c in child if isinstance(c, Layer)])
            elif isinstance(child, nn.ModuleDict):
                add_container(attr, [c for c in child.values() if isinstance(c, Layer)])
        return out

    # -- weights -------------------------------------------------------------------------------
    def _register_spec(self, spec: WeightSpec) -> None:
        spec.owner = self
        spec.bind(self)
        self._weight_specs.append(spec)

    def _unique_param_name(self, name: str) -> str:
        base = re.sub(r"\W", "_", name) or "weight"
        if base[0].isdigit():
            base = "w_" + base
        cand = base
        i = 1
        while cand in self._parameters or cand in self._buffers or cand in self._modules or \
                hasattr(type(self), cand) or cand in self.__dict__:
            cand = f"{base}_{i}"
            i += 1
        return cand

    def add_weight(self, *args, name=None, shape=None, dtype=None, initializer=None,
                   regularizer=None, trainable: bool = True, constraint=None,
                   autocast: bool = True, aggregation=None, **kwargs) -> nn.Parameter:
        """Create a weight (an ``nn.Parameter`` in Keras layout) and return it.

        Positional arguments follow whichever Keras wrote the call: Keras 2
        ``add_weight(name, shape, dtype, initializer, regularizer, trainable, constraint)``
        (first positional is a string), Keras 1 ``add_weight(shape, initializer, name,
        trainable, regularizer, constraint)`` and Keras 3 ``add_weight(shape, initializer,
        dtype, trainable, ...)`` (first positional is a shape).
        """
        if args:
            if isinstance(args[0], str) or args[0] is None:  # Keras 2 order
                order = ("name", "shape", "dtype", "initializer", "regularizer", "trainable",
                         "constraint")
            elif len(args) > 2 and isinstance(args[2], str) and \
                    args[2] not in ("float16", "float32", "float64", "bfloat16", "int32",
                                    "int64", "bool", "uint8"):
                order = ("shape", "initializer", "name", "trainable", "regularizer",
                         "constraint")  # Keras 1
            else:
                order = ("shape", "initializer", "dtype", "trainable", "autocast",
                         "regularizer", "constraint")  # Keras 3
            if len(args) > len(order):
                raise TypeError(f"add_weight() takes at most {len(order)} positional arguments "
                                f"({len(args)} given)")
            given = dict(zip(order, args))
            name = given.get("name", name)
            shape = given.get("shape", shape)
            dtype = given.get("dtype", dtype)
            initializer = given.get("initializer", initializer)
            regularizer = given.get("regularizer", regularizer)
            trainable = given.get("trainable", trainable)
            constraint = given.get("constraint", constraint)
        if trainable is None:
            trainable = True
        kwargs.pop("use_resource", None)
        kwargs.pop("synchronization", None)
        kwargs.pop("partitioner", None)
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments passed to add_weight: {kwargs}")
        shape = () if shape is None else tuple(int(d) for d in
                                               ((shape,) if isinstance(shape, int) else shape))
        name = name or f"variable_{len(self._weight_specs)}"
        from .. import constraints as _cons
        from .. import initializers as _inits
        from .. import regularizers as _regs
        if initializer is None:
            tdtype0 = config.standardize_dtype(dtype) if dtype is not None else self._dtype
            initializer = "glorot_uniform" if tdtype0.is_floating_point else "zeros"
        init = _inits.get(initializer)
        tdtype = config.standardize_dtype(dtype) if dtype is not None else self._dtype
        value = init(shape, dtype=config.dtype_name(tdtype)) if callable(init) else init
        value = torch.as_tensor(value).to(tdtype).reshape(shape)
        param = nn.Parameter(value, requires_grad=bool(trainable and self._trainable
                                                       and tdtype.is_floating_point))
        self.register_parameter(self._unique_param_name(name), param)
        self._register_spec(WeightSpec(name, param, shape, trainable=bool(trainable),
                                       regularizer=_regs.get(regularizer) if regularizer else None,
                                       constraint=_cons.get(constraint) if constraint else None,
                                       initializer=init))
        return param

    def add_variable(self, *args, **kwargs):
        """Keras 3 alias of ``add_weight``."""
        return self.add_weight(*args, **kwargs)

    def add_torch_weight(self, name: str, tensor: torch.Tensor, keras_shape: Sequence[int],
                         to_keras=None, from_keras=None, initializer=None, regularizer=None,
                         constraint=None, trainable: bool = True) -> torch.Tensor:
        """Expose ``tensor`` (a parameter or buffer of a wrapped torch module) as Keras weight
        ``name`` with Keras shape ``keras_shape``; ``to_keras`` / ``from_keras`` map layouts.
        The initializer runs in Keras layout (so fans are Keras's)."""
        from .. import constraints as _cons
        from .. import initializers as _inits
        from .. import regularizers as _regs
        spec = WeightSpec(name, tensor, keras_shape, trainable=trainable, to_keras=to_keras,
                          from_keras=from_keras,
                          regularizer=_regs.get(regularizer) if regularizer else None,
                          constraint=_cons.get(constraint) if constraint else None)
        self._register_spec(spec)
        if initializer is not None:
            init = _inits.get(initializer)
            spec.initializer = init
            spec.assign(init(tuple(keras_shape), dtype=config.dtype_name(tensor.dtype)))
        if isinstance(tensor, nn.Parameter):
            want = bool(trainable and self._trainable)
            if tensor.requires_grad != want:
                tensor.requires_grad_(want)
        return tensor

    def _all_specs(self) -> List[WeightSpec]:
        """This layer's weight specs then its sublayers', in Keras ``weights`` order."""
        own_t = [s for s in self._weight_specs if s.trainable and self._trainable]
        own_nt = [s for s in self._weight_specs if not (s.trainable and self._trainable)]
        specs = own_t + own_nt
        seen = {id(s.tensor) for s in specs}
        for layer in self._direct_sublayers():
            for s in layer._all_specs():
                if id(s.tensor) not in seen:
                    seen.add(id(s.tensor))
                    specs.append(s)
        return specs

    def _var(self, spec) -> KerasVariable:
        return KerasVariable(spec, spec.owner or self)

    @property
    def weights(self) -> List[KerasVariable]:
        return [self._var(s) for s in self._all_specs()]

    @property
    def variables(self) -> List[KerasVariable]:
        return self.weights

    @property
    def trainable_weights(self) -> List[KerasVariable]:
        if not self._trainable:
            return []
        return [self._var(s) for s in self._all_specs()
                if s.trainable and s.owner._trainable]

    @property
    def non_trainable_weights(self) -> List[KerasVariable]:
        if not self._trainable:
            return self.weights
        return [self._var(s) for s in self._all_specs()
                if not (s.trainable and s.owner._trainable)]

    @trainable_weights.setter
    def trainable_weights(self, tensors) -> None:
        """Keras 1 idiom: ``self.trainable_weights = [self.W, self.b]`` in ``build``."""
        self._adopt_tensors(tensors, trainable=True)

    @non_trainable_weights.setter
    def non_trainable_weights(self, tensors) -> None:
        self._adopt_tensors(tensors, trainable=False)

    def _adopt_tensors(self, tensors, trainable: bool) -> None:
        known = {id(s.tensor) for s in self._weight_specs}
        for i, t in enumerate(tensors or []):
            t = getattr(t, "tensor", t)
            if id(t) in known:
                continue
            if not isinstance(t, nn.Parameter):
                t = nn.Parameter(torch.as_tensor(t), requires_grad=trainable)
            name = getattr(t, "name", None) or f"variable_{len(self._weight_specs)}"
            name = str(name).split("/")[-1].split(":")[0]
            registered = any(p is t for p in self._parameters.values())
            if not registered:
                self.register_parameter(self._unique_param_name(name), t)
            t.requires_grad_(bool(trainable and self._trainable and t.is_floating_point()))
            self._register_spec(WeightSpec(name, t, tuple(t.shape), trainable=trainable))

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def get_weights(self) -> List[np.ndarray]:
        """The weights as numpy arrays, in Keras layout and order."""
        return [s.numpy() for s in self._all_specs()]

    def set_weights(self, weights) -> None:
        """Set the weights from numpy arrays in Keras layout and order."""
        specs = self._all_specs()
        weights = list(weights)
        if len(weights) != len(specs):
            raise ValueError(
                f"You called `set_weights(weights)` on layer '{self.name}' with a weight list of "
                f"length {len(weights)}, but the layer was expecting {len(specs)} weights.")
        for spec, w in zip(specs, weights):
            w = np.asarray(w) if not isinstance(w, torch.Tensor) else w
            if tuple(w.shape) != spec.keras_shape:
                raise ValueError(
                    f"Layer '{self.name}' weight shape {spec.keras_shape} is not compatible with "
                    f"provided weight shape {tuple(w.shape)} (weight '{spec.name}').")
        for spec, w in zip(specs, weights):
            spec.assign(w)

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but the "
                             "layer isn't built. You can build it manually via: "
                             f"`{self.name}.build(batch_input_shape)`.")
        return int(sum(int(np.prod(s.keras_shape)) for s in self._all_specs()))

    # -- losses --------------------------------------------------------------------------------
    def add_loss(self, loss, inputs=None) -> None:
        """Add a loss tensor (e.g. a regularization term) computed in ``call``. ``inputs``
        (Keras 1/2: the inputs the loss is conditional on) is accepted; losses are per call
        here anyway."""
        if callable(loss) and not isinstance(loss, torch.Tensor):
            loss = loss()
        if not isinstance(loss, torch.Tensor):
            loss = torch.as_tensor(loss, dtype=torch.float32)
        if self._call_losses_gen != _CTX.generation:
            self._call_losses = []
            self._call_losses_gen = _CTX.generation
        self._call_losses.append(loss)

    def _own_call_losses(self) -> List[torch.Tensor]:
        if self._call_losses_gen < 0:  # never added a loss (no global read: compile-friendly)
            return []
        if self._call_losses_gen == _CTX.generation:
            return list(self._call_losses)
        return []

    @property
    def losses(self) -> List[torch.Tensor]:
        """Losses added during the last call (activity regularizers, ``add_loss``) and the
        weight regularization penalties (computed now)."""
        out = []
        for layer in self._flatten_layers(include_self=True):
            out.extend(layer._own_call_losses())
            for spec in layer._weight_specs:
                if spec.regularizer is not None:
                    out.append(spec.regularizer(spec.keras_value()))
        return out

    # -- build / call --------------------------------------------------------------------------
    def build(self, input_shape) -> None:
        """Create the layer's weights; called once with the shape of the first input."""
        self.built = True

    def _maybe_build(self, inputs) -> None:
        if self.built:
            return
        shapes = _shapes_struct(inputs)
        if isinstance(shapes, list) and len(shapes) == 1 and not isinstance(inputs, (list, tuple)):
            shapes = shapes[0]
        self._check_input_spec(inputs)
        self.build(shapes)
        self.built = True
        self._build_input_shape = shapes
        # weights follow the input's device
        dev = None
        for t in tree.flatten(inputs):
            if isinstance(t, torch.Tensor):
                dev = t.device
                break
        if dev is not None and dev.type != "cpu":
            self.to(dev)
        if self._initial_weights is not None:
            weights, self._initial_weights = self._initial_weights, None
            self.set_weights(weights)

    def _check_input_spec(self, inputs) -> None:
        if self.input_spec is None:
            return
        flat = tree.flatten(inputs) if isinstance(inputs, (list, tuple, dict)) else [inputs]
        assert_input_compatibility(self.input_spec, [_shape_of(t) for t in flat], self.name)

    def call(self, inputs, *args, **kwargs):
        """The layer's computation. The base layer is the identity."""
        return inputs

    def __call__(self, *args, **kwargs):
        # fast path: a tensor and plain keyword values (the training loop's case)
        if not (args and isinstance(args[0], torch.Tensor) and
                all(type(v) in _PLAIN for v in kwargs.values())):
            if _has_keras_tensor(args, kwargs):
                return self._symbolic_call(args, kwargs)
        return nn.Module.__call__(self, *args, **kwargs)

    def forward(self, *args, **kwargs):
        """torch entry point: Keras's eager ``__call__`` semantics (build, checks, masks)."""
        if not args:
            if "inputs" not in kwargs:
                raise ValueError(f"Layer '{self.name}' was called without inputs.")
            args = (kwargs.pop("inputs"),)
        inputs = args[0]
        if not isinstance(inputs, torch.Tensor):
            inputs = convert_inputs(inputs)
            args = (inputs,) + args[1:]
        if not self.built:
            self._maybe_build(inputs)
        elif self.input_spec is not None:
            shape = inputs.shape if isinstance(inputs, torch.Tensor) else None
            if shape is None or shape != self._spec_checked_shape:
                self._check_input_spec(inputs)
                self._spec_checked_shape = shape  # the same shape passes again without a check
        ctx = _CTX
        training = kwargs.pop("training", None)
        if ctx.depth == 0 and not _compiling():
            ctx.generation += 1  # (a compiled train step bumps it outside the graph)
        prev = ctx.training
        set_ctx = training is not None  # an explicit value governs everything this call runs
        if set_ctx:
            training = bool(training)
            ctx.training = training
        elif prev is not None:
            training = prev
        else:
            training = self.training
        if self._call_has_training:
            kwargs["training"] = bool(training)
        masks_seen = _MASKS.seen
        if masks_seen and self._call_has_mask and "mask" not in kwargs:
            mask = _get_mask(inputs)
            if mask is not None:
                kwargs["mask"] = mask
        ctx.depth += 1
        try:
            if self._explicit_dtype and _autocast_on(inputs) and self._full_precision_in_autocast:
                outputs = self._call_full_precision(args, kwargs)
            else:
                outputs = self.call(*args, **kwargs)
        finally:
            ctx.depth -= 1
            if set_ctx:
                ctx.training = prev
        if self.activity_regularizer is not None:
            for o in tree.flatten(outputs):
                if isinstance(o, torch.Tensor):
                    self.add_loss(self.activity_regularizer(o) / o.shape[0])
        if self._overrides_compute_mask:
            in_mask = kwargs.get("mask", None) if self._call_has_mask else _get_mask(inputs)
            out_mask = self.compute_mask(inputs, in_mask)
            if out_mask is not None:
                _set_mask(outputs, out_mask)
        elif masks_seen and self.supports_masking:  # pass an input mask through unchanged
            in_mask = kwargs.get("mask", None) if self._call_has_mask else _get_mask(inputs)
            if in_mask is not None:
                _set_mask(outputs, in_mask)
        return outputs

    @property
    def _full_precision_in_autocast(self) -> bool:
        """A layer given a plain float dtype (e.g. ``dtype='float32'`` on the last layer of a
        ``mixed_float16`` model) computes in that dtype even inside autocast, as Keras does."""
        return self._explicit_dtype and self._dtype_policy_name in ("float32", "float64")

    def _call_full_precision(self, args, kwargs):
        dev = args[0].device.type if isinstance(args[0], torch.Tensor) else "cpu"
        with torch.autocast(dev, enabled=False):
            cast = tree.map_structure(
                lambda t: t.to(self._dtype) if isinstance(t, torch.Tensor) and
                t.is_floating_point() else t, tuple(args))
            return self.call(*cast, **kwargs)

    def compute_mask(self, inputs, mask=None):
        """Output mask: the input mask for layers that support masking, else None."""
        if not self.supports_masking:
            return None
        return mask

    # -- symbolic ------------------------------------------------------------------------------
    def _symbolic_call(self, args, kwargs):
        from .node import Node
        if "inputs" in kwargs and not args:
            args = (kwargs.pop("inputs"),)
        inputs = args[0] if args else None
        if not self.built:
            self._maybe_build(inputs)
        else:
            self._check_input_spec(inputs)
        out_spec = self.compute_output_spec(*args, **kwargs)
        outputs = tree.map_structure(lambda s: KerasTensor(s.shape, dtype=s.dtype), out_spec)
        Node(self, args, dict(kwargs), outputs)
        for i, t in enumerate(tree.flatten(outputs)):
            t.name = self.name if len(tree.flatten(outputs)) == 1 else f"{self.name}_{i}"
        return outputs

    def compute_output_shape(self, input_shape):
        """Output shape for ``input_shape``; the default runs the layer on dummy tensors."""
        raise NotImplementedError

    def compute_output_spec(self, *args, **kwargs):
        """-> structure of ``OutputSpec(shape, dtype)`` for symbolic outputs."""
        inputs = args[0] if args else None
        out_dtype = self._output_dtype(inputs)
        if type(self).compute_output_shape is not Layer.compute_output_shape and \
                len(args) <= 1 and not any(_has_keras_tensor((), {k: v}) for k, v in
                                           kwargs.items()):
            try:
                shapes = self.compute_output_shape(_shapes_struct(inputs))
                return _pair_shapes(shapes, out_dtype)
            except NotImplementedError:
                pass
        return self._infer_by_running(args, kwargs)

    def _output_dtype(self, inputs):
        name = self._dtype_policy_name
        if name.startswith("mixed_"):
            return torch.float32
        return self._dtype

    def _infer_by_running(self, args, kwargs):
        """Run ``call`` on zeros shaped like the inputs (unknown dims filled twice with
        different sizes: a dimension that follows the fill is reported as None)."""
        flat = [t for t in tree.flatten((args, kwargs)) if isinstance(t, KerasTensor)]
        has_dynamic = any(d is None for t in flat for d in t.shape[1:])
        fills = [(2, 5), (3, 7)] if has_dynamic else [(2, 5)]
        results = []
        for batch_fill, other_fill in fills:
            def concrete(t):
                if not isinstance(t, KerasTensor):
                    return t
                shape = [batch_fill if (d is None and i == 0) else (other_fill if d is None else d)
                         for i, d in enumerate(t.shape)]
                return torch.zeros(shape, dtype=t.dtype, device=self._device_hint())
            c_args = tree.map_structure(concrete, args)
            c_kwargs = {k: tree.map_structure(concrete, v) for k, v in kwargs.items()}
            c_kwargs.setdefault("training", False) if self._call_has_training else None
            if not self._call_has_training:
                c_kwargs.pop("training", None)
            with torch.no_grad():
                prev = _CTX.training
                _CTX.training = False
                try:
                    out = self.forward(*c_args, **c_kwargs)
                finally:
                    _CTX.training = prev
            results.append(out)
        batch_none = bool(flat) and flat[0].shape and flat[0].shape[0] is None

        def spec_of(*outs):
            first = outs[0]
            shape = list(first.shape)
            if len(outs) > 1:
                shape = [None if any(o.shape[i] != first.shape[i] for o in outs[1:]) else d
                         for i, d in enumerate(shape)]
            if batch_none and shape:
                shape[0] = None
            return OutputSpec(shape, first.dtype)

        if len(results) == 1:
            return tree.map_structure(lambda o: spec_of(o), results[0])
        flat0 = tree.flatten(results[0])
        flat1 = tree.flatten(results[1])
        return tree.pack_sequence_as(results[0], [spec_of(a, b) for a, b in zip(flat0, flat1)])

    def _device_hint(self):
        for p in self.parameters():
            return p.device
        for b in self.buffers():
            return b.device
        return torch.device("cpu")

    # -- graph accessors -----------------------------------------------------------------------
    def _node_tensors(self, attr, what):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has no inbound nodes: it has never been "
                                 f"called on a symbolic input, so it has no defined {what}.")
        node = self._inbound_nodes[0]
        if attr == "input":
            ts = node.input_tensors
        else:
            ts = node.outputs
        return ts[0] if len(ts) == 1 else list(ts)

    @property
    def input(self):
        return self._node_tensors("input", "input")

    @property
    def output(self):
        return self._node_tensors("output", "output")

    @property
    def input_shape(self):
        if self._inbound_nodes:
            t = self.input
            return [x.shape for x in t] if isinstance(t, list) else t.shape
        if self._build_input_shape is not None:
            return self._build_input_shape
        raise AttributeError(f"The layer '{self.name}' has never been called and thus has no "
                             "defined input shape.")

    @property
    def output_shape(self):
        if self._inbound_nodes:
            t = self.output
            return [x.shape for x in t] if isinstance(t, list) else t.shape
        raise AttributeError(f"The layer '{self.name}' has never been called and thus has no "
                             "defined output shape.")

    def get_input_at(self, node_index):
        ts = self._inbound_nodes[node_index].input_tensors
        return ts[0] if len(ts) == 1 else ts

    def get_output_at(self, node_index):
        ts = self._inbound_nodes[node_index].outputs
        return ts[0] if len(ts) == 1 else ts

    # -- config --------------------------------------------------------------------------------
    def get_config(self) -> Dict[str, Any]:
        cfg = {"name": self.name, "trainable": self.trainable, "dtype": self._dtype_policy_name}
        if self._batch_input_shape is not None:
            cfg["batch_input_shape"] = self._batch_input_shape
        if self.activity_regularizer is not None:
            from .. import regularizers as _regs
            cfg["activity_regularizer"] = _regs.serialize(self.activity_regularizer)
        return cfg

    @classmethod
    def from_config(cls, config: Dict[str, Any]):
        return cls(**config)

    def get_build_config(self):
        if self._build_input_shape is not None:
            return {"input_shape": self._build_input_shape}
        return None

    def build_from_config(self, config):
        if config and config.get("input_shape") is not None and not self.built:
            shape = config["input_shape"]
            self._maybe_build(_dummy_from_shape(shape))

    # -- torch conveniences --------------------------------------------------------------------
    def reset_states(self):
        for layer in self._flatten_layers(include_self=False):
            if hasattr(layer, "reset_states") and getattr(layer, "stateful", False):
                layer.reset_states()


def _dummy_from_shape(shape):
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return [_dummy_from_shape(s) for s in shape]
    return KerasTensor(shape)


class OutputSpec:
    """Shape and dtype of one symbolic output (a leaf for ``tree`` functions)."""
    __slots__ = ("shape", "dtype")

    def __init__(self, shape, dtype):
        self.shape = tuple(shape)
        self.dtype = dtype


def _pair_shapes(shapes, dtype):
    if isinstance(shapes, (list, tuple)) and shapes and \
            all(isinstance(s, (list, tuple)) or s is None for s in shapes) and \
            any(isinstance(s, (list, tuple)) for s in shapes):
        return [OutputSpec(s, dtype) for s in shapes]
    if isinstance(shapes, dict):
        return {k: OutputSpec(v, dtype) for k, v in shapes.items()}
    return OutputSpec(shapes, dtype)


_PLAIN = (bool, int, float, str, type(None))

try:
    _compiling = torch.compiler.is_compiling
except AttributeError:  # pragma: no cover - older torch
    def _compiling() -> bool:
        return False


def _autocast_on(x) -> bool:
    if not isinstance(x, torch.Tensor):
        return False
    return torch.is_autocast_enabled(x.device.type)


def _has_keras_tensor(args, kwargs) -> bool:
    for a in args:
        if isinstance(a, KerasTensor):
            return True
        if isinstance(a, (list, tuple, dict)) and any(
                isinstance(t, KerasTensor) for t in tree.flatten(a)):
            return True
    for v in kwargs.values():
        if isinstance(v, KerasTensor) or (isinstance(v, (list, tuple, dict)) and any(
                isinstance(t, KerasTensor) for t in tree.flatten(v))):
            return True
    return False


def _get_mask(inputs):
    if isinstance(inputs, torch.Tensor):
        return getattr(inputs, "_keras_mask", None)
    if isinstance(inputs, (list, tuple)):
        masks = [getattr(t, "_keras_mask", None) for t in inputs]
        return None if all(m is None for m in masks) else masks
    return None


class _MaskState:
    """Whether any layer ever produced a mask (until then mask lookups are skipped)."""
    seen = False


_MASKS = _MaskState()


def _set_mask(outputs, mask):
    _MASKS.seen = True
    if isinstance(outputs, torch.Tensor):
        try:
            outputs._keras_mask = mask
        except (AttributeError, RuntimeError):
            pass
    elif isinstance(outputs, (list, tuple)):
        masks = mask if isinstance(mask, (list, tuple)) else [mask] * len(outputs)
        for o, m in zip(outputs, masks):
            _set_mask(o, m)
