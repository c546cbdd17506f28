"""Process-group detection and the per-model DDP state used by the trainer.

World size 1 (no launcher) pays nothing: ``attach`` returns None and the trainer runs the
plain loop.
"""
from __future__ import annotations

import os
from typing import Optional

import torch


def is_launched() -> bool:
    """True under torchrun / torch.distributed.launch (or an initialised process group)."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_world_size() > 1
    try:
        if torch.distributed.is_torchelastic_launched():
            return int(os.environ.get("WORLD_SIZE", "1")) > 1
    except AttributeError:  # pragma: no cover
        pass
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def is_distributed() -> bool:
    return torch.distributed.is_available() and torch.distributed.is_initialized() and \
        torch.distributed.get_world_size() > 1


def get_rank() -> int:
    if is_distributed():
        return torch.distributed.get_rank()
    return int(os.environ.get("RANK", "0"))


def get_world_size() -> int:
    if is_distributed():
        return torch.distributed.get_world_size()
    return 1


def is_chief() -> bool:
    """Whether this process prints and writes files (rank 0)."""
    return get_rank() == 0


def barrier() -> None:
    if is_distributed():
        torch.distributed.barrier()


def reduce_metric_states(metrics) -> None:
    """All-reduce (sum) the state variables of ``metrics`` across ranks (in place)."""
    if not is_distributed():
        return
    from .ddp import all_reduce_metric_states
    all_reduce_metric_states(metrics)


def attach(model) -> Optional[object]:
    """The model's DDP state when running under a launcher, else None."""
    if not is_launched():
        return None
    from .ddp import DistState
    state = getattr(model, "_dist", None)
    if state is None:
        state = DistState.create()
    return state
