"""Generate reference numbers for the normalization / activation / merging / embedding /
masking / noise / preprocessing layer tests with REAL Keras (dev only, never imported by tests).

    python -m venv /tmp/kvenv && /tmp/kvenv/bin/pip install tensorflow-cpu keras tf-keras
    /tmp/kvenv/bin/python compat_suite/reference/make_layer_fixtures.py --lib k3
    /tmp/kvenv/bin/python compat_suite/reference/make_layer_fixtures.py --lib k2

Writes ``tests/fixtures/layers/<family>.<lib>.npz`` (inputs, weights, outputs; a few KB each)
and ``tests/fixtures/layers/configs.<lib>.json`` (layer configs as the library writes them).
Produced with Keras 3.15.1 / tf-keras 2.21 on TensorFlow 2.21 CPU.
"""
from __future__ import annotations

import argparse
import json
import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures", "layers")


def rng(seed):
    return np.random.default_rng(seed)


def f32(a):
    return np.asarray(a, dtype=np.float32)


class Store:
    def __init__(self):
        self.arrays = {}

    def put(self, key, value):
        a = np.asarray(value)
        if a.dtype == np.float64:
            a = a.astype(np.float32)
        self.arrays[key] = a

    def save(self, name, lib):
        os.makedirs(OUT, exist_ok=True)
        np.savez_compressed(os.path.join(OUT, f"{name}.{lib}.npz"), **self.arrays)


def np_of(t):
    return np.asarray(t)


def cfg_of(layer):
    c = dict(layer.get_config())
    c.pop("dtype", None)
    c.pop("name", None)
    return c


# ------------------------------------------------------------------------------------------
def normalization(keras, lib, configs):
    L = keras.layers
    s = Store()
    r = rng(1)
    x = f32(r.normal(size=(4, 3, 5)) * 2 + 0.5)
    s.put("x3", x)
    for tag, axis in (("bn_last", -1), ("bn_axis1", 1)):
        c = x.shape[axis]
        w = [f32(r.uniform(0.5, 1.5, c)), f32(r.normal(size=c)), f32(r.normal(size=c) * 0.3),
             f32(r.uniform(0.5, 2.0, c))]
        layer = L.BatchNormalization(axis=axis, momentum=0.9)
        layer(x)
        layer.set_weights(w)
        for i, wi in enumerate(w):
            s.put(f"{tag}.w{i}", wi)
        s.put(f"{tag}.infer", np_of(layer(x, training=False)))
        s.put(f"{tag}.train", np_of(layer(x, training=True)))
        for i, wi in enumerate(layer.get_weights()):
            s.put(f"{tag}.after{i}", wi)
        configs[tag] = cfg_of(layer)
    if lib == "k3":
        mask = np.array([[1, 1, 0], [1, 0, 0], [1, 1, 1], [0, 1, 1]], bool)
        s.put("bn_mask.mask", mask)
        layer = L.BatchNormalization(momentum=0.8)
        layer(x)
        s.put("bn_mask.train", np_of(layer(x, training=True, mask=mask)))
        for i, wi in enumerate(layer.get_weights()):
            s.put(f"bn_mask.after{i}", wi)
    layer = L.BatchNormalization(center=False, scale=False)
    layer(x)
    w = [f32(r.normal(size=5)), f32(r.uniform(0.5, 2, 5))]
    layer.set_weights(w)
    s.put("bn_nocs.w0", w[0])
    s.put("bn_nocs.w1", w[1])
    s.put("bn_nocs.infer", np_of(layer(x)))
    configs["bn_nocs"] = cfg_of(layer)

    x4 = f32(r.normal(size=(2, 4, 3, 6)))
    s.put("x4", x4)
    for tag, kwargs, xin in (("ln_last", {}, x), ("ln_12", {"axis": [1, 2]}, x),
                             ("ln_axis1", {"axis": 1}, x),
                             ("ln_rms", {"rms_scaling": True}, x),
                             ("ln_nocenter", {"center": False}, x)):
        if tag == "ln_rms" and lib == "k2":
            continue
        layer = L.LayerNormalization(**kwargs)
        layer(xin)
        w = [f32(r.normal(size=v.shape) + 1.0) for v in layer.get_weights()]
        layer.set_weights(w)
        for i, wi in enumerate(w):
            s.put(f"{tag}.w{i}", wi)
        s.put(f"{tag}.y", np_of(layer(xin)))
        configs[tag] = cfg_of(layer)
    if hasattr(L, "GroupNormalization"):
        for tag, kwargs, xin in (("gn_3", {"groups": 3}, x4), ("gn_inst", {"groups": -1}, x4),
                                 ("gn_1d", {"groups": 5}, x)):
            layer = L.GroupNormalization(**kwargs)
            layer(xin)
            w = [f32(r.normal(size=v.shape) + 1.0) for v in layer.get_weights()]
            layer.set_weights(w)
            for i, wi in enumerate(w):
                s.put(f"{tag}.w{i}", wi)
            s.put(f"{tag}.y", np_of(layer(xin)))
            configs[tag] = cfg_of(layer)
    for tag, kwargs in (("un_last", {}), ("un_12", {"axis": [1, 2]})):
        layer = L.UnitNormalization(**kwargs)
        s.put(f"{tag}.y", np_of(layer(x)))
        configs[tag] = cfg_of(layer)
    if hasattr(L, "RMSNormalization"):
        layer = L.RMSNormalization()
        layer(x)
        w = [f32(r.normal(size=5) + 1)]
        layer.set_weights(w)
        s.put("rms.w0", w[0])
        s.put("rms.y", np_of(layer(x)))
        configs["rms"] = cfg_of(layer)
    s.save("normalization", lib)


# ------------------------------------------------------------------------------------------
def activation(keras, lib, configs):
    L = keras.layers
    s = Store()
    r = rng(2)
    x = f32(r.normal(size=(2, 3, 4, 5)) * 3)
    s.put("x", x)
    cases = [("relu_max", L.ReLU, {"max_value": 6.0}),
             ("relu_slope", L.ReLU, {"negative_slope": 0.2}),
             ("relu_thr", L.ReLU, {"threshold": 1.5}),
             ("relu_all", L.ReLU, {"max_value": 4.0, "negative_slope": 0.1, "threshold": 0.5}),
             ("leaky_01", L.LeakyReLU, {"negative_slope" if lib == "k3" else "alpha": 0.1}),
             ("leaky_def", L.LeakyReLU, {}),
             ("elu_05", L.ELU, {"alpha": 0.5}),
             ("softmax_1", L.Softmax, {"axis": 1}),
             ("softmax_12", L.Softmax, {"axis": [1, 2]} if lib == "k3" else {"axis": 1})]
    if lib == "k2":
        cases.append(("thr_05", L.ThresholdedReLU, {"theta": 0.5}))
    for tag, cls, kwargs in cases:
        layer = cls(**kwargs)
        s.put(f"{tag}.y", np_of(layer(x)))
        configs[tag] = cfg_of(layer)
    layer = L.PReLU(shared_axes=[1, 2])
    layer(x)
    w = f32(r.normal(size=(1, 1, 5)) * 0.5)
    layer.set_weights([w])
    s.put("prelu.w0", w)
    s.put("prelu.y", np_of(layer(x)))
    configs["prelu"] = cfg_of(layer)
    # softmax with a mask
    m = np.array([[1, 1, 0, 0, 0], [0, 0, 0, 0, 0]], bool)
    xs = x[:, 0, 0, :]
    s.put("softmax_mask.x", xs)
    s.put("softmax_mask.mask", m)
    s.put("softmax_mask.y", np_of(L.Softmax()(xs, mask=m)))
    s.save("activation", lib)


# ------------------------------------------------------------------------------------------
def merging(keras, lib, configs):
    L = keras.layers
    s = Store()
    r = rng(3)
    a = f32(r.normal(size=(2, 3, 4)))
    b = f32(r.normal(size=(2, 3, 4)))
    c = f32(r.normal(size=(2, 1, 4)))
    d = f32(r.normal(size=(2, 4)))
    for k, v in (("a", a), ("b", b), ("c", c), ("d", d)):
        s.put(k, v)
    for name in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"):
        cls = getattr(L, name)
        s.put(f"{name}.ab", np_of(cls()([a, b])))
        s.put(f"{name}.ac", np_of(cls()([a, c])))
        s.put(f"{name}.ad", np_of(cls()([a, d])))
        if name != "Subtract":
            s.put(f"{name}.abc", np_of(cls()([a, b, c])))
    s.put("Concatenate.ab_1", np_of(L.Concatenate(axis=1)([a, b])))
    s.put("Concatenate.ab_-1", np_of(L.Concatenate()([a, b])))
    dots = {}
    shapes = [((2, 3), (2, 3), 1), ((2, 3, 4), (2, 5, 4), 2), ((2, 3, 4), (2, 4), (2, 1)),
              ((2, 4), (2, 3, 4), (1, 2)), ((2, 3, 4), (2, 3, 5), 1), ((2, 3, 4), (2, 4, 3), (1, 2)),
              ((2, 3, 4), (2, 5, 4), -1)]
    for i, (s1, s2, ax) in enumerate(shapes):
        x1, x2 = f32(r.normal(size=s1)), f32(r.normal(size=s2))
        s.put(f"dot{i}.x1", x1)
        s.put(f"dot{i}.x2", x2)
        for norm in (False, True):
            try:
                y = np_of(L.Dot(axes=ax, normalize=norm)([x1, x2]))
            except Exception as e:  # noqa: BLE001 - record what Keras rejects
                y = np.array(str(e)[:200])
            s.put(f"dot{i}.{int(norm)}", y)
        dots[f"dot{i}"] = {"s1": s1, "s2": s2, "axes": ax}
    configs["dots"] = dots
    # masks
    ma = np.array([[1, 1, 0], [1, 0, 0]], bool)
    mb = np.array([[1, 0, 1], [1, 1, 0]], bool)
    s.put("ma", ma)
    s.put("mb", mb)
    import tensorflow as tf
    ta, tb, tma, tmb = (tf.constant(v) for v in (a, b, ma, mb))
    for name in ("Add", "Multiply", "Maximum", "Minimum", "Average", "Concatenate"):
        layer = getattr(L, name)()
        s.put(f"{name}.mask_ab", np_of(layer.compute_mask([ta, tb], [tma, tmb])))
        cm = layer.compute_mask([ta, tb], [tma, None])
        s.put(f"{name}.mask_aN", np.array(-1) if cm is None else np_of(cm))
    if lib == "k3":
        import tensorflow as tf
        from keras.src.backend import set_keras_mask
        for name in ("Multiply", "Maximum", "Minimum", "Add"):
            ta, tb = tf.constant(a), tf.constant(b)
            set_keras_mask(ta, tf.constant(ma))
            set_keras_mask(tb, tf.constant(mb))
            s.put(f"{name}.masked_y", np_of(getattr(L, name)()([ta, tb])))
            ta, tb = tf.constant(a), tf.constant(b)
            set_keras_mask(ta, tf.constant(ma))
            s.put(f"{name}.masked1_y", np_of(getattr(L, name)()([ta, tb])))
    configs["Concatenate"] = cfg_of(L.Concatenate(axis=1))
    configs["Dot"] = cfg_of(L.Dot(axes=(1, 2), normalize=True))
    s.save("merging", lib)


# ------------------------------------------------------------------------------------------
def embedding_masking(keras, lib, configs):
    L = keras.layers
    s = Store()
    r = rng(4)
    emb = L.Embedding(7, 3, mask_zero=True)
    ids = np.array([[1, 0, 6, 2], [0, 0, 3, 5]], dtype=np.int32)
    emb(ids)
    w = f32(r.normal(size=(7, 3)))
    emb.set_weights([w])
    s.put("emb.w", w)
    s.put("emb.ids", ids)
    s.put("emb.y", np_of(emb(ids)))
    s.put("emb.yf", np_of(emb(ids.astype(np.float32) + 0.7)))  # float ids are truncated
    s.put("emb.mask", np_of(emb.compute_mask(ids)))
    configs["emb"] = cfg_of(emb)
    if lib == "k2":
        configs["emb_il"] = cfg_of(L.Embedding(7, 3, input_length=4))
    x = f32(r.normal(size=(2, 4, 3)))
    x[0, 1] = 0.0
    x[1, 3] = 0.0
    x[1, 0, 1] = 0.0  # partly zero: kept
    s.put("masking.x", x)
    layer = L.Masking()
    y = layer(x)
    s.put("masking.y", np_of(y))
    s.put("masking.mask", np_of(layer.compute_mask(x)))
    x2 = x.copy()
    x2[0, 2] = -1.0
    layer = L.Masking(mask_value=-1.0)
    s.put("masking_m1.x", x2)
    s.put("masking_m1.y", np_of(layer(x2)))
    s.put("masking_m1.mask", np_of(layer.compute_mask(x2)))
    configs["masking"] = cfg_of(layer)
    for name, kw in (("SpatialDropout1D", {"rate": 0.2}), ("SpatialDropout2D", {"rate": 0.2}),
                     ("SpatialDropout3D", {"rate": 0.2}), ("GaussianNoise", {"stddev": 0.3}),
                     ("GaussianDropout", {"rate": 0.3}), ("AlphaDropout", {"rate": 0.3})):
        configs[name] = cfg_of(getattr(L, name)(**kw))
    s.save("embedding", lib)


# ------------------------------------------------------------------------------------------
def preprocessing(keras, lib, configs):
    if lib != "k3":
        return
    L = keras.layers
    s = Store()
    r = rng(5)
    img = f32(r.uniform(0, 255, size=(2, 6, 7, 2)))
    s.put("img", img)
    s.put("rescale.y", np_of(L.Rescaling(1 / 127.5, offset=-1)(img)))
    s.put("rescale_ch.y", np_of(L.Rescaling([0.5, 2.0], offset=[1.0, -1.0])(img)))
    configs["rescale"] = cfg_of(L.Rescaling(1 / 127.5, offset=-1))
    # Normalization
    data = f32(r.normal(size=(10, 3, 4)) * 3 + 1)
    s.put("norm.data", data)
    for tag, kw in (("norm_last", {}), ("norm_none", {"axis": None}), ("norm_12", {"axis": (1, 2)}),
                    ("norm_1", {"axis": 1})):
        layer = L.Normalization(**kw)
        layer.adapt(data)
        s.put(f"{tag}.y", np_of(layer(data[:2])))
        for i, wv in enumerate(layer.get_weights()):
            s.put(f"{tag}.w{i}", wv)
        configs[tag] = cfg_of(layer)
    layer = L.Normalization()
    layer.adapt([data[:3], data[3:7], data[7:]])
    s.put("norm_batches.y", np_of(layer(data[:2])))
    layer = L.Normalization(mean=[1.0, 2.0, 3.0, 4.0], variance=[1.0, 4.0, 0.25, 2.0])
    s.put("norm_given.y", np_of(layer(data[:2])))
    configs["norm_given"] = cfg_of(layer)
    layer = L.Normalization(mean=[1.0, 2.0, 3.0, 4.0], variance=[1.0, 4.0, 0.25, 2.0], invert=True)
    s.put("norm_invert.y", np_of(layer(data[:2])))
    # Resizing
    for tag, kw in (("rs_bilinear_down", dict(height=4, width=5)),
                    ("rs_nearest_down", dict(height=4, width=5, interpolation="nearest")),
                    ("rs_bicubic_down", dict(height=4, width=5, interpolation="bicubic")),
                    ("rs_area_down", dict(height=4, width=5, interpolation="area")),
                    ("rs_area_half", dict(height=3, width=7, interpolation="area")),
                    ("rs_bilinear_up", dict(height=9, width=11)),
                    ("rs_nearest_up", dict(height=9, width=11, interpolation="nearest")),
                    ("rs_bicubic_up", dict(height=9, width=11, interpolation="bicubic")),
                    ("rs_crop", dict(height=4, width=3, crop_to_aspect_ratio=True)),
                    ("rs_pad", dict(height=4, width=3, pad_to_aspect_ratio=True,
                                    fill_value=7.0)),
                    ("rs_pad_w", dict(height=3, width=8, pad_to_aspect_ratio=True)),
                    ("rs_antialias", dict(height=3, width=4, antialias=True))):
        layer = L.Resizing(**kw)
        s.put(f"{tag}.y", np_of(layer(img)))
        configs[tag] = cfg_of(layer)
    s.put("rs_uint8.y", np_of(L.Resizing(4, 5)(img.astype(np.uint8))))
    s.put("cc_small.y", np_of(L.CenterCrop(4, 3)(img)))
    s.put("cc_big.y", np_of(L.CenterCrop(8, 9)(img)))
    s.put("cc_unbatched.y", np_of(L.CenterCrop(3, 4)(img[0])))
    configs["cc"] = cfg_of(L.CenterCrop(4, 3))
    # deterministic affine augmentations (a factor range of one value)
    for fill in ("reflect", "wrap", "nearest", "constant"):
        for interp in ("bilinear", "nearest"):
            kw = dict(fill_mode=fill, interpolation=interp, fill_value=3.0)
            s.put(f"rot_{fill}_{interp}.y",
                  np_of(L.RandomRotation((0.1, 0.1), **kw)(img, training=True)))
            s.put(f"zoom_{fill}_{interp}.y",
                  np_of(L.RandomZoom((0.4, 0.4), (-0.3, -0.3), **kw)(img, training=True)))
            s.put(f"zoomin_{fill}_{interp}.y",
                  np_of(L.RandomZoom((-0.5, -0.5), **kw)(img, training=True)))
            s.put(f"trans_{fill}_{interp}.y",
                  np_of(L.RandomTranslation((0.3, 0.3), (-0.35, -0.35), **kw)(img, training=True)))
            s.put(f"transbig_{fill}_{interp}.y",
                  np_of(L.RandomTranslation((-0.9, -0.9), (0.8, 0.8), **kw)(img, training=True)))
    s.put("rot_infer.y", np_of(L.RandomRotation(0.2)(img, training=False)))
    s.put("contrast.y", np_of(L.RandomContrast((-0.5, 0.5))(img, training=True)))
    s.put("contrast_vr.y", np_of(L.RandomContrast((-0.5, 0.5), value_range=(0, 1))(
        img / 255.0, training=True)))
    for name, kw in (("RandomFlip", {}), ("RandomRotation", {"factor": 0.2}),
                     ("RandomZoom", {"height_factor": 0.2}),
                     ("RandomTranslation", {"height_factor": 0.1, "width_factor": 0.2}),
                     ("RandomContrast", {"factor": 0.1}), ("Resizing", {"height": 2, "width": 3})):
        configs[name] = cfg_of(getattr(L, name)(**kw))
    s.save("preprocessing", lib)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", choices=("k2", "k3"), required=True)
    args = ap.parse_args()
    if args.lib == "k3":
        import keras
    else:
        import tf_keras as keras
    keras.utils.set_random_seed(0)
    configs = {"_version": keras.__version__}
    for fn in (normalization, activation, merging, embedding_masking, preprocessing):
        fn(keras, args.lib, configs)
    with open(os.path.join(OUT, f"configs.{args.lib}.json"), "w") as f:
        json.dump(configs, f, indent=1, sort_keys=True, default=_json_default)


def _json_default(o):
    """What Keras's own JSON encoder does: numpy scalars -> numbers, arrays -> lists."""
    if isinstance(o, (np.generic, np.ndarray)):
        return o.tolist()
    if isinstance(o, tuple):
        return list(o)
    return str(o)


if __name__ == "__main__":
    main()
