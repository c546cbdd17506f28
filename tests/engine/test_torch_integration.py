"""Every model is a plain ``torch.nn.Module``: state_dict, .to(), torch.compile, torch.export,
a hand-written torch loop, and torch optimizers on Keras layers."""
import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers


def _model():
    inp = keras.Input((6,))
    h = layers.Dense(8, activation="relu")(inp)
    out = layers.Dense(2)(layers.Dropout(0.1)(h))
    return keras.Model(inp, out)


def test_is_module_and_state_dict_round_trip():
    m = _model()
    assert isinstance(m, torch.nn.Module)
    sd = m.state_dict()
    assert "dense.linear.weight" in sd  # keys follow the Keras layer names
    keras.backend.clear_session()        # the same script in a fresh process names layers alike
    m2 = _model()
    m2.load_state_dict(sd)
    x = torch.randn(3, 6)
    torch.testing.assert_close(m(x), m2(x))
    for a, b in zip(m.get_weights(), m2.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_layers_start_in_inference_mode_and_follow_torch_modes():
    m = _model()
    x = torch.ones(64, 6)
    torch.testing.assert_close(m(x), m(x))  # Dropout inactive, as Keras's default
    m.train()
    assert not torch.equal(m(x), m(x))      # torch's training mode enables Dropout
    m.eval()
    torch.testing.assert_close(m(x, training=False), m(x))


def test_hand_written_torch_loop_trains_keras_model():
    m = _model()
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    x, y = torch.randn(32, 6), torch.randn(32, 2)
    first = None
    for _ in range(20):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(m(x, training=True), y)
        loss.backward()
        opt.step()
        first = first if first is not None else loss.item()
    assert loss.item() < first


def test_torch_compile_runs():
    m = _model()
    x = torch.randn(4, 6)
    compiled = torch.compile(m, backend="eager")
    torch.testing.assert_close(compiled(x), m(x))


def test_torch_export_and_jit_trace():
    m = _model()
    x = torch.randn(4, 6)
    exported = torch.export.export(m, (x,))
    torch.testing.assert_close(exported.module()(x), m(x))
    traced = torch.jit.trace(m, (x,), check_trace=False)
    torch.testing.assert_close(traced(x), m(x))


def test_to_device_moves_weights_and_inputs_follow():
    m = _model()
    m.to(torch.float64)
    assert all(p.dtype == torch.float64 for p in m.parameters())
    m.to(torch.float32)
    if torch.cuda.is_available():  # pragma: no cover - exercised on the GPU machine
        m.to("cuda")
        y = m(np.ones((2, 6), "float32"))
        assert y.device.type == "cuda"
