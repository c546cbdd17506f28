"""Keras 1 argument spellings -> Keras 2/3 ones: the rules the legacy edge applies.

Imported lazily by ``torchkeras.legacy.edge`` on first use; importing it registers every rule.
The conversions match Keras 2.0-2.3's ``keras/legacy/interfaces.py`` (the shim Keras 2 kept for
Keras 1 code) and Keras 2's ``fit`` / ``fit_generator``:

* layers: ``output_dim`` -> ``units``, ``init`` -> ``kernel_initializer``, ``W_regularizer`` ->
  ``kernel_regularizer``, ``nb_filter`` -> ``filters``, ``nb_row``/``nb_col`` -> ``kernel_size``,
  ``subsample`` -> ``strides``, ``border_mode`` -> ``padding``, ``dim_ordering`` ('tf' / 'th' /
  'default') -> ``data_format``, ``p`` -> ``rate``, ``sigma`` -> ``stddev``, ``consume_less`` ->
  ``implementation``, ``forget_bias_init`` -> ``unit_forget_bias``, ``input_dtype`` -> ``dtype``...
* models: ``Model(input=, output=)``; ``fit(nb_epoch=)``; the Keras 1 generator methods'
  ``samples_per_epoch`` / ``nb_val_samples`` / ``val_samples`` (counted in *samples*: converted
  to steps with the generator's batch size, read from a first batch that is peeked and kept),
  ``nb_worker``, ``pickle_safe``, ``max_q_size``.

Every conversion emits one ``DeprecationWarning`` per call naming what changed. No argument is
dropped silently: arguments Keras 2 itself discarded (``Embedding(dropout=)``,
``Deconvolution2D(output_shape=)``, ``BatchNormalization(mode=0)``) are dropped with a warning
saying so (a ``UserWarning`` when the value had an effect in Keras 1), and those Keras 2
rejected (``BatchNormalization(mode=1|2)``, ``border_mode='full'``) raise.

A class whose own ``__init__`` declares a parameter with an old name (a user layer written as
``def __init__(self, output_dim, **kwargs)``) keeps it: rules only rename keywords the class
does not accept itself.

Optimizers' ``lr=`` / ``decay=`` are handled by ``torchkeras.optimizers.base.Optimizer``
itself (``lr`` honoured, ``decay`` applied as Keras 2's ``lr / (1 + decay * iterations)``, both
with a ``DeprecationWarning``); no edge rule duplicates that.
"""
from __future__ import annotations

import inspect
import itertools
import math
import warnings
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Sequence, Tuple

from . import edge

__all__ = ["convert_data_format", "convert_padding", "peek_batch_size"]

_PARAMS_CACHE: Dict[type, FrozenSet[str]] = {}


# ------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------
def _explicit_params(cls) -> FrozenSet[str]:
    """Names the most derived ``__init__`` of ``cls`` declares itself (not via ``**kwargs``)."""
    if cls is None:
        return frozenset()
    hit = _PARAMS_CACHE.get(cls)
    if hit is not None:
        return hit
    try:
        params = inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        params = {}
    names = frozenset(n for n, p in params.items()
                      if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and n != "self")
    _PARAMS_CACHE[cls] = names
    return names


def _short(value) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 20 else text[:17] + "..."


class _Call:
    """Collects the conversions applied to one call and reports them in one warning."""

    def __init__(self, owner: str, cls, kwargs: Dict[str, Any]):
        self.owner = owner
        self.cls = cls
        self.kwargs = kwargs
        self.done: List[str] = []

    def has(self, old: str) -> bool:
        return old in self.kwargs and old not in _explicit_params(self.cls)

    def rename(self, old: str, new: str, convert: Optional[Callable] = None) -> None:
        if not self.has(old):
            return
        value = self.kwargs.pop(old)
        if convert is not None:
            value = convert(value)
        if new in self.kwargs:
            raise TypeError(f"For the `{new}` argument, `{self.owner}` received both the legacy "
                            f"(Keras 1) keyword argument `{old}` and the Keras 2 keyword "
                            f"argument `{new}`. Stick to the latter!")
        self.kwargs[new] = value
        self.done.append(f"{old} -> {new}")

    def renames(self, table: Sequence[Tuple[str, str]], converters=None) -> None:
        converters = converters or {}
        for old, new in table:
            self.rename(old, new, converters.get(old))

    def note(self, text: str) -> None:
        self.done.append(text)

    def report(self, method: bool = False) -> None:
        if not self.done:
            return
        shown = ", ".join(f"{k}={_short(v)}" for k, v in self.kwargs.items())
        what = f"`{self.owner}()`" if method else f"`{self.owner}` layer"
        edge.warn(f"Keras 1 argument(s) of {what} translated ({'; '.join(self.done)}). Update "
                  f"the call to the Keras 2 API: `{self.owner}({shown})`.", stacklevel=6)


def _owner(cls) -> str:
    return getattr(cls, "_keras1_name", None) or getattr(cls, "__name__", "layer")


def convert_data_format(value, owner: str = "layer"):
    """Keras 1 ``dim_ordering`` ('tf', 'th', 'default') -> ``data_format``."""
    mapping = {"tf": "channels_last", "th": "channels_first", "default": None,
               "channels_last": "channels_last", "channels_first": "channels_first", None: None}
    if value not in mapping:
        raise ValueError(f"`{owner}`: invalid `dim_ordering`: {value!r}. Expected one of 'tf', "
                         "'th' or 'default' (Keras 1), i.e. data_format 'channels_last' / "
                         "'channels_first'.")
    return mapping[value]


def convert_padding(value, owner: str = "layer"):
    """Keras 1 ``border_mode`` -> ``padding``; Keras 1's Theano-only 'full' has no Keras 2 form."""
    if isinstance(value, str) and value.lower() == "full":
        raise ValueError(f"`{owner}`: border_mode='full' (Keras 1, Theano backend only) does not "
                         "exist in Keras 2: pad explicitly with a ZeroPadding layer of "
                         "kernel_size - 1 and use padding='valid'.")
    return value


def _df(owner):
    return lambda v: convert_data_format(v, owner)


def _pad(owner):
    return lambda v: convert_padding(v, owner)


# ------------------------------------------------------------------------------------------
# every layer
# ------------------------------------------------------------------------------------------
@edge.register("Layer")
def _layer_common(cls, args, kwargs):
    """Keras 1 ``input_dtype`` (every layer): the dtype of the input placeholder the layer
    creates when it starts a model, not of its weights (Keras 1 weights are always floatx).
    ``InputLayer`` -> ``dtype``; other layers keep it as the hint ``Sequential`` reads
    (``_input_dtype_hint``) for the ``InputLayer`` it creates."""
    c = _Call(_owner(cls), cls, kwargs)
    if c.has("input_dtype"):
        if "InputLayer" in [k.__name__ for k in cls.__mro__]:
            c.rename("input_dtype", "dtype")
        else:
            value = kwargs.pop("input_dtype")
            kwargs.setdefault(edge.SET_AFTER_INIT, {})["_input_dtype_hint"] = value
            c.note("input_dtype -> dtype of the model input")
    c.report()
    return args, kwargs


# ------------------------------------------------------------------------------------------
# core
# ------------------------------------------------------------------------------------------
_DENSE = [("output_dim", "units"), ("init", "kernel_initializer"),
          ("W_regularizer", "kernel_regularizer"), ("b_regularizer", "bias_regularizer"),
          ("W_constraint", "kernel_constraint"), ("b_constraint", "bias_constraint"),
          ("bias", "use_bias")]


@edge.register("Dense")
def _dense(cls, args, kwargs):
    c = _Call(_owner(cls), cls, kwargs)
    c.renames(_DENSE)
    c.report()
    return args, kwargs


@edge.register("Dropout", "GaussianDropout", "SpatialDropout1D", "SpatialDropout2D",
               "SpatialDropout3D", "AlphaDropout")
def _dropout(cls, args, kwargs):
    owner = _owner(cls)
    c = _Call(owner, cls, kwargs)
    c.rename("p", "rate")
    c.rename("dim_ordering", "data_format", _df(owner))
    c.report()
    return args, kwargs


@edge.register("GaussianNoise")
def _gaussian_noise(cls, args, kwargs):
    c = _Call(_owner(cls), cls, kwargs)
    c.rename("sigma", "stddev")
    c.report()
    return args, kwargs


@edge.register("Embedding")
def _embedding(cls, args, kwargs):
    owner = _owner(cls)
    c = _Call(owner, cls, kwargs)
    c.renames([("init", "embeddings_initializer"), ("W_regularizer", "embeddings_regularizer"),
               ("W_constraint", "embeddings_constraint")])
    if c.has("dropout"):
        rate = kwargs.pop("dropout")
        c.note("dropout dropped (Keras 2 removed it)")
        if rate:
            warnings.warn(
                f"`{owner}(dropout={rate})`: the Keras 1 `dropout` argument of `Embedding` "
                "(dropping whole embedding rows while training) does not exist in Keras 2, "
                "which discarded it; it is NOT applied. Add a `SpatialDropout1D` layer "
                "right after the `Embedding` layer for the same regularisation.",
                UserWarning, stacklevel=5)
    c.report()
    return args, kwargs


@edge.register("PReLU")
def _prelu(cls, args, kwargs):
    c = _Call(_owner(cls), cls, kwargs)
    c.rename("init", "alpha_initializer")
    c.report()
    return args, kwargs


@edge.register("Functional")
def _functional(cls, args, kwargs):
    """``Model(input=..., output=...)`` (Keras 1) -> ``Model(inputs=..., outputs=...)``."""
    c = _Call("Model", cls, kwargs)
    c.renames([("input", "inputs"), ("output", "outputs")])
    c.report()
    return args, kwargs


# ------------------------------------------------------------------------------------------
# convolutions
# ------------------------------------------------------------------------------------------
_CONV = [("nb_filter", "filters"), ("subsample", "strides"), ("border_mode", "padding"),
         ("dim_ordering", "data_format"), ("init", "kernel_initializer"),
         ("W_regularizer", "kernel_regularizer"), ("b_regularizer", "bias_regularizer"),
         ("W_constraint", "kernel_constraint"), ("b_constraint", "bias_constraint"),
         ("bias", "use_bias"), ("atrous_rate", "dilation_rate")]
_CONV1D = [("filter_length", "kernel_size"), ("subsample_length", "strides")]

# Keras 1 positional signatures (after the filter count and kernel dims), per Keras 1 class.
_K1_TAIL_2D = ("init", "activation", "weights", "border_mode", "subsample", "dim_ordering",
               "W_regularizer", "b_regularizer", "activity_regularizer", "W_constraint",
               "b_constraint", "bias")
_K1_POSITIONAL = {
    "Convolution1D": ("nb_filter", "filter_length", "init", "activation", "weights",
                      "border_mode", "subsample_length", "W_regularizer", "b_regularizer",
                      "activity_regularizer", "W_constraint", "b_constraint", "bias",
                      "input_dim", "input_length"),
    "AtrousConvolution1D": ("nb_filter", "filter_length", "init", "activation", "weights",
                            "border_mode", "subsample_length", "atrous_rate", "W_regularizer",
                            "b_regularizer", "activity_regularizer", "W_constraint",
                            "b_constraint", "bias"),
    "Convolution2D": ("nb_filter", "nb_row", "nb_col") + _K1_TAIL_2D,
    "AtrousConvolution2D": ("nb_filter", "nb_row", "nb_col", "init", "activation", "weights",
                            "border_mode", "subsample", "atrous_rate", "dim_ordering",
                            "W_regularizer", "b_regularizer", "activity_regularizer",
                            "W_constraint", "b_constraint", "bias"),
    "SeparableConvolution2D": ("nb_filter", "nb_row", "nb_col", "init", "activation",
                               "weights", "border_mode", "subsample", "depth_multiplier",
                               "dim_ordering"),
    "Deconvolution2D": ("nb_filter", "nb_row", "nb_col", "output_shape") + _K1_TAIL_2D,
    "Convolution3D": ("nb_filter", "kernel_dim1", "kernel_dim2", "kernel_dim3", "init",
                      "activation", "weights", "border_mode", "subsample", "dim_ordering",
                      "W_regularizer", "b_regularizer", "activity_regularizer",
                      "W_constraint", "b_constraint", "bias"),
    "ConvLSTM2D": ("nb_filter", "nb_row", "nb_col"),
}

def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _keras1_positional(cls, args, kwargs, c: _Call):
    """Keras 1 positional calls of the Keras 1 class names (``Convolution2D(32, 3, 3)``).

    Decided as Keras 2's ``conv2d_args_preprocessor`` did: with all kernel dimensions given as
    separate integers (or the remaining ones as ``nb_col`` / ``kernel_dim*`` keywords) the call
    is Keras 1's; ``Convolution2D(32, (3, 3))`` or ``Convolution2D(32, 3)`` is Keras 2's.
    """
    name = getattr(cls, "_keras1_name", None)
    spec = _K1_POSITIONAL.get(name)
    if spec is None or not args:
        return args
    ndim = getattr(cls, "_keras1_rank", 2)
    if ndim == 1:
        # Convolution1D(nb_filter, filter_length, ...): the first two agree with Keras 2; a third
        # positional is Keras 1's `init` unless it is a number (Keras 2: strides).
        if not (len(args) > 2 and not (_is_int(args[2]) or isinstance(args[2], (tuple, list)))):
            return args
    else:
        kernel_keys = spec[1:1 + ndim]
        given = list(args[1:1 + ndim])
        if not given or not all(_is_int(v) for v in given):
            return args  # Convolution2D(32, (3, 3)): Keras 2
        if len(given) < ndim and not all(k in kwargs for k in kernel_keys[len(given):]):
            return args  # Convolution2D(32, 3): Keras 2's square kernel
        if len(args) == 1 + ndim:
            for kwd in ("padding", "strides", "data_format"):
                if kwd in kwargs:
                    raise ValueError(
                        f"`{name}({', '.join(map(str, args))}, {kwd}=...)`: it seems that you "
                        "are using the Keras 2 API and passing both `kernel_size` and "
                        "`strides` as integer positional arguments. For safety reasons this is "
                        "disallowed (as in Keras 2): pass `strides` as a keyword argument, or "
                        "use the Keras 1 keywords (`border_mode`, `subsample`, `dim_ordering`).")
    if len(args) > len(spec):
        raise TypeError(f"`{name}` accepts at most {len(spec)} positional arguments {spec}; "
                        f"received {len(args)}: {list(args)}")
    for key, value in zip(spec, args):
        if key in kwargs:
            raise TypeError(f"`{name}` got multiple values for argument `{key}`.")
        kwargs[key] = value
    c.note(f"positional arguments read as Keras 1's {spec[:len(args)]}")
    return ()


def _kernel_size(c: _Call, ndim: int) -> None:
    """``nb_row`` / ``nb_col`` (2D) or ``kernel_dim1..3`` (3D) -> ``kernel_size``."""
    kw = c.kwargs
    keys = ("nb_row", "nb_col") if ndim == 2 else ("kernel_dim1", "kernel_dim2", "kernel_dim3")
    present = [k for k in keys if c.has(k)]
    if not present:
        return
    if len(present) != len(keys):
        missing = [k for k in keys if k not in present]
        raise TypeError(f"`{c.owner}`: the Keras 1 kernel arguments {keys} must all be given; "
                        f"missing {missing} (or use `kernel_size=`).")
    if "kernel_size" in kw:
        raise TypeError(f"For the `kernel_size` argument, `{c.owner}` received both the legacy "
                        f"keyword arguments {keys} and `kernel_size`. Stick to the latter!")
    kw["kernel_size"] = tuple(int(kw.pop(k)) for k in keys)
    c.done.append(f"{'/'.join(keys)} -> kernel_size")


def _input_dim_length(c: _Call) -> None:
    """Keras 1 ``input_dim`` / ``input_length`` on sequence layers -> ``input_shape``."""
    kw = c.kwargs
    if not (c.has("input_dim") or c.has("input_length")):
        return
    dim = kw.pop("input_dim", None)
    length = kw.pop("input_length", None)
    if dim is None and length is None:
        c.note("input_dim/input_length=None dropped (no shape given)")
        return
    if "input_shape" in kw or "batch_input_shape" in kw:
        # Keras 1 configs carry both; the (batch_)input_shape wins, as in Keras 2
        c.note("input_dim/input_length dropped (input_shape / batch_input_shape given)")
        return
    kw["input_shape"] = (length, dim)
    c.done.append("input_dim/input_length -> input_shape")


def _conv_rule(ndim: int, separable: bool = False, transpose: bool = False):
    def rule(cls, args, kwargs):
        owner = _owner(cls)
        c = _Call(owner, cls, kwargs)
        args = _keras1_positional(cls, args, kwargs, c)
        if separable and c.has("init"):
            init = kwargs.pop("init")
            for key in ("depthwise_initializer", "pointwise_initializer"):
                if key in kwargs:
                    raise TypeError(f"`{owner}` received both `init` (Keras 1) and `{key}`.")
                kwargs[key] = init
            c.done.append("init -> depthwise_initializer/pointwise_initializer")
        if transpose and c.has("output_shape"):
            shape = kwargs.pop("output_shape")
            c.note("output_shape dropped (Keras 2 computes it from the input)")
            if shape is not None:
                warnings.warn(
                    f"`{owner}(output_shape={shape})`: Keras 2 removed the `output_shape` "
                    "argument of `Deconvolution2D` and computes the output shape from the input "
                    "shape, strides and padding; the value given is not used (check it against "
                    "`layer.output_shape`).", UserWarning, stacklevel=5)
        if ndim == 1:
            c.renames(_CONV1D)
            _input_dim_length(c)
        elif ndim in (2, 3):
            _kernel_size(c, ndim)
        table = [t for t in _CONV if not (separable and t[0] == "init")]
        c.renames(table, {"dim_ordering": _df(owner), "border_mode": _pad(owner)})
        c.report()
        return args, kwargs
    return rule


edge.register("Conv1D", "Conv1DTranspose")(_conv_rule(1))
edge.register("Conv2D")(_conv_rule(2))
edge.register("Conv3D")(_conv_rule(3))
edge.register("Conv2DTranspose")(_conv_rule(2, transpose=True))
edge.register("Conv3DTranspose")(_conv_rule(3, transpose=True))
edge.register("SeparableConv2D")(_conv_rule(2, separable=True))
edge.register("SeparableConv1D")(_conv_rule(1, separable=True))
edge.register("DepthwiseConv2D")(_conv_rule(2))


# ------------------------------------------------------------------------------------------
# pooling, padding, cropping, upsampling
# ------------------------------------------------------------------------------------------
@edge.register("MaxPooling1D", "AveragePooling1D")
def _pooling1d(cls, args, kwargs):
    owner = _owner(cls)
    c = _Call(owner, cls, kwargs)
    c.renames([("pool_length", "pool_size"), ("stride", "strides"), ("border_mode", "padding")],
              {"border_mode": _pad(owner)})
    c.report()
    return args, kwargs


@edge.register("MaxPooling2D", "AveragePooling2D", "MaxPooling3D", "AveragePooling3D",
               "GlobalMaxPooling1D", "GlobalAveragePooling1D", "GlobalMaxPooling2D",
               "GlobalAveragePooling2D", "GlobalMaxPooling3D", "GlobalAveragePooling3D",
               "UpSampling2D", "UpSampling3D", "ZeroPadding3D", "Cropping2D", "Cropping3D",
               "Flatten")
def _data_format_layers(cls, args, kwargs):
    owner = _owner(cls)
    c = _Call(owner, cls, kwargs)
    c.renames([("border_mode", "padding"), ("dim_ordering", "data_format")],
              {"dim_ordering": _df(owner), "border_mode": _pad(owner)})
    c.report()
    return args, kwargs


@edge.register("UpSampling1D")
def _upsampling1d(cls, args, kwargs):
    c = _Call(_owner(cls), cls, kwargs)
    c.rename("length", "size")
    c.report()
    return args, kwargs


def _pad_dict(value):
    keys = ("top_pad", "bottom_pad", "left_pad", "right_pad")
    if isinstance(value, dict) and set(value) <= set(keys):
        return ((value.get("top_pad", 0), value.get("bottom_pad", 0)),
                (value.get("left_pad", 0), value.get("right_pad", 0)))
    if isinstance(value, (tuple, list)) and len(value) == 4 and all(_is_int(v) for v in value):
        return ((value[0], value[1]), (value[2], value[3]))
    return value


@edge.register("ZeroPadding2D")
def _zero_padding2d(cls, args, kwargs):
    owner = _owner(cls)
    c = _Call(owner, cls, kwargs)
    c.rename("dim_ordering", "data_format", _df(owner))
    if args and _pad_dict(args[0]) is not args[0]:
        args = (_pad_dict(args[0]),) + tuple(args[1:])
        c.note("padding (top, bottom, left, right) -> ((top, bottom), (left, right))")
    elif "padding" in kwargs and _pad_dict(kwargs["padding"]) is not kwargs["padding"]:
        kwargs["padding"] = _pad_dict(kwargs["padding"])
        c.note("padding (top, bottom, left, right) -> ((top, bottom), (left, right))")
    c.report()
    return args, kwargs


# ------------------------------------------------------------------------------------------
# normalization
# ------------------------------------------------------------------------------------------
@edge.register("BatchNormalization")
def _batch_norm(cls, args, kwargs):
    owner = _owner(cls)
    c = _Call(owner, cls, kwargs)
    if c.has("mode"):
        mode = kwargs.pop("mode")
        if mode != 0:
            raise TypeError(f"The `mode` argument of `{owner}` no longer exists: `mode=1` "
                            "(sample-wise) and `mode=2` (feature-wise with batch statistics "
                            f"at test time) are not supported (Keras 2 removed them); received "
                            f"mode={mode!r}. `mode=0` is the only behaviour.")
        c.note("mode=0 dropped (the only mode left in Keras 2)")
    c.renames([("beta_init", "beta_initializer"), ("gamma_init", "gamma_initializer")])
    c.report()
    return args, kwargs


# ------------------------------------------------------------------------------------------
# recurrent
# ------------------------------------------------------------------------------------------
_RECURRENT = [("output_dim", "units"), ("init", "kernel_initializer"),
              ("inner_init", "recurrent_initializer"),
              ("inner_activation", "recurrent_activation"),
              ("W_regularizer", "kernel_regularizer"), ("U_regularizer", "recurrent_regularizer"),
              ("b_regularizer", "bias_regularizer"), ("W_constraint", "kernel_constraint"),
              ("U_constraint", "recurrent_constraint"), ("b_constraint", "bias_constraint"),
              ("dropout_W", "dropout"), ("dropout_U", "recurrent_dropout"),
              ("consume_less", "implementation")]
# Keras 2 mapped consume_less cpu/mem/gpu to implementation 0/1/2 and later treated 0 as 1.
_CONSUME_LESS = {"cpu": 1, "mem": 1, "gpu": 2}


def _consume_less(owner):
    def convert(value):
        if value not in _CONSUME_LESS:
            raise ValueError(f"`{owner}`: invalid `consume_less`: {value!r}. Expected 'cpu', "
                             "'mem' or 'gpu' (Keras 1).")
        return _CONSUME_LESS[value]
    return convert


def _forget_bias_init(c: _Call) -> None:
    if not c.has("forget_bias_init"):
        return
    value = c.kwargs.pop("forget_bias_init")
    name = value if isinstance(value, str) else getattr(value, "__name__", None)
    if name in ("one", "ones", "Ones"):
        flag = True
    elif name in ("zero", "zeros", "Zeros"):
        flag = False
    else:
        flag = None
    if flag is None:
        warnings.warn(f"`{c.owner}(forget_bias_init={value!r})`: Keras 2 ignores "
                      "`forget_bias_init` other than 'one' / 'zero'; the forget-gate bias starts "
                      "at 1 (`unit_forget_bias=True`). Use `unit_forget_bias=False` with a "
                      "`bias_initializer` for another start.", UserWarning, stacklevel=5)
        c.note("forget_bias_init ignored (Keras 2 ignored it)")
        return
    if "unit_forget_bias" in c.kwargs:
        raise TypeError(f"`{c.owner}` received both `forget_bias_init` (Keras 1) and "
                        "`unit_forget_bias`. Stick to the latter!")
    c.kwargs["unit_forget_bias"] = flag
    c.done.append(f"forget_bias_init={value!r} -> unit_forget_bias={flag}")


@edge.register("SimpleRNN", "GRU", "LSTM")
def _recurrent(cls, args, kwargs):
    owner = _owner(cls)
    c = _Call(owner, cls, kwargs)
    c.renames(_RECURRENT, {"consume_less": _consume_less(owner)})
    _forget_bias_init(c)
    _input_dim_length(c)
    if c.done and "GRU" in [k.__name__ for k in cls.__mro__] and "reset_after" not in kwargs:
        # Keras 1 (and Keras 2's default) GRU applies the reset gate before the recurrent
        # matrix: reset_after=False. Keras 3's default is True.
        kwargs["reset_after"] = False
        c.note("Keras 1 GRU -> reset_after=False")
    c.report()
    return args, kwargs


@edge.register("ConvLSTM2D")
def _conv_lstm2d(cls, args, kwargs):
    owner = _owner(cls)
    c = _Call(owner, cls, kwargs)
    args = _keras1_positional(cls, args, kwargs, c)
    _kernel_size(c, 2)
    c.renames(_CONV + [t for t in _RECURRENT if t[0] not in ("output_dim", "init",
                                                             "W_constraint", "b_constraint")],
              {"dim_ordering": _df(owner), "border_mode": _pad(owner),
               "consume_less": _consume_less(owner)})
    _forget_bias_init(c)
    c.report()
    return args, kwargs


# ------------------------------------------------------------------------------------------
# model methods
# ------------------------------------------------------------------------------------------
_GENERATOR_COMMON = [("nb_worker", "workers"), ("pickle_safe", "use_multiprocessing"),
                     ("max_q_size", "max_queue_size")]


@edge.register("Model.fit")
def _fit(cls, args, kwargs):
    c = _Call("fit", None, kwargs)
    c.rename("nb_epoch", "epochs")
    c.report(method=True)
    return args, kwargs


def peek_batch_size(data) -> Tuple[Optional[int], Any]:
    """-> (batch size of the first batch ``data`` yields, ``data`` with that batch kept).

    Keras 1 counted generator epochs in samples; Keras 2 counts steps (batches). A sequence
    (``keras.utils.Sequence`` / anything indexable with ``len``) is read at index 0 without
    consuming it; a generator / iterator has its first batch taken and chained back in front.
    """
    if data is None:
        return None, data
    if hasattr(data, "__getitem__") and hasattr(data, "__len__") and \
            not hasattr(data, "__next__") and not isinstance(data, (list, tuple, dict)):
        try:
            first = data[0]
        except Exception:  # noqa: BLE001 - not indexable after all: fall through
            first = None
        else:
            return _batch_len(first), data
    if hasattr(data, "__next__"):
        try:
            first = next(data)
        except StopIteration:
            return None, iter(())
        return _batch_len(first), itertools.chain([first], data)
    if hasattr(data, "__iter__") and not isinstance(data, (list, tuple, dict, str)):
        it = iter(data)
        try:
            first = next(it)
        except StopIteration:
            return None, iter(())
        return _batch_len(first), itertools.chain([first], it)
    return None, data


def _batch_len(batch) -> Optional[int]:
    x = batch[0] if isinstance(batch, tuple) else batch
    while isinstance(x, (list, tuple)) and x:
        x = x[0]
    if isinstance(x, dict) and x:
        x = next(iter(x.values()))
    shape = getattr(x, "shape", None)
    if shape is not None and len(shape):
        return int(shape[0])
    try:
        return len(x)
    except TypeError:
        return None


def _samples_to_steps(c: _Call, old: str, new: str, data, what: str):
    """Replace ``old`` (a sample count) by ``new`` (a step count); -> possibly re-wrapped data."""
    if not c.has(old):
        return data
    samples = c.kwargs.pop(old)
    if new in c.kwargs:
        raise TypeError(f"For the `{new}` argument, `{c.owner}()` received both the legacy "
                        f"(Keras 1) keyword argument `{old}` and `{new}`. Stick to the latter!")
    if samples is None:
        c.kwargs[new] = None
        c.done.append(f"{old} -> {new}")
        return data
    batch, data = peek_batch_size(data)
    if batch:
        steps = int(math.ceil(int(samples) / batch))
        c.done.append(f"{old}={samples} samples -> {new}={steps} (batches of {batch} from the "
                      f"{what})")
    else:
        steps = int(samples)
        warnings.warn(f"`{c.owner}({old}={samples})`: cannot read the batch size of the {what} "
                      f"to convert Keras 1's sample count into steps; using {new}={steps} (as "
                      "Keras 2 did). `steps_per_epoch` is the number of batches drawn per epoch.",
                      UserWarning, stacklevel=6)
        c.done.append(f"{old} -> {new}")
    c.kwargs[new] = steps
    return data


def _generator_rule(name: str, generator_kw: str, data_fields: Sequence[Tuple[str, str, str]]):
    def rule(cls, args, kwargs):
        c = _Call(name, None, kwargs)
        args = list(args)
        for (old, new, what), i in zip(data_fields, range(len(data_fields))):
            data = args[i] if i < len(args) else None
            if i == 1 and isinstance(data, (tuple, list)):  # validation arrays: Keras 2 ignored
                if c.has(old):
                    c.kwargs.pop(old)
                    c.note(f"{old} dropped (validation_data are arrays: all are used)")
                continue
            data = _samples_to_steps(c, old, new, data, what)
            if i < len(args):
                args[i] = data
        c.rename("nb_epoch", "epochs")
        c.renames(_GENERATOR_COMMON)
        c.report(method=True)
        return tuple(args), kwargs
    return rule


edge.register("Model.fit_generator")(_generator_rule(
    "fit_generator", "generator",
    [("samples_per_epoch", "steps_per_epoch", "generator"),
     ("nb_val_samples", "validation_steps", "validation generator")]))
edge.register("Model.evaluate_generator")(_generator_rule(
    "evaluate_generator", "generator", [("val_samples", "steps", "generator")]))
edge.register("Model.predict_generator")(_generator_rule(
    "predict_generator", "generator", [("val_samples", "steps", "generator")]))
