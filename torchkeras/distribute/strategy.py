"""Compatibility front doors for data-parallel scripts.

* ``tf.distribute.MirroredStrategy()`` / ``keras.distribute.MirroredStrategy()``: ``scope()``
  is a no-op context, ``num_replicas_in_sync`` is the torchrun world size. Under ``torchrun``
  ``fit`` is data-parallel with DDP; launched as a single process it trains on one device.
* Keras 3 ``keras.distribution.DataParallel`` + ``set_distribution``: same meaning.
* ``keras.utils.multi_gpu_model(model, gpus)``: returns the model itself with a warning.
"""
from __future__ import annotations

import contextlib
import warnings

from . import runtime


class MirroredStrategy:
    def __init__(self, devices=None, cross_device_ops=None):
        self.devices = devices
        if runtime.is_launched():
            from .ddp import init_process_group_from_env
            init_process_group_from_env()

    @property
    def num_replicas_in_sync(self) -> int:
        return runtime.get_world_size()

    @contextlib.contextmanager
    def scope(self):
        yield self

    def experimental_distribute_dataset(self, dataset):
        return dataset

    def __repr__(self):
        return f"<MirroredStrategy replicas={self.num_replicas_in_sync}>"


MultiWorkerMirroredStrategy = MirroredStrategy


class DataParallel:
    """Keras 3 ``keras.distribution.DataParallel(devices=None)``."""

    def __init__(self, devices=None, device_mesh=None, **kwargs):
        self.devices = devices
        if runtime.is_launched():
            from .ddp import init_process_group_from_env
            init_process_group_from_env()

    @contextlib.contextmanager
    def scope(self):
        yield self


_DISTRIBUTION = None


def set_distribution(distribution) -> None:
    global _DISTRIBUTION
    _DISTRIBUTION = distribution


def distribution():
    return _DISTRIBUTION


def list_devices(device_type=None):
    import torch
    if (device_type in (None, "gpu", "cuda")) and torch.cuda.is_available():
        return [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    return ["cpu:0"]


def initialize(job_addresses=None, num_processes=None, process_id=None) -> None:
    if runtime.is_launched():
        from .ddp import init_process_group_from_env
        init_process_group_from_env()


def multi_gpu_model(model, gpus=None, cpu_merge=True, cpu_relocation=False):
    """Removed in TF 2.4: torchkeras returns ``model`` itself; run the script under
    ``torchrun --nproc_per_node=N`` for data parallelism (DDP)."""
    warnings.warn("`multi_gpu_model` is deprecated (removed in TensorFlow 2.4). torchkeras returns "
                  "the model unchanged: launch the script with `torchrun --nproc_per_node=N "
                  "script.py` (or `python -m torchkeras.launch --nproc N script.py`) to train "
                  "data-parallel with PyTorch DDP.", DeprecationWarning, stacklevel=2)
    return model
