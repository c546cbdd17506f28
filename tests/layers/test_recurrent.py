"""Recurrent layers (RNN + cells, SimpleRNN, LSTM, GRU, Bidirectional, ConvLSTM) against numbers
real Keras computed: the reference cases of ``compat_suite/reference/make_recurrent_fixtures.py``
(Keras 3.15 and tf.keras 2.21, replayed from the configs those libraries wrote, on both the fused
kernel path and the step loop) and the model files of ``shared/keras_files`` (lstm, gru, gru_v1,
legacy_lstm_hard_sigmoid); plus the layer harness and Keras's error behaviour."""
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
ATOL = 1e-5

CASES = {lib: F.load("recurrent", lib) for lib in ("k3", "k2")}


def _force_loop(layer):
    """Disable the fused kernels (LSTM/GRU/SimpleRNN, also inside Bidirectional)."""
    for sub in layer._flatten_layers(include_self=True):
        if hasattr(sub, "use_cudnn"):
            sub.use_cudnn = False


def _params(lib):
    cases, _ = CASES[lib]
    return [pytest.param(lib, name, id=f"{lib}-{name}") for name in sorted(cases)]


@pytest.mark.parametrize("path", ["auto", "loop"])
@pytest.mark.parametrize("lib,name", _params("k3") + _params("k2"))
def test_matches_keras_reference(lib, name, path):
    cases, data = CASES[lib]
    case = cases[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with backend_config.era_scope(3 if lib == "k3" else 2):
            layer = deserialize_layer({"class_name": case["class"], "config": case["config"]})
    if path == "loop":
        _force_loop(layer)
    ours, ref, _ = F.replay(name, case, data, lib, layer=layer)
    assert len(ours) == len(ref)
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(a, b, atol=ATOL, rtol=1e-5)


def test_fixture_cases_present():
    assert len(CASES["k3"][0]) >= 40 and len(CASES["k2"][0]) >= 40


# -- the real model files (shared/keras_files) ----------------------------------------------
KF_CFG, KF = F.load_keras_files()


def _kf_layer(model, lib, class_name, index=0):
    entries = [e for e in KF_CFG[model][lib] if e["class_name"] == class_name]
    with backend_config.era_scope(3 if lib == "k3" else 2):
        return deserialize_layer(entries[index])


def _kf_weights(model, lib, key):
    out, i = [], 0
    while f"{model}/{lib}/{key}/{i}" in KF:
        out.append(KF[f"{model}/{lib}/{key}/{i}"])
        i += 1
    assert out, key
    return out


def _dense(x, w):
    return x @ w[0] + w[1]


@pytest.mark.parametrize("lib", ["k3", "k2"])
def test_keras_file_lstm_embedding_two_lstms(lib):
    x = KF["lstm/x"]
    k = (lambda key: _kf_weights("lstm", "k3", key)) if lib == "k3" else \
        (lambda key: _kf_weights("lstm", "k2", key))
    emb = k("embedding")[0]
    l1, l2 = _kf_layer("lstm", lib, "LSTM", 0), _kf_layer("lstm", lib, "LSTM", 1)
    h = torch.as_tensor(emb[x])
    l1(h)
    l1.set_weights(k("lstm/cell" if lib == "k3" else "lstm"))
    h = l1(h)
    l2(h)
    l2.set_weights(k("lstm_1/cell" if lib == "k3" else "lstm_1"))
    y = 1 / (1 + np.exp(-_dense(l2(h).detach().numpy(), k("dense"))))
    np.testing.assert_allclose(y, KF[f"lstm/y_{lib}"], atol=ATOL)


@pytest.mark.parametrize("model,cls", [("gru", "GRU"), ("gru_v1", "GRU"),
                                       ("legacy_lstm_hard_sigmoid", "LSTM")])
@pytest.mark.parametrize("lib", ["k3", "k2"])
def test_keras_file_single_rnn(model, cls, lib):
    layer = _kf_layer(model, lib, cls)
    x = KF[f"{model}/x"]
    layer(x)
    name = cls.lower()
    layer.set_weights(_kf_weights(model, lib, f"{name}/cell" if lib == "k3" else layer.name))
    y = _dense(layer(x).detach().numpy(), _kf_weights(model, lib, "dense"))
    np.testing.assert_allclose(y, KF[f"{model}/y_{lib}"], atol=ATOL)
    if model == "legacy_lstm_hard_sigmoid":  # the era decides hard_sigmoid's definition
        other = "k2" if lib == "k3" else "k3"
        with backend_config.era_scope(3 if other == "k3" else 2):
            wrong = L.LSTM.from_config(layer.get_config())
        wrong(x)
        wrong.set_weights(layer.get_weights())
        y2 = _dense(wrong(x).detach().numpy(), _kf_weights(model, lib, "dense"))
        assert np.abs(y2 - KF[f"{model}/y_{lib}"]).max() > 1e-3


# -- layer harness ---------------------------------------------------------------------------
@pytest.mark.parametrize("cls,kwargs,out,weights", [
    (L.SimpleRNN, {"units": 3}, (2, 3), [(4, 3), (3, 3), (3,)]),
    (L.SimpleRNN, {"units": 3, "return_sequences": True, "use_bias": False}, (2, 5, 3),
     [(4, 3), (3, 3)]),
    (L.LSTM, {"units": 3}, (2, 3), [(4, 12), (3, 12), (12,)]),
    (L.LSTM, {"units": 3, "return_sequences": True, "go_backwards": True}, (2, 5, 3), None),
    (L.LSTM, {"units": 3, "activation": "relu", "recurrent_activation": "hard_sigmoid"},
     (2, 3), None),
    (L.GRU, {"units": 3}, (2, 3), [(4, 9), (3, 9), (2, 9)]),
    (L.GRU, {"units": 3, "reset_after": False, "return_sequences": True}, (2, 5, 3),
     [(4, 9), (3, 9), (9,)]),
    (L.RNN, {"cell": L.LSTMCell(3)}, (2, 3), [(4, 12), (3, 12), (12,)]),
])
def test_harness(cls, kwargs, out, weights):
    run_layer_test(cls, kwargs, (2, 5, 4), out, expected_num_trainable_weights=len(weights or [
        0, 0, 0]), expected_weight_shapes=weights)


def test_harness_return_state():
    run_layer_test(L.LSTM, {"units": 3, "return_state": True}, (2, 5, 4),
                   [(2, 3), (2, 3), (2, 3)])
    run_layer_test(L.GRU, {"units": 3, "return_state": True, "return_sequences": True},
                   (2, 5, 4), [(2, 5, 3), (2, 3)])


def test_harness_stacked_cells():
    run_layer_test(L.RNN, {"cell": [L.SimpleRNNCell(3), L.GRUCell(2)],
                           "return_sequences": True}, (2, 5, 4), (2, 5, 2),
                   expected_weight_shapes=[(4, 3), (3, 3), (3,), (3, 6), (2, 6), (2, 6)])


def test_harness_conv_lstm():
    run_layer_test(L.ConvLSTM2D, {"filters": 2, "kernel_size": 3, "padding": "same"},
                   (2, 3, 5, 4, 3), (2, 5, 4, 2),
                   expected_weight_shapes=[(3, 3, 3, 8), (3, 3, 2, 8), (8,)])
    run_layer_test(L.ConvLSTM1D, {"filters": 2, "kernel_size": 2, "return_sequences": True,
                                  "data_format": "channels_first"}, (2, 3, 3, 5), (2, 3, 2, 4))


def test_harness_bidirectional():
    run_layer_test(L.Bidirectional, {"layer": L.LSTM(3, return_sequences=True)}, (2, 5, 4),
                   (2, 5, 6), expected_weight_shapes=[(4, 12), (3, 12), (12,)] * 2)
    run_layer_test(L.Bidirectional, {"layer": L.GRU(3), "merge_mode": None}, (2, 5, 4),
                   [(2, 3), (2, 3)])


# -- fused kernels == step loop ----------------------------------------------------------------
def _masks(b, t, rng):
    right = np.arange(t)[None] < rng.integers(1, t + 1, size=(b, 1))
    left = right[:, ::-1].copy()
    both = np.zeros((b, t), bool)
    for i in range(b):
        s = rng.integers(0, t)
        e = rng.integers(s, t + 1)
        both[i, s:e] = True
    holes = rng.uniform(size=(b, t)) > 0.4
    return {"none": None, "right": right, "left": left, "block": both, "holes": holes}


@pytest.mark.parametrize("kind", ["lstm", "gru", "simple", "bidir_lstm", "bidir_gru"])
@pytest.mark.parametrize("mask_kind", ["none", "right", "left", "block", "holes"])
@pytest.mark.parametrize("backwards", [False, True])
def test_fused_equals_loop_with_gradients(kind, mask_kind, backwards):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(5, 6, 3)).astype("float32")
    mask = _masks(5, 6, rng)[mask_kind]
    rs = bool(rng.integers(0, 2)) or kind.startswith("bidir")

    def make():
        base = {"lstm": L.LSTM, "gru": L.GRU, "simple": L.SimpleRNN}[kind.split("_")[-1]
                                                                     if "bidir" in kind
                                                                     else kind]
        layer = base(4, return_sequences=rs, return_state=True, go_backwards=backwards
                     and "bidir" not in kind)
        return L.Bidirectional(layer) if "bidir" in kind else layer

    a, b = make(), make()
    a(x)
    b(x)
    b.set_weights(a.get_weights())
    _force_loop(b)
    results = []
    for layer in (a, b):
        xt = torch.tensor(x, requires_grad=True)
        out = layer(xt, mask=None if mask is None else torch.as_tensor(mask))
        loss = sum((o * torch.linspace(-1, 1, o.shape[-1])).sum() for o in out)
        grads = torch.autograd.grad(loss, [xt] + [w.tensor for w in layer.trainable_weights])
        results.append(([o.detach().numpy() for o in out], [g.numpy() for g in grads]))
    for oa, ob in zip(results[0][0], results[1][0]):
        np.testing.assert_allclose(oa, ob, atol=2e-6)
    for ga, gb in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(ga, gb, atol=2e-5)


# -- masks from the graph ----------------------------------------------------------------------
def test_mask_from_tensor_attribute_equals_explicit_mask():
    x = np.random.default_rng(0).normal(size=(3, 5, 4)).astype("float32")
    mask = torch.as_tensor(F.load("recurrent")[1]["lstm_mask_left/mask"])
    layer = L.LSTM(3, return_sequences=True)
    explicit = layer(x, mask=mask)
    xt = torch.as_tensor(x)
    xt._keras_mask = mask
    carried = layer(xt)
    np.testing.assert_array_equal(explicit.detach().numpy(), carried.detach().numpy())
    assert carried._keras_mask is mask  # return_sequences passes the mask on
    assert getattr(L.LSTM(3)(xt), "_keras_mask", None) is None


def test_mask_zero_embedding_in_sequential():
    if not hasattr(L, "Embedding"):
        pytest.skip("Embedding not available yet")
    ids = np.array([[3, 1, 4, 0, 0], [0, 0, 2, 7, 1]], dtype="int64")
    emb = L.Embedding(10, 4, mask_zero=True)
    lstm = L.LSTM(3, return_sequences=True)
    model = keras.Sequential([keras.Input((5,), dtype="int64"), emb, lstm])
    y = model(ids)
    ref = lstm(emb(ids), mask=torch.as_tensor(ids != 0))
    np.testing.assert_allclose(y.detach().numpy(), ref.detach().numpy(), atol=1e-6)
    # masked steps repeat the previous output (zeros before the first real step)
    y = y.detach().numpy()
    np.testing.assert_array_equal(y[0, 3], y[0, 2])
    np.testing.assert_array_equal(y[1, :2], 0)


def test_masking_layer_feeds_gru():
    if not hasattr(L, "Masking"):
        pytest.skip("Masking not available yet")
    x = np.random.default_rng(1).normal(size=(2, 4, 3)).astype("float32")
    x[0, 2:] = 0.0
    gru = L.GRU(2)
    model = keras.Sequential([keras.Input((4, 3)), L.Masking(0.0), gru])
    ref = gru(x, mask=torch.as_tensor(np.any(x != 0, axis=-1)))
    np.testing.assert_allclose(model(x).detach().numpy(), ref.detach().numpy(), atol=1e-6)


# -- states ------------------------------------------------------------------------------------
def test_stateful_needs_batch_size_and_resets():
    with pytest.raises(ValueError, match="batch size must be static"):
        L.LSTM(2, stateful=True)(keras.Input((3, 4)))
    layer = L.GRU(2, stateful=True)
    x = np.random.default_rng(2).normal(size=(3, 4, 2)).astype("float32")
    y1 = layer(x).detach().numpy()
    y2 = layer(x).detach().numpy()
    assert not np.allclose(y1, y2)
    layer.reset_states()
    np.testing.assert_allclose(layer(x).detach().numpy(), y1, atol=1e-6)
    # continuing from the stored state == passing it as initial_state
    state = layer.states[0].clone()
    fresh = L.GRU(2)
    fresh(x)
    fresh.set_weights(layer.get_weights())
    np.testing.assert_allclose(layer(x).detach().numpy(),
                               fresh(x, initial_state=[state]).detach().numpy(), atol=1e-6)
    with pytest.raises(ValueError, match="batch size"):
        layer(x[:2])
    layer.reset_states([np.ones((3, 2), "float32")])
    np.testing.assert_array_equal(layer.states[0].numpy(), 1)
    with pytest.raises(ValueError, match="State 0 is incompatible"):
        layer.reset_states([np.ones((2, 2), "float32")])
    assert layer.get_weights().__len__() == 3  # states are not weights


def test_stateful_in_sequential_with_batch_input_shape():
    model = keras.Sequential([L.LSTM(3, stateful=True, batch_input_shape=(2, 4, 5))])
    x = np.ones((2, 4, 5), "float32")
    a = model(x).detach().numpy()
    b = model(x).detach().numpy()
    assert not np.allclose(a, b)
    model.reset_states()
    np.testing.assert_allclose(model(x).detach().numpy(), a, atol=1e-6)


def test_initial_state_validation_and_keras2_list_input():
    x = np.zeros((2, 3, 4), "float32")
    layer = L.LSTM(5)
    with pytest.raises(ValueError, match="initial_state"):
        layer(x, initial_state=[np.zeros((2, 5), "float32")])
    with pytest.raises(ValueError, match="initial_state"):
        layer(x, initial_state=[np.zeros((2, 4), "float32")] * 2)
    h = np.random.default_rng(3).normal(size=(2, 5)).astype("float32")
    a = layer(x, initial_state=[h, h]).detach().numpy()
    b = layer([x, h, h]).detach().numpy()  # Keras 2: states in the inputs list
    np.testing.assert_array_equal(a, b)


def test_encoder_decoder_functional_initial_state():
    enc_in = keras.Input((6, 3))
    _, h, c = L.LSTM(4, return_state=True)(enc_in)
    dec_in = keras.Input((5, 2))
    dec = L.LSTM(4, return_sequences=True)
    out = dec(dec_in, initial_state=[h, c])
    model = keras.Model([enc_in, dec_in], out)
    assert tuple(out.shape) == (None, 5, 4)
    rng = np.random.default_rng(4)
    xe = rng.normal(size=(2, 6, 3)).astype("float32")
    xd = rng.normal(size=(2, 5, 2)).astype("float32")
    y = model([xe, xd])
    enc = model.layers[1] if isinstance(model.layers[1], L.LSTM) else model.layers[2]
    _, h2, c2 = enc(xe)
    np.testing.assert_allclose(y.detach().numpy(),
                               dec(xd, initial_state=[h2, c2]).detach().numpy(), atol=1e-6)


def test_time_major_and_unroll():
    x = np.random.default_rng(5).normal(size=(2, 4, 3)).astype("float32")
    a = L.SimpleRNN(2, return_sequences=True, unroll=True)
    b = L.SimpleRNN(2, return_sequences=True, time_major=True)
    ya = a(x)
    b(x.transpose(1, 0, 2))
    b.set_weights(a.get_weights())
    yb = b(x.transpose(1, 0, 2))
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy().transpose(1, 0, 2),
                               atol=1e-6)
    assert b.get_config()["time_major"] is True and "time_major" not in a.get_config()


# -- dropout -----------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [L.LSTM, L.GRU, L.SimpleRNN])
def test_dropout_training_only(cls):
    x = np.random.default_rng(6).normal(size=(4, 5, 3)).astype("float32")
    layer = cls(4, dropout=0.5, recurrent_dropout=0.3, seed=1)
    y0 = layer(x).detach().numpy()
    np.testing.assert_array_equal(y0, layer(x).detach().numpy())
    y1 = layer(x, training=True)
    assert not np.allclose(y0, y1.detach().numpy())
    y1.sum().backward()
    assert all(w.tensor.grad is not None for w in layer.trainable_weights)
    # a fresh mask per call
    assert not np.allclose(layer(x, training=True).detach().numpy(), y1.detach().numpy())


def test_input_dropout_is_one_mask_per_sequence():
    # with recurrent weights zero, a dropped input feature is dropped at every step
    layer = L.SimpleRNN(1, dropout=0.5, activation="linear", use_bias=False,
                        return_sequences=True)
    x = np.ones((64, 4, 1), "float32")
    layer(x)
    layer.set_weights([np.ones((1, 1), "float32"), np.zeros((1, 1), "float32")])
    y = layer(x, training=True).detach().numpy()[..., 0]
    assert set(np.unique(y)) <= {0.0, 2.0}
    assert np.all(y == y[:, :1])


# -- cells, custom cells, init -----------------------------------------------------------------
def test_custom_cell_keras3_protocol():
    class MinimalRNNCell(L.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                          initializer="uniform", name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                    initializer="uniform",
                                                    name="recurrent_kernel")

        def call(self, inputs, states):
            prev = states[0]
            h = inputs @ self.kernel
            out = h + prev @ self.recurrent_kernel
            return out, [out]

    x = np.random.default_rng(8).normal(size=(2, 4, 3)).astype("float32")
    layer = L.RNN(MinimalRNNCell(2), return_sequences=True)
    mask = np.array([[1, 1, 0, 1], [1, 1, 1, 1]], bool)
    y = layer(x, mask=torch.as_tensor(mask)).detach().numpy()
    k, r = layer.get_weights()
    h = np.zeros((2, 2), "float32")
    prev = np.zeros((2, 2), "float32")
    for t in range(4):
        new = x[:, t] @ k + h @ r
        m = mask[:, t, None]
        h = np.where(m, new, h)
        prev = np.where(m, new, prev)
        np.testing.assert_allclose(y[:, t], prev, atol=1e-5)
    assert [w.name for w in layer.weights] == ["kernel", "recurrent_kernel"]


def test_cell_call_single_step_and_state_structure():
    cell = L.LSTMCell(3)
    x = np.ones((2, 4), "float32")
    states = cell.get_initial_state(batch_size=2)
    out, new = cell(x, states)
    assert out.shape == (2, 3) and len(new) == 2
    g = L.GRUCell(3)
    out, new = g(x, g.get_initial_state(batch_size=2)[0])
    assert isinstance(new, torch.Tensor)  # un-nested state in, un-nested state out
    # the RNN loop over a cell == the fused layer with the same weights
    seq = np.random.default_rng(9).normal(size=(2, 5, 4)).astype("float32")
    rnn = L.RNN(L.GRUCell(3))
    gru = L.GRU(3)
    rnn(seq)
    gru(seq)
    gru.set_weights(rnn.get_weights())
    np.testing.assert_allclose(rnn(seq).detach().numpy(), gru(seq).detach().numpy(), atol=1e-6)


def test_initializers_unit_forget_bias_and_orthogonal():
    layer = L.LSTM(4, bias_initializer="ones")
    layer(np.zeros((1, 2, 3), "float32"))
    k, r, b = layer.get_weights()
    np.testing.assert_array_equal(b, np.ones(16))
    layer = L.LSTM(4)
    layer(np.zeros((1, 2, 3), "float32"))
    k, r, b = layer.get_weights()
    np.testing.assert_array_equal(b, np.r_[np.zeros(4), np.ones(4), np.zeros(8)])
    np.testing.assert_allclose(r @ r.T, np.eye(4), atol=1e-5)  # orthogonal rows (4, 16)
    layer = L.LSTM(4, unit_forget_bias=False)
    layer(np.zeros((1, 2, 3), "float32"))
    np.testing.assert_array_equal(layer.get_weights()[2], 0)


def test_weights_live_in_the_cell_sublayer():
    layer = L.GRU(3, name="enc")
    layer(np.zeros((1, 2, 4), "float32"))
    assert layer.cell.name == "gru_cell"
    assert dict(layer.named_children())["cell"] is layer.cell
    assert [w.path for w in layer.weights] == ["gru_cell/kernel", "gru_cell/recurrent_kernel",
                                               "gru_cell/bias"]
    # Keras layout views of the torch-layout parameters
    k = layer.get_weights()[0]
    np.testing.assert_array_equal(layer.cell.kernel.detach().numpy(), k)
    u = 3
    np.testing.assert_array_equal(layer.cell.weight_ih.detach().numpy()[:u], k[:, u:2 * u].T)


def test_regularizers_and_constraints_are_attached():
    layer = L.LSTM(2, kernel_regularizer=keras.regularizers.L2(0.1),
                   recurrent_constraint=keras.constraints.NonNeg())
    layer(np.ones((1, 3, 2), "float32"))
    k = layer.get_weights()[0]
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(layer.losses[0].detach()), 0.1 * np.sum(k ** 2), rtol=1e-5)
    specs = {s.name: s for s in layer.cell._weight_specs}
    assert specs["recurrent_kernel"].constraint is not None


def test_configs_round_trip_keras2_keys():
    cfg = {"name": "lstm", "units": 3, "time_major": False, "implementation": 2,
           "return_sequences": True}
    layer = L.LSTM.from_config(cfg)
    out = layer.get_config()
    assert out["time_major"] is False and out["implementation"] == 2
    assert L.LSTM.from_config(out).get_config() == out
    gru = L.GRU(2, reset_after=False)
    assert L.GRU.from_config(gru.get_config()).reset_after is False
    rnn = L.RNN([L.LSTMCell(2), L.GRUCell(3)], return_state=True)
    clone = L.RNN.from_config(rnn.get_config())
    assert [type(c).__name__ for c in clone.cell.cells] == ["LSTMCell", "GRUCell"]


def test_symbolic_shapes():
    inp = keras.Input((7, 3))
    assert L.LSTM(4)(inp).shape == (None, 4)
    seq, h, c = L.LSTM(4, return_sequences=True, return_state=True)(inp)
    assert seq.shape == (None, 7, 4) and h.shape == c.shape == (None, 4)
    fwd, bwd = L.Bidirectional(L.GRU(2, return_sequences=True), merge_mode=None)(inp)
    assert fwd.shape == bwd.shape == (None, 7, 2)
    out = L.ConvLSTM2D(3, 3, strides=2, return_sequences=True)(keras.Input((4, 9, 8, 2)))
    assert out.shape == (None, 4, 4, 3, 3)


# -- errors ------------------------------------------------------------------------------------
def test_errors_are_keras_style():
    with pytest.raises(ValueError, match="units"):
        L.LSTM(0)
    with pytest.raises(ValueError, match="`call` method"):
        L.RNN(object())
    with pytest.raises(ValueError, match="ndim=3"):
        L.GRU(2)(np.zeros((2, 3), "float32"))
    layer = L.LSTM(2)
    layer(np.zeros((2, 3, 4), "float32"))
    with pytest.raises(ValueError, match="axis -1"):
        layer(np.zeros((2, 3, 5), "float32"))
    with pytest.raises(ValueError, match=r"mask.*\(2, 3\)"):
        layer(np.zeros((2, 3, 4), "float32"), mask=np.ones((2, 4), bool))
    with pytest.raises(ValueError, match="use_cudnn"):
        L.LSTM(2, use_cudnn="yes")
    with pytest.raises(ValueError, match="cuDNN"):
        L.LSTM(2, activation="relu", use_cudnn=True)(np.zeros((1, 2, 3), "float32"))
    with pytest.raises(ValueError, match="merge mode"):
        L.Bidirectional(L.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="go_backwards"):
        L.Bidirectional(L.LSTM(2), backward_layer=L.LSTM(2))
    with pytest.raises(ValueError, match="padding"):
        L.ConvLSTM2D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="zero or negative"):
        L.ConvLSTM2D(2, 5)(np.zeros((1, 2, 3, 3, 1), "float32"))


def test_conv_lstm_dropout_and_gradients():
    layer = L.ConvLSTM2D(2, 3, padding="same", dropout=0.3, recurrent_dropout=0.3,
                         return_sequences=True, seed=0)
    x = np.random.default_rng(10).normal(size=(2, 3, 4, 4, 1)).astype("float32")
    y0 = layer(x).detach().numpy()
    y1 = layer(x, training=True)
    assert not np.allclose(y0, y1.detach().numpy())
    y1.sum().backward()
    assert all(w.tensor.grad is not None for w in layer.trainable_weights)
    # the ConvLSTMCell run step by step gives the layer's numbers
    cell = L.ConvLSTMCell(2, 2, 3, padding="same")
    xt = torch.as_tensor(x)
    cell.build((2, 4, 4, 1))
    cell.set_weights(layer.get_weights())
    states = cell.get_initial_state(batch_size=2)
    outs = []
    for t in range(3):
        out, states = cell.call(xt[:, t], states)
        outs.append(out)
    np.testing.assert_allclose(torch.stack(outs, 1).detach().numpy(), y0, atol=1e-5)


def test_subclassed_builtin_cell_uses_its_own_call():
    class DoubledLSTMCell(L.LSTMCell):
        def call(self, inputs, states, training=False):
            h, new = super().call(inputs, states, training=training)
            return 2 * h, new

    x = np.random.default_rng(11).normal(size=(2, 3, 4)).astype("float32")
    custom = L.RNN(DoubledLSTMCell(3))
    plain = L.RNN(L.LSTMCell(3))
    custom(x)
    plain(x)
    plain.set_weights(custom.get_weights())
    np.testing.assert_allclose(custom(x).detach().numpy(), 2 * plain(x).detach().numpy(),
                               atol=1e-6)
