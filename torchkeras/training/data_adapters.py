"""Turn what ``fit`` / ``evaluate`` / ``predict`` receive into batches of device tensors.

Accepted, as in Keras: numpy arrays and torch tensors (also lists / tuples / dicts of them for
several inputs or outputs), Python generators and iterators yielding ``x``, ``(x, y)`` or
``(x, y, sample_weight)``, ``keras.utils.Sequence`` / ``PyDataset``, torch ``Dataset`` and
``DataLoader``. Arrays go to the device once and are sliced (or gathered, when shuffling) per
batch; streamed inputs are moved batch by batch (pinned + non-blocking on CUDA).

Distributed: with ``world_size > 1`` each global batch (``batch_size`` samples, Keras's
semantics) is split between ranks; ``DataLoader`` s get a ``DistributedSampler``.
"""
from __future__ import annotations

import math
from typing import Any, Iterator, Optional, Tuple

import numpy as np
import torch

from ..engine import tree


def _to_tensor(x, device):
    if x is None:
        return None
    if isinstance(x, torch.Tensor):
        return x.to(device) if x.device != device else x
    if isinstance(x, (list, tuple)) and x and all(
            isinstance(v, (np.ndarray, torch.Tensor, list, tuple, dict)) for v in x):
        return type(x)(_to_tensor(v, device) for v in x)
    if isinstance(x, dict):
        return {k: _to_tensor(v, device) for k, v in x.items()}
    arr = np.asarray(x)
    if arr.dtype == np.float64:
        arr = arr.astype(np.float32)
    elif arr.dtype == object or arr.dtype.kind in "US":
        raise ValueError(f"Unsupported input data type {arr.dtype}: torchkeras needs numeric "
                         "arrays (tokenize strings first).")
    t = torch.from_numpy(np.ascontiguousarray(arr))
    return t.to(device) if device.type != "cpu" else t


def to_device(struct, device, non_blocking=False):
    """Move every tensor of a nested structure to ``device`` (numpy converted first)."""
    if struct is None:
        return None
    if isinstance(struct, torch.Tensor):
        if struct.device == device:
            return struct
        return struct.to(device, non_blocking=non_blocking)
    if isinstance(struct, np.ndarray) or np.isscalar(struct):
        return _to_tensor(struct, device)
    if isinstance(struct, (list, tuple)):
        if struct and not isinstance(struct[0], (torch.Tensor, np.ndarray, list, tuple, dict)):
            return _to_tensor(struct, device)
        return type(struct)(to_device(v, device, non_blocking) for v in struct)
    if isinstance(struct, dict):
        return {k: to_device(v, device, non_blocking) for k, v in struct.items()}
    return struct


def num_samples(struct) -> Optional[int]:
    for leaf in tree.flatten(struct):
        if leaf is not None and hasattr(leaf, "shape") and len(leaf.shape):
            return int(leaf.shape[0])
    return None


def check_cardinality(x, y=None, sample_weight=None) -> int:
    """Keras's 'Data cardinality is ambiguous' check; returns the sample count."""
    sizes = {}
    for label, struct in (("x", x), ("y", y), ("sample_weight", sample_weight)):
        if struct is None:
            continue
        ns = [int(l.shape[0]) for l in tree.flatten(struct) if l is not None and
              hasattr(l, "shape") and len(l.shape)]
        if ns:
            sizes[label] = ns
    flat = {n for ns in sizes.values() for n in ns}
    if len(flat) > 1:
        detail = "\n".join(f"'{k}' sizes: {', '.join(str(n) for n in v)}"
                           for k, v in sizes.items())
        raise ValueError("Data cardinality is ambiguous. Make sure all arrays contain the same "
                         f"number of samples.\n{detail}")
    if not flat:
        raise ValueError("Unexpected empty input data: `x` has no samples.")
    return flat.pop()


def slice_struct(struct, sl):
    if struct is None:
        return None
    if isinstance(struct, (list, tuple)):
        return type(struct)(slice_struct(v, sl) for v in struct)
    if isinstance(struct, dict):
        return {k: slice_struct(v, sl) for k, v in struct.items()}
    return struct[sl]


def unpack_data(data) -> Tuple[Any, Any, Any]:
    """``x`` / ``(x,)`` / ``(x, y)`` / ``(x, y, sample_weight)`` -> ``(x, y, sw)``.

    A list is read as a tuple, as tf.keras does (old generators yield ``[x, y]``)."""
    if isinstance(data, list) and len(data) in (2, 3):
        data = tuple(data)
    if isinstance(data, tuple):
        if len(data) == 1:
            return data[0], None, None
        if len(data) == 2:
            return data[0], data[1], None
        if len(data) == 3:
            return data[0], data[1], data[2]
        raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                         f"`(x, y, sample_weight)`, found a tuple of {len(data)} elements.")
    return data, None, None


def _is_array(x) -> bool:
    return isinstance(x, (np.ndarray, torch.Tensor))


class DataAdapter:
    """Iterate batches ``(x, y, sample_weight)`` of device tensors, one epoch at a time."""

    num_batches: Optional[int] = None
    num_samples_total: Optional[int] = None

    def epoch(self, epoch_index: int = 0) -> Iterator:
        raise NotImplementedError

    def on_epoch_end(self) -> None:
        pass


class ArrayDataAdapter(DataAdapter):
    def __init__(self, x, y=None, sample_weight=None, batch_size: Optional[int] = 32,
                 shuffle=False, steps: Optional[int] = None, device=torch.device("cpu"),
                 rank: int = 0, world_size: int = 1, drop_remainder=False):
        n = check_cardinality(x, y, sample_weight)
        self.x = to_device(x, device)
        self.y = to_device(y, device)
        self.sw = to_device(sample_weight, device)
        self.n = n
        self.num_samples_total = n
        self.batch_size = batch_size or 32
        self.shuffle = shuffle
        self.device = device
        self.rank, self.world_size = rank, world_size
        nb = math.ceil(n / self.batch_size)
        self.num_batches = min(nb, steps) if steps else nb
        self._steps = steps

    def _batch_slices(self):
        """(lo, hi, global batch size) of this rank's part of each global batch."""
        bs = self.batch_size
        n = self.n
        for b in range(math.ceil(n / bs)):
            lo, hi = b * bs, min((b + 1) * bs, n)
            size = hi - lo
            if self.world_size > 1:
                per = math.ceil(size / self.world_size)
                lo, hi = min(lo + self.rank * per, hi), min(lo + (self.rank + 1) * per, hi)
            yield lo, hi, size

    def epoch(self, epoch_index: int = 0):
        perm = None
        if self.shuffle is True or self.shuffle == "true":
            gen_device = self.device if self.device.type == "cuda" else "cpu"
            perm = torch.randperm(self.n, device=gen_device)
            if self.world_size > 1:  # same permutation on every rank
                perm = _broadcast_perm(perm)
        order = list(self._batch_slices())
        if self.shuffle == "batch":
            idx = torch.randperm(len(order)).tolist()
            order = [order[i] for i in idx]
        count = 0
        repeats = 0
        while True:
            for lo, hi, size in order:
                if self._steps is not None and count >= self._steps:
                    return
                self.global_batch_size = size
                if perm is not None:
                    sel = perm[lo:hi]
                    yield (slice_struct(self.x, sel), slice_struct(self.y, sel),
                           slice_struct(self.sw, sel))
                else:
                    sl = slice(lo, hi)
                    yield (slice_struct(self.x, sl), slice_struct(self.y, sl),
                           slice_struct(self.sw, sl))
                count += 1
            repeats += 1
            if self._steps is None or count >= self._steps:
                return


def _broadcast_perm(perm):
    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        dev = perm.device
        if dist.get_backend() == "nccl" and dev.type != "cuda":
            perm = perm.cuda()
        dist.broadcast(perm, src=0)
        perm = perm.to(dev)
    return perm


class GeneratorDataAdapter(DataAdapter):
    """A Python generator / iterator; ``steps`` batches per epoch (until exhausted if None)."""

    def __init__(self, generator, steps: Optional[int] = None, device=torch.device("cpu"),
                 rank: int = 0, world_size: int = 1):
        self.generator = generator
        self.num_batches = steps
        self.device = device
        self.rank, self.world_size = rank, world_size
        self._iterator = None

    def epoch(self, epoch_index: int = 0):
        if self._iterator is None or self.num_batches is None:
            self._iterator = iter(self.generator)
        count = 0
        while self.num_batches is None or count < self.num_batches:
            try:
                item = next(self._iterator)
            except StopIteration:
                if self.num_batches is not None and count == 0:
                    return
                self._iterator = None
                return
            count += 1
            if self.world_size > 1 and (count - 1) % self.world_size != self.rank:
                continue
            x, y, sw = unpack_data(item)
            yield to_device(x, self.device), to_device(y, self.device), \
                to_device(sw, self.device)


class SequenceDataAdapter(DataAdapter):
    """``keras.utils.Sequence`` / ``PyDataset``: batches by index, ``on_epoch_end`` after each
    epoch, shuffled order when ``shuffle`` is True."""

    def __init__(self, sequence, shuffle=False, steps: Optional[int] = None,
                 device=torch.device("cpu"), rank: int = 0, world_size: int = 1):
        self.sequence = sequence
        self.shuffle = shuffle
        n = len(sequence)
        self.num_batches = min(n, steps) if steps else n
        self.device = device
        self.rank, self.world_size = rank, world_size

    def epoch(self, epoch_index: int = 0):
        order = list(range(len(self.sequence)))
        if self.shuffle is True:
            g = torch.Generator()
            g.manual_seed(torch.initial_seed() % (2 ** 31) + epoch_index)
            order = torch.randperm(len(order), generator=g).tolist()
        order = order[:self.num_batches]
        for i, idx in enumerate(order):
            if self.world_size > 1 and i % self.world_size != self.rank:
                continue
            x, y, sw = unpack_data(self.sequence[idx])
            yield to_device(x, self.device), to_device(y, self.device), \
                to_device(sw, self.device)

    def on_epoch_end(self):
        if hasattr(self.sequence, "on_epoch_end"):
            self.sequence.on_epoch_end()


class TorchDataLoaderAdapter(DataAdapter):
    """A torch ``DataLoader`` (or ``Dataset``, wrapped in one with ``batch_size``)."""

    def __init__(self, loader, batch_size=None, shuffle=False, steps: Optional[int] = None,
                 device=torch.device("cpu"), rank: int = 0, world_size: int = 1):
        from torch.utils.data import DataLoader, Dataset
        if isinstance(loader, Dataset) and not isinstance(loader, DataLoader):
            loader = DataLoader(loader, batch_size=batch_size or 32, shuffle=bool(shuffle),
                                pin_memory=device.type == "cuda")
        self.sampler = None
        if world_size > 1:
            loader, self.sampler = _distributed_loader(loader, rank, world_size)
        self.loader = loader
        try:
            n = len(loader)
        except TypeError:
            n = None
        self.num_batches = min(n, steps) if (steps and n) else (steps or n)
        self.device = device

    def epoch(self, epoch_index: int = 0):
        if self.sampler is not None:
            self.sampler.set_epoch(epoch_index)
        nb = self.device.type == "cuda"
        for i, item in enumerate(self.loader):
            if self.num_batches is not None and i >= self.num_batches:
                return
            if isinstance(item, list):
                item = tuple(item)
            x, y, sw = unpack_data(item)
            yield to_device(x, self.device, nb), to_device(y, self.device, nb), \
                to_device(sw, self.device, nb)


def _distributed_loader(loader, rank, world_size):
    from torch.utils.data import DataLoader, RandomSampler
    from torch.utils.data.distributed import DistributedSampler
    if isinstance(getattr(loader, "sampler", None), DistributedSampler):
        return loader, loader.sampler
    shuffle = isinstance(loader.sampler, RandomSampler)
    sampler = DistributedSampler(loader.dataset, num_replicas=world_size, rank=rank,
                                 shuffle=shuffle, drop_last=False)
    per_rank = max(1, (loader.batch_size or 1) // world_size)
    new = DataLoader(loader.dataset, batch_size=per_rank, sampler=sampler,
                     num_workers=loader.num_workers, collate_fn=loader.collate_fn,
                     pin_memory=loader.pin_memory, drop_last=loader.drop_last)
    return new, sampler


def is_sequence(x) -> bool:
    try:
        from ..utils.data import Sequence
    except ImportError:  # pragma: no cover
        Sequence = ()
    if Sequence and isinstance(x, Sequence):
        return True
    return hasattr(x, "__getitem__") and hasattr(x, "__len__") and hasattr(x, "on_epoch_end") \
        and not isinstance(x, (np.ndarray, torch.Tensor, list, tuple, dict))


def get_adapter(x, y=None, sample_weight=None, batch_size=None, shuffle=False, steps=None,
                device=torch.device("cpu"), rank=0, world_size=1) -> DataAdapter:
    from torch.utils.data import DataLoader, Dataset
    if isinstance(x, (DataLoader, Dataset)):
        _no_y(y, sample_weight, "a torch DataLoader/Dataset")
        return TorchDataLoaderAdapter(x, batch_size, shuffle, steps, device, rank, world_size)
    if is_sequence(x):
        _no_y(y, sample_weight, "a keras.utils.Sequence")
        return SequenceDataAdapter(x, shuffle, steps, device, rank, world_size)
    if hasattr(x, "__next__") or (hasattr(x, "__iter__") and not isinstance(
            x, (np.ndarray, torch.Tensor, list, tuple, dict, str))):
        _no_y(y, sample_weight, "a generator")
        return GeneratorDataAdapter(x, steps, device, rank, world_size)
    return ArrayDataAdapter(x, y, sample_weight, batch_size, shuffle, steps, device, rank,
                            world_size)


def _no_y(y, sw, what):
    if y is not None:
        raise ValueError(f"`y` argument is not supported when using {what} as input: it must "
                         "yield `(x, y)` itself.")
    if sw is not None:
        raise ValueError(f"`sample_weight` argument is not supported when using {what} as "
                         "input: it must yield `(x, y, sample_weight)` itself.")


def train_validation_split(arrays, validation_split: float):
    """Keras's split: the last ``n - floor(n * (1 - split))`` samples, before shuffling."""
    if not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: "
                         f"{validation_split}")
    flat = [a for a in tree.flatten(arrays) if a is not None]
    for a in flat:
        if not isinstance(a, (np.ndarray, torch.Tensor)):
            raise ValueError("`validation_split` is only supported for numpy arrays and torch "
                             f"tensors, not {type(a).__name__}.")
    n = int(flat[0].shape[0])
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(f"Training data contains {n} samples, which is not sufficient to split "
                         f"it into a validation and training set as specified by "
                         f"`validation_split={validation_split}`.")
    train = tree.map_structure(lambda a: None if a is None else a[:split_at], arrays)
    val = tree.map_structure(lambda a: None if a is None else a[split_at:], arrays)
    return train, val
