"""BatchNormalization, LayerNormalization, GroupNormalization, UnitNormalization,
RMSNormalization against real Keras (training oracle, shared Keras files, generated refs)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import torchkeras as keras
from layer_harness import run_layer_test

from _refs import close, configs, np_, ref, shared

L = keras.layers


# ------------------------------------------------------------------------------------------
# harness
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,shape", [({}, (3, 4)), ({}, (2, 3, 5, 4)),
                                          ({"axis": 1}, (2, 3, 4)),
                                          ({"center": False}, (3, 4)),
                                          ({"axis": [1, 2]}, (2, 3, 4))])
def test_batchnorm_harness(kwargs, shape):
    n_t = (2 - (not kwargs.get("center", True)) - (not kwargs.get("scale", True)))
    run_layer_test(L.BatchNormalization, kwargs, shape, shape,
                   expected_num_trainable_weights=n_t, expected_num_non_trainable_weights=2,
                   call_kwargs={})


def test_layernorm_group_unit_rms_harness():
    run_layer_test(L.LayerNormalization, {}, (2, 3, 4), (2, 3, 4),
                   expected_weight_shapes=[(4,), (4,)])
    run_layer_test(L.LayerNormalization, {"axis": [1, 2]}, (2, 3, 4), (2, 3, 4),
                   expected_weight_shapes=[(3, 4), (3, 4)])
    run_layer_test(L.GroupNormalization, {"groups": 2}, (2, 5, 4), (2, 5, 4),
                   expected_weight_shapes=[(4,), (4,)])
    run_layer_test(L.UnitNormalization, {}, (2, 5), (2, 5), expected_num_trainable_weights=0)
    run_layer_test(L.RMSNormalization, {}, (2, 3, 5), (2, 3, 5), expected_weight_shapes=[(5,)])


# ------------------------------------------------------------------------------------------
# BatchNormalization: training oracle (3 SGD steps of Keras; the BN is the first layer)
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["bn_dense", "bn_conv"])
def test_batchnorm_training_oracle(case):
    """Moving statistics after each train step (momentum 0.9, biased variance = Keras 3),
    and outputs in inference / training mode with the final Keras weights."""
    d = shared()
    p = f"{case}."
    x = d[p + "in.x"]
    bn = L.BatchNormalization(momentum=0.9)
    bn(x)
    bn.set_weights([d[p + f"in.init.{i}"] for i in range(4)])
    for t in range(1, 4):
        bn(x, training=True)
        w = bn.get_weights()
        close(w[2], d[p + "k3.weights.2"][t], atol=1e-5)
        close(w[3], d[p + "k3.weights.3"][t], atol=1e-5)
    bn.set_weights([d[p + f"k3.weights.{i}"][3] for i in range(4)])
    kernel, bias = d[p + "k3.weights.4"][3], d[p + "k3.weights.5"][3]

    def head(h):
        return np_(h).reshape(len(x), -1) @ kernel + bias

    close(head(bn(x)), d[p + "k3.out_infer"], atol=1e-5, rtol=1e-4)
    close(head(bn(x, training=True)), d[p + "k3.out_train"], atol=1e-5, rtol=1e-4)
    # the training call updated the moving stats once more, as Keras's model(x, training=True)
    close(bn.get_weights()[2], d[p + "k3.weights_after_train_call.2"], atol=1e-5)
    close(bn.get_weights()[3], d[p + "k3.weights_after_train_call.3"], atol=1e-5)


def test_batchnorm_moving_variance_is_biased_not_torch_unbiased():
    d = shared()
    x = d["bn_conv.in.x"]
    bn = L.BatchNormalization(momentum=0.9)
    bn(x)
    bn.set_weights([d[f"bn_conv.in.init.{i}"] for i in range(4)])
    bn(x, training=True)
    # tf.keras's fused 4-D kernel (k2) uses n-1: we follow Keras 3
    assert not np.allclose(bn.get_weights()[3], d["bn_conv.k2.weights.3"][1], atol=1e-3)


def test_batchnorm_in_model_updates_with_training_call():
    d = shared()
    x = d["bn_dense.in.x"]
    model = keras.Sequential([keras.Input((4,)), L.BatchNormalization(momentum=0.9), L.Dense(2)])
    model.set_weights([d[f"bn_dense.in.init.{i}"] for i in range(6)])
    close(model(x), d["bn_dense.k3.out_infer_init"], atol=1e-5, rtol=1e-4)
    before = model.get_weights()[2].copy()
    model(x, training=True)
    assert not np.allclose(model.get_weights()[2], before)
    model.layers[0].trainable = False  # frozen BN runs in inference mode
    w = model.get_weights()
    y = model(x, training=True)
    for a, b in zip(model.get_weights(), w):
        np.testing.assert_array_equal(a, b)
    close(y, model(x, training=False), atol=1e-6)


# ------------------------------------------------------------------------------------------
# BatchNormalization: real Keras files (cnn_bn: Conv2D -> BN -> relu -> pool -> conv -> GAP)
# ------------------------------------------------------------------------------------------
def _cnn_bn_forward(d, lib, bn):
    p = f"cnn_bn.{lib}."
    x = torch.as_tensor(d["cnn_bn.x"])
    k = torch.as_tensor(d[p + "conv2d.0"]).permute(3, 2, 0, 1)
    h = F.conv2d(x.permute(0, 3, 1, 2), k, torch.as_tensor(d[p + "conv2d.1"]), padding=1)
    h = h.permute(0, 2, 3, 1)  # NHWC view of a channels_last-strided result: no copy
    h = bn(h)
    h = torch.relu(h).permute(0, 3, 1, 2)
    h = F.max_pool2d(h, 2)
    k1 = torch.as_tensor(d[p + "conv2d_1.0"]).permute(3, 2, 0, 1)
    h = F.conv2d(h, k1, torch.as_tensor(d[p + "conv2d_1.1"]), stride=2)
    h = h.mean(dim=(2, 3))
    return h @ torch.as_tensor(d[p + "dense.0"]) + torch.as_tensor(d[p + "dense.1"])


@pytest.mark.parametrize("lib,axis", [("k3", -1), ("k2", [3])])
def test_batchnorm_matches_keras_file(lib, axis):
    d = shared()
    bn = L.BatchNormalization(axis=axis)
    bn.build((None, 16, 16, 8))
    bn.set_weights([d[f"cnn_bn.{lib}.batch_normalization.{i}"] for i in range(4)])
    close(_cnn_bn_forward(d, lib, bn), d[f"cnn_bn.{lib}.y"], atol=1e-5, rtol=1e-4)
    assert bn.get_config()["axis"] == axis


def test_batchnorm_channels_last_view_without_copy():
    x = torch.randn(2, 5, 6, 3)  # NHWC, contiguous
    bn = L.BatchNormalization()
    bn(x)
    bn.set_weights([np.random.rand(3).astype("float32") + 0.5 for _ in range(4)])
    y = bn(x, training=True)
    assert y.shape == x.shape and y.is_contiguous()
    # the NCHW channels_last view the conv layers use, with axis=1
    bn1 = L.BatchNormalization(axis=1)
    v = x.permute(0, 3, 1, 2)
    bn1(v)
    bn1.set_weights(bn.get_weights())
    y1 = bn1(v)
    assert y1.is_contiguous(memory_format=torch.channels_last)
    close(y1.permute(0, 2, 3, 1), np_(bn(x)), atol=1e-6)


# ------------------------------------------------------------------------------------------
# BatchNormalization: generated references
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lib", ["k3", "k2"])
@pytest.mark.parametrize("tag,axis", [("bn_last", -1), ("bn_axis1", 1)])
def test_batchnorm_reference(lib, tag, axis):
    r = ref("normalization", lib)
    x = r["x3"]
    bn = L.BatchNormalization(axis=axis, momentum=0.9)
    bn(x)
    bn.set_weights([r[f"{tag}.w{i}"] for i in range(4)])
    close(bn(x), r[f"{tag}.infer"])
    close(bn(x, training=True), r[f"{tag}.train"], atol=2e-5)
    for i, w in enumerate(bn.get_weights()):
        close(w, r[f"{tag}.after{i}"], atol=2e-5)


def test_batchnorm_masked_moments_keras3():
    r = ref("normalization", "k3")
    x, mask = r["x3"], r["bn_mask.mask"]
    bn = L.BatchNormalization(momentum=0.8)
    bn(x)
    close(bn(x, training=True, mask=torch.as_tensor(mask)), r["bn_mask.train"], atol=2e-5)
    for i, w in enumerate(bn.get_weights()):
        close(w, r[f"bn_mask.after{i}"], atol=2e-5)
    with pytest.raises(ValueError, match="one dimension less"):
        bn(x, training=True, mask=torch.ones(4, 3, 5, dtype=torch.bool))


def test_batchnorm_without_center_scale():
    r = ref("normalization", "k3")
    bn = L.BatchNormalization(center=False, scale=False)
    bn(r["x3"])
    assert [w.name for w in bn.weights] == ["moving_mean", "moving_variance"]
    bn.set_weights([r["bn_nocs.w0"], r["bn_nocs.w1"]])
    close(bn(r["x3"]), r["bn_nocs.infer"])


def test_batchnorm_configs_round_trip_both_eras():
    for lib in ("k3", "k2"):
        cfg = configs(lib)["bn_last"]
        layer = L.BatchNormalization.from_config(cfg)
        out = layer.get_config()
        for k, v in cfg.items():
            assert out[k] == v, (lib, k, out[k], v)
    c3 = configs("k3")["bn_last"]
    assert set(c3) <= set(L.BatchNormalization().get_config())


def test_batchnorm_errors():
    with pytest.raises(ValueError, match="renorm"):
        L.BatchNormalization(renorm=True)
    with pytest.raises(ValueError, match="epsilon"):
        L.BatchNormalization(epsilon=0)
    with pytest.raises(TypeError, match="axis"):
        L.BatchNormalization(axis="x")
    bn = L.BatchNormalization(axis=3, name="bnx")
    with pytest.raises(ValueError, match="bnx"):
        bn(np.zeros((2, 3), "float32"))
    bn = L.BatchNormalization(name="bny")
    bn(np.zeros((2, 3), "float32"))
    with pytest.raises(ValueError, match="bny"):
        bn(np.zeros((2, 4), "float32"))
    with pytest.raises(TypeError, match="foo"):
        L.BatchNormalization(foo=1)


def test_batchnorm_weights_follow_module_conversion():
    """``.to()`` replaces buffers: get/set_weights must keep reaching the live moving stats
    (the bug showed on CUDA, where the layer is moved to the input's device when built)."""
    bn = L.BatchNormalization(momentum=0.5)
    bn(np.zeros((2, 3), "float32"))
    bn.double()
    assert bn.moving_mean.dtype == torch.float64
    bn.set_weights([np.ones(3), np.zeros(3), np.full(3, 2.0), np.full(3, 4.0)])
    x = torch.tensor([[1.0, 2.0, 3.0], [3.0, 4.0, 5.0]], dtype=torch.float64)
    close(bn(x), (x.numpy() - 2.0) / np.sqrt(4.0 + 1e-3), atol=1e-6)
    bn(x, training=True)
    close(bn.get_weights()[2], [2.0, 2.5, 3.0], atol=1e-6)
    close(bn.get_weights()[3], [2.5, 2.5, 2.5], atol=1e-6)


def test_batchnorm_float16_input_and_no_grad_to_stats():
    bn = L.BatchNormalization()
    x = torch.randn(8, 3)
    y = bn(x.half(), training=True)
    assert y.dtype == torch.float16
    assert bn.moving_mean.dtype == torch.float32
    assert not bn.moving_mean.requires_grad


# ------------------------------------------------------------------------------------------
# LayerNormalization
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lib", ["k3", "k2"])
@pytest.mark.parametrize("tag,kwargs", [("ln_last", {}), ("ln_12", {"axis": [1, 2]}),
                                        ("ln_axis1", {"axis": 1}),
                                        ("ln_rms", {"rms_scaling": True}),
                                        ("ln_nocenter", {"center": False})])
def test_layernorm_reference(lib, tag, kwargs):
    r = ref("normalization", lib)
    if f"{tag}.y" not in r.files:
        pytest.skip(f"{lib} has no {tag}")
    layer = L.LayerNormalization(**kwargs)
    layer(r["x3"])
    n = len([k for k in r.files if k.startswith(tag + ".w")])
    assert len(layer.weights) == n
    layer.set_weights([r[f"{tag}.w{i}"] for i in range(n)])
    close(layer(r["x3"]), r[f"{tag}.y"])
    cfg = configs(lib)[tag]
    again = L.LayerNormalization.from_config(cfg).get_config()
    assert all(again[k] == v for k, v in cfg.items())


def _mha(d, p, x):
    def proj(name, t):
        return torch.einsum("btd,dhk->bthk", t, torch.as_tensor(d[f"{p}mha.{name}.0"])) + \
            torch.as_tensor(d[f"{p}mha.{name}.1"])
    q, k, v = proj("query_dense", x), proj("key_dense", x), proj("value_dense", x)
    q = q / np.sqrt(q.shape[-1])
    att = torch.softmax(torch.einsum("bqhk,bshk->bhqs", q, k), dim=-1)
    ctx = torch.einsum("bhqs,bshk->bqhk", att, v)
    return torch.einsum("bqhk,hkd->bqd", ctx, torch.as_tensor(d[f"{p}mha.output_dense.0"])) + \
        torch.as_tensor(d[f"{p}mha.output_dense.1"])


@pytest.mark.parametrize("lib", ["k3", "k2"])
def test_layernorm_and_add_match_keras_file(lib):
    """layernorm_mha: x -> MHA -> Add -> LN -> Dense(relu) -> Dense -> Add -> LN -> GAP ->
    Dense; our Add and LayerNormalization (Keras configs of that era) with the file's weights."""
    d = shared()
    p = f"ln_mha.{lib}."
    cfg = configs(lib)["ln_last"]
    ln1 = L.LayerNormalization.from_config(cfg)
    ln2 = L.LayerNormalization.from_config(cfg)
    for ln, key in ((ln1, "layer_normalization"), (ln2, "layer_normalization_1")):
        ln.build((None, 8, 16))
        ln.set_weights([d[f"{p}{key}.0"], d[f"{p}{key}.1"]])
    x = torch.as_tensor(d["ln_mha.x"])
    h = ln1(L.Add()([x, _mha(d, p, x)]))
    f = torch.relu(h @ torch.as_tensor(d[p + "dense.0"]) + torch.as_tensor(d[p + "dense.1"]))
    f = f @ torch.as_tensor(d[p + "dense_1.0"]) + torch.as_tensor(d[p + "dense_1.1"])
    h = ln2(L.add([h, f]))
    y = h.mean(dim=1) @ torch.as_tensor(d[p + "dense_2.0"]) + torch.as_tensor(d[p + "dense_2.1"])
    close(y, d[p + "y"], atol=1e-5, rtol=1e-4)


# ------------------------------------------------------------------------------------------
# GroupNormalization / UnitNormalization / RMSNormalization
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("tag,kwargs,xkey", [("gn_3", {"groups": 3}, "x4"),
                                             ("gn_inst", {"groups": -1}, "x4"),
                                             ("gn_1d", {"groups": 5}, "x3")])
def test_groupnorm_reference(tag, kwargs, xkey):
    r = ref("normalization", "k3")
    layer = L.GroupNormalization(**kwargs)
    layer(r[xkey])
    layer.set_weights([r[f"{tag}.w0"], r[f"{tag}.w1"]])
    close(layer(r[xkey]), r[f"{tag}.y"])
    assert layer.get_config()["groups"] == configs()[tag]["groups"]  # -1 resolved once built


def test_groupnorm_errors():
    with pytest.raises(ValueError, match="groups"):
        L.GroupNormalization(groups=0)
    with pytest.raises(ValueError, match="multiple"):
        L.GroupNormalization(groups=4)(np.zeros((2, 6), "float32"))
    with pytest.raises(ValueError, match="more than"):
        L.GroupNormalization(groups=8)(np.zeros((2, 6), "float32"))


@pytest.mark.parametrize("tag,kwargs", [("un_last", {}), ("un_12", {"axis": [1, 2]})])
def test_unitnorm_reference(tag, kwargs):
    r = ref("normalization", "k3")
    close(L.UnitNormalization(**kwargs)(r["x3"]), r[f"{tag}.y"])


def test_rmsnorm_reference():
    r = ref("normalization", "k3")
    layer = L.RMSNormalization()
    layer(r["x3"])
    layer.set_weights([r["rms.w0"]])
    close(layer(r["x3"]), r["rms.y"])
    assert layer.get_config()["epsilon"] == configs()["rms"]["epsilon"]


# ------------------------------------------------------------------------------------------
# synchronized=True under torch.distributed (2 CPU processes, gloo)
# ------------------------------------------------------------------------------------------
def _sync_bn_worker(rank, world, port, x, out):
    import torch.distributed as dist
    import torchkeras as keras
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                            world_size=world)
    try:
        bn = keras.layers.BatchNormalization(synchronized=True, momentum=0.5)
        xs = torch.as_tensor(x).chunk(world)[rank].clone().requires_grad_(True)
        w = torch.linspace(1, 2, 3)
        y = bn(xs, training=True)
        (y * w).sum().backward()  # gradients flow through the cross-rank all_reduce
        out[rank] = (y.detach().numpy(), bn.get_weights(), xs.grad.numpy())
    finally:
        dist.destroy_process_group()


def test_synchronized_batchnorm_reduces_over_ranks():
    import socket
    import torch.multiprocessing as mp
    if not torch.distributed.is_available():
        pytest.skip("torch.distributed unavailable")
    x = np.random.default_rng(0).normal(size=(8, 3)).astype("float32") * 2 + 1
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = mp.Manager().dict()
    mp.spawn(_sync_bn_worker, args=(2, port, x, out), nprocs=2, join=True)
    ref_bn = L.BatchNormalization(momentum=0.5)
    xt = torch.as_tensor(x).requires_grad_(True)
    y = ref_bn(xt, training=True)
    (y * torch.linspace(1, 2, 3)).sum().backward()
    close(np.concatenate([out[0][0], out[1][0]]), np_(y), atol=1e-5)
    close(np.concatenate([out[0][2], out[1][2]]), np_(xt.grad), atol=1e-5)
    for a, b in zip(out[0][1], ref_bn.get_weights()):
        close(a, b, atol=1e-5)


# ------------------------------------------------------------------------------------------
# CUDA (runs only where a GPU is present)
# ------------------------------------------------------------------------------------------
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu_without_host_sync():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 5, 6, 3)).astype("float32")
    for cls, kw in ((L.BatchNormalization, {"momentum": 0.9}), (L.LayerNormalization, {}),
                    (L.GroupNormalization, {"groups": 3}), (L.UnitNormalization, {}),
                    (L.RMSNormalization, {}), (L.BatchNormalization, {"axis": [1, 3]})):
        cpu, gpu = cls(**kw), cls(**kw)
        cpu(x)
        gpu(torch.as_tensor(x, device="cuda"))
        ws = [w + rng.uniform(0.5, 1, w.shape).astype("float32") for w in cpu.get_weights()]
        cpu.set_weights(ws)
        gpu.set_weights(ws)
        xg = torch.as_tensor(x, device="cuda")
        torch.cuda.set_sync_debug_mode("error")
        try:
            yg = gpu(xg, training=True)
            yi = gpu(xg)
        finally:
            torch.cuda.set_sync_debug_mode("default")
        close(yg.cpu(), np_(cpu(x, training=True)), atol=1e-4)
        close(yi.cpu(), np_(cpu(x)), atol=1e-4)
        for a, b in zip(gpu.get_weights(), cpu.get_weights()):
            close(a, b, atol=1e-5)
    # channels_last view on CUDA (what the conv layers hand over)
    bn = L.BatchNormalization(axis=1)
    v = torch.as_tensor(x, device="cuda").permute(0, 3, 1, 2)
    y = bn(v, training=True)
    assert y.is_contiguous(memory_format=torch.channels_last)
