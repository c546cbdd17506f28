"""HDF5 plumbing shared by the Keras file readers and writers.

* ``open_h5``: opens a path or file object for reading and turns "not HDF5", truncated and
  unreadable files into ``KerasFileError`` naming the file (h5py's own messages are kept as
  the reason).
* ``read_attr`` / ``write_attr``: Keras's attribute conventions (``legacy_h5_format.py``
  ``load/save_attributes_from/to_hdf5_group``): ``bytes`` or ``str`` values, arrays of names,
  an empty list stored as an empty float64 array, and attributes too large for the HDF5
  object header split into ``name0``, ``name1``, ...
* ``atomic_path``: write to a temporary file next to the target and rename it over the target
  only once the write finished, so a crash mid-save leaves the previous file intact.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from typing import Any, Iterator, List

import numpy as np

# HDF5 object headers hold at most 64 KiB; Keras splits attributes above this many bytes.
HDF5_OBJECT_HEADER_LIMIT = 64512
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


class KerasFileError(OSError, ValueError):
    """A Keras model / weights file that cannot be read: names the file and what is wrong.

    Subclasses both ``OSError`` (what Keras raises for unreadable files) and ``ValueError``
    (what it raises for inconsistent contents), so either ``except`` clause catches it.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def _h5py():
    try:
        import h5py
    except ImportError as e:  # pragma: no cover - h5py is a dependency
        raise ImportError("Reading and writing Keras HDF5 files requires h5py "
                          "(`pip install h5py`).") from e
    return h5py


def describe(source) -> str:
    """A printable name for a path or file object (for error messages)."""
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return str(name) if isinstance(name, str) else f"<{type(source).__name__}>"


def looks_like_hdf5(head: bytes) -> bool:
    """HDF5 signature at offset 0 (files with a user block have it at 512, 1024, ...)."""
    return head[:8] == _HDF5_SIGNATURE


def has_hdf5_signature(path) -> bool:
    """Whether the file carries the HDF5 signature at 0 or at a user-block offset."""
    try:
        with open(path, "rb") as fh:
            offset = 0
            size = os.fstat(fh.fileno()).st_size
            while offset + 8 <= size:
                fh.seek(offset)
                if fh.read(8) == _HDF5_SIGNATURE:
                    return True
                offset = 512 if offset == 0 else offset * 2
    except OSError:
        return False
    return False


# ------------------------------------------------------------------------------------------
# pre-flight: read the whole file once in a forked child
# ------------------------------------------------------------------------------------------
# The HDF5 C library can loop forever or crash on some damaged files (found by fuzzing: a
# zeroed global heap makes reading a string attribute spin inside libhdf5, where no Python
# signal handler can interrupt it). Before a file is read, a forked child opens it and reads
# every attribute and dataset; the parent only proceeds if the child finished cleanly within
# the time limit, else it raises KerasFileError. Costs a fork and one extra read of the file.
# Disable with TORCHKERAS_H5_PREFLIGHT=0; the time limit (seconds) is
# TORCHKERAS_H5_PREFLIGHT_TIMEOUT (default 20 + 1 s per 50 MB).
_PREFLIGHT_MAX_FULL_READ = 1 << 31


def _touch_everything(source) -> str:
    h5py = _h5py()
    with h5py.File(source, "r") as f:
        def visit(obj):
            for key in list(obj.attrs.keys()):
                obj.attrs[key]
            if isinstance(obj, h5py.Dataset):
                if obj.size and obj.dtype.itemsize * obj.size <= _PREFLIGHT_MAX_FULL_READ:
                    obj[()]
                elif obj.size and obj.ndim:
                    obj[(0,) * obj.ndim]
                    obj[tuple(d - 1 for d in obj.shape)]
        visit(f)
        f.visititems(lambda _name, obj: visit(obj))
    return ""


def _preflight_timeout(source) -> float:
    env = os.environ.get("TORCHKERAS_H5_PREFLIGHT_TIMEOUT")
    if env:
        return float(env)
    size = 0
    try:
        if isinstance(source, (str, os.PathLike)):
            size = os.path.getsize(source)
        elif hasattr(source, "getbuffer"):
            size = source.getbuffer().nbytes
    except (OSError, ValueError):
        size = 0
    return 20.0 + size / 50e6


def preflight(source) -> None:
    """Raise ``KerasFileError`` if reading ``source`` hangs, crashes or fails in a child."""
    if os.environ.get("TORCHKERAS_H5_PREFLIGHT", "1") == "0" or not hasattr(os, "fork"):
        return
    import select
    import signal
    import time
    import warnings
    name = describe(source)
    timeout = _preflight_timeout(source)
    r, w = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork() with threads (3.12+)
        pid = os.fork()
    if pid == 0:  # child: never returns
        code = 0
        try:
            # the default SIGALRM action ends the child even inside a libhdf5 loop, should
            # the parent die before killing it
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.alarm(int(timeout) + 5)
            os.close(r)
            try:
                msg = _touch_everything(source)
            except BaseException as e:  # noqa: BLE001 - reported to the parent
                msg = f"{type(e).__name__}: {e}"
            os.write(w, msg.encode("utf-8", "replace")[:4000])
        except BaseException:  # noqa: BLE001
            code = 1
        finally:
            os._exit(code)
    os.close(w)
    chunks = []
    deadline = time.monotonic() + timeout
    finished = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                finished = True
                raise KerasFileError(
                    f"'{name}' appears to be damaged: reading it with the HDF5 library did not "
                    f"finish within {timeout:.0f} s (HDF5 can loop forever on some corrupted "
                    "files). If the file is intact but very large, raise "
                    "TORCHKERAS_H5_PREFLIGHT_TIMEOUT.")
            ready, _, _ = select.select([r], [], [], left)
            if not ready:
                continue
            data = os.read(r, 4096)
            if not data:
                break
            chunks.append(data)
        finished = True
    finally:
        os.close(r)
        if not finished:  # interrupted (KeyboardInterrupt...): do not leave the child behind
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (OSError, ChildProcessError):
                pass
    _, status = os.waitpid(pid, 0)
    msg = b"".join(chunks).decode("utf-8", "replace")
    if os.WIFSIGNALED(status):
        raise KerasFileError(f"'{name}' appears to be damaged: reading it crashed the HDF5 "
                             f"library (signal {os.WTERMSIG(status)}).")
    if msg:
        raise KerasFileError(f"'{name}' is damaged or not a valid HDF5 file: {msg}")


def open_h5(source, mode: str = "r"):
    """``h5py.File`` for a path or a binary file object, with Keras-style errors (files to
    read go through ``preflight`` first)."""
    h5py = _h5py()
    name = describe(source)
    if isinstance(source, (str, os.PathLike)):
        if mode == "r":
            if not os.path.exists(source):
                raise FileNotFoundError(f"No such file or directory: '{name}'")
            if os.path.isdir(source):
                raise KerasFileError(f"'{name}' is a directory, not a Keras HDF5 file.")
            if not has_hdf5_signature(source):
                raise KerasFileError(
                    f"'{name}' is not an HDF5 file (no HDF5 signature): it cannot be a Keras "
                    ".h5 / .weights.h5 file. It may be truncated, empty or of another format.")
    if mode == "r":
        preflight(source)
        if hasattr(source, "seek"):
            source.seek(0)
    try:
        return h5py.File(source, mode)
    except (OSError, ValueError, RuntimeError, KeyError) as e:
        raise KerasFileError(f"Unable to open '{name}' as an HDF5 file: {e}") from e


def decode(value: Any) -> Any:
    """bytes -> str, numpy scalars/arrays -> Python values (recursively for arrays)."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "SUO":
            return [decode(v) for v in value.tolist()]
        return value.tolist()
    if isinstance(value, np.generic):
        return decode(value.item())
    return value


def read_attr(group, name: str, default: Any = None) -> Any:
    """A Keras attribute of ``group`` (joined when split into ``name0``, ``name1``...)."""
    attrs = group.attrs
    if name in attrs:
        value = attrs[name]
    elif f"{name}0" in attrs:
        parts: List[Any] = []
        i = 0
        while f"{name}{i}" in attrs:
            parts.extend(np.atleast_1d(attrs[f"{name}{i}"]).tolist())
            i += 1
        value = np.asarray(parts, dtype=object)
    else:
        return default
    value = decode(value)
    if isinstance(value, list) and value and all(isinstance(v, float) for v in value) and \
            name in ("layer_names", "weight_names"):
        return []
    return value


def read_names(group, name: str) -> List[str]:
    """A list-of-names attribute (``layer_names`` / ``weight_names``); [] when absent/empty."""
    value = read_attr(group, name, [])
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise KerasFileError(f"Attribute '{name}' of group '{group.name}' should be a list of "
                             f"names, found {type(value).__name__}.")
    out = []
    for v in value:
        if isinstance(v, float):  # the empty-list marker, or garbage
            continue
        out.append(str(v))
    return out


def write_attr(group, name: str, data) -> None:
    """Store ``data`` (a string or a list of strings) as Keras does, splitting large lists."""
    if isinstance(data, str):
        group.attrs[name] = data
        return
    data = list(data)
    if not data:
        group.attrs[name] = np.asarray([], dtype=np.float64)
        return
    encoded = np.asarray([str(d).encode("utf-8") for d in data])
    if encoded.nbytes <= HDF5_OBJECT_HEADER_LIMIT:
        group.attrs[name] = encoded
        return
    n_chunks = 1
    chunks = [encoded]
    while any(c.nbytes > HDF5_OBJECT_HEADER_LIMIT for c in chunks):
        n_chunks += 1
        chunks = np.array_split(encoded, n_chunks)
        if n_chunks > len(encoded):
            raise ValueError(f"Attribute '{name}' holds an item longer than "
                             f"{HDF5_OBJECT_HEADER_LIMIT} bytes: it cannot be saved in HDF5.")
    for i, chunk in enumerate(chunks):
        group.attrs[f"{name}{i}"] = chunk


# ------------------------------------------------------------------------------------------
# atomic writes
# ------------------------------------------------------------------------------------------
@contextlib.contextmanager
def atomic_path(path, overwrite: bool = True) -> Iterator[str]:
    """Yield a temporary path in ``path``'s folder; on success rename it to ``path``.

    On any exception the temporary file is removed and ``path`` is left as it was.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if folder and not os.path.isdir(folder):
        os.makedirs(folder, exist_ok=True)
    if os.path.exists(path) and not overwrite:
        raise FileExistsError(f"File '{path}' already exists and `overwrite=False`.")
    fd, tmp = tempfile.mkstemp(prefix=".tmp-" + os.path.basename(path) + "-", dir=folder)
    os.close(fd)
    os.unlink(tmp)  # writers (h5py, zipfile) create the file themselves
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise

