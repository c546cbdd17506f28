"""Loaded models stay plain torch modules: ``torch.jit.trace`` and ``torch.export.export``
work on them and compute what Keras computed."""
import numpy as np
import pytest
import torch

import torchkeras as keras

from _files import MODERN, io_for, modern


@pytest.mark.parametrize("name", ["mlp.k2.h5", "mlp.k3.keras", "gru_v1.k3.keras"])
def test_jit_trace_loaded_model(name):
    model = keras.models.load_model(modern(name), compile=False)
    model.eval()
    x, (y,) = io_for(MODERN, name)
    xt = torch.from_numpy(x)
    traced = torch.jit.trace(model, (xt,), check_trace=False)
    np.testing.assert_allclose(traced(xt).detach().numpy(), y, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("name", ["mlp.k2.h5", "mlp.k3.keras"])
def test_torch_export_loaded_model(name):
    model = keras.models.load_model(modern(name), compile=False)
    model.eval()
    x, (y,) = io_for(MODERN, name)
    xt = torch.from_numpy(x)
    exported = torch.export.export(model, (xt,))
    out = exported.module()(xt)
    np.testing.assert_allclose(out.detach().numpy(), y, atol=1e-4, rtol=1e-4)


def test_loaded_model_is_an_nn_module_with_a_state_dict():
    model = keras.models.load_model(modern("functional.k3.keras"), compile=False)
    assert isinstance(model, torch.nn.Module)
    n = sum(p.numel() for p in model.parameters())
    assert n == model.count_params()
    assert len(model.state_dict()) > 0
