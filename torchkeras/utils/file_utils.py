"""``keras.utils.get_file`` and its helpers (cache in ``~/.keras/<cache_subdir>``).

Matches Keras 2's ``get_file``: the cache root is ``cache_dir``, else ``$KERAS_HOME``, else
``~/.keras`` (``/tmp/.keras`` when that is not writable); ``untar=True`` keeps the archive as
``<fname>.tar.gz`` and extracts it next to it, returning ``<cache>/<fname>``; ``extract=True``
extracts into the cache directory and returns the archive path; ``file_hash`` (sha256 or md5)
is checked and a stale cached file is downloaded again.

Offline behaviour (torchkeras addition): when a download fails, the error names the file and
where to place it by hand. If a cached file only fails its hash check and the download fails,
the cached file is used with a warning. Set ``TORCHKERAS_OFFLINE=1`` (or ``KERAS_OFFLINE=1``)
to never touch the network.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile
from typing import Optional, Sequence, Union

__all__ = ["get_file", "validate_file", "hash_file", "extract_archive", "keras_home",
           "DownloadError"]

_TIMEOUT_S = 60


class DownloadError(OSError):
    """A file could not be downloaded (offline, HTTP error...); the message says where to put it."""


def keras_home() -> str:
    """``$KERAS_HOME`` if set, else ``~/.keras``."""
    return os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")


def _offline() -> bool:
    return any(os.environ.get(v, "").strip().lower() in ("1", "true", "yes")
               for v in ("TORCHKERAS_OFFLINE", "KERAS_OFFLINE"))


def _resolve_hasher(algorithm: str, file_hash: Optional[str] = None):
    if algorithm == "sha256":
        return hashlib.sha256()
    if algorithm == "auto" and file_hash is not None and len(file_hash) == 64:
        return hashlib.sha256()
    return hashlib.md5()


def hash_file(fpath: str, algorithm: str = "sha256", chunk_size: int = 65535) -> str:
    """The sha256 (default) or md5 hex digest of a file."""
    hasher = _resolve_hasher(algorithm) if isinstance(algorithm, str) else algorithm
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath: str, file_hash: str, algorithm: str = "auto",
                  chunk_size: int = 65535) -> bool:
    """Whether ``fpath`` has hash ``file_hash`` (``'auto'``: sha256 for 64 hex chars, else md5)."""
    hasher = _resolve_hasher(algorithm, file_hash)
    return str(hash_file(fpath, hasher, chunk_size)) == str(file_hash)


def _is_within(base: str, target: str) -> bool:
    base, target = os.path.realpath(base), os.path.realpath(target)
    return os.path.commonpath([base, target]) == base


def extract_archive(file_path: str, path: str = ".",
                    archive_format: Union[str, Sequence[str], None] = "auto") -> bool:
    """Extract a tar (``.tar``, ``.tar.gz``, ``.tar.bz2``) or zip archive into ``path``.

    Returns True if the file was an archive of an accepted format and was extracted. Members
    that would land outside ``path`` are refused.
    """
    if archive_format is None:
        return False
    if archive_format == "auto":
        archive_format = ["tar", "zip"]
    if isinstance(archive_format, str):
        archive_format = [archive_format]
    file_path, path = os.fspath(file_path), os.fspath(path)
    for kind in archive_format:
        if kind == "tar":
            if not tarfile.is_tarfile(file_path):
                continue
            with tarfile.open(file_path) as archive:
                if hasattr(tarfile, "data_filter"):  # refuses absolute/outside/link tricks
                    archive.extractall(path, filter="data")
                else:  # pragma: no cover - old Pythons
                    archive.extractall(path, members=[
                        m for m in archive.getmembers()
                        if not (m.issym() or m.islnk())
                        and _is_within(path, os.path.join(path, m.name))])
            return True
        if kind == "zip":
            if not zipfile.is_zipfile(file_path):
                continue
            with zipfile.ZipFile(file_path) as archive:
                names = [n for n in archive.namelist() if _is_within(path, os.path.join(path, n))]
                archive.extractall(path, members=names)
            return True
        raise NotImplementedError(f"Unknown archive format: {kind!r} (expected 'tar' or 'zip').")
    return False


def _cache_dir(cache_dir: Optional[str], cache_subdir: str) -> str:
    base = os.path.expanduser(cache_dir if cache_dir is not None else keras_home())
    try:
        os.makedirs(base, exist_ok=True)
    except OSError:
        pass
    if not os.access(base, os.W_OK):
        base = os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(), ".keras")
    datadir = os.path.join(base, cache_subdir)
    os.makedirs(datadir, exist_ok=True)
    return datadir


def _download(origin: str, target: str) -> None:
    """Stream ``origin`` into ``target`` (atomically, via ``target + '.part'``)."""
    print(f"Downloading data from {origin}", file=sys.stdout)
    part = target + ".part"
    try:
        with urllib.request.urlopen(origin, timeout=_TIMEOUT_S) as response, open(part, "wb") as out:
            shutil.copyfileobj(response, out, length=1 << 20)
        os.replace(part, target)
    except BaseException:
        if os.path.exists(part):
            os.remove(part)
        raise


def _place_hint(origin: str, fpath: str, untar_fpath: Optional[str]) -> str:
    hint = f"place the file at {fpath}"
    if untar_fpath is not None:
        hint += f" (or its extracted contents in {untar_fpath}{os.sep})"
    return (f"If this machine is offline, download {origin} elsewhere and {hint}; set "
            "KERAS_HOME to use another cache directory.")


def get_file(fname: Optional[str] = None, origin: Optional[str] = None, untar: bool = False,
             md5_hash: Optional[str] = None, file_hash: Optional[str] = None,
             cache_subdir: str = "datasets", hash_algorithm: str = "auto", extract: bool = False,
             archive_format: Union[str, Sequence[str], None] = "auto",
             cache_dir: Optional[str] = None, force_download: bool = False) -> str:
    """Download ``origin`` into the Keras cache unless it is already there; return its path."""
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    datadir = _cache_dir(cache_dir, cache_subdir)
    fname = os.fspath(fname) if fname is not None else ""
    if not fname:
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(f"Can't parse the file name from the origin provided: '{origin}'. "
                             "Please specify the `fname` argument.")
    untar_fpath = None
    if untar:
        untar_fpath = os.path.join(datadir, fname)
        fpath = untar_fpath + ".tar.gz"
    else:
        fpath = os.path.join(datadir, fname)

    download = force_download or not os.path.exists(fpath)
    stale = False
    if not download and file_hash is not None and not validate_file(fpath, file_hash,
                                                                    hash_algorithm):
        print("A local file was found, but it seems to be incomplete or outdated because the "
              f"{hash_algorithm} file hash does not match the original value of {file_hash} so "
              "we will re-download the data.")
        download = stale = True
    if download and untar_fpath is not None and os.path.isdir(untar_fpath) \
            and not os.path.exists(fpath) and not force_download:
        return untar_fpath  # archive deleted after extraction: the extracted copy is the cache
    if download:
        try:
            if _offline():
                raise DownloadError("offline mode (TORCHKERAS_OFFLINE / KERAS_OFFLINE is set)")
            _download(origin, fpath)
        except (urllib.error.URLError, OSError, ValueError, TimeoutError) as e:
            reason = getattr(e, "reason", None) or e
            if stale and os.path.exists(fpath):
                warnings.warn(f"Could not re-download {fname!r} from {origin} ({reason}); using "
                              f"the cached file {fpath} although its hash does not match.",
                              stacklevel=2)
            else:
                raise DownloadError(f"URL fetch failure on {origin}: {reason}. "
                                    + _place_hint(origin, fpath, untar_fpath)) from e
        else:
            if file_hash is not None and not validate_file(fpath, file_hash, hash_algorithm):
                raise ValueError("Incomplete or corrupted file detected. The "
                                 f"{hash_algorithm} file hash does not match the provided value "
                                 f"of {file_hash}.")

    if untar_fpath is not None:
        if not os.path.exists(untar_fpath) or download:
            extract_archive(fpath, datadir, archive_format="tar")
        return untar_fpath
    if extract:
        extract_archive(fpath, datadir, archive_format)
    return fpath
