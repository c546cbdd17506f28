"""``RemoteMonitor``: POST the epoch logs to a server (Keras ``keras.callbacks.RemoteMonitor``).

Sends ``{"epoch": epoch, **logs}`` to ``root + path`` at every epoch end, either as a form field
``field`` holding the JSON (default) or as a JSON body (``send_as_json=True``), with ``headers``.
Uses the standard library (no ``requests`` needed). An unreachable server only warns, with
Keras's message. Only rank 0 sends.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings

import numpy as np

from .base import Callback
from ._common import is_chief, to_float

__all__ = ["RemoteMonitor"]


class RemoteMonitor(Callback):
    def __init__(self, root: str = "http://localhost:9000", path: str = "/publish/epoch/end/",
                 field: str = "data", headers=None, send_as_json: bool = False,
                 timeout: float = 10.0):
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json
        self.timeout = timeout

    def _payload(self, epoch, logs):
        send = {"epoch": epoch}
        for k, v in (logs or {}).items():
            if isinstance(v, (np.ndarray, np.generic)):
                v = v.item()
            send[k] = to_float(v)
        return send

    def on_epoch_end(self, epoch, logs=None) -> None:
        if not is_chief():
            return
        send = self._payload(epoch, logs)
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(send).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode("utf-8")
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except (urllib.error.URLError, OSError, ValueError):
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}",
                          stacklevel=2)
