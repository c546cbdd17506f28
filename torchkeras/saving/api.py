"""``keras.models.load_model`` / ``save_model``, ``Model.save_weights`` / ``load_weights``.

Formats (the reader is chosen from the file's *content*, never from its name):

=====================  ==========================================  ====================
file                   written by                                  layout
=====================  ==========================================  ====================
``*.keras``            Keras 3 ``model.save``                      zip (``keras_zip``)
``*.h5`` / ``*.hdf5``  Keras 1 / 2 / tf-keras / Keras 3 ``save``   classic HDF5 model
``*.h5`` (weights)     ``save_weights`` (Keras 1, 2, tf-keras)     classic HDF5 weights
``*.weights.h5``       Keras 3 / tf-keras ``save_weights``         ``vars`` layout
``*.pt`` / ``*.pth``   torchkeras / plain torch                    ``torch.save`` dict
=====================  ==========================================  ====================

Writing follows the extension as Keras does: ``.keras`` -> the zip Keras 3 loads; ``.h5`` /
``.hdf5`` -> the HDF5 that tf-keras 2.x (and Keras 3's legacy loader) loads; weights to
``*.weights.h5`` -> Keras 3 layout, to another ``.h5`` -> the classic layout; ``.pt`` /
``.pth`` -> a torch checkpoint (``state_dict``; ``save_model`` adds the config). Optimizer
state is included. Writes are atomic (temporary file + rename); under DDP only rank 0 writes,
then every rank meets at a barrier.

Models are built inside the file's Keras era (``backend.config.era_scope``), with
``custom_objects`` in scope for every ``get()`` and ``safe_mode`` governing Lambda bytecode.
"""
from __future__ import annotations

import contextlib
import json
import os
import warnings
from typing import Any, Dict, Optional

from ..backend import config as backend_config
from . import object_registry
from .h5_utils import KerasFileError, atomic_path, has_hdf5_signature, open_h5, read_attr
from .safe_mode import safe_mode_scope

__all__ = ["load_model", "save_model", "save_weights", "load_weights", "compile_config_of",
           "clone_model", "model_from_yaml", "detect_format"]



# ------------------------------------------------------------------------------------------
# format detection
# ------------------------------------------------------------------------------------------
def _is_torch_zip(path) -> bool:
    import zipfile
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    return any(n.endswith("/data.pkl") or n == "data.pkl" for n in names) and \
        "config.json" not in names


def detect_format(path) -> str:
    """'keras', 'h5-model', 'h5-weights', 'weights-v3', 'torch' (from the content)."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No such file or directory: '{path}'")
    if os.path.isdir(path):
        raise KerasFileError(f"'{path}' is a directory (a TensorFlow SavedModel?). torchkeras "
                             "reads .keras, .h5 / .hdf5, .weights.h5 and torch checkpoints.")
    from .keras_zip import is_zip
    if has_hdf5_signature(path):
        with open_h5(path) as f:
            return _h5_kind(f, path)
    if is_zip(path):
        return "torch" if _is_torch_zip(path) else "keras"
    with open(path, "rb") as fh:
        head = fh.read(2)
    if head[:1] == b"\x80":  # a legacy (non-zip) torch.save pickle
        return "torch"
    raise KerasFileError(f"'{path}' is neither an HDF5 file, a .keras zip nor a torch "
                         "checkpoint: it may be truncated or of another format.")


def _h5_kind(f, source) -> str:
    try:
        attrs = f.attrs
        if "model_config" in attrs or "model_config0" in attrs:
            return "h5-model"
        if "layer_names" in attrs or "layer_names0" in attrs:
            return "h5-weights"
        if "model_weights" in f:
            return "h5-model"
        if "layers" in f or "vars" in f or "_layer_checkpoint_dependencies" in f:
            return "weights-v3"
    except Exception as e:  # damaged headers
        raise KerasFileError(f"'{source}': cannot read the HDF5 root ({type(e).__name__}: "
                             f"{e}).") from e
    raise KerasFileError(f"'{source}' is an HDF5 file but not a Keras one: no 'model_config' "
                         "or 'layer_names' attribute and no 'layers' group.")


# ------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------
@contextlib.contextmanager
def _loading_scope(era: int, custom_objects, safe_mode):
    with backend_config.era_scope(era), \
            object_registry.exposed_custom_objects(custom_objects), safe_mode_scope(safe_mode):
        yield


@contextlib.contextmanager
def file_errors(path, action: str = "load"):
    """Errors raised while reading ``path`` come out as ``KerasFileError`` naming the file
    (a damaged file can make h5py / zipfile / json raise almost anything)."""
    try:
        yield
    except (KerasFileError, FileNotFoundError, IsADirectoryError, PermissionError,
            KeyboardInterrupt, MemoryError):
        raise
    except (KeyError, OSError, RuntimeError, IndexError, EOFError, UnicodeError, ValueError,
            TypeError, AttributeError, OverflowError, ZeroDivisionError) as e:
        raise KerasFileError(f"Cannot {action} '{os.fspath(path)}': {type(e).__name__}: "
                             f"{e}") from e


def _chief_write(write_fn) -> None:
    """Run ``write_fn`` on rank 0 only; every rank then waits at a barrier (DDP)."""
    from ..distribute import runtime
    if runtime.is_chief():
        try:
            write_fn()
        finally:
            runtime.barrier()
    else:
        runtime.barrier()


def _unwrap(model):
    """The Keras model behind a DDP / DataParallel wrapper."""
    inner = getattr(model, "module", None)
    if inner is not None and hasattr(inner, "_all_specs") and not hasattr(model, "_all_specs"):
        return inner
    return model


def _model_era(model) -> int:
    """The Keras era whose semantics the model follows: the file's era for a loaded model;
    else the era of the era-dependent functions its layers hold (``hard_sigmoid`` differs
    between tf-keras and Keras 3); else the current era."""
    era = getattr(model, "_torchkeras_era", None)
    if era:
        return int(era)
    from .. import activations
    marks = {id(getattr(activations, "_hard_sigmoid_keras2", None)): 2,
             id(getattr(activations, "_hard_sigmoid_keras3", None)): 3}
    marks.pop(id(None), None)
    found = set()
    for layer in model._flatten_layers(include_self=True):
        for value in vars(layer).values():
            if callable(value) and id(value) in marks:
                found.add(marks[id(value)])
    if len(found) == 1:
        return found.pop()
    return backend_config.keras_era()


def _rebuild(config, source: str, custom_objects):
    from .node_indices import to_zero_based
    from .serialization import deserialize_layer
    try:
        model = deserialize_layer(to_zero_based(config), custom_objects=custom_objects)
    except KerasFileError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as e:
        msg = str(e)
        raise KerasFileError(f"Cannot rebuild the model stored in '{source}': "
                             f"{type(e).__name__}: {msg}") from e
    build_config = config.get("build_config") if isinstance(config, dict) else None
    if not getattr(model, "built", True) and isinstance(build_config, dict) and \
            build_config.get("input_shape") is not None:
        try:
            model.build(tuple(build_config["input_shape"]))
        except Exception as e:  # noqa: BLE001
            raise KerasFileError(f"Cannot build the model stored in '{source}' with its "
                                 f"build_config {build_config}: {e}") from e
    return model


# ------------------------------------------------------------------------------------------
# load_model
# ------------------------------------------------------------------------------------------
def load_model(filepath, custom_objects: Optional[Dict[str, Any]] = None, compile: bool = True,
               safe_mode: bool = True, **kwargs):
    """Load a model saved by Keras 1 / 2 / tf-keras / Keras 3 or torchkeras.

    The model comes back compiled when the file holds a training configuration (optimizer
    state restored, so ``fit`` continues); problems with that configuration only warn.
    """
    kwargs.pop("options", None)
    if kwargs:
        raise TypeError(f"load_model() got unexpected keyword arguments: {sorted(kwargs)}")
    path = os.fspath(filepath)
    with file_errors(path):
        kind = detect_format(path)
        if kind == "keras":
            return _load_keras(path, custom_objects, compile, safe_mode)
        if kind == "h5-model":
            return _load_h5(path, custom_objects, compile, safe_mode)
        if kind == "torch":
            from .torch_checkpoint import load_torch_model
            return load_torch_model(path, custom_objects, compile, safe_mode)
    raise KerasFileError(f"'{path}' holds only weights ({kind}), no model architecture: build "
                         "the model (e.g. `model_from_json`) and call `model.load_weights()`.")


def _load_h5(path, custom_objects, compile, safe_mode):
    from . import legacy_h5, training_config
    from ..legacy import weights as legacy_weights
    with open_h5(path) as f:
        config = legacy_h5.read_json_attr(f, "model_config", path)
        if config is None:
            raise KerasFileError(f"No model config found in the file at '{path}' (it has no "
                                 "'model_config' attribute): it holds weights only.")
        version = legacy_h5.file_keras_version(f)
        backend = legacy_h5.file_backend(f)
        era = read_attr(f, "torchkeras_era")
        era = int(era) if era is not None else backend_config.era_from_version(
            version if version is not None else "1")
        if legacy_weights.is_keras1(version):
            era = 1
        with _loading_scope(era, custom_objects, safe_mode):
            model = _rebuild(config, path, custom_objects)
            g = f["model_weights"] if "model_weights" in f else f
            legacy_h5.load_classic_weights(
                g, model, path, keras_version=version if version is not None else "1",
                backend=backend, class_names=legacy_h5.class_names_from_config(config))
            model._torchkeras_era = backend_config.keras_era()
            if compile:
                tc = None
                try:
                    tc = legacy_h5.read_json_attr(f, "training_config", path)
                except KerasFileError as e:
                    warnings.warn(f"{e} The model is returned uncompiled.", stacklevel=3)
                if tc is not None and training_config.compile_from_config(
                        model, tc, custom_objects, path):
                    try:
                        values = legacy_h5.read_optimizer_weights(f, path)
                    except KerasFileError as e:
                        warnings.warn(f"{e} The optimizer starts fresh.", stacklevel=3)
                        values = None
                    if values:
                        prefer = 3 if str(version or "").startswith("3") else 2
                        training_config.restore_optimizer(model, values, path, prefer)
    return model


def _load_keras(path, custom_objects, compile, safe_mode):
    from . import keras_zip, training_config, weights_v3
    config, metadata, weights = keras_zip.read_keras_zip(path)
    era = metadata.get("torchkeras_era")
    era = int(era) if isinstance(era, int) else backend_config.era_from_version(
        metadata.get("keras_version", "3"))
    compile_cfg = config.get("compile_config")
    with _loading_scope(era, custom_objects, safe_mode):
        model = _rebuild({k: v for k, v in config.items() if k != "compile_config"}, path,
                         custom_objects)
        if weights is None:
            raise KerasFileError(f"'{path}' has no 'model.weights.h5' member.")
        compiled = False
        if compile and compile_cfg:
            compiled = training_config.compile_from_config(model, compile_cfg, custom_objects,
                                                           path)
        with open_h5(weights) as f:
            weights_v3.load_weights(f, model, f"{path}/model.weights.h5")
            if compiled:
                values = weights_v3.read_optimizer_values(f, path)
                if values:
                    training_config.restore_optimizer(model, values, path, 3)
        model._torchkeras_era = backend_config.keras_era()
    return model


# ------------------------------------------------------------------------------------------
# save_model
# ------------------------------------------------------------------------------------------
def _save_format(path: str, save_format) -> str:
    if save_format is not None:
        fmt = str(save_format).lower()
        if fmt in ("h5", "hdf5"):
            return "h5"
        if fmt == "keras":
            return "keras"
        if fmt in ("torch", "pt", "pth"):
            return "torch"
        if fmt == "tf":
            raise ValueError("save_format='tf' (TensorFlow SavedModel) is not supported by "
                             "torchkeras: save to a `.keras` or `.h5` file instead.")
        raise ValueError(f"Unknown `save_format`: {save_format!r}. Expected 'keras', 'h5' or "
                         "'torch'.")
    lower = path.lower()
    if lower.endswith(".keras"):
        return "keras"
    if lower.endswith((".h5", ".hdf5", ".keras.h5")):
        return "h5"
    if lower.endswith((".pt", ".pth")):
        return "torch"
    raise ValueError(f"Invalid filepath extension for saving: '{path}'. Please add either a "
                     "`.keras` extension (Keras 3 zip) or a `.h5` / `.hdf5` extension (HDF5 "
                     "that tf-keras 2.x reads); `.pt` / `.pth` writes a torch checkpoint.")


def save_model(model, filepath, overwrite: bool = True, save_format=None,
               include_optimizer: bool = True, **kwargs) -> None:
    """Save ``model``; the format follows the extension (see the module docstring)."""
    for ignored in ("signatures", "options", "save_traces", "zipped"):
        kwargs.pop(ignored, None)
    if kwargs:
        raise TypeError(f"save_model() got unexpected keyword arguments: {sorted(kwargs)}")
    model = _unwrap(model)
    path = os.fspath(filepath)
    fmt = _save_format(path, save_format)
    from .torch_checkpoint import write_torch_model
    writer = {"keras": _write_keras, "h5": _write_h5, "torch": write_torch_model}[fmt]
    _chief_write(lambda: writer(model, path, overwrite, include_optimizer))


def _write_h5(model, path, overwrite, include_optimizer):
    from ..engine.functional import Functional
    from ..engine.sequential import Sequential
    from . import legacy_h5, training_config
    from .serialization import json_default
    if not isinstance(model, (Functional, Sequential)):
        raise NotImplementedError(
            "Saving the model to HDF5 format requires the model to be a Functional model or a "
            f"Sequential model; '{model.name}' is a subclassed {type(model).__name__}. Save it "
            "as `.keras` (with get_config / from_config), or use `save_weights()`.")
    config = legacy_h5.k2_model_config(model)
    tc = training_config.training_config_of(model) if include_optimizer else None
    opt = training_config.optimizer_values(model, 2) if include_optimizer and tc else None
    with atomic_path(path, overwrite) as tmp:
        with open_h5(tmp, "w") as f:
            f.attrs["keras_version"] = legacy_h5.WRITTEN_KERAS_VERSION
            f.attrs["backend"] = legacy_h5.WRITTEN_BACKEND
            f.attrs["torchkeras_era"] = _model_era(model)
            f.attrs["model_config"] = json.dumps(config, default=json_default)
            if tc is not None:
                f.attrs["training_config"] = json.dumps(tc, default=json_default)
            g = f.create_group("model_weights")
            legacy_h5.write_classic_weights(g, model)
            if opt:
                legacy_h5.write_optimizer_weights(f, opt)
            f.flush()


def _weights_v3_bytes(model, include_optimizer: bool) -> bytes:
    import io
    from . import training_config, weights_v3
    opt_values, opt_name = None, None
    if include_optimizer and getattr(model, "_compile_args", None) is not None:
        entries = training_config.optimizer_values(model, 3)
        if entries is not None:
            opt_values = [v for _, v in entries]
            opt_name = getattr(model.optimizer, "name", None)
    bio = io.BytesIO()
    with open_h5(bio, "w") as f:
        weights_v3.write_weights(f, model, opt_values, opt_name)
    return bio.getvalue()


def _write_keras(model, path, overwrite, include_optimizer):
    from . import k3_config, keras_zip, training_config
    compile_cfg = training_config.compile_config_of(model) if include_optimizer else None
    config = k3_config.model_config(model, compile_cfg)
    weights = _weights_v3_bytes(model, include_optimizer)
    with atomic_path(path, overwrite) as tmp:
        keras_zip.write_keras_zip(tmp, config, weights, _model_era(model))


# ------------------------------------------------------------------------------------------
# weights
# ------------------------------------------------------------------------------------------
def save_weights(model, filepath, overwrite: bool = True, save_format=None, **kwargs) -> None:
    """``Model.save_weights``: ``*.weights.h5`` -> Keras 3 layout, other ``.h5`` / ``.hdf5``
    -> classic (tf-keras) layout, ``.pt`` / ``.pth`` -> torch ``state_dict``."""
    kwargs.pop("options", None)
    if kwargs:
        raise TypeError(f"save_weights() got unexpected keyword arguments: {sorted(kwargs)}")
    model = _unwrap(model)
    path = os.fspath(filepath)
    lower = path.lower()
    fmt = str(save_format).lower() if save_format is not None else None
    if fmt in ("torch", "pt", "pth") or (fmt is None and lower.endswith((".pt", ".pth"))):
        kind = "torch"
    elif lower.endswith(".weights.h5"):
        kind = "v3"
    elif fmt in (None, "h5", "hdf5"):
        kind = "classic"
        if fmt is None and not lower.endswith((".h5", ".hdf5", ".keras")):
            warnings.warn(f"save_weights('{path}'): the TensorFlow checkpoint format is not "
                          "supported; writing the Keras HDF5 weights layout instead.",
                          stacklevel=3)
    elif fmt == "tf":
        raise ValueError("save_format='tf' (TensorFlow checkpoint) is not supported by "
                         "torchkeras: use a `.weights.h5` or `.h5` file name.")
    else:
        raise ValueError(f"Unknown `save_format` for weights: {save_format!r}.")

    def write():
        from . import legacy_h5
        with atomic_path(path, overwrite) as tmp:
            if kind == "torch":
                import torch
                torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, tmp)
            elif kind == "v3":
                with open(tmp, "wb") as fh:
                    fh.write(_weights_v3_bytes(model, include_optimizer=True))
            else:
                with open_h5(tmp, "w") as f:
                    legacy_h5.write_classic_weights(f, model, top_level_group=False)
    _chief_write(write)


def load_weights(model, filepath, by_name: bool = False, skip_mismatch: bool = False,
                 **kwargs):
    """``Model.load_weights`` for every weights layout (chosen from the content)."""
    kwargs.pop("options", None)
    if kwargs:
        raise TypeError(f"load_weights() got unexpected keyword arguments: {sorted(kwargs)}")
    model = _unwrap(model)
    path = os.fspath(filepath)
    with file_errors(path, "load weights from"):
        return _load_weights(model, path, by_name, skip_mismatch)


def _load_weights(model, path, by_name, skip_mismatch):
    kind = detect_format(path)
    if kind == "torch":
        from .torch_checkpoint import TORCH_FORMAT_TAG, load_state_dict, torch_load
        state = torch_load(path)
        if isinstance(state, dict) and state.get("format") == TORCH_FORMAT_TAG:
            state = state.get("state_dict")
        load_state_dict(model, state, path, skip_mismatch=skip_mismatch, by_name=by_name)
        return None
    if kind == "keras":
        from . import keras_zip
        _, _, weights = keras_zip.read_keras_zip(path)
        if weights is None:
            raise KerasFileError(f"'{path}' has no 'model.weights.h5' member.")
        with open_h5(weights) as f:
            _load_v3(model, f, f"{path}/model.weights.h5", by_name, skip_mismatch)
        return None
    from . import legacy_h5
    with open_h5(path) as f:
        if kind == "weights-v3":
            _load_v3(model, f, path, by_name, skip_mismatch)
            return None
        version = legacy_h5.file_keras_version(f)
        backend = legacy_h5.file_backend(f)
        class_names = {}
        g = f
        if kind == "h5-model":
            if "model_weights" not in f:
                raise KerasFileError(f"'{path}' has a model config but no 'model_weights' "
                                     "group.")
            g = f["model_weights"]
            try:
                cfg = legacy_h5.read_json_attr(f, "model_config", path)
                class_names = legacy_h5.class_names_from_config(cfg)
            except KerasFileError:
                class_names = {}
        legacy_h5.load_classic_weights(g, model, path, by_name=by_name,
                                       skip_mismatch=skip_mismatch,
                                       keras_version=version, backend=backend,
                                       class_names=class_names)
    return None


def _load_v3(model, f, source, by_name, skip_mismatch):
    from . import training_config, weights_v3
    if by_name:
        _load_v3_by_name(model, f, source, skip_mismatch)
    else:
        weights_v3.load_weights(f, model, source, skip_mismatch=skip_mismatch)
    opt = getattr(model, "optimizer", None)
    if getattr(opt, "built", False):
        values = weights_v3.read_optimizer_values(f, source)
        if values and len(values) > 1:
            training_config.restore_optimizer(model, values, source, 3)


def _load_v3_by_name(model, f, source, skip_mismatch):
    """by_name for the Keras 3 layout: top-level layers paired through the ``name``
    attribute Keras 3 writes on each ``vars`` group."""
    from . import weights_v3
    layers_group = f["layers"] if "layers" in f else None
    names = {}
    if layers_group is not None:
        for key in layers_group.keys():
            g = layers_group[key]
            n = weights_v3._vars_name(g) if hasattr(g, "keys") else None
            if n is not None:
                names[n] = g
    if layers_group is not None and not names:
        raise KerasFileError(f"load_weights('{source}', by_name=True): this file does not "
                             "record layer names (tf-keras .weights.h5 files do not); load it "
                             "without by_name.")
    plan = weights_v3._Plan(source)
    for layer in model.layers:
        g = names.get(layer.name)
        if g is None:
            continue
        weights_v3.plan_layer_tree(layer, g, g.name.lstrip("/"), plan, skip_mismatch, set())
    plan.apply()


# ------------------------------------------------------------------------------------------
# compile config, clone, yaml
# ------------------------------------------------------------------------------------------
def compile_config_of(model):
    """``model.get_compile_config()`` (Keras 3 form)."""
    from . import training_config
    return training_config.compile_config_of(model)


def clone_model(model, input_tensors=None, clone_function=None, **kwargs):
    """``keras.models.clone_model`` (see ``torchkeras.saving.clone``)."""
    from .clone import clone_model as _clone
    return _clone(model, input_tensors=input_tensors, clone_function=clone_function, **kwargs)


def model_from_yaml(yaml_string=None, custom_objects=None):
    """Removed in Keras 2.6 for security reasons; raises as Keras does."""
    raise RuntimeError("Method `model_from_yaml()` has been removed due to security risk of "
                       "arbitrary code execution. Please use `Model.to_json()` and "
                       "`model_from_json()` instead.")
