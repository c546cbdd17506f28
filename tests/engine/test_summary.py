"""``model.summary()`` against the text real Keras printed (training oracle ``text_summary_*``:
Keras 3.15 box table, tf-keras 2.21 ASCII table), plus the behaviours around it."""
import contextlib
import io
import json
import os
import re

import pytest

import torchkeras as keras
from torchkeras.backend import config
from torchkeras.engine import summary as summary_mod

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "training_oracle")
CASES = ["text_summary_mlp", "text_summary_mlp_notty", "text_summary_cnn",
         "text_summary_cnn_notty", "text_summary_functional_2in",
         "text_summary_functional_2in_notty"]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class _Out(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self._tty = tty

    def isatty(self):
        return self._tty


def _case(name):
    with open(os.path.join(FIXTURES, name + ".json")) as f:
        return json.load(f)


def _build(mspec):
    """The oracle's model recipes, through the public API."""
    L = keras.layers
    if mspec["type"] == "sequential":
        layers = [keras.Input(shape=tuple(mspec["input_shape"]))]
        for spec in mspec["layers"]:
            layers.append(getattr(L, spec["class_name"])(**spec["config"]))
        return keras.Sequential(layers)
    p = mspec["params"]
    in_a = keras.Input(shape=(p["a_dim"],))
    in_b = keras.Input(shape=(p["b_dim"],))
    a = L.Dense(p["hidden"], activation="relu")(in_a)
    b = L.Dense(p["hidden"], activation="relu")(in_b)
    c = L.Concatenate()([a, b])
    return keras.Model([in_a, in_b], L.Dense(p["out"])(c))


def _capture(fn, tty, columns="80"):
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = columns
    out = _Out(tty)
    try:
        with contextlib.redirect_stdout(out):
            fn()
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old
    return out.getvalue()


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("era", [3, 2])
def test_summary_matches_real_keras_byte_for_byte(name, era):
    case = _case(name)
    config.set_keras_era(era)
    keras.backend.clear_session(free_memory=False)
    model = _build(case["spec"]["model"])
    got = _capture(model.summary, case["spec"]["tty"])
    want = case["results"]["k3" if era == 3 else "k2"]["info"]["text"]
    assert got == want


def test_ansi_only_on_a_terminal_and_never_with_print_fn():
    model = _build(_case("text_summary_mlp")["spec"]["model"])
    assert ANSI.search(_capture(model.summary, True))
    assert not ANSI.search(_capture(model.summary, False))
    chunks = []
    _capture(lambda: model.summary(print_fn=chunks.append), True)
    # Keras 3 hands the whole captured table to print_fn at once, without colours
    assert len(chunks) == 1 and not ANSI.search(chunks[0])
    want = _case("text_summary_mlp_notty")["results"]["k3"]["info"]["text"]
    assert chunks[0] == want


def test_keras2_print_fn_gets_one_line_per_call():
    config.set_keras_era(2)
    model = _build(_case("text_summary_mlp")["spec"]["model"])
    lines = []
    model.summary(print_fn=lines.append)
    want = _case("text_summary_mlp")["results"]["k2"]["info"]["text"]
    assert "\n".join(lines) + "\n" == want


def test_table_width_follows_the_terminal():
    model = _build(_case("text_summary_mlp")["spec"]["model"])
    for columns, width in (("80", 76), ("200", 88), ("60", 56)):
        text = _capture(model.summary, False, columns)
        top = text.splitlines()[1]
        assert top.startswith("┏") and len(top) == width
    # an explicit line_length wins (as long as the console is wide enough)
    text = _capture(lambda: model.summary(line_length=70), False, "120")
    assert len(text.splitlines()[1]) == 70


def test_long_names_wrap_and_truncate_with_ellipsis():
    keras.backend.clear_session(free_memory=False)
    model = keras.Sequential([keras.Input(shape=(4,)),
                              keras.layers.Dense(2, name="a_very_long_layer_name_that_goes_on")])
    text = _capture(model.summary, False)
    rows = [l for l in text.splitlines() if l.startswith("│")]
    assert rows[0].startswith("│ a_very_long_layer_name_that_go… │")
    assert rows[1].startswith("│ (Dense)  ")  # the class name wrapped onto its own line


def test_show_trainable_adds_a_centred_column():
    keras.backend.clear_session(free_memory=False)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3),
                              keras.layers.Dense(1)])
    model.layers[0].trainable = False
    text = _capture(lambda: model.summary(show_trainable=True), False, "200")
    lines = text.splitlines()
    assert lines[2].endswith("┃ Traina… ┃")  # Keras 3 gives that column 10% of the width
    rows = [l for l in lines if l.startswith("│")]
    assert rows[0].rstrip("│").rstrip().endswith("N") and rows[1].rstrip("│").rstrip().endswith("Y")
    assert " Non-trainable params: 15 (60.00 B)" in lines
    assert " Trainable params: 4 (16.00 B)" in lines


def test_expand_nested_lists_inner_layers():
    keras.backend.clear_session(free_memory=False)
    inner = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3)], name="inner")
    outer = keras.Sequential([keras.Input(shape=(4,)), inner, keras.layers.Dense(1)])
    text = _capture(lambda: outer.summary(expand_nested=True), False)
    assert "│    └ dense (Dense)" in text
    assert " Total params: 19 (76.00 B)" in text


def test_unbuilt_model_raises_keras_error():
    keras.backend.clear_session(free_memory=False)
    model = keras.Sequential([keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="This model has not yet been built"):
        model.summary()


def test_memory_size_units():
    assert summary_mod.readable_memory_size(76.0, 3) == "76.00 B"
    assert summary_mod.readable_memory_size(76.0, 2) == "76.00 Byte"
    assert summary_mod.readable_memory_size(2048.0, 3) == "2.00 KB"
    assert summary_mod.readable_memory_size(3 * 1024 ** 2, 3) == "3.00 MB"


def test_big_counts_use_thousands_separators_in_keras3_only():
    keras.backend.clear_session(free_memory=False)
    model = keras.Sequential([keras.Input(shape=(100,)), keras.layers.Dense(100)])
    assert " Total params: 10,100 (39.45 KB)" in _capture(model.summary, False)
    config.set_keras_era(2)
    assert "Total params: 10100 (39.45 KB)" in _capture(model.summary, False)
