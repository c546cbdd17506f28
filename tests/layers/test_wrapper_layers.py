"""Wrappers (TimeDistributed, Bidirectional) against real Keras: the wrapper reference cases of
``compat_suite/reference/make_recurrent_fixtures.py`` (Keras 3.15 / tf.keras 2.21) and the
``bidir_timedist`` model of ``shared/keras_files`` (configs and weights of both libraries)."""
import warnings

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras.backend import config as backend_config
from torchkeras.saving.serialization import deserialize_layer

import _rnn_fixtures as F
from layer_harness import run_layer_test

L = keras.layers
CASES = {lib: F.load("wrappers", lib) for lib in ("k3", "k2")}


@pytest.mark.parametrize("lib,name", [pytest.param(lib, n, id=f"{lib}-{n}")
                                      for lib in ("k3", "k2") for n in sorted(CASES[lib][0])])
def test_matches_keras_reference(lib, name):
    cases, data = CASES[lib]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, ref, _ = F.replay(name, cases[name], data, lib)
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(a, b, atol=1e-5, rtol=1e-5)


KF_CFG, KF = F.load_keras_files()


@pytest.mark.parametrize("lib", ["k3", "k2"])
@pytest.mark.parametrize("fused", [True, False])
def test_keras_file_bidirectional_lstm_time_distributed_dense(lib, fused):
    m = "bidir_timedist"
    entries = {e["class_name"]: e for e in KF_CFG[m][lib]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with backend_config.era_scope(3 if lib == "k3" else 2):
            bi = deserialize_layer(entries["Bidirectional"])
            td = deserialize_layer(entries["TimeDistributed"])

    def w(key):
        out, i = [], 0
        while f"{m}/{lib}/{key}/{i}" in KF:
            out.append(KF[f"{m}/{lib}/{key}/{i}"])
            i += 1
        return out

    if lib == "k3":
        bw = w("bidirectional/forward_layer/cell") + w("bidirectional/backward_layer/cell")
        tw = w("time_distributed/layer")
    else:
        bw, tw = w("bidirectional"), w("time_distributed")
    x = KF[f"{m}/x"]
    model = keras.Sequential([keras.Input(x.shape[1:]), bi, td])
    bi.set_weights(bw)
    td.set_weights(tw)
    if not fused:
        bi.forward_layer.use_cudnn = bi.backward_layer.use_cudnn = False
    assert (bi.forward_layer.name, bi.backward_layer.name) == ("forward_lstm", "backward_lstm")
    np.testing.assert_allclose(model(x).detach().numpy(), KF[f"{m}/y_{lib}"], atol=1e-5)


def test_time_distributed_harness_and_shapes():
    run_layer_test(L.TimeDistributed, {"layer": L.Dense(3)}, (2, 4, 5), (2, 4, 3),
                   expected_weight_shapes=[(5, 3), (3,)])
    if hasattr(L, "Conv2D"):
        run_layer_test(L.TimeDistributed, {"layer": L.Conv2D(2, 3)}, (2, 3, 6, 6, 1),
                       (2, 3, 4, 4, 2))
    out = L.TimeDistributed(L.Dense(7))(keras.Input((None, 4)))
    assert out.shape == (None, None, 7)


def test_time_distributed_equals_per_step_and_passes_mask():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 4)).astype("float32")
    dense = L.Dense(2)
    td = L.TimeDistributed(dense)
    y = td(x).detach().numpy()
    for t in range(3):
        np.testing.assert_allclose(y[:, t], dense(x[:, t]).detach().numpy(), atol=1e-6)
    xt = torch.as_tensor(x)
    mask = torch.tensor([[True, False, True], [True, True, False]])
    xt._keras_mask = mask
    assert torch.equal(td(xt)._keras_mask, mask)
    with pytest.raises(ValueError, match="incompatible with the input shape"):
        td(x, mask=torch.ones(2, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        L.TimeDistributed(L.Dense(2))(np.zeros((2, 4), "float32"))
    with pytest.raises(ValueError, match="Layer` instance"):
        L.TimeDistributed("dense")


def test_time_distributed_config_and_weights_path():
    td = L.TimeDistributed(L.Dense(3, name="inner"), name="td")
    td(np.zeros((1, 2, 4), "float32"))
    assert dict(td.named_children())["layer"] is td.layer
    clone = L.TimeDistributed.from_config(td.get_config())
    assert clone.layer.units == 3 and clone.layer.name == "inner"


def test_bidirectional_names_weights_and_config():
    bi = L.Bidirectional(L.LSTM(3, return_sequences=True, name="enc"), merge_mode="ave")
    x = np.random.default_rng(1).normal(size=(2, 4, 5)).astype("float32")
    y = bi(x)
    assert y.shape == (2, 4, 3)
    assert bi.forward_layer.name == "forward_enc" and bi.backward_layer.name == "backward_enc"
    assert bi.backward_layer.go_backwards and bi.forward_layer.zero_output_for_mask
    children = dict(bi.named_children())
    assert children["forward_layer"].cell is bi.forward_layer.cell
    cfg = bi.get_config()
    assert cfg["layer"]["config"]["name"] == "forward_enc"
    assert cfg["backward_layer"]["config"]["go_backwards"] is True
    clone = L.Bidirectional.from_config(cfg)
    clone(x)
    clone.set_weights(bi.get_weights())
    np.testing.assert_allclose(clone(x).detach().numpy(), y.detach().numpy(), atol=1e-6)


def test_bidirectional_equals_two_layers_by_hand():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 5, 2)).astype("float32")
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [0, 1, 1, 0, 0]], dtype=torch.bool)
    bi = L.Bidirectional(L.GRU(3, return_sequences=True, return_state=True), merge_mode="sum")
    out, hf, hb = bi(x, mask=mask)
    fwd = L.GRU(3, return_sequences=True, return_state=True, zero_output_for_mask=True)
    bwd = L.GRU(3, return_sequences=True, return_state=True, go_backwards=True,
                zero_output_for_mask=True)
    fwd(x)
    bwd(x)
    w = bi.get_weights()
    fwd.set_weights(w[:3])
    bwd.set_weights(w[3:])
    yf, sf = fwd(x, mask=mask)
    yb, sb = bwd(x, mask=mask)
    np.testing.assert_allclose(out.detach().numpy(), (yf + yb.flip(1)).detach().numpy(),
                               atol=1e-6)
    np.testing.assert_allclose(hf.detach().numpy(), sf.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(hb.detach().numpy(), sb.detach().numpy(), atol=1e-6)
    assert torch.equal(out._keras_mask, mask)


def test_bidirectional_stateful_reset():
    bi = L.Bidirectional(L.LSTM(2, stateful=True))
    x = np.ones((2, 3, 4), "float32")
    a = bi(x).detach().numpy()
    assert not np.allclose(a, bi(x).detach().numpy())
    bi.reset_states()
    np.testing.assert_allclose(bi(x).detach().numpy(), a, atol=1e-6)
    with pytest.raises(AttributeError, match="stateful"):
        L.Bidirectional(L.LSTM(2)).reset_states()
