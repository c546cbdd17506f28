"""``keras.utils.Progbar``: Keras 3 / tf-keras formats, redraw throttling, lazy values."""
import contextlib
import io
import re

import pytest
import torch

from torchkeras.backend import config
from torchkeras.utils.progbar import Progbar

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _run(fn):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        fn()
    return out.getvalue()


def _frames(raw):
    """Visible frames: split at \\r, drop the \\b run that precedes each redraw and ANSI."""
    return [ANSI.sub("", f.replace("\b", "")) for f in raw.split("\r") if f.strip("\b")]


def test_keras3_frames_and_backspaces():
    def go():
        bar = Progbar(4, interval=0)
        for i in range(1, 5):
            bar.update(i, [("loss", 0.5)])
    raw = _run(go)
    frames = _frames(raw)
    assert len(frames) == 4
    assert re.fullmatch(r"1/4 ━{20} \d+s \d+(ms|us|s)/step - loss: 0\.5000", frames[0])
    assert re.fullmatch(r"4/4 ━{20} \d+s \d+(ms|us|s)/step - loss: 0\.5000\s*\n", frames[-1])
    # the colours Keras 3 writes: bold count, green done part, white rest
    assert raw.startswith("\r\x1b[1m1/4\x1b[0m \x1b[32m━━━━━\x1b[0m\x1b[37m" + "━" * 15)
    # each redraw backspaces over exactly the visible width of the previous frame (its text,
    # not the blanks that padded it over a longer frame before it)
    pieces = raw.split("\r")
    for prev, nxt in zip(pieces[1:], pieces[2:]):
        visible = len(ANSI.sub("", prev.rstrip("\b")).rstrip(" "))
        assert prev.endswith("\b" * visible) and not prev.endswith("\b" * (visible + 1))


def test_keras2_format():
    config.set_keras_era(2)

    def go():
        bar = Progbar(4, interval=0)
        bar.update(1, [("loss", 1.0)])
        bar.update(4, [("loss", 1.0)])
    frames = _frames(_run(go))
    assert re.fullmatch(r"1/4 \[======>\.{23}\] - ETA: \d+s - loss: 1\.0000", frames[0])
    assert re.fullmatch(r"4/4 \[={30}\] - \d+s \d+(ms|us|s)/step - loss: 1\.0000\s*\n",
                        frames[1])


def test_redraws_at_most_every_interval_first_and_last_always():
    def go():
        bar = Progbar(10, interval=1000)
        for i in range(1, 11):
            bar.update(i, [("loss", float(i))])
    frames = _frames(_run(go))
    assert len(frames) == 2
    assert frames[0].startswith(" 1/10") and frames[1].startswith("10/10")


def test_stateless_values_are_averaged_stateful_shown_as_given():
    def go(**kw):
        bar = Progbar(3, interval=0, **kw)
        bar.update(1, [("loss", 1.0)])
        bar.update(2, [("loss", 3.0)])
    assert _frames(_run(go))[-1].endswith("loss: 2.0000")
    assert _frames(_run(lambda: go(stateful_metrics=["loss"])))[-1].endswith("loss: 3.0000")
    assert _frames(_run(lambda: go(stateless_metrics=[])))[-1].endswith("loss: 3.0000")
    with pytest.raises(ValueError):
        Progbar(3, stateful_metrics=["a"], stateless_metrics=["b"])


def test_final_update_in_keras3_shows_the_given_value():
    def go():
        bar = Progbar(2, interval=0)
        bar.update(1, [("loss", 1.0)])
        bar.update(2, [("loss", 5.0)], finalize=True)
    assert "loss: 5.0000" in _frames(_run(go))[-1]


def test_small_values_use_scientific_notation():
    def go():
        Progbar(1, interval=0).update(1, [("lr", 1e-4), ("neg", -0.5)])
    assert "lr: 1.0000e-04 - neg: -0.5000" in _frames(_run(go))[-1]


def test_tensor_values_are_converted_only_when_a_frame_is_drawn(monkeypatch):
    calls = {"n": 0}
    real_item = torch.Tensor.item

    def counting_item(self):
        calls["n"] += 1
        return real_item(self)
    monkeypatch.setattr(torch.Tensor, "item", counting_item)

    def go():
        bar = Progbar(50, interval=1000)
        for i in range(1, 51):
            bar.update(i, [("loss", torch.tensor(float(i))), ("acc", torch.tensor(0.5))])
    frames = _frames(_run(go))
    assert len(frames) == 2
    assert calls["n"] == 4  # two values x two frames, never per update
    assert frames[-1].rstrip().endswith("loss: 50.0000 - acc: 0.5000")  # final: as given


def test_callable_values_are_only_evaluated_for_drawn_frames():
    seen = []

    def values():
        seen.append(1)
        return [("loss", 2.0)]

    def go():
        bar = Progbar(20, interval=1000, stateful_metrics=["loss"])
        for i in range(1, 21):
            bar.update(i, values)
    frames = _frames(_run(go))
    assert len(seen) == 2 and frames[-1].rstrip().endswith("loss: 2.0000")


def test_verbose2_lines():
    def go():
        bar = Progbar(4, verbose=2)
        for i in range(1, 5):
            bar.update(i, [("loss", 0.25)])
    assert re.fullmatch(r"4/4 - \d+s - \d+(ms|us|s)/step - loss: 0\.2500\n", _run(go))
    config.set_keras_era(2)
    assert re.fullmatch(r"4/4 - \d+s - loss: 0\.2500 - \d+(ms|us|s)/epoch - \d+(ms|us|s)/step\n",
                        _run(go))


def test_unknown_target_add_and_silent_mode():
    def go():
        bar = Progbar(None, interval=0)
        bar.add(3, [("loss", 1.0)])
        bar.add(2)
    frames = _frames(_run(go))
    assert frames[0].startswith("      3/Unknown") and frames[1].startswith("      5/Unknown")
    assert _run(lambda: Progbar(3, verbose=0).update(3, [("loss", 1.0)])) == ""


def test_eta_and_time_formats():
    assert Progbar._format_eta(5.7) == "5s"
    assert Progbar._format_eta(62) == "1:02"
    assert Progbar._format_eta(3661) == "1:01:01"
    assert Progbar._format_time(2.4, "step") == " 2s/step"
    assert Progbar._format_time(0.0123, "step") == " 12ms/step"
    assert Progbar._format_time(4.5e-5, "sample") == " 45us/sample"
    assert Progbar._format_time(0, "step") == " 0s/step"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_values_never_synchronise_between_frames():
    dev = torch.device("cuda")
    a = torch.randn(256, 256, device=dev)

    def go():
        bar = Progbar(100, interval=1000)
        bar.update(1, [("loss", (a @ a).mean())])  # first frame: one sync to print it
        torch.cuda.synchronize()
        torch.cuda.set_sync_debug_mode("error")
        try:
            for i in range(2, 100):  # no frame drawn: values stay on the device
                bar.update(i, [("loss", (a @ a).mean()), ("mae", a.abs().mean())])
        finally:
            torch.cuda.set_sync_debug_mode("default")
        bar.update(100, [("loss", (a @ a).mean()), ("mae", a.abs().mean())])
    frames = _frames(_run(go))
    assert len(frames) == 2 and " - mae: " in frames[-1]
