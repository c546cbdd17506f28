"""``ProgbarLogger`` driven like fit / evaluate / predict, compared with the text real Keras
printed (training oracle ``text_fit_verbose1/2``, ``text_evaluate_verbose1``,
``text_predict_verbose1``; Keras 3.15 and tf-keras 2.21), with the oracle's own numbers fed in."""
import contextlib
import io
import json
import os
import re

import pytest

from torchkeras.backend import config
from torchkeras.callbacks import CallbackList, ProgbarLogger

from callback_fakes import CountingLogs, FakeModel

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "training_oracle")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
TIME = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:ms|us|\u00b5s|s)(?![\w])")
CLOCK = re.compile(r"(?<![\w.])\d+:\d\d(?::\d\d)?(?![\w])")
PAIR = re.compile(r"(\w+): (-?\d+\.\d+(?:e[-+]\d+)?)")


def _screen(text):
    """What a terminal shows, timings masked (the checker's normalisation)."""
    lines = []
    for line in text.split("\n"):
        line = line.replace("\b", "")
        if "\r" in line:
            frames = [f for f in line.split("\r") if f.strip()]
            line = frames[-1] if frames else ""
        line = CLOCK.sub("<t>", TIME.sub("<t>", ANSI.sub("", line.rstrip())))
        lines.append(line)
    return "\n".join(lines)


def _oracle(name, lib):
    with open(os.path.join(FIXTURES, name + ".json")) as f:
        return json.load(f)["results"][lib]["info"]["text"]


def _frames_numbers(text):
    """Per printed line: (numbers of the first \\r frame, numbers of the last frame)."""
    out = []
    for line in text.split("\n"):
        if "\r" not in line:
            continue
        frames = [f.replace("\b", "") for f in line.split("\r") if f.strip("\b ")]
        first = dict((k, float(v)) for k, v in PAIR.findall(ANSI.sub("", frames[0])))
        last = dict((k, float(v)) for k, v in PAIR.findall(ANSI.sub("", frames[-1])))
        out.append((first, last))
    return out


def _capture(fn):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        fn()
    return out.getvalue()


def _drive_fit(text, verbose, epochs=2, steps=4):
    """Replay fit's hooks with the numbers real Keras printed."""
    numbers = _frames_numbers(text) if verbose == 1 else None
    finals = []
    for line in text.split("\n"):
        if line.startswith("4/4") or "\r" in line:
            last = line.split("\r")[-1].replace("\b", "")
            finals.append(dict((k, float(v)) for k, v in PAIR.findall(ANSI.sub("", last))))
    model = FakeModel()
    cbs = CallbackList(None, add_history=True, add_progbar=True, model=model, verbose=verbose,
                       epochs=epochs, steps=steps)

    def go():
        cbs.on_train_begin()
        for epoch in range(epochs):
            cbs.on_epoch_begin(epoch)
            first = numbers[epoch][0] if numbers else {"loss": 1.0, "mae": 1.0}
            for step in range(steps):
                cbs.on_train_batch_begin(step)
                cbs.on_train_batch_end(step, dict(first))
            # validation inside fit must stay silent
            cbs.on_test_begin()
            cbs.on_test_batch_end(0, {"loss": 9.0})
            cbs.on_test_end({"loss": 9.0})
            cbs.on_epoch_end(epoch, dict(finals[epoch]))
        cbs.on_train_end()
    return _capture(go), model


@pytest.mark.parametrize("era", [3, 2])
@pytest.mark.parametrize("verbose", [1, 2])
def test_fit_output_matches_real_keras(era, verbose):
    config.set_keras_era(era)
    want = _oracle(f"text_fit_verbose{verbose}", "k3" if era == 3 else "k2")
    got, model = _drive_fit(want, verbose)
    assert _screen(got) == _screen(want)
    assert model.history.history["val_mae"][1] == pytest.approx(0.5044)


@pytest.mark.parametrize("era", [3, 2])
def test_evaluate_output_matches_real_keras(era):
    config.set_keras_era(era)
    want = _oracle("text_evaluate_verbose1", "k3" if era == 3 else "k2")
    (first, last), = _frames_numbers(want)
    cbs = CallbackList(None, add_progbar=True, model=FakeModel(), verbose=1, epochs=1, steps=4)

    def go():
        cbs.on_test_begin()
        for step in range(4):
            cbs.on_test_batch_begin(step)
            cbs.on_test_batch_end(step, dict(first))
        cbs.on_test_end(dict(last))
    assert _screen(_capture(go)) == _screen(want)


@pytest.mark.parametrize("era", [3, 2])
def test_predict_output_matches_real_keras(era):
    config.set_keras_era(era)
    want = _oracle("text_predict_verbose1", "k3" if era == 3 else "k2")
    cbs = CallbackList(None, add_progbar=True, model=FakeModel(), verbose=1, epochs=1, steps=4)

    def go():
        cbs.on_predict_begin()
        for step in range(4):
            cbs.on_predict_batch_begin(step)
            cbs.on_predict_batch_end(step, {"outputs": object()})
        cbs.on_predict_end()
    assert _screen(_capture(go)) == _screen(want)


def test_batch_logs_are_read_only_when_a_frame_is_drawn():
    cbs = CallbackList(None, add_progbar=True, model=FakeModel(), verbose=1, epochs=1,
                       steps=200)
    logs = CountingLogs({"loss": 0.5, "mae": 0.25})

    def go():
        cbs.on_train_begin()
        cbs.on_epoch_begin(0)
        for step in range(200):
            cbs.on_train_batch_end(step, logs)
        cbs.on_epoch_end(0, {"loss": 0.5, "mae": 0.25})
    out = _capture(go)
    frames = out.count("\r")
    assert logs.reads == 2 * (frames - 1)  # two keys per drawn batch frame, none otherwise
    assert logs.reads < 2 * 200


def test_unknown_steps_and_verbose0():
    cbs = CallbackList(None, add_progbar=True, model=FakeModel(), verbose=1, epochs=1,
                       steps=None)

    def go():
        cbs.on_train_begin()
        cbs.on_epoch_begin(0)
        for step in range(3):
            cbs.on_train_batch_end(step, {"loss": 1.0})
        cbs.on_epoch_end(0, {"loss": 1.0})
    screen = _screen(_capture(go))
    assert screen.startswith("3/3 ━━━━━━━━━━━━━━━━━━━━ <t> <t>/step - loss: 1.0000")
    quiet = ProgbarLogger()
    quiet.set_params({"verbose": 0, "epochs": 2, "steps": 2})
    assert _capture(lambda: (quiet.on_epoch_begin(0), quiet.on_train_batch_end(0, {"a": 1}),
                             quiet.on_epoch_end(0, {"a": 1}))) == ""


def test_only_rank0_prints(monkeypatch):
    import torchkeras.distribute as dist
    monkeypatch.setattr(dist, "is_chief", lambda: False)
    logger = ProgbarLogger()
    logger.set_params({"verbose": 1, "epochs": 2, "steps": 1})
    out = _capture(lambda: (logger.on_epoch_begin(0), logger.on_train_batch_end(0, {"a": 1.0}),
                            logger.on_epoch_end(0, {"a": 1.0})))
    assert out == ""
