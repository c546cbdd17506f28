"""Scale-out: data-parallel training under ``torchrun`` (PyTorch DDP), and the compatibility
front doors old scripts use (``MirroredStrategy``, ``keras.distribution.DataParallel``)."""
from .runtime import (barrier, get_rank, get_world_size, is_chief, is_distributed,
                      reduce_metric_states)

from .strategy import (DataParallel, MirroredStrategy, MultiWorkerMirroredStrategy,
                       multi_gpu_model)

__all__ = ["DataParallel", "MirroredStrategy", "MultiWorkerMirroredStrategy", "multi_gpu_model",
           "barrier", "get_rank", "get_world_size", "is_chief", "is_distributed",
           "reduce_metric_states"]
