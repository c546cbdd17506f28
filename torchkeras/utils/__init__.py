"""``keras.utils``: data helpers, progress bar, object scopes, model plotting.

Names load lazily from their modules (so ``import torchkeras.utils`` stays cheap).
"""
from __future__ import annotations

import importlib

_NAMES = {
    # numerical / data
    "to_categorical": "numerical", "normalize": "numerical",
    "set_random_seed": "rng",
    "Sequence": "data", "PyDataset": "data", "SequenceEnqueuer": "data",
    "OrderedEnqueuer": "data", "GeneratorEnqueuer": "data",
    "timeseries_dataset_from_array": "data",
    "pad_sequences": "sequence_utils",
    "get_file": "file_utils", "validate_file": "file_utils", "hash_file": "file_utils",
    "extract_archive": "file_utils",
    "load_img": "image_utils", "img_to_array": "image_utils", "array_to_img": "image_utils",
    "save_img": "image_utils",
    # output
    "Progbar": "progbar",
    # objects
    "custom_object_scope": "torchkeras.saving.object_registry",
    "CustomObjectScope": "torchkeras.saving.object_registry",
    "get_custom_objects": "torchkeras.saving.object_registry",
    "register_keras_serializable": "torchkeras.saving.object_registry",
    "get_registered_object": "torchkeras.saving.object_registry",
    "get_registered_name": "torchkeras.saving.object_registry",
    "serialize_keras_object": "torchkeras.saving.serialization",
    "deserialize_keras_object": "torchkeras.saving.serialization",
    # graph helpers
    "plot_model": "vis_utils", "model_to_dot": "vis_utils",
    "get_source_inputs": "layer_utils", "count_params": "layer_utils",
    "multi_gpu_model": "torchkeras.distribute.strategy",
}


def __getattr__(name):
    if name in _NAMES:
        mod = _NAMES[name]
        module = importlib.import_module(mod if mod.startswith("torchkeras.")
                                         else f"{__name__}.{mod}")
        value = getattr(module, name)
        globals()[name] = value
        return value
    if name in ("np_utils", "data_utils", "generic_utils", "vis_utils", "layer_utils",
                "io_utils", "conv_utils"):
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError:
            return importlib.import_module(f"torchkeras.legacy.modules.utils_{name}")
    raise AttributeError(f"module 'torchkeras.utils' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_NAMES))
