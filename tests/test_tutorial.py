"""The code examples of the tutorial this project started from run verbatim, with
``import torchkeras as ks`` in place of ``import keras as ks``.

The blocks are copied unchanged from ``shared/seed/keras-tutorial.md`` into
``tests/fixtures/tutorial/code_blocks.json``; signature listings (``keras.layers.X(...)``
reference lines) are documentation, not runnable examples, and are skipped.
"""
import json
import os

import numpy as np
import pytest

import torchkeras

HERE = os.path.dirname(__file__)
BLOCKS = json.load(open(os.path.join(HERE, "fixtures", "tutorial", "code_blocks.json"),
                        encoding="utf-8"))["blocks"]
EXAMPLES = [b for b in BLOCKS if b.startswith("model = ks.models.Sequential()") and
            b.count("model.add") > 1]


def _namespace():
    ns = {"ks": torchkeras, "np": np}
    exec(BLOCKS[1], ns)  # X, y from the tutorial
    return ns


def test_five_model_examples_are_present():
    assert len(EXAMPLES) == 5


@pytest.mark.parametrize("index", range(5))
def test_model_example_runs_verbatim(index):
    ns = _namespace()
    exec(EXAMPLES[index], ns)
    model = ns["model"]
    assert model.built
    x = np.random.rand(4, 28, 28, 1) if "Conv2D" in EXAMPLES[index] else np.random.rand(4, 2)
    out = model.predict(x.astype("float32"), verbose=0)
    assert out.shape[0] == 4
    # the tutorial's compile/fit steps on each model
    model.compile(loss="binary_crossentropy" if out.shape[-1] == 1 else
                  "sparse_categorical_crossentropy", optimizer="sgd")
    y = np.array([1, 0, 1, 0])
    model.fit(x.astype("float32"), y, epochs=1, batch_size=2, verbose=0)


def test_compile_and_fit_blocks_run_verbatim(capsys):
    ns = _namespace()
    exec(BLOCKS[2], ns)   # Sequential + Dense(units=1, input_dim=2)
    exec(BLOCKS[3], ns)   # compile(loss='binary_crossentropy', optimizer='sgd')
    exec(BLOCKS[4], ns)   # history = model.fit(X, y, epochs=100, batch_size=32, verbose=1)
    history = ns["history"]
    # (a linear unit with binary cross-entropy: Keras clips y_pred, so the loss need not move)
    assert len(history.history["loss"]) == 100 and history.epoch[-1] == 99
    out = capsys.readouterr().out
    assert "Epoch 100/100" in out and "loss:" in out


def test_conv_example_param_counts_match_keras():
    ns = _namespace()
    exec(EXAMPLES[4], ns)
    model = ns["model"]
    # real Keras: conv2d 320, max_pooling2d 0, flatten 0, dense 54090
    assert [l.count_params() for l in model.layers] == [320, 0, 0, 54090]
    assert model.output_shape == (None, 10)
