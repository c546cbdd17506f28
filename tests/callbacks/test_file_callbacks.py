"""``CSVLogger``, ``TensorBoard``, ``RemoteMonitor``, ``LambdaCallback``, ``TerminateOnNaN``."""
import contextlib
import http.server
import io
import json
import threading
import urllib.parse

import pytest

from torchkeras.backend import config
from torchkeras.callbacks import (CSVLogger, LambdaCallback, RemoteMonitor, TensorBoard,
                                  TerminateOnNaN)

from callback_fakes import FakeModel, run_epochs


def test_csv_logger_writes_sorted_keys(tmp_path):
    path = tmp_path / "log.csv"
    run_epochs([CSVLogger(str(path))], FakeModel(),
               [{"loss": 0.5, "val_loss": 0.25, "acc": 0.75}, {"loss": 0.4, "val_loss": 0.2,
                                                               "acc": 0.8}])
    assert path.read_bytes() == (b"epoch,acc,loss,val_loss\r\n0,0.75,0.5,0.25\r\n"
                                 b"1,0.8,0.4,0.2\r\n")


def test_csv_logger_append_and_separator(tmp_path):
    path = tmp_path / "log.tsv"
    run_epochs([CSVLogger(str(path), separator="\t")], FakeModel(), [{"loss": 1.0}])
    run_epochs([CSVLogger(str(path), separator="\t", append=True)], FakeModel(),
               [{"loss": 2.0}])
    assert path.read_text().splitlines() == ["epoch\tloss", "0\t1.0", "0\t2.0"]


def test_csv_logger_keras2_adds_val_columns(tmp_path):
    config.set_keras_era(2)
    path = tmp_path / "log.csv"
    run_epochs([CSVLogger(str(path))], FakeModel(), [{"loss": 1.0}])
    assert path.read_text().splitlines() == ["epoch,loss,val_loss", "0,1.0,NA"]


def test_csv_logger_only_rank0(tmp_path, monkeypatch):
    import torchkeras.distribute as dist
    monkeypatch.setattr(dist, "is_chief", lambda: False)
    path = tmp_path / "log.csv"
    run_epochs([CSVLogger(str(path))], FakeModel(), [{"loss": 1.0}])
    assert not path.exists()


def test_lambda_callback_hooks():
    calls = []
    cb = LambdaCallback(on_train_begin=lambda logs: calls.append("tb"),
                        on_epoch_end=lambda e, logs: calls.append(("ee", e)),
                        on_batch_end=lambda b, logs: calls.append(("be", b)),
                        on_train_end=lambda logs: calls.append("te"))
    run_epochs([cb], FakeModel(), [1.0, 1.0], steps=1)
    assert calls == ["tb", ("be", 0), ("ee", 0), ("be", 0), ("ee", 1), "te"]
    with pytest.raises(TypeError, match="must be callable"):
        LambdaCallback(on_epoch_end=3)


def test_terminate_on_nan():
    model = FakeModel()
    cb = TerminateOnNaN()
    cb.set_model(model)
    cb.on_train_batch_end(0, {"loss": 1.0})
    assert not model.stop_training
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        cb.on_train_batch_end(7, {"loss": float("nan")})
    assert model.stop_training and out.getvalue() == "Batch 7: Invalid loss, terminating training\n"
    model.stop_training = False
    cb.on_train_batch_end(8, {"loss": float("inf")})
    assert model.stop_training


def test_tensorboard(tmp_path):
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install tensorboard"):
            TensorBoard(log_dir=str(tmp_path))
        return
    cb = TensorBoard(log_dir=str(tmp_path))
    run_epochs([cb], FakeModel(), [0.5, 0.25])
    assert any((tmp_path / "train").iterdir()) and any((tmp_path / "validation").iterdir())


class _Handler(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Handler.received.append((self.path, self.headers["Content-Type"], body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_remote_monitor_posts_epoch_logs():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    try:
        root = f"http://127.0.0.1:{server.server_address[1]}"
        _Handler.received.clear()
        run_epochs([RemoteMonitor(root=root)], FakeModel(), [0.5])
        run_epochs([RemoteMonitor(root=root, send_as_json=True)], FakeModel(), [0.25])
    finally:
        server.shutdown()
        server.server_close()
    (path, ctype, body), (_, ctype2, body2) = _Handler.received
    assert path == "/publish/epoch/end/"
    form = urllib.parse.parse_qs(body.decode())
    assert json.loads(form["data"][0]) == {"epoch": 0, "loss": 1.0, "val_loss": 0.5}
    assert ctype2 == "application/json"
    assert json.loads(body2) == {"epoch": 0, "loss": 1.0, "val_loss": 0.25}


def test_remote_monitor_unreachable_warns():
    cb = RemoteMonitor(root="http://127.0.0.1:9", timeout=2)
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor root server"):
        cb.on_epoch_end(0, {"loss": 1.0})
