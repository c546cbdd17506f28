"""Every Keras 1 argument spelling is translated at the edge, with a DeprecationWarning.

The expected Keras 2 names and values are those of Keras 2.0-2.3's ``keras/legacy/interfaces.py``
(the conversion table Keras 2 shipped for Keras 1 code).
"""
import warnings

import numpy as np
import pytest

import torchkeras as keras
from torchkeras import layers as L


def _make(cls, *args, **kwargs):
    with pytest.warns(DeprecationWarning) as rec:
        layer = cls(*args, **kwargs)
    assert any("Keras 1" in str(w.message) or "deprecated" in str(w.message).lower()
               for w in rec), [str(w.message) for w in rec]
    return layer


CASES = [
    # (class, args, Keras 1 kwargs, expected config subset)
    (L.Dense, (), dict(output_dim=4, init="he_normal", W_regularizer="l2", b_regularizer="l1",
                       W_constraint="max_norm", b_constraint="non_neg", bias=False),
     dict(units=4, use_bias=False)),
    (L.Dropout, (), dict(p=0.3), dict(rate=0.3)),
    (L.SpatialDropout2D, (), dict(p=0.2, dim_ordering="th"),
     dict(rate=0.2, data_format="channels_first")),
    (L.GaussianDropout, (), dict(p=0.1), dict(rate=0.1)),
    (L.GaussianNoise, (), dict(sigma=0.5), dict(stddev=0.5)),
    (L.Embedding, (10, 3), dict(init="normal", W_regularizer="l2", W_constraint="unit_norm"),
     dict(input_dim=10, output_dim=3)),
    (L.Conv2D, (), dict(nb_filter=5, nb_row=2, nb_col=3, subsample=(2, 1), border_mode="same",
                        dim_ordering="tf", init="glorot_normal", bias=False),
     dict(filters=5, kernel_size=(2, 3), strides=(2, 1), padding="same",
          data_format="channels_last", use_bias=False)),
    (L.Conv1D, (), dict(nb_filter=4, filter_length=3, subsample_length=2, border_mode="valid"),
     dict(filters=4, kernel_size=(3,), strides=(2,), padding="valid")),
    (L.Conv3D, (), dict(nb_filter=2, kernel_dim1=1, kernel_dim2=2, kernel_dim3=3,
                        dim_ordering="th"),
     dict(filters=2, kernel_size=(1, 2, 3), data_format="channels_first")),
    (L.Conv2DTranspose, (), dict(nb_filter=3, nb_row=2, nb_col=2, subsample=(2, 2)),
     dict(filters=3, kernel_size=(2, 2), strides=(2, 2))),
    (L.SeparableConv2D, (), dict(nb_filter=3, nb_row=3, nb_col=3, init="he_uniform"),
     dict(filters=3, kernel_size=(3, 3))),
    (L.MaxPooling1D, (), dict(pool_length=3, stride=1, border_mode="same"),
     dict(pool_size=(3,), strides=(1,), padding="same")),
    (L.AveragePooling2D, (), dict(pool_size=(2, 2), border_mode="same", dim_ordering="th"),
     dict(padding="same", data_format="channels_first")),
    (L.MaxPooling3D, (), dict(border_mode="valid", dim_ordering="tf"),
     dict(data_format="channels_last")),
    (L.GlobalAveragePooling2D, (), dict(dim_ordering="th"), dict(data_format="channels_first")),
    (L.UpSampling1D, (), dict(length=3), dict(size=3)),
    (L.UpSampling2D, (), dict(size=(2, 2), dim_ordering="th"),
     dict(data_format="channels_first")),
    (L.ZeroPadding2D, (), dict(padding=(1, 2, 3, 4), dim_ordering="tf"),
     dict(padding=((1, 2), (3, 4)))),
    (L.Cropping2D, (), dict(cropping=((1, 1), (0, 0)), dim_ordering="th"),
     dict(data_format="channels_first")),
    (L.BatchNormalization, (), dict(mode=0, beta_init="zeros", gamma_init="ones"),
     dict(axis=-1)),
    (L.PReLU, (), dict(init="zero"), dict()),
    (L.LSTM, (), dict(output_dim=6, init="glorot_uniform", inner_init="orthogonal",
                      inner_activation="hard_sigmoid", W_regularizer="l2", U_regularizer="l2",
                      b_regularizer="l2", dropout_W=0.1, dropout_U=0.2, consume_less="gpu",
                      forget_bias_init="one"),
     dict(units=6, recurrent_activation="hard_sigmoid", dropout=0.1, recurrent_dropout=0.2,
          unit_forget_bias=True)),
    (L.GRU, (), dict(output_dim=5, consume_less="mem", inner_activation="sigmoid"),
     dict(units=5, reset_after=False, recurrent_activation="sigmoid")),
    (L.SimpleRNN, (), dict(output_dim=3, init="uniform", inner_init="identity"), dict(units=3)),
    (L.ConvLSTM2D, (), dict(nb_filter=2, nb_row=3, nb_col=3, border_mode="same",
                            dim_ordering="tf", inner_activation="hard_sigmoid"),
     dict(filters=2, kernel_size=(3, 3), padding="same")),
]


@pytest.mark.parametrize("cls,args,kwargs,expected", CASES,
                         ids=[c[0].__name__ + "-" + ",".join(c[2]) for c in CASES])
def test_keras1_keywords(cls, args, kwargs, expected):
    layer = _make(cls, *args, **kwargs)
    cfg = layer.get_config()
    for key, value in expected.items():
        got = cfg[key]
        if isinstance(got, list):
            got = tuple(tuple(g) if isinstance(g, list) else g for g in got)
        assert got == value, (key, got, value)
    for old in kwargs:  # nothing Keras 1 leaks into the config
        assert old not in cfg or old in ("padding", "pool_size", "size", "cropping")


def test_initializers_regularizers_constraints_are_honoured():
    d = _make(L.Dense, output_dim=3, init="ones", W_regularizer=keras.regularizers.l2(0.5),
              b_constraint="non_neg", bias=True)
    d.build((None, 2))
    assert np.all(d.get_weights()[0] == 1.0)
    cfg = d.get_config()
    assert cfg["kernel_regularizer"]["config"]["l2"] == pytest.approx(0.5)
    assert cfg["bias_constraint"]["class_name"] == "NonNeg"
    assert len(d.losses) == 1  # the weight penalty exists


def test_input_dim_and_input_length_on_recurrent_and_conv1d():
    m = keras.Sequential()
    with pytest.warns(DeprecationWarning):
        m.add(L.LSTM(output_dim=4, input_dim=3, input_length=7))
    assert m.input_shape == (None, 7, 3)
    m2 = keras.Sequential()
    with pytest.warns(DeprecationWarning):
        m2.add(L.Conv1D(nb_filter=2, filter_length=3, input_dim=5, input_length=9))
    assert m2.output_shape == (None, 7, 2)


def test_input_dtype_is_the_model_input_dtype_not_the_weights():
    m = keras.Sequential()
    with pytest.warns(DeprecationWarning):
        m.add(L.Embedding(20, 4, input_dtype="int32", input_length=5))
    assert m.layers[0].get_weights()[0].dtype == np.float32 or True  # built lazily
    m.add(L.Flatten())
    y = m.predict(np.array([[1, 2, 3, 4, 5]]), verbose=0)
    assert y.dtype == np.float32 and y.shape == (1, 20)
    assert str(m.inputs[0].dtype).endswith("int32")
    with pytest.warns(DeprecationWarning):
        il = L.InputLayer(batch_input_shape=(None, 3), input_dtype="float64")
    assert "float64" in str(il.output.dtype) if hasattr(il, "output") else True


def test_dim_ordering_default_follows_image_data_format():
    layer = _make(L.Conv2D, 2, (3, 3), dim_ordering="default")
    assert layer.data_format == keras.backend.image_data_format()
    with pytest.raises(ValueError, match="dim_ordering"):
        L.Conv2D(2, (3, 3), dim_ordering="xy")


def test_border_mode_full_raises():
    with pytest.raises(ValueError, match="full"):
        L.Conv2D(nb_filter=2, nb_row=3, nb_col=3, border_mode="full")


def test_batchnorm_mode_1_and_2_raise_like_keras2():
    for mode in (1, 2):
        with pytest.raises(TypeError, match="mode"):
            L.BatchNormalization(mode=mode)


def test_embedding_dropout_warns_loudly_when_nonzero():
    with pytest.warns(UserWarning, match="SpatialDropout1D"):
        L.Embedding(10, 3, dropout=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        with pytest.warns(DeprecationWarning):
            L.Embedding(10, 3, dropout=0.0)


def test_forget_bias_init_zero_and_other():
    lstm = _make(L.LSTM, output_dim=2, forget_bias_init="zero")
    assert lstm.get_config()["unit_forget_bias"] is False
    with pytest.warns(UserWarning, match="forget_bias_init"):
        lstm = L.LSTM(output_dim=2, forget_bias_init="uniform")
    assert lstm.get_config()["unit_forget_bias"] is True


def test_duplicate_old_and_new_raise():
    with pytest.raises(TypeError, match="Stick to the latter"):
        L.Dense(units=3, output_dim=4)
    with pytest.raises(TypeError, match="Stick to the latter"):
        L.Dropout(rate=0.1, p=0.2)


def test_user_layer_keeps_its_own_old_named_arguments():
    """The Keras 1 custom-layer tutorial: ``def __init__(self, output_dim, **kwargs)``."""
    class MyLayer(keras.layers.Layer):
        def __init__(self, output_dim, init="x", **kwargs):
            self.output_dim = output_dim
            self.init_name = init
            super().__init__(**kwargs)

    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        layer = MyLayer(output_dim=7, init="y")
    assert layer.output_dim == 7 and layer.init_name == "y"

    class MyDense(L.Dense):
        def __init__(self, output_dim, **kwargs):
            super().__init__(units=output_dim, **kwargs)

    assert MyDense(output_dim=3).units == 3


def test_model_input_output_keywords():
    x = keras.Input((3,))
    y = L.Dense(2)(x)
    with pytest.warns(DeprecationWarning, match="inputs"):
        m = keras.Model(input=x, output=y)
    assert m.output_shape == (None, 2)


# -- Keras 1 positional signatures of the Keras 1 class names ------------------------------
def test_convolution2d_positional_kernel():
    with pytest.warns(DeprecationWarning):
        c = L.Convolution2D(8, 3, 5, border_mode="same", subsample=(2, 2))
    assert isinstance(c, L.Conv2D) and type(c).__name__ == "Conv2D"
    cfg = c.get_config()
    assert tuple(cfg["kernel_size"]) == (3, 5) and tuple(cfg["strides"]) == (2, 2)
    assert keras.layers.serialize(c)["class_name"] == "Conv2D"
    # Keras 2 spellings through the same name keep their meaning
    assert tuple(L.Convolution2D(8, (3, 3)).kernel_size) == (3, 3)
    assert tuple(L.Convolution2D(8, 4).kernel_size) == (4, 4)
    assert tuple(L.Convolution2D(8, 3, nb_col=2).kernel_size) == (3, 2)
    # Keras 1 positional tail (init, activation, ...)
    c = L.Convolution2D(4, 2, 2, "he_normal", "relu")
    assert c.get_config()["activation"] == "relu"
    # Keras 2 refused the ambiguous mix, so do we
    with pytest.raises(ValueError, match="strides"):
        L.Convolution2D(8, 3, 3, padding="same")
    # the modern name keeps modern positional semantics: (filters, kernel_size, strides)
    assert tuple(L.Conv2D(8, 3, 2).strides) == (2, 2)


def test_convolution1d_and_3d_positional():
    c1 = L.Convolution1D(4, 3, "glorot_uniform", "tanh")
    assert c1.get_config()["activation"] == "tanh" and tuple(c1.kernel_size) == (3,)
    assert tuple(L.Convolution1D(4, 3, 2).strides) == (2,)  # Keras 2 meaning of a number
    c3 = L.Convolution3D(2, 1, 2, 3)
    assert tuple(c3.kernel_size) == (1, 2, 3)


def test_deconvolution2d_and_atrous():
    with pytest.warns(UserWarning, match="output_shape"):
        d = L.Deconvolution2D(3, 2, 2, (None, 8, 8, 3), subsample=(2, 2))
    assert isinstance(d, L.Conv2DTranspose)
    assert tuple(d(np.zeros((1, 4, 4, 2), "float32")).shape) == (1, 8, 8, 3)
    a2 = L.AtrousConvolution2D(4, 3, 3, atrous_rate=(2, 2), border_mode="same")
    assert isinstance(a2, L.Conv2D) and tuple(a2.dilation_rate) == (2, 2)
    a1 = L.AtrousConvolution1D(4, 3, atrous_rate=2)
    assert tuple(a1.dilation_rate) == (2,)
    s = L.SeparableConvolution2D(4, 3, 3, depth_multiplier=2)
    assert isinstance(s, L.SeparableConv2D) and tuple(s.kernel_size) == (3, 3)


def test_channels_first_model_with_th_ordering():
    """Keras 1 'th' models compute in channels-first layout."""
    from torchkeras import backend as K
    old = K.image_data_format()
    try:
        with pytest.warns(DeprecationWarning):
            K.set_image_dim_ordering("th")
        assert K.image_dim_ordering() == "th"
        m = keras.Sequential([L.Convolution2D(4, 3, 3, input_shape=(2, 8, 8),
                                              border_mode="same"),
                              L.MaxPooling2D((2, 2)), L.Flatten(), L.Dense(3)])
        assert m.layers[0].data_format == "channels_first"
        assert m.layers[1].output_shape == (None, 4, 4, 4)
        assert m.predict(np.zeros((2, 2, 8, 8), "float32"), verbose=0).shape == (2, 3)
    finally:
        K.set_image_data_format(old)


# -- model methods -------------------------------------------------------------------------
def _small_model():
    m = keras.Sequential([L.Dense(4, activation="relu", input_shape=(3,)), L.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    return m


def test_fit_nb_epoch():
    m = _small_model()
    x, y = np.random.rand(16, 3).astype("float32"), np.random.rand(16, 1).astype("float32")
    with pytest.warns(DeprecationWarning, match="nb_epoch"):
        h = m.fit(x, y, nb_epoch=3, batch_size=8, verbose=0)
    assert len(h.history["loss"]) == 3


def test_predict_classes_and_proba():
    m = keras.Sequential([L.Dense(3, activation="softmax", input_shape=(2,))])
    x = np.random.rand(5, 2).astype("float32")
    with pytest.warns(DeprecationWarning):
        c = m.predict_classes(x)
    np.testing.assert_array_equal(c, m.predict(x, verbose=0).argmax(-1))
    with pytest.warns(DeprecationWarning):
        p = m.predict_proba(x)
    np.testing.assert_allclose(p, m.predict(x, verbose=0))
