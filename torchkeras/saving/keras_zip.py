"""The Keras 3 ``.keras`` zip (keras-file-formats.md §5).

Members (stored uncompressed, as Keras writes them): ``metadata.json``
(``keras_version``, ``date_saved``), ``config.json`` (model config in the Keras 3 dialect, with
``compile_config``), ``model.weights.h5`` (the §4 layout, optimizer variables included).
torchkeras also records ``"torchkeras_era"`` in ``metadata.json`` (Keras ignores it), so a
model built with Keras 2 semantics reloads with them.
"""
from __future__ import annotations

import datetime
import io
import json
import zipfile
from typing import Any, Dict, Optional, Tuple

from .h5_utils import KerasFileError

CONFIG_NAME = "config.json"
METADATA_NAME = "metadata.json"
WEIGHTS_NAME = "model.weights.h5"
ASSETS_DIR = "assets"
# The Keras version whose .keras layout torchkeras writes.
WRITTEN_KERAS_VERSION = "3.15.1"
# Refuse absurd member sizes (a damaged or hostile zip) before reading them into memory.
_MAX_JSON_BYTES = 256 * 1024 * 1024


def is_zip(path) -> bool:
    try:
        return zipfile.is_zipfile(path)
    except OSError:
        return False


def write_keras_zip(path: str, config: Dict[str, Any], weights_bytes: bytes,
                    era: int) -> None:
    metadata = {"keras_version": WRITTEN_KERAS_VERSION,
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
                "torchkeras_era": int(era)}
    from .serialization import json_default
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr(METADATA_NAME, json.dumps(metadata))
        zf.writestr(CONFIG_NAME, json.dumps(config, default=json_default))
        zf.writestr(WEIGHTS_NAME, weights_bytes)


def _read_member(zf: zipfile.ZipFile, name: str, source: str, limit: Optional[int] = None):
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise KerasFileError(f"'{source}' is a zip file but has no '{name}' member: it is not "
                             f"a Keras .keras file (members: {zf.namelist()[:10]}).") from None
    if limit is not None and info.file_size > limit:
        raise KerasFileError(f"'{source}': member '{name}' is {info.file_size} bytes, larger "
                             "than a Keras config can plausibly be.")
    try:
        return zf.read(name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
            NotImplementedError, RuntimeError) as e:
        raise KerasFileError(f"'{source}': cannot read member '{name}' ({type(e).__name__}: "
                             f"{e}).") from e
    except Exception as e:  # zlib.error and friends for compressed members
        raise KerasFileError(f"'{source}': cannot read member '{name}' ({type(e).__name__}: "
                             f"{e}).") from e


def _parse_json(data: bytes, name: str, source: str):
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise KerasFileError(f"'{source}': member '{name}' is not valid JSON ({e}).") from e


def read_keras_zip(source) -> Tuple[Dict[str, Any], Dict[str, Any], Optional[io.BytesIO]]:
    """-> (config, metadata, weights h5 as BytesIO or None)."""
    name = source if isinstance(source, str) else getattr(source, "name", "<file>")
    try:
        zf = zipfile.ZipFile(source, "r")
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise KerasFileError(f"'{name}' is not a valid .keras (zip) file: {e}") from e
    with zf:
        config = _parse_json(_read_member(zf, CONFIG_NAME, name, _MAX_JSON_BYTES), CONFIG_NAME,
                             name)
        metadata: Dict[str, Any] = {}
        if METADATA_NAME in zf.namelist():
            meta = _parse_json(_read_member(zf, METADATA_NAME, name, _MAX_JSON_BYTES),
                               METADATA_NAME, name)
            if isinstance(meta, dict):
                metadata = meta
        weights = None
        if WEIGHTS_NAME in zf.namelist():
            weights = io.BytesIO(_read_member(zf, WEIGHTS_NAME, name))
        elif "model.weights.npz" in zf.namelist():
            raise KerasFileError(f"'{name}' stores its weights as 'model.weights.npz'; only the "
                                 "HDF5 variant ('model.weights.h5') is supported.")
    if not isinstance(config, dict):
        raise KerasFileError(f"'{name}': config.json should hold a JSON object, found "
                             f"{type(config).__name__}.")
    return config, metadata, weights
