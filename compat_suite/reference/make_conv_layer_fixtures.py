"""Reference numbers for the convolution / pooling / reshaping layers, computed by REAL Keras.

Dev-only: needs TensorFlow + Keras 3 (``python -m venv /tmp/kvenv && /tmp/kvenv/bin/pip install
tensorflow-cpu keras``); never imported by the tests. Run from the repository root:

    /tmp/kvenv/bin/python compat_suite/reference/make_conv_layer_fixtures.py

Writes ``tests/fixtures/layers/keras_{conv,pooling,reshaping}_cases.json`` (the cases: class
name, constructor kwargs, input shape and seed, weight shapes) and ``..._outputs.npz`` (Keras's
outputs, float32). Inputs and weights are NOT stored: both sides make them with
``det(shape, seed)`` below (a closed formula), so the fixtures stay a few KB.

Where TensorFlow's CPU kernels refuse ``channels_first`` (conv / pooling ops are NHWC-only on
CPU), the case is computed by the equivalent channels_last Keras layer with the same weights
and the output transposed; the case records ``"derived": "transpose"``. tf-keras-only
interpolations of UpSampling2D ('gaussian', 'mitchellcubic') are computed with
``tf.image.resize``, which is exactly what tf-keras's ``UpSampling2D`` calls.
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures", "layers")


def det(shape, seed):
    """Deterministic pseudo-random values in [-1, 1] (same formula in the tests)."""
    n = int(np.prod(shape)) if len(shape) else 1
    i = np.arange(n, dtype=np.float64)
    v = np.sin(i * 0.7123 + seed * 1.37) * np.cos(i * 0.1931 + seed * 0.61)
    return v.reshape(shape).astype(np.float32)


def _to_cl(x, rank):
    return np.moveaxis(x, 1, -1)


def _to_cf(y, rank):
    return np.moveaxis(y, -1, 1)


def run_case(case):
    cls = getattr(keras.layers, case["class_name"])
    kwargs = dict(case["kwargs"])
    x = det(case["input_shape"], case.get("seed", 0))
    layer = cls(**kwargs)
    call_kw = {}
    if "mask" in case:
        call_kw["mask"] = np.array(case["mask"], dtype=bool)
    try:
        layer.build(x.shape)
        weights = [det(w.shape, 100 + i) * 0.5 for i, w in enumerate(layer.get_weights())]
        layer.set_weights(weights)
        y = np.asarray(layer(x, **call_kw))
    except Exception as e:  # channels_first on TF CPU
        if kwargs.get("data_format") != "channels_first":
            raise
        rank = len(case["input_shape"]) - 2
        kw2 = dict(kwargs, data_format="channels_last")
        layer2 = cls(**kw2)
        x2 = _to_cl(x, rank)
        layer2.build(x2.shape)
        weights = [det(w.shape, 100 + i) * 0.5 for i, w in enumerate(layer2.get_weights())]
        layer2.set_weights(weights)
        y = _to_cf(np.asarray(layer2(x2, **call_kw)), rank)
        case["derived"] = "transpose"
        case["derived_reason"] = str(e).splitlines()[0][:120]
    case["weight_shapes"] = [list(w.shape) for w in weights]
    case["output_shape"] = list(y.shape)
    return y.astype(np.float32)


def C(name, class_name, input_shape, seed=0, **kwargs):
    return {"name": name, "class_name": class_name, "kwargs": kwargs,
            "input_shape": list(input_shape), "seed": seed}


CF = "channels_first"

CONV = [
    C("conv1d_k4_s2_same", "Conv1D", (2, 9, 3), filters=4, kernel_size=4, strides=2,
      padding="same"),
    C("conv1d_k3_d2_same", "Conv1D", (2, 9, 3), filters=2, kernel_size=3, dilation_rate=2,
      padding="same"),
    C("conv1d_k3_d2_causal", "Conv1D", (2, 8, 3), filters=2, kernel_size=3, dilation_rate=2,
      padding="causal"),
    C("conv1d_k2_s2_causal", "Conv1D", (2, 7, 2), filters=3, kernel_size=2, strides=2,
      padding="causal"),
    C("conv1d_k3_s3_valid", "Conv1D", (2, 10, 2), filters=3, kernel_size=3, strides=3),
    C("conv1d_groups2", "Conv1D", (2, 6, 4), filters=6, kernel_size=3, groups=2,
      padding="same"),
    C("conv1d_cf_k3_s2_same", "Conv1D", (2, 3, 9), filters=4, kernel_size=3, strides=2,
      padding="same", data_format=CF),
    C("conv2d_k2_same", "Conv2D", (2, 5, 6, 3), filters=4, kernel_size=2, padding="same"),
    C("conv2d_k3_s2_same_even", "Conv2D", (2, 6, 8, 2), filters=3, kernel_size=3, strides=2,
      padding="same"),
    C("conv2d_k3_s2_same_odd", "Conv2D", (2, 7, 5, 2), filters=3, kernel_size=3, strides=2,
      padding="same"),
    C("conv2d_k23_s21_same", "Conv2D", (2, 6, 7, 2), filters=3, kernel_size=(2, 3),
      strides=(2, 1), padding="same"),
    C("conv2d_k4_s3_same", "Conv2D", (1, 8, 10, 2), filters=2, kernel_size=4, strides=3,
      padding="same"),
    C("conv2d_k3_d2_same", "Conv2D", (2, 7, 8, 2), filters=3, kernel_size=3,
      dilation_rate=2, padding="same"),
    C("conv2d_k2_d3_same", "Conv2D", (1, 7, 8, 2), filters=2, kernel_size=2,
      dilation_rate=(3, 2), padding="same"),
    C("conv2d_groups2_relu", "Conv2D", (2, 5, 5, 4), filters=4, kernel_size=3, groups=2,
      activation="relu"),
    C("conv2d_k3_s2_valid_nobias", "Conv2D", (2, 7, 8, 2), filters=3, kernel_size=3,
      strides=2, use_bias=False),
    C("conv2d_cf_k3_s2_same", "Conv2D", (2, 2, 6, 7), filters=3, kernel_size=3, strides=2,
      padding="same", data_format=CF),
    C("conv3d_k2_s2_same", "Conv3D", (1, 5, 4, 3, 2), filters=2, kernel_size=2, strides=2,
      padding="same"),
    C("conv3d_k3_valid", "Conv3D", (1, 4, 5, 4, 2), filters=3, kernel_size=3),
    C("conv3d_cf_k2_same", "Conv3D", (1, 2, 4, 3, 5), filters=2, kernel_size=2,
      padding="same", data_format=CF),
    C("conv1dt_k3_s2_same", "Conv1DTranspose", (2, 5, 3), filters=2, kernel_size=3,
      strides=2, padding="same"),
    C("conv1dt_k3_s2_valid", "Conv1DTranspose", (2, 5, 3), filters=2, kernel_size=3,
      strides=2),
    C("conv1dt_k2_s3_valid", "Conv1DTranspose", (2, 4, 2), filters=2, kernel_size=2,
      strides=3),
    C("conv1dt_k3_s2_same_op1", "Conv1DTranspose", (2, 5, 2), filters=2, kernel_size=3,
      strides=2, padding="same", output_padding=1),
    C("conv1dt_k3_d2_same", "Conv1DTranspose", (2, 6, 2), filters=2, kernel_size=3,
      dilation_rate=2, padding="same"),
    C("conv2dt_k4_s2_same", "Conv2DTranspose", (2, 3, 4, 2), filters=3, kernel_size=4,
      strides=2, padding="same"),
    C("conv2dt_k2_s2_same", "Conv2DTranspose", (2, 3, 4, 2), filters=3, kernel_size=2,
      strides=2, padding="same"),
    C("conv2dt_k3_s1_same", "Conv2DTranspose", (2, 4, 5, 2), filters=3, kernel_size=3,
      padding="same"),
    C("conv2dt_k5_s2_same", "Conv2DTranspose", (1, 3, 4, 2), filters=2, kernel_size=5,
      strides=2, padding="same"),
    C("conv2dt_k2_s3_valid", "Conv2DTranspose", (1, 3, 4, 2), filters=2, kernel_size=2,
      strides=3),
    C("conv2dt_k2_s3_same", "Conv2DTranspose", (1, 3, 4, 2), filters=2, kernel_size=2,
      strides=3, padding="same"),
    C("conv2dt_k3_s2_same_op10", "Conv2DTranspose", (2, 3, 4, 2), filters=2, kernel_size=3,
      strides=2, padding="same", output_padding=(1, 0)),
    C("conv2dt_k3_s2_valid_op1", "Conv2DTranspose", (2, 3, 4, 2), filters=2, kernel_size=3,
      strides=2, output_padding=1),
    C("conv2dt_k4_s3_same_op2", "Conv2DTranspose", (1, 3, 3, 2), filters=2, kernel_size=4,
      strides=3, padding="same", output_padding=2),
    C("conv2dt_k3_d2_same", "Conv2DTranspose", (1, 4, 5, 2), filters=2, kernel_size=3,
      dilation_rate=2, padding="same"),
    C("conv2dt_cf_k3_s2_same", "Conv2DTranspose", (2, 2, 3, 4), filters=3, kernel_size=3,
      strides=2, padding="same", data_format=CF),
    C("conv3dt_k3_s2_same", "Conv3DTranspose", (1, 2, 3, 2, 2), filters=2, kernel_size=3,
      strides=2, padding="same"),
    C("conv3dt_k2_s2_valid_op1", "Conv3DTranspose", (1, 2, 2, 3, 2), filters=2, kernel_size=2,
      strides=2, output_padding=1),
    C("dwconv1d_k3_m2_s2_same", "DepthwiseConv1D", (2, 9, 3), kernel_size=3,
      depth_multiplier=2, strides=2, padding="same"),
    C("dwconv2d_k3_m2_s2_same", "DepthwiseConv2D", (2, 6, 7, 3), kernel_size=3,
      depth_multiplier=2, strides=2, padding="same"),
    C("dwconv2d_k2_d2_same", "DepthwiseConv2D", (2, 6, 5, 2), kernel_size=2,
      dilation_rate=2, padding="same"),
    C("dwconv2d_cf_k3_m2_same", "DepthwiseConv2D", (2, 2, 5, 6), kernel_size=3,
      depth_multiplier=2, padding="same", data_format=CF),
    C("sepconv1d_k3_m2_s2_same", "SeparableConv1D", (2, 9, 3), filters=4, kernel_size=3,
      depth_multiplier=2, strides=2, padding="same"),
    C("sepconv2d_k3_m2_s2_same", "SeparableConv2D", (2, 6, 7, 3), filters=4, kernel_size=3,
      depth_multiplier=2, strides=2, padding="same", activation="tanh"),
    C("sepconv2d_k2_d2_same", "SeparableConv2D", (1, 6, 5, 2), filters=3, kernel_size=2,
      dilation_rate=2, padding="same"),
    C("sepconv2d_cf_k3_same", "SeparableConv2D", (2, 2, 5, 6), filters=3, kernel_size=3,
      padding="same", data_format=CF),
]

POOL = [
    C("maxpool1d_p2_s1_same", "MaxPooling1D", (2, 7, 3), pool_size=2, strides=1,
      padding="same"),
    C("maxpool1d_p3_s2_same", "MaxPooling1D", (2, 8, 2), pool_size=3, strides=2,
      padding="same"),
    C("maxpool1d_p3_s2_valid", "MaxPooling1D", (2, 8, 2), pool_size=3, strides=2),
    C("maxpool2d_p2_same_odd", "MaxPooling2D", (2, 5, 7, 2), padding="same"),
    C("maxpool2d_p3_s2_same", "MaxPooling2D", (2, 6, 7, 2), pool_size=3, strides=2,
      padding="same"),
    C("maxpool2d_p23_s12_same", "MaxPooling2D", (2, 5, 6, 2), pool_size=(2, 3),
      strides=(1, 2), padding="same"),
    C("maxpool2d_p2_s1_valid", "MaxPooling2D", (2, 4, 5, 2), pool_size=2, strides=1),
    C("maxpool2d_cf_p3_s2_same", "MaxPooling2D", (2, 2, 6, 7), pool_size=3, strides=2,
      padding="same", data_format=CF),
    C("maxpool3d_p2_same_odd", "MaxPooling3D", (1, 3, 5, 4, 2), padding="same"),
    C("avgpool1d_p3_s1_same", "AveragePooling1D", (2, 7, 2), pool_size=3, strides=1,
      padding="same"),
    C("avgpool1d_p2_same", "AveragePooling1D", (2, 7, 2), pool_size=2, padding="same"),
    C("avgpool2d_p2_same_odd", "AveragePooling2D", (2, 5, 7, 2), pool_size=2, padding="same"),
    C("avgpool2d_p3_s1_same", "AveragePooling2D", (2, 5, 6, 2), pool_size=3, strides=1,
      padding="same"),
    C("avgpool2d_p3_s2_same", "AveragePooling2D", (2, 6, 7, 2), pool_size=3, strides=2,
      padding="same"),
    C("avgpool2d_p4_s1_same", "AveragePooling2D", (1, 5, 6, 2), pool_size=4, strides=1,
      padding="same"),
    C("avgpool2d_p23_s21_valid", "AveragePooling2D", (2, 6, 7, 2), pool_size=(2, 3),
      strides=(2, 1)),
    C("avgpool2d_cf_p3_s2_same", "AveragePooling2D", (2, 2, 6, 7), pool_size=3, strides=2,
      padding="same", data_format=CF),
    C("avgpool3d_p2_same_odd", "AveragePooling3D", (1, 3, 5, 4, 2), pool_size=2,
      padding="same"),
    C("avgpool3d_p3_s1_same", "AveragePooling3D", (1, 3, 4, 4, 2), pool_size=3, strides=1,
      padding="same"),
    C("gmaxpool1d", "GlobalMaxPooling1D", (2, 5, 3)),
    C("gmaxpool2d_keepdims", "GlobalMaxPooling2D", (2, 4, 5, 3), keepdims=True),
    C("gmaxpool3d_cf", "GlobalMaxPooling3D", (2, 3, 2, 3, 4), data_format=CF),
    C("gavgpool1d_cf_keepdims", "GlobalAveragePooling1D", (2, 3, 5), data_format=CF,
      keepdims=True),
    C("gavgpool2d", "GlobalAveragePooling2D", (2, 4, 5, 3)),
    C("gavgpool3d_keepdims", "GlobalAveragePooling3D", (2, 2, 3, 4, 3), keepdims=True),
]
_m = C("gavgpool1d_mask", "GlobalAveragePooling1D", (2, 5, 3))
_m["mask"] = [[True, True, False, True, False], [False, True, True, True, True]]
POOL.append(_m)

RESHAPE = [
    C("upsampling1d_3", "UpSampling1D", (2, 4, 3), size=3),
    C("upsampling2d_nearest_23", "UpSampling2D", (2, 3, 4, 2), size=(2, 3)),
    C("upsampling2d_bilinear_2", "UpSampling2D", (2, 3, 4, 2), interpolation="bilinear"),
    C("upsampling2d_bilinear_32_cf", "UpSampling2D", (2, 2, 3, 4), size=(3, 2),
      interpolation="bilinear", data_format=CF),
    C("upsampling2d_bicubic_3", "UpSampling2D", (1, 4, 5, 2), size=3,
      interpolation="bicubic"),
    C("upsampling2d_lanczos3", "UpSampling2D", (1, 4, 5, 2), size=(2, 3),
      interpolation="lanczos3"),
    C("upsampling2d_lanczos5", "UpSampling2D", (1, 4, 5, 2), size=2, interpolation="lanczos5"),
    C("upsampling2d_area", "UpSampling2D", (1, 3, 4, 2), size=(2, 3), interpolation="area"),
    C("upsampling3d", "UpSampling3D", (1, 2, 3, 2, 2), size=(2, 1, 3)),
    C("upsampling3d_cf", "UpSampling3D", (1, 2, 2, 3, 2), size=2, data_format=CF),
    C("zeropadding1d", "ZeroPadding1D", (2, 4, 3), padding=(2, 1)),
    C("zeropadding2d_int", "ZeroPadding2D", (2, 3, 4, 2), padding=1),
    C("zeropadding2d_cf", "ZeroPadding2D", (2, 2, 3, 4), padding=((1, 0), (0, 2)),
      data_format=CF),
    C("zeropadding3d", "ZeroPadding3D", (1, 2, 3, 2, 2), padding=((0, 1), (2, 0), (1, 1))),
    C("cropping1d", "Cropping1D", (2, 6, 3), cropping=(2, 1)),
    C("cropping2d_sym", "Cropping2D", (2, 5, 6, 2), cropping=(1, 2)),
    C("cropping2d_cf", "Cropping2D", (2, 2, 5, 6), cropping=((0, 2), (1, 3)), data_format=CF),
    C("cropping3d", "Cropping3D", (1, 4, 5, 4, 2), cropping=((1, 0), (1, 2), (0, 1))),
]

# tf-keras-only interpolations: what tf-keras's UpSampling2D computes (tf.image.resize).
TF_RESIZE = [
    ("upsampling2d_gaussian_tfk2", (1, 4, 5, 2), (2, 3), "gaussian"),
    ("upsampling2d_mitchellcubic_tfk2", (1, 4, 5, 2), (3, 2), "mitchellcubic"),
]


def write(family, cases, extra=()):
    outputs = {}
    for case in cases:
        outputs[case["name"]] = run_case(case)
    for name, shape, size, method in extra:
        x = det(shape, 0)
        y = tf.image.resize(x, (shape[1] * size[0], shape[2] * size[1]), method=method)
        outputs[name] = np.asarray(y, dtype=np.float32)
        cases.append({"name": name, "class_name": "UpSampling2D",
                      "kwargs": {"size": list(size), "interpolation": method},
                      "input_shape": list(shape), "seed": 0, "weight_shapes": [],
                      "output_shape": list(outputs[name].shape),
                      "derived": "tf.image.resize (tf-keras UpSampling2D)"})
    meta = {"keras": keras.__version__, "tensorflow": tf.__version__,
            "generator": "compat_suite/reference/make_conv_layer_fixtures.py",
            "det": "np.sin(i*0.7123 + seed*1.37) * np.cos(i*0.1931 + seed*0.61); weights: "
                   "det(shape, 100 + i) * 0.5", "cases": cases}
    with open(os.path.join(OUT, f"keras_{family}_cases.json"), "w") as f:
        json.dump(meta, f, indent=1)
    np.savez_compressed(os.path.join(OUT, f"keras_{family}_outputs.npz"), **outputs)
    print(family, len(cases), "cases")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    which = sys.argv[1:] or ["conv", "pooling", "reshaping"]
    if "conv" in which:
        write("conv", CONV)
    if "pooling" in which:
        write("pooling", POOL)
    if "reshaping" in which:
        write("reshaping", RESHAPE, TF_RESIZE)
