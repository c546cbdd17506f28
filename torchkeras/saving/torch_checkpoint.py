"""torch checkpoints (``.pt`` / ``.pth``).

``save_model(model, "m.pt")`` writes ``torch.save`` of a dict: ``format`` =
``"torchkeras-checkpoint"``, ``era``, ``model_config`` (JSON), ``state_dict`` (CPU tensors) and,
when compiled, ``compile_config`` (JSON) and ``optimizer_variables`` (Keras 3 layout). Only
plain types and tensors, so it loads with ``torch.load(weights_only=True)``.
``save_weights(model, "w.pt")`` writes a plain ``model.state_dict()``, which plain torch code
reads too.
"""
from __future__ import annotations

import json
import warnings

from .h5_utils import KerasFileError, atomic_path

TORCH_FORMAT_TAG = "torchkeras-checkpoint"


def write_torch_model(model, path, overwrite, include_optimizer):
    """``save_model(model, "m.pt")`` (see the module docstring)."""
    import torch
    from . import training_config
    from .api import _model_era
    from .serialization import json_default, model_to_config
    ckpt = {"format": TORCH_FORMAT_TAG, "version": 1, "era": _model_era(model),
            "model_config": json.dumps(model_to_config(model), default=json_default),
            "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()}}
    cc = training_config.compile_config_of(model) if include_optimizer else None
    if cc is not None:
        ckpt["compile_config"] = json.dumps(cc, default=json_default)
        entries = training_config.optimizer_values(model, 3)
        if entries is not None:
            ckpt["optimizer_variables"] = [torch.from_numpy(v) for _, v in entries]
    with atomic_path(path, overwrite) as tmp:
        torch.save(ckpt, tmp)


def torch_load(path):
    """``torch.load(path, weights_only=True)`` on CPU; failures -> KerasFileError."""
    import pickle
    import torch
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError, OSError,
            AttributeError, ImportError, KeyError, TypeError, IndexError, MemoryError) as e:
        raise KerasFileError(f"Cannot read the torch checkpoint '{path}' (loaded with "
                             f"weights_only=True): {type(e).__name__}: {e}") from e


def load_torch_model(path, custom_objects, compile, safe_mode):
    """``load_model("m.pt")``: rebuild from the stored config, then state and compile."""
    from . import training_config
    ckpt = torch_load(path)
    if not isinstance(ckpt, dict) or ckpt.get("format") != TORCH_FORMAT_TAG:
        raise KerasFileError(f"'{path}' is a torch checkpoint without a model architecture "
                             "(a plain state_dict): build the model and call "
                             "`model.load_weights()`.")
    try:
        config = json.loads(ckpt["model_config"])
    except (KeyError, TypeError, ValueError) as e:
        raise KerasFileError(f"'{path}': damaged 'model_config' entry ({e}).") from e
    era = int(ckpt.get("era", 3))
    from .api import _loading_scope, _rebuild
    with _loading_scope(era, custom_objects, safe_mode):
        model = _rebuild(config, path, custom_objects)
        load_state_dict(model, ckpt.get("state_dict"), path, skip_mismatch=False)
        if compile and ckpt.get("compile_config"):
            try:
                cc = json.loads(ckpt["compile_config"])
            except (TypeError, ValueError) as e:
                warnings.warn(f"'{path}': damaged compile_config ({e}); the model is returned "
                              "uncompiled.", stacklevel=3)
                cc = None
            if cc and training_config.compile_from_config(model, cc, custom_objects, path) \
                    and ckpt.get("optimizer_variables"):
                training_config.restore_optimizer(model, list(ckpt["optimizer_variables"]),
                                                  path, 3)
        model._torchkeras_era = era
    return model


def load_state_dict(model, state_dict, source, skip_mismatch=False, by_name=False) -> None:
    """Load a torch ``state_dict``. Keys are module paths built from layer names; when they
    differ (auto-generated names: ``dense`` vs ``dense_2``) but the entries correspond one to
    one in order and shape, they are paired by position, as Keras pairs HDF5 layers
    (``by_name=True`` insists on the names)."""
    import torch
    if isinstance(state_dict, dict) and "state_dict" in state_dict and \
            isinstance(state_dict["state_dict"], dict):
        state_dict = state_dict["state_dict"]
    if not isinstance(state_dict, dict) or not all(
            isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state_dict.items()):
        raise KerasFileError(f"'{source}' does not hold a torch state_dict (a dict of tensors).")
    own = model.state_dict()
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    bad = [(k, tuple(own[k].shape), tuple(state_dict[k].shape)) for k in own
           if k in state_dict and tuple(own[k].shape) != tuple(state_dict[k].shape)]
    if (missing or unexpected) and not by_name and len(own) == len(state_dict) and all(
            tuple(a.shape) == tuple(b.shape) for a, b in zip(own.values(), state_dict.values())):
        state_dict = dict(zip(own.keys(), state_dict.values()))
        missing, unexpected, bad = [], [], []
    if missing or unexpected or bad:
        msg = (f"Cannot load the state_dict in '{source}' into model '{model.name}': "
               + "; ".join(p for p in (
                   f"missing keys {missing[:10]}" if missing else "",
                   f"unexpected keys {unexpected[:10]}" if unexpected else "",
                   "shape mismatch " + ", ".join(f"'{k}' expected {a}, found {b}"
                                                 for k, a, b in bad[:10]) if bad else "")
                   if p))
        if not skip_mismatch:
            raise KerasFileError(msg)
        warnings.warn(msg + " Loading the matching entries only (skip_mismatch=True).",
                      stacklevel=3)
        state_dict = {k: v for k, v in state_dict.items()
                      if k in own and tuple(own[k].shape) == tuple(v.shape)}
    model.load_state_dict(state_dict, strict=False)
