"""PyTorch DDP under ``torchrun``: process group, model wrapping, agreed decisions.

Conventions (see /docs in the README): the local CUDA device is set from ``LOCAL_RANK``
before ``init_process_group`` (nccl on CUDA, gloo on CPU); the model is wrapped in
``DistributedDataParallel`` for training only, while the unwrapped model serves ``summary()``,
saving, ``get_weights`` and ``predict``; ``batch_size`` is the *global* batch (Keras /
tf.distribute semantics), split between ranks; metric states are summed across ranks so every
rank logs the same numbers; stop decisions are agreed (any rank stopping stops all).
"""
from __future__ import annotations

import os
from typing import Optional

import torch
import torch.distributed as dist


def init_process_group_from_env() -> None:
    """Initialise the default process group from torchrun's environment (idempotent)."""
    if dist.is_initialized():
        return
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = torch.cuda.is_available() and os.environ.get("TORCHKERAS_DEVICE", "") != "cpu"
    if use_cuda:
        torch.cuda.set_device(local_rank % max(1, torch.cuda.device_count()))
    backend = os.environ.get("TORCHKERAS_DIST_BACKEND") or ("nccl" if use_cuda else "gloo")
    dist.init_process_group(backend=backend, init_method="env://")


class DistState:
    """Per-model distributed state: rank, world size, the DDP wrapper."""

    def __init__(self, rank: int, world_size: int, local_rank: int):
        self.rank = rank
        self.world_size = world_size
        self.local_rank = local_rank
        self.ddp: Optional[torch.nn.Module] = None
        self._wrapped_for = None

    @classmethod
    def create(cls) -> "DistState":
        init_process_group_from_env()
        return cls(dist.get_rank(), dist.get_world_size(),
                   int(os.environ.get("LOCAL_RANK", "0")))

    def wrap(self, model) -> None:
        """Wrap ``model`` in DDP once (parameters broadcast from rank 0)."""
        if self._wrapped_for is model and self.ddp is not None:
            return
        from torch.nn.parallel import DistributedDataParallel as DDP
        dev = model._device_hint()
        kwargs = {}
        if dev.type == "cuda":
            kwargs["device_ids"] = [dev.index if dev.index is not None else
                                    torch.cuda.current_device()]
        find_unused = os.environ.get("TORCHKERAS_FIND_UNUSED_PARAMETERS", "0") == "1"
        ddp = DDP(model, find_unused_parameters=find_unused, **kwargs)
        object.__setattr__(self, "ddp", ddp)
        self._wrapped_for = model

    def agree(self, flag: bool) -> bool:
        """True on every rank if it is True on any rank."""
        t = torch.tensor([1.0 if flag else 0.0], device=self._collective_device())
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return bool(t.item() > 0)

    def _collective_device(self):
        if dist.get_backend() == "nccl":
            return torch.device("cuda", torch.cuda.current_device())
        return torch.device("cpu")


def all_reduce_metric_states(metrics) -> None:
    from ..metrics.base import all_reduce_states
    for m in metrics:
        all_reduce_states(m)
