"""`keras.losses` API behaviour: reductions, sample weights, masks, labels, errors, get /
serialize / deserialize, custom losses, gradients, devices (no host sync).

Expected values are written out with numpy from Keras's documented formulas, or are numbers
printed in Keras's own docstring examples (real Keras output).
"""
import numpy as np
import pytest
import torch

import torchkeras as keras
import torchkeras.losses as losses

RNG = np.random.default_rng(0)

BUILTIN_CLASSES = [c for c in losses.ALL_CLASSES if c not in (losses.Loss,
                                                               losses.LossFunctionWrapper)]


def _np(x):
    return x.detach().cpu().numpy()


# ----------------------------------------------------------------------------- reductions
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "auto", "mean", "sum", "none",
                                       None, "mean_with_sample_weight"])
def test_reductions(reduction):
    yt = RNG.normal(size=(6, 3)).astype(np.float32)
    yp = RNG.normal(size=(6, 3)).astype(np.float32)
    sw = RNG.uniform(0.1, 2, size=(6,)).astype(np.float32)
    per_sample = np.mean((yt - yp) ** 2, axis=-1)
    weighted = per_sample * sw
    expected = {
        "sum_over_batch_size": weighted.sum() / 6, "auto": weighted.sum() / 6,
        "mean": weighted.sum() / 6, "sum": weighted.sum(), "none": weighted, None: weighted,
        "mean_with_sample_weight": weighted.sum() / sw.sum(),
    }[reduction]
    out = losses.MeanSquaredError(reduction=reduction)(yt, yp, sample_weight=sw)
    assert isinstance(out, torch.Tensor)
    np.testing.assert_allclose(_np(out), expected, rtol=1e-6)
    unweighted = losses.MeanSquaredError(reduction=reduction)(yt, yp)
    if reduction in ("none", None):
        np.testing.assert_allclose(_np(unweighted), per_sample, rtol=1e-6)
    elif reduction == "sum":
        np.testing.assert_allclose(_np(unweighted), per_sample.sum(), rtol=1e-6)
    else:
        np.testing.assert_allclose(_np(unweighted), per_sample.mean(), rtol=1e-6)


def test_default_reduction_divides_by_batch_not_weight_sum():
    yt, yp = np.zeros((4, 1), np.float32), np.ones((4, 1), np.float32)
    out = losses.MeanAbsoluteError()(yt, yp, sample_weight=np.array([1, 0, 0, 0], np.float32))
    assert float(out) == pytest.approx(0.25)


def test_keras2_reduction_auto_in_config_and_positional_order():
    cfg = {"reduction": "auto", "name": "mean_squared_error", "fn": "mean_squared_error"}
    loss = losses.MeanSquaredError.from_config(cfg)
    assert loss.reduction == "auto" and loss.get_config()["reduction"] == "auto"

    class K2Loss(losses.Loss):
        def __init__(self):
            super().__init__("sum", "k2_loss")  # Keras 2: Loss(reduction, name)

        def call(self, y_true, y_pred):
            return torch.abs(y_true - y_pred).mean(dim=-1)

    k2 = K2Loss()
    assert k2.name == "k2_loss" and k2.reduction == "sum"
    assert float(k2(np.zeros((3, 2)), np.ones((3, 2)))) == pytest.approx(3.0)


def test_invalid_reduction():
    with pytest.raises(ValueError, match="reduction"):
        losses.Huber(reduction="average")


# ----------------------------------------------------------------------------- sample weights
def test_per_timestep_losses_with_per_sample_weights():
    yt = RNG.normal(size=(4, 5, 3)).astype(np.float32)
    yp = RNG.normal(size=(4, 5, 3)).astype(np.float32)
    sw = np.array([1.0, 0.0, 2.0, 0.5], np.float32)
    per_step = np.mean((yt - yp) ** 2, axis=-1)  # (4, 5)
    out = losses.MeanSquaredError()(yt, yp, sample_weight=sw)
    np.testing.assert_allclose(_np(out), (per_step * sw[:, None]).sum() / 20, rtol=1e-6)
    out_col = losses.MeanSquaredError()(yt, yp, sample_weight=sw[:, None])
    np.testing.assert_allclose(_np(out_col), _np(out), rtol=1e-6)
    sw_t = RNG.uniform(size=(4, 5)).astype(np.float32)
    out_t = losses.MeanSquaredError(reduction="none")(yt, yp, sample_weight=sw_t)
    np.testing.assert_allclose(_np(out_t), per_step * sw_t, rtol=1e-6)


def test_sample_weight_of_trailing_one_is_squeezed():
    yt, yp = np.zeros((3, 2), np.float32), np.ones((3, 2), np.float32)
    out = losses.MeanSquaredError(reduction="none")(yt, yp, sample_weight=np.ones((3, 1)))
    assert tuple(out.shape) == (3,)


def test_bad_sample_weight_shape():
    with pytest.raises(ValueError, match=r"sample_weight.shape=\(5,\).*losses.shape=\(4,\)"):
        losses.MeanSquaredError()(np.zeros((4, 3)), np.zeros((4, 3)), sample_weight=np.ones(5))


# ----------------------------------------------------------------------------- labels
def test_y_true_is_cast_to_y_pred_dtype():
    yp = torch.tensor([[0.2, 0.8], [0.6, 0.4]], dtype=torch.float32)
    a = losses.BinaryCrossentropy()(np.array([[0, 1], [1, 0]], np.int64), yp)
    b = losses.BinaryCrossentropy()(np.array([[False, True], [True, False]]), yp)
    c = losses.BinaryCrossentropy()(torch.tensor([[0.0, 1.0], [1.0, 0.0]]), yp)
    assert a.dtype == torch.float32
    assert float(a) == pytest.approx(float(c)) and float(b) == pytest.approx(float(c))


def test_float64_inputs_give_float32_loss_and_dtype_arg():
    yt, yp = np.zeros((2, 2)), np.ones((2, 2))
    assert losses.MeanSquaredError()(yt, yp).dtype == torch.float32
    assert losses.MeanSquaredError(dtype="float64")(yt, yp).dtype == torch.float64


def test_sparse_labels_shape_n_and_n1():
    yp = RNG.dirichlet(np.ones(4), size=6).astype(np.float32)
    labels = RNG.integers(0, 4, size=6)
    a = losses.SparseCategoricalCrossentropy()(labels, yp)
    b = losses.SparseCategoricalCrossentropy()(labels[:, None], yp)
    c = losses.SparseCategoricalCrossentropy()(labels.astype(np.float32), yp)
    expected = -np.log(np.clip(yp[np.arange(6), labels], 1e-7, 1 - 1e-7)).mean()
    for v in (a, b, c):
        assert float(v) == pytest.approx(float(expected), rel=1e-5)
    per = losses.sparse_categorical_crossentropy(labels[:, None], yp)
    assert tuple(per.shape) == (6,)


def test_sparse_sequence_labels():
    yp = RNG.dirichlet(np.ones(5), size=(3, 4)).astype(np.float32)  # (3, 4, 5)
    labels = RNG.integers(0, 5, size=(3, 4))
    per = losses.sparse_categorical_crossentropy(labels, yp)
    assert tuple(per.shape) == (3, 4)
    expected = -np.log(np.take_along_axis(yp, labels[..., None], -1)[..., 0])
    np.testing.assert_allclose(_np(per), expected, rtol=1e-5)


def test_ignore_class_masks_the_mean():
    yp = RNG.dirichlet(np.ones(3), size=5).astype(np.float32)
    labels = np.array([0, 1, 2, 0, 1])
    per = losses.SparseCategoricalCrossentropy(ignore_class=0, reduction="none")(labels, yp)
    full = -np.log(yp[np.arange(5), labels])
    np.testing.assert_allclose(_np(per), np.where(labels == 0, 0, full), rtol=1e-5)
    mean = losses.SparseCategoricalCrossentropy(ignore_class=0)(labels, yp)
    assert float(mean) == pytest.approx(full[labels != 0].mean(), rel=1e-5)


def test_hinge_maps_01_labels():
    yp = RNG.normal(size=(4, 3)).astype(np.float32)
    yt01 = RNG.integers(0, 2, size=(4, 3)).astype(np.float32)
    a = losses.hinge(yt01, yp)
    b = losses.hinge(2 * yt01 - 1, yp)
    np.testing.assert_allclose(_np(a), _np(b), rtol=1e-6)
    np.testing.assert_allclose(_np(a), np.maximum(1 - (2 * yt01 - 1) * yp, 0).mean(-1),
                               rtol=1e-6)


def test_cce_renormalises_predictions():
    yt = np.eye(3, dtype=np.float32)[[0, 2, 1]]
    yp = RNG.dirichlet(np.ones(3), size=3).astype(np.float32)
    a = losses.categorical_crossentropy(yt, yp)
    b = losses.categorical_crossentropy(yt, 3 * yp)
    np.testing.assert_allclose(_np(a), _np(b), rtol=1e-5)


def test_keras_docstring_values():
    """Numbers printed in Keras's own docstrings."""
    yt = [[0, 1, 0], [0, 0, 1]]
    yp = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
    assert float(losses.CategoricalCrossentropy()(yt, yp)) == pytest.approx(1.177, abs=1e-3)
    assert float(losses.CategoricalCrossentropy()(
        yt, yp, sample_weight=np.array([0.3, 0.7]))) == pytest.approx(0.814, abs=1e-3)
    assert float(losses.CategoricalCrossentropy(reduction="sum")(yt, yp)) == pytest.approx(
        2.354, abs=1e-3)
    np.testing.assert_allclose(_np(losses.SparseCategoricalCrossentropy(reduction=None)(
        [1, 2], yp)), [0.0513, 2.303], atol=1e-3)
    assert float(losses.CategoricalFocalCrossentropy()(yt, yp)) == pytest.approx(0.23315276,
                                                                                  rel=1e-4)
    np.testing.assert_allclose(_np(losses.CategoricalFocalCrossentropy(reduction=None)(yt, yp)),
                               [3.2058331e-05, 4.6627346e-01], rtol=1e-4)
    np.testing.assert_allclose(_np(losses.categorical_focal_crossentropy(
        [[0, 1, 0], [0, 0, 1]], [[0.05, 0.9, 0.05], [0.1, 0.85, 0.05]])),
        [2.63401289e-04, 6.75912094e-01], rtol=1e-4)
    np.testing.assert_allclose(_np(losses.binary_focal_crossentropy(
        [[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]], gamma=2)), [0.330, 0.206], atol=1e-3)
    np.testing.assert_allclose(_np(losses.binary_crossentropy(
        [[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])), [0.916, 0.714], atol=1e-3)
    assert float(losses.huber([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]).mean()) == \
        pytest.approx(0.155, abs=1e-3)
    assert float(losses.log_cosh([[0., 1.], [0., 0.]], [[1., 1.], [0., 0.]]).mean()) == \
        pytest.approx(0.108, abs=1e-3)
    np.testing.assert_allclose(_np(losses.cosine_similarity(
        [[0., 1.], [1., 1.], [1., 1.]], [[1., 0.], [1., 1.], [-1., -1.]])),
        [0.0, -0.99999994, 0.99999994], atol=1e-6)
    yt4 = [[[[1.0], [1.0]], [[0.0], [0.0]]], [[[1.0], [1.0]], [[0.0], [0.0]]]]
    yp4 = [[[[0.0], [1.0]], [[0.0], [1.0]]], [[[0.4], [0.0]], [[0.0], [0.9]]]]
    np.testing.assert_allclose(_np(losses.dice(yt4, yp4, axis=(1, 2, 3))), [0.5, 0.75757575],
                               rtol=1e-5)
    assert float(losses.dice(yt4, yp4)) == pytest.approx(0.6164384, rel=1e-5)
    np.testing.assert_allclose(_np(losses.Dice(axis=(1, 2, 3), reduction=None)(
        np.array(yt4), np.array(yp4))), [0.5, 0.75757575], rtol=1e-5)


def test_circle_masks_samples_without_pairs():
    emb = RNG.normal(size=(5, 4)).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    labels = np.array([0, 0, 1, 1, 2])  # sample 4 has no positive pair
    per = losses.circle(labels, emb)
    assert float(per[4]) == 0.0
    total = losses.Circle()(labels, emb)
    assert float(total) == pytest.approx(float(per[:4].mean()), rel=1e-5)


# ----------------------------------------------------------------------------- masks
def test_keras_mask_on_y_pred():
    yt = RNG.normal(size=(2, 4, 3)).astype(np.float32)
    yp = torch.from_numpy(RNG.normal(size=(2, 4, 3)).astype(np.float32))
    mask = torch.tensor([[True, True, False, False], [True, True, True, False]])
    yp._keras_mask = mask
    out = losses.MeanSquaredError()(yt, yp)
    per = np.mean((yt - yp.numpy()) ** 2, axis=-1)
    assert float(out) == pytest.approx(per[mask.numpy()].mean(), rel=1e-5)


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize("loss", [losses.MeanSquaredError(), losses.Hinge(),
                                  losses.CategoricalCrossentropy(),
                                  losses.BinaryCrossentropy(), losses.KLDivergence()])
def test_shape_mismatch_error_names_both_shapes(loss):
    with pytest.raises(ValueError, match=r"y_true.shape=\(4, 3\).*y_pred.shape=\(4, 2\)"):
        loss(np.zeros((4, 3), np.float32), np.full((4, 2), 0.5, np.float32))


def test_sparse_label_shape_error():
    with pytest.raises(ValueError, match=r"y_true.shape=\(4, 3\), y_pred.shape=\(4, 2\)"):
        losses.SparseCategoricalCrossentropy()(np.zeros((4, 3)), np.full((4, 2), 0.5))


def test_unknown_identifier():
    with pytest.raises(ValueError, match="Could not interpret loss identifier: nope"):
        losses.get("nope")
    with pytest.raises(ValueError, match="nope"):
        losses.deserialize({"class_name": "nope", "config": {}})
    with pytest.raises(ValueError, match="q must be in the interval"):
        losses.CategoricalGeneralizedCrossEntropy(q=1.5)


def test_ctc_rank_errors():
    with pytest.raises(ValueError, match="y_true.shape"):
        losses.ctc(np.zeros((2, 3, 1)), np.zeros((2, 5, 4)))
    with pytest.raises(ValueError, match="y_pred.shape"):
        losses.ctc(np.zeros((2, 3)), np.zeros((2, 5)))


# ----------------------------------------------------------------------------- get / serialize
ALIASES = {
    "mse": "mean_squared_error", "MSE": "mean_squared_error", "mae": "mean_absolute_error",
    "MAE": "mean_absolute_error", "mape": "mean_absolute_percentage_error",
    "MAPE": "mean_absolute_percentage_error", "msle": "mean_squared_logarithmic_error",
    "MSLE": "mean_squared_logarithmic_error", "kld": "kl_divergence", "KLD": "kl_divergence",
    "kl_divergence": "kl_divergence", "kullback_leibler_divergence": "kl_divergence",
    "logcosh": "log_cosh", "log_cosh": "log_cosh", "huber": "huber", "huber_loss": "huber",
    "bce": "binary_crossentropy", "BCE": "binary_crossentropy",
    "binary_crossentropy": "binary_crossentropy",
    "categorical_crossentropy": "categorical_crossentropy",
    "sparse_categorical_crossentropy": "sparse_categorical_crossentropy",
    "binary_focal_crossentropy": "binary_focal_crossentropy",
    "categorical_focal_crossentropy": "categorical_focal_crossentropy",
    "hinge": "hinge", "squared_hinge": "squared_hinge", "categorical_hinge": "categorical_hinge",
    "poisson": "poisson", "cosine_similarity": "cosine_similarity",
    "cosine_proximity": "cosine_similarity", "dice": "dice", "tversky": "tversky",
    "circle": "circle", "ctc": "ctc",
}


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_get_string_aliases(alias):
    fn = losses.get(alias)
    assert fn.__name__ == ALIASES[alias]
    assert getattr(losses, ALIASES[alias]) is fn


def test_module_level_aliases():
    assert losses.mse is losses.MSE is losses.mean_squared_error
    assert losses.kld is losses.kullback_leibler_divergence is losses.kl_divergence
    assert losses.logcosh is losses.log_cosh and losses.huber_loss is losses.huber


def test_get_other_identifiers():
    assert losses.get(None) is None
    inst = losses.Huber(delta=2.0)
    assert losses.get(inst) is inst
    assert losses.get(losses.mse) is losses.mse
    assert isinstance(losses.get("CategoricalCrossentropy"), losses.CategoricalCrossentropy)
    assert isinstance(losses.get(losses.Poisson), losses.Poisson)
    k3 = losses.get({"module": "keras.losses", "class_name": "BinaryCrossentropy",
                     "config": {"from_logits": True, "name": "bce_x"}, "registered_name": None})
    assert k3.from_logits and k3.name == "bce_x"
    k2 = losses.get({"class_name": "Huber", "config": {"reduction": "auto", "name": "huber_loss",
                                                      "delta": 0.5, "fn": "huber"}})
    assert k2.delta == 0.5
    fn = losses.get({"module": "keras.losses", "class_name": "function",
                     "config": "mean_squared_error", "registered_name": "mean_squared_error"})
    assert fn is losses.mean_squared_error
    with pytest.raises(ValueError):
        losses.get(42)


def _make(cls):
    if cls is losses.CategoricalGeneralizedCrossEntropy:
        return cls(q=0.3)
    return cls()


@pytest.mark.parametrize("cls", BUILTIN_CLASSES, ids=lambda c: c.__name__)
def test_config_round_trip(cls):
    obj = _make(cls)
    cfg = obj.get_config()
    assert cfg["name"] == obj.name and cfg["reduction"] == "sum_over_batch_size"
    again = cls.from_config(cfg)
    assert again.get_config() == cfg
    ser = losses.serialize(obj)
    assert ser["class_name"] == cls.__name__ and ser["module"] == "keras.losses"
    back = losses.deserialize(ser)
    assert type(back) is cls and back.get_config() == cfg


def test_config_keeps_arguments():
    cfg = losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.3, gamma=3.0,
                                         from_logits=True, label_smoothing=0.1).get_config()
    assert cfg == {"name": "binary_focal_crossentropy", "reduction": "sum_over_batch_size",
                   "from_logits": True, "label_smoothing": 0.1, "axis": -1,
                   "apply_class_balancing": True, "alpha": 0.3, "gamma": 3.0}
    assert losses.Huber(delta=0.7).get_config()["delta"] == 0.7
    assert losses.SparseCategoricalCrossentropy(ignore_class=255).get_config()["ignore_class"] == 255


def test_function_serialization_round_trip():
    ser = losses.serialize(losses.categorical_hinge)
    assert ser == {"module": "keras.losses", "class_name": "function",
                   "config": "categorical_hinge", "registered_name": "categorical_hinge"}
    assert losses.deserialize(ser) is losses.categorical_hinge
    assert losses.deserialize("mse") is losses.mean_squared_error


# ----------------------------------------------------------------------------- custom losses
def test_loss_function_wrapper_with_kwargs_and_config():
    wrapped = losses.LossFunctionWrapper(losses.huber, delta=0.3, reduction="sum", name="h")
    yt, yp = RNG.normal(size=(5, 2)), RNG.normal(size=(5, 2))
    assert float(wrapped(yt, yp)) == pytest.approx(float(losses.huber(yt, yp, delta=0.3).sum()),
                                                   rel=1e-6)
    back = losses.deserialize(losses.serialize(wrapped))
    assert back.fn is losses.huber and back._fn_kwargs == {"delta": 0.3}
    assert back.name == "h" and back.reduction == "sum"


def test_wrapper_squeezes_rank_difference():
    yt = np.arange(4, dtype=np.float32)               # (4,)
    yp = np.arange(4, dtype=np.float32)[:, None] + 1  # (4, 1)
    assert float(losses.MeanSquaredError()(yt, yp)) == pytest.approx(1.0)


def test_custom_loss_subclass_and_auto_name():
    class MyLoss(losses.Loss):
        def call(self, y_true, y_pred):
            return torch.mean(torch.abs(y_true - y_pred) ** 3, dim=-1)

    a, b = MyLoss(), MyLoss()
    assert (a.name, b.name) == ("my_loss", "my_loss_1")
    assert float(a(np.zeros((2, 2)), np.ones((2, 2)))) == pytest.approx(1.0)
    keras.backend.clear_session()
    assert MyLoss().name == "my_loss"


# ----------------------------------------------------------------------------- autograd / devices
@pytest.mark.parametrize("cls", BUILTIN_CLASSES, ids=lambda c: c.__name__)
def test_gradients_are_finite(cls):
    obj = _make(cls)
    if cls in (losses.SparseCategoricalCrossentropy, losses.CategoricalGeneralizedCrossEntropy):
        yt = np.array([0, 1, 2, 1])
        yp = torch.softmax(torch.randn(4, 3), -1).detach().requires_grad_()
    elif cls is losses.Circle:
        yt = np.array([0, 0, 1, 2])
        yp = torch.nn.functional.normalize(torch.randn(4, 3), dim=-1).detach().requires_grad_()
    elif cls is losses.CTC:
        yt = np.array([[1, 2], [2, 0], [1, 1], [2, 1]])
        yp = torch.randn(4, 6, 3, requires_grad=True)
    else:
        yt = RNG.integers(0, 2, size=(4, 3)).astype(np.float32)
        yp = torch.sigmoid(torch.randn(4, 3)).detach().requires_grad_()
    out = obj(yt, yp, sample_weight=np.array([1.0, 0.5, 0.0, 2.0], np.float32))
    assert out.dim() == 0
    out.backward()
    assert torch.isfinite(yp.grad).all()


def test_ignore_class_gradient_is_finite():
    yp = torch.softmax(torch.randn(4, 3), -1).detach().requires_grad_()
    losses.SparseCategoricalCrossentropy(ignore_class=1)(np.array([1, 1, 0, 2]), yp).backward()
    assert torch.isfinite(yp.grad).all()


@pytest.mark.parametrize("cls", [c for c in BUILTIN_CLASSES if c is not losses.CTC],
                         ids=lambda c: c.__name__)
def test_no_host_sync_on_meta_device(cls):
    """On the meta device any read-back of a value would raise: none happens."""
    meta = torch.device("meta")
    obj = _make(cls)
    if cls in (losses.SparseCategoricalCrossentropy, losses.CategoricalGeneralizedCrossEntropy,
               losses.Circle):
        yt = torch.randint(0, 3, (8,)).to(meta)
    else:
        yt = torch.randint(0, 2, (8, 3)).float().to(meta)
    yp = torch.rand(8, 3).to(meta)
    out = obj(yt, yp, sample_weight=torch.rand(8).to(meta))
    assert out.device.type == "meta" and out.dim() == 0


def test_numpy_inputs_give_tensors_on_the_prediction_device():
    yp = torch.rand(3, 2, dtype=torch.float64)
    out = losses.mean_absolute_error(np.zeros((3, 2)), yp)
    assert isinstance(out, torch.Tensor) and out.device == yp.device


def test_tf_keras_reduction_constants():
    assert losses.Reduction.SUM == "sum" and losses.ReductionV2.NONE == "none"
    loss = losses.MeanSquaredError(reduction=losses.Reduction.AUTO)
    assert float(loss(np.zeros((2, 2)), np.ones((2, 2)))) == 1.0
