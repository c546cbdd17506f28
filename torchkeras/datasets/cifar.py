"""CIFAR helpers: ``load_batch`` and locating the extracted python batches in the cache."""
from __future__ import annotations

import os
from typing import Sequence

from torchkeras.utils.file_utils import DownloadError, extract_archive

from ._common import cache_datadir, get_file, load_pickle

__all__ = ["load_batch"]


def load_batch(fpath: str, label_key: str = "labels"):
    """Parse one pickled CIFAR batch: ``(data (N, 3, 32, 32) uint8, labels list)``."""
    d = load_pickle(fpath, encoding="bytes")
    d = {(k.decode("utf8") if isinstance(k, bytes) else k): v for k, v in d.items()}
    data = d["data"]
    labels = d[label_key]
    return data.reshape(data.shape[0], 3, 32, 32), labels


def find_batches(dirname: str, origin: str, file_hash: str, marker: str,
                 archive_names: Sequence[str]) -> str:
    """Directory holding the CIFAR batch files, extracting or downloading as needed.

    Accepts Keras 2's layout (``datasets/<dirname>/`` from ``<dirname>.tar.gz``), Keras 3's
    (``datasets/<dirname>/<dirname>/``) and the original archive name placed by hand.
    """
    datadir = cache_datadir()
    candidates = [os.path.join(datadir, dirname), os.path.join(datadir, dirname, dirname)]

    def found():
        return next((c for c in candidates if os.path.isfile(os.path.join(c, marker))), None)

    if found():
        return found()
    for name in archive_names:
        archive = os.path.join(datadir, name)
        if os.path.isfile(archive) and not os.path.isfile(os.path.join(datadir, dirname + ".tar.gz")):
            extract_archive(archive, datadir, archive_format="tar")
            if found():
                return found()
    try:
        path = get_file(dirname, origin=origin, untar=True, file_hash=file_hash)
    except DownloadError as e:
        raise DownloadError(f"{e} The original archive name {archive_names[0]!r} is accepted "
                            f"in {datadir} too.") from e
    candidates.insert(0, path)
    if found():
        return found()
    raise FileNotFoundError(f"The CIFAR archive for {dirname!r} did not contain {marker!r}; "
                            f"looked in {candidates}.")
