"""Attention layers (MultiHeadAttention, Attention, AdditiveAttention) against numbers real Keras
computed (``compat_suite/reference/make_recurrent_fixtures.py``: Keras 3.15 and tf.keras 2.21,
masks, causal masks, attention axes, returned scores) and the ``layernorm_mha`` model of
``shared/keras_files``; plus the harness, masks, paths and errors."""
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
CASES = {lib: F.load("attention", lib) for lib in ("k3", "k2")}


def _params(lib):
    return [pytest.param(lib, n, id=f"{lib}-{n}") for n in sorted(CASES[lib][0])]


@pytest.mark.parametrize("lib,name", _params("k3") + _params("k2"))
def test_matches_keras_reference(lib, name):
    cases, data = CASES[lib]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, ref, _ = F.replay(name, cases[name], data, lib)
    assert len(ours) == len(ref)
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(a, b, atol=1e-5, rtol=1e-5)


def test_fixture_cases_present():
    assert len(CASES["k3"][0]) >= 19 and len(CASES["k2"][0]) >= 15


# -- the layernorm_mha model file --------------------------------------------------------------
KF_CFG, KF = F.load_keras_files()


def _ln(x, g, b, eps=1e-3):
    mu = x.mean(-1, keepdims=True)
    var = x.var(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


@pytest.mark.parametrize("lib", ["k3", "k2"])
def test_keras_file_layernorm_mha(lib):
    m = "layernorm_mha"
    entry = [e for e in KF_CFG[m][lib] if e["class_name"] == "MultiHeadAttention"][0]
    with backend_config.era_scope(3 if lib == "k3" else 2):
        mha = deserialize_layer(entry)

    def w(key):
        out, i = [], 0
        while f"{m}/{lib}/{key}/{i}" in KF:
            out.append(KF[f"{m}/{lib}/{key}/{i}"])
            i += 1
        return out

    if lib == "k3":
        p = "multi_head_attention/"
        weights = sum((w(p + k) for k in ("query_dense", "key_dense", "value_dense",
                                          "output_dense")), [])
        ln1, ln2, ff1, ff2, head = (w("layer_normalization"), w("layer_normalization_1"),
                                    w("dense"), w("dense_1"), w("dense_2"))
    else:
        weights = w("mha")
        ln1, ln2, ff1, ff2, head = w("ln1"), w("ln2"), w("ff1"), w("ff2"), w("head")
    x = KF[f"{m}/x"]
    mha(x, x)
    mha.set_weights(weights)
    a = mha(x, x).detach().numpy()
    h = _ln(x + a, *ln1)
    f = np.maximum(h @ ff1[0] + ff1[1], 0) @ ff2[0] + ff2[1]
    h = _ln(h + f, *ln2)
    y = h.mean(1) @ head[0] + head[1]
    np.testing.assert_allclose(y, KF[f"{m}/y_{lib}"], atol=1e-5)


# -- MultiHeadAttention ------------------------------------------------------------------------
def _qv(seed=0, b=2, t=4, s=5, d=6):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(b, t, d)).astype("float32"),
            rng.normal(size=(b, s, d)).astype("float32"))


def test_mha_weights_layout_names_and_round_trips():
    q, v = _qv()
    mha = L.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=4, output_shape=(5,),
                               use_gate=True, name="mha")
    y = mha(q, v)
    assert y.shape == (2, 4, 5)
    shapes = [tuple(w.shape) for w in mha.weights]
    assert shapes == [(6, 2, 3), (2, 3), (6, 2, 3), (2, 3), (6, 2, 4), (2, 4), (6, 2, 4),
                      (2, 4), (2, 4, 5), (5,)]
    assert [w.path for w in mha.weights][:2] == ["query/kernel", "query/bias"]
    assert [w.path for w in mha.weights][4] == "gate/kernel"
    assert mha.output_dense.name == "attention_output"
    children = dict(mha.named_children())
    assert {"query_dense", "key_dense", "value_dense", "output_dense", "gate_dense"} <= \
        set(children)
    # config and weights round trip
    clone = L.MultiHeadAttention.from_config(mha.get_config())
    clone(q, v)
    clone.set_weights(mha.get_weights())
    np.testing.assert_allclose(clone(q, v).detach().numpy(), y.detach().numpy(), atol=1e-6)
    assert clone.get_config() == mha.get_config()
    # one training step reaches every weight
    out = mha(torch.as_tensor(q), torch.as_tensor(v), training=True)
    (out ** 2).mean().backward()
    assert all(w.tensor.grad is not None for w in mha.trainable_weights)


def test_mha_glorot_fans_follow_einsum_axes():
    mha = L.MultiHeadAttention(4, 8, kernel_initializer=keras.initializers.GlorotUniform(0))
    mha(*_qv(d=16))
    k = mha.get_weights()[0]  # (16, 4, 8): fan_in 16, fan_out 32
    limit = np.sqrt(6 / (16 + 32))
    assert np.abs(k).max() <= limit and np.abs(k).max() > 0.8 * limit


def test_mha_symbolic_and_functional():
    q_in = keras.Input((4, 6))
    v_in = keras.Input((5, 6))
    mha = L.MultiHeadAttention(2, 3)
    out, scores = mha(q_in, v_in, return_attention_scores=True)
    assert out.shape == (None, 4, 6) and scores.shape == (None, 2, 4, 5)
    model = keras.Model([q_in, v_in], [out, scores])
    q, v = _qv()
    yo, ys = model([q, v])
    ro, rs = mha(q, v, return_attention_scores=True)
    np.testing.assert_allclose(yo.detach().numpy(), ro.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(ys.detach().numpy(), rs.detach().numpy(), atol=1e-6)


def test_mha_keras_masks_and_output_mask():
    q, v = _qv(1)
    qm = torch.tensor([[1, 1, 1, 0], [1, 0, 1, 1]], dtype=torch.bool)
    vm = torch.tensor([[1, 1, 0, 1, 1], [1, 1, 1, 1, 0]], dtype=torch.bool)
    mha = L.MultiHeadAttention(2, 3)
    qt, vt = torch.as_tensor(q), torch.as_tensor(v)
    qt._keras_mask, vt._keras_mask = qm, vm
    auto = mha(qt, vt)
    assert auto._keras_mask is not None and torch.equal(auto._keras_mask, qm)
    explicit = mha(torch.as_tensor(q), torch.as_tensor(v), query_mask=qm, value_mask=vm)
    np.testing.assert_allclose(auto.detach().numpy(), explicit.detach().numpy(), atol=1e-6)
    am = qm[:, :, None] & vm[:, None, :]
    by_attention_mask = mha(q, v, attention_mask=am)
    np.testing.assert_allclose(auto.detach().numpy(), by_attention_mask.detach().numpy(),
                               atol=1e-6)


def test_mha_fused_and_explicit_paths_agree():
    q, v = _qv(2)
    am = np.random.default_rng(3).uniform(size=(2, 4, 5)) > 0.4
    am[..., 0] = True  # no fully masked row (where the two Keras paths differ)
    mha = L.MultiHeadAttention(3, 2)
    fused = mha(q, v, attention_mask=am, use_causal_mask=False)
    explicit, _ = mha(q, v, attention_mask=am, return_attention_scores=True)
    np.testing.assert_allclose(fused.detach().numpy(), explicit.detach().numpy(), atol=1e-6)
    fused = mha(q, q, use_causal_mask=True)
    explicit, scores = mha(q, q, use_causal_mask=True, return_attention_scores=True)
    np.testing.assert_allclose(fused.detach().numpy(), explicit.detach().numpy(), atol=1e-6)
    assert torch.all(torch.triu(scores[0, 0], diagonal=1) == 0)


def test_mha_dropout_training_only():
    q, v = _qv(4)
    mha = L.MultiHeadAttention(2, 3, dropout=0.5, seed=3)
    a = mha(q, v).detach().numpy()
    np.testing.assert_array_equal(a, mha(q, v).detach().numpy())
    b = mha(q, v, training=True).detach().numpy()
    assert not np.allclose(a, b)


def test_mha_errors():
    with pytest.raises(ValueError, match="num_heads"):
        L.MultiHeadAttention(0, 2)
    with pytest.raises(ValueError, match="key_dim"):
        L.MultiHeadAttention(2, -1)
    with pytest.raises(ValueError, match="attention_axes"):
        L.MultiHeadAttention(2, 2, attention_axes="time")
    with pytest.raises(ValueError, match="except the last one"):
        L.MultiHeadAttention(2, 2)(np.zeros((1, 3, 4), "float32"), np.zeros((1, 5, 4),
                                                                              "float32"),
                                   key=np.zeros((1, 6, 4), "float32"))


def test_mha_keras2_config_keys_accepted():
    cfg = {"name": "mha", "num_heads": 2, "key_dim": 3, "query_shape": [None, 4, 6],
           "key_shape": [None, 5, 6], "value_shape": [None, 5, 6]}
    mha = L.MultiHeadAttention.from_config(cfg)
    assert len(mha.get_weights()) == 8  # built from the stored shapes
    assert mha.get_config()["query_shape"] == [None, 4, 6]


# -- Attention / AdditiveAttention -------------------------------------------------------------
@pytest.mark.parametrize("cls,kwargs,weights", [
    (L.Attention, {}, []),
    (L.Attention, {"use_scale": True, "score_mode": "concat"}, [(), ()]),
    (L.AdditiveAttention, {}, [(4,)]),
])
def test_dense_attention_harness(cls, kwargs, weights):
    run_layer_test(cls, kwargs, [(2, 3, 4), (2, 5, 4)], (2, 3, 4),
                   expected_weight_shapes=weights)


def test_attention_sdpa_path_equals_explicit_scores_path():
    rng = np.random.default_rng(5)
    q, v, k = (rng.normal(size=(2, n, 4)).astype("float32") for n in (3, 5, 5))
    vm = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.bool)
    qm = torch.tensor([[1, 0, 1], [1, 1, 1]], dtype=torch.bool)
    att = L.Attention(use_scale=True)
    att([q, v, k])
    att.set_weights([np.array(0.7, "float32")])
    fast = att([q, v, k], mask=[qm, vm])
    slow, w = att([q, v, k], mask=[qm, vm], return_attention_scores=True)
    np.testing.assert_allclose(fast.detach().numpy(), slow.detach().numpy(), atol=1e-6)
    s = 0.7 * np.einsum("btd,bsd->bts", q, k)
    s = np.where(vm.numpy()[:, None], s, s - 1e9)
    p = np.exp(s - s.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    np.testing.assert_allclose(w.detach().numpy(), p, atol=1e-6)
    expected = np.where(qm.numpy()[..., None], p @ v, 0)
    np.testing.assert_allclose(slow.detach().numpy(), expected, atol=1e-5)
    assert torch.equal(att.compute_mask([q, v], [qm, vm]), qm)


def test_attention_output_mask_and_causal_kwarg():
    rng = np.random.default_rng(6)
    q = torch.as_tensor(rng.normal(size=(1, 3, 2)).astype("float32"))
    qm = torch.tensor([[True, True, False]])
    q._keras_mask = qm
    out = L.Attention()([q, q])
    assert torch.equal(out._keras_mask, qm)
    legacy = L.Attention(causal=True)  # tf.keras 2's constructor argument
    a = legacy([q, q])
    b = L.Attention()([q, q], use_causal_mask=True)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), atol=1e-6)
    assert legacy.get_config()["causal"] is True
    assert "causal" not in L.Attention().get_config()


def test_attention_errors():
    with pytest.raises(ValueError, match="score_mode"):
        L.Attention(score_mode="general")
    with pytest.raises(ValueError, match="list of inputs"):
        L.Attention()(np.zeros((1, 2, 3), "float32"))
    with pytest.raises(ValueError, match="length 2 or 3"):
        L.AdditiveAttention()([np.zeros((1, 2, 3), "float32")] * 4)
