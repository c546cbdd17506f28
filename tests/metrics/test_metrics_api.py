"""`keras.metrics` API behaviour: the Metric base (variables, reductions, devices, no host
sync), configs, get / serialize, compile's accuracy rule, and Keras docstring values for the
metrics the oracle does not cover (those numbers were printed by real Keras).
"""
import copy
import pickle

import numpy as np
import pytest
import torch

import torchkeras as keras
import torchkeras.metrics as metrics

RNG = np.random.default_rng(0)


def _make(cls):
    name = cls.__name__
    if name == "IoU":
        return cls(num_classes=3, target_class_ids=[0, 2])
    if name in ("MeanIoU", "OneHotMeanIoU"):
        return cls(num_classes=3)
    if name == "OneHotIoU":
        return cls(num_classes=3, target_class_ids=[1])
    if name in ("PrecisionAtRecall", "RecallAtPrecision", "SensitivityAtSpecificity",
                "SpecificityAtSensitivity"):
        return cls(0.5)
    if name == "MeanMetricWrapper":
        return cls(keras.losses.mean_squared_error)
    if name in ("TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy"):
        return cls(k=2)
    return cls()


BUILTIN = [c for c in metrics.ALL_CLASSES if c is not metrics.Metric]
SPARSE_LABELS = {"SparseCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
                 "SparseCategoricalCrossentropy"}
INT_BOTH = {"IoU", "MeanIoU"}


def _feed(m, device="cpu", n=8, weighted=True):
    """One update_state with data that suits the metric class."""
    g = torch.Generator().manual_seed(1)
    name = type(m).__name__
    sw = torch.rand(n, generator=g).to(device) if weighted else None
    if name in ("Mean", "Sum"):
        return m.update_state(torch.rand(n, generator=g).to(device), sample_weight=sw)
    yp = torch.rand(n, 3, generator=g).to(device)
    if name in SPARSE_LABELS:
        yt = torch.randint(0, 3, (n,), generator=g).to(device)
    elif name in INT_BOTH:
        yt = torch.randint(0, 3, (n,), generator=g).to(device)
        yp = torch.randint(0, 3, (n,), generator=g).to(device)
    else:
        yt = torch.randint(0, 2, (n, 3), generator=g).float().to(device)
    return m.update_state(yt, yp, sample_weight=sw)


# ----------------------------------------------------------------------------- base class
def test_metric_is_module_with_buffers():
    m = metrics.Mean()
    assert isinstance(m, torch.nn.Module)
    assert [v.name for v in m.variables] == ["total", "count"]
    assert dict(m.named_buffers()).keys() == {"total", "count"}
    assert m.state_dict() == {}  # non-persistent: a model's state_dict stays clean
    assert m.dtype == "float32" and m.name == "mean"


@pytest.mark.parametrize("cls", BUILTIN, ids=lambda c: c.__name__)
def test_every_builtin_state_is_additive(cls):
    m = _make(cls)
    _feed(m)
    assert m.variables, cls
    assert m.state_reductions() == ["sum"] * len(m.variables)
    assert all(v.aggregation == "sum" for v in m.variables)
    assert not any(v.requires_grad for v in m.variables)


@pytest.mark.parametrize("cls", BUILTIN, ids=lambda c: c.__name__)
def test_no_host_sync_on_meta_device(cls):
    """update_state / result on the meta device: any read-back of a value would raise."""
    m = _make(cls).to("meta")
    _feed(m, device="meta")
    r = m.result()
    assert isinstance(r, torch.Tensor) and r.device.type == "meta"
    assert all(v.device.type == "meta" for v in m.variables)


@pytest.mark.parametrize("cls", BUILTIN, ids=lambda c: c.__name__)
def test_to_moves_states_and_results_stay_tensors(cls):
    m = _make(cls)
    _feed(m)
    before = m.result().clone()
    m.to(torch.device("meta"))
    assert all(v.device.type == "meta" for v in m.variables)
    assert all(isinstance(v, metrics.MetricVariable) for v in m.variables)
    m.to_empty(device="cpu")  # meta holds no data: only check placement again
    assert all(v.device.type == "cpu" for v in m.variables)
    assert all(isinstance(v, metrics.MetricVariable) for v in m.variables)
    assert isinstance(before, torch.Tensor)


def test_metric_follows_accelerator_inputs_once():
    m = metrics.F1Score()  # lazily built states are created on the followed device
    m.update_state(torch.eye(3).to("meta"), torch.rand(3, 3).to("meta"))
    assert m.device.type == "meta"
    assert all(v.device.type == "meta" for v in m.variables)
    m2 = metrics.Mean()
    m2.update_state(torch.ones(4).to("meta"))
    assert m2.total.device.type == "meta"


def test_states_keep_their_dtype_under_half():
    m = metrics.Mean()
    m.half()
    assert m.total.dtype == torch.float32 and m.count.dtype == torch.float32


@pytest.mark.parametrize("cls", BUILTIN, ids=lambda c: c.__name__)
def test_reset_state_and_call(cls):
    m = _make(cls)
    out = m(*(_call_args(m)))
    assert isinstance(out, torch.Tensor)
    m.reset_state()
    assert all(float(v.abs().sum()) == 0.0 for v in m.variables)
    m.reset_states()  # Keras 2 spelling


def _call_args(m):
    name = type(m).__name__
    if name in ("Mean", "Sum"):
        return (np.array([1.0, 2.0, 3.0]),)
    if name in SPARSE_LABELS:
        return (np.array([0, 2]), np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]]))
    if name in INT_BOTH:
        return (np.array([0, 2, 1]), np.array([0, 1, 1]))
    return (np.array([[0, 1, 1], [1, 0, 0]]), np.array([[0.2, 0.3, 0.5], [0.6, 0.1, 0.8]]))


def test_mean_and_sum_examples():
    m = metrics.Mean()
    m.update_state([1, 3, 5, 7])
    assert float(m.result()) == 4.0
    m.reset_state()
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert float(m.result()) == 2.0
    s = metrics.Sum()
    s.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert float(s.result()) == 4.0
    assert float(metrics.Mean().result()) == 0.0  # divide_no_nan


def test_mean_scalar_fast_path_and_per_timestep_values():
    m = metrics.Mean()
    m.update_state(torch.tensor(2.0), sample_weight=8)
    m.update_state(torch.tensor(4.0), sample_weight=2)
    assert float(m.result()) == pytest.approx(2.4)
    v = RNG.normal(size=(4, 5)).astype(np.float32)
    w = np.array([1.0, 0.0, 2.0, 1.0], np.float32)
    m2 = metrics.Mean()
    m2.update_state(v, sample_weight=w)
    assert float(m2.result()) == pytest.approx((v.mean(1) * w).sum() / w.sum(), rel=1e-5)


def test_update_state_does_not_keep_autograd_graph():
    yp = torch.rand(4, 3, requires_grad=True)
    m = metrics.MeanSquaredError()
    m.update_state(torch.zeros(4, 3), yp)
    assert not m.total.requires_grad and m.total.grad_fn is None


def test_inference_mode_updates():
    m = metrics.AUC()
    with torch.inference_mode():
        m.update_state([0, 1, 1, 0], [0.1, 0.8, 0.6, 0.3])
    m.update_state([0, 1], [0.2, 0.9])
    assert float(m.result()) == pytest.approx(1.0)
    f = metrics.F1Score()
    with torch.inference_mode():  # states created lazily inside inference mode
        f.update_state(np.eye(3), np.eye(3))
    f.update_state(np.eye(3), np.eye(3))
    np.testing.assert_allclose(f.result().numpy(), [1, 1, 1], rtol=1e-5)


def test_masked_predictions_in_mean_metric_wrapper():
    yt = torch.zeros(2, 3)
    yp = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    yp._keras_mask = torch.tensor([True, False])
    m = metrics.MeanAbsoluteError()
    m.update_state(yt, yp)
    assert float(m.result()) == pytest.approx(2.0)


def test_copy_and_pickle():
    m = metrics.Mean()
    m.update_state([1.0, 2.0])
    for clone in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert float(clone.result()) == 1.5
        clone.update_state([10.0])
        assert float(m.result()) == 1.5
        assert isinstance(clone.total, metrics.MetricVariable)


# ----------------------------------------------------------------------------- custom metrics
class KerasStyleTP(metrics.Metric):
    """Written the way Keras users write metrics (attribute name != variable name)."""

    def __init__(self, name="binary_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_weight(name="tp", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = torch.as_tensor(y_true).bool()
        y_pred = torch.as_tensor(y_pred) > 0.5
        values = (y_true & y_pred).float()
        if sample_weight is not None:
            values = values * torch.as_tensor(sample_weight, dtype=torch.float32)
        self.true_positives.assign_add(values.sum())

    def result(self):
        return self.true_positives


def test_keras_style_custom_metric():
    m = KerasStyleTP()
    m.update_state([1, 0, 1], [0.9, 0.8, 0.7], sample_weight=[1.0, 1.0, 0.5])
    assert float(m.result()) == pytest.approx(1.5)
    assert [v.name for v in m.variables] == ["tp"] and m.state_reductions() == ["sum"]
    m.to("meta")
    assert m.true_positives.device.type == "meta"  # the alias follows the moved buffer
    m.to_empty(device="cpu")
    m.reset_state()
    m.true_positives.assign(3.0)
    assert float(m.result()) == 3.0
    assert m.true_positives.numpy() == np.float32(3.0)


def test_add_weight_keras2_and_keras3_signatures_and_aggregation():
    class M(metrics.Metric):
        def __init__(self):
            super().__init__(name="m")
            self.a = self.add_weight("a", shape=(2,), initializer="ones")        # Keras 2
            self.b = self.add_weight(shape=(), initializer="zeros", name="b")     # Keras 3
            self.c = self.add_variable(shape=(3,), initializer=0.5, name="c",
                                       aggregation="mean")

        def update_state(self, x):
            self.b.assign_add(x)

        def result(self):
            return self.a.sum() + self.b + self.c.sum()

    m = M()
    assert [v.name for v in m.variables] == ["a", "b", "c"]
    assert m.state_reductions() == ["sum", "sum", "mean"]
    assert float(m(1.0)) == pytest.approx(4.5)
    m.reset_state()
    assert float(m.result()) == pytest.approx(3.5)  # back to the initializers' values
    with pytest.raises(ValueError, match="aggregation"):
        m.add_variable(shape=(), name="d", aggregation="median")


def test_nested_metric_variables():
    class Pair(metrics.Metric):
        def __init__(self):
            super().__init__(name="pair")
            self.inner = metrics.Mean(name="inner")
            self.n = self.add_variable(shape=(), name="n")

        def update_state(self, x):
            self.inner.update_state(x)
            self.n.assign_add(1.0)

        def result(self):
            return self.inner.result() * self.n

    p = Pair()
    p.update_state([1.0, 3.0])
    assert [v.name for v in p.variables] == ["n", "total", "count"]
    assert float(p.result()) == 2.0
    p.reset_state()
    assert float(p.inner.count) == 0.0


def test_all_reduce_helpers_are_noops_without_a_process_group():
    m = metrics.Mean()
    m.update_state([2.0, 4.0])
    metrics.all_reduce_states(m)
    assert float(metrics.reduced_result(m)) == 3.0 and float(m.count) == 2.0


# ----------------------------------------------------------------------------- config / get
@pytest.mark.parametrize("cls", BUILTIN, ids=lambda c: c.__name__)
def test_config_round_trip(cls):
    m = _make(cls)
    cfg = m.get_config()
    assert cfg["name"] == m.name and cfg["dtype"] == "float32"
    again = metrics.deserialize(metrics.serialize(m))
    assert type(again) is cls and again.get_config() == cfg


def test_configs_match_keras():
    """Configs reported by Keras 3 for the oracle's metrics."""
    assert metrics.AUC().get_config() == {
        "name": "auc", "dtype": "float32", "num_thresholds": 200, "curve": "ROC",
        "summation_method": "interpolation", "multi_label": False, "num_labels": None,
        "label_weights": None, "from_logits": False}
    assert metrics.Precision(thresholds=0.3).get_config() == {
        "name": "precision", "dtype": "float32", "thresholds": 0.3, "top_k": None,
        "class_id": None}
    assert metrics.F1Score(average="macro", threshold=0.5).get_config() == {
        "name": "f1_score", "dtype": "float32", "average": "macro", "threshold": 0.5}
    assert metrics.SparseTopKCategoricalAccuracy(k=2).get_config() == {
        "name": "sparse_top_k_categorical_accuracy", "dtype": "float32", "k": 2}
    assert metrics.BinaryAccuracy(threshold=0.7).get_config() == {
        "name": "binary_accuracy", "dtype": "float32", "threshold": 0.7}
    cfg = metrics.MeanIoU(num_classes=3).get_config()
    assert cfg["name"] == "mean_io_u" and cfg["num_classes"] == 3 and cfg["axis"] == -1


def test_auto_names_are_unique_per_session():
    assert [metrics.AUC().name, metrics.AUC().name, metrics.Precision().name] == \
        ["auc", "auc_1", "precision"]
    keras.backend.clear_session()
    assert metrics.AUC().name == "auc"


@pytest.mark.parametrize("ident,cls", [
    ("mae", "MeanAbsoluteError"), ("mse", "MeanSquaredError"), ("MSE", "MeanSquaredError"),
    ("mape", "MeanAbsolutePercentageError"), ("msle", "MeanSquaredLogarithmicError"),
    ("accuracy", "Accuracy"), ("acc", "Accuracy"), ("AUC", "AUC"), ("auc", "AUC"),
    ("precision", "Precision"), ("recall", "Recall"), ("Precision", "Precision"),
    ("binary_accuracy", "BinaryAccuracy"), ("categorical_accuracy", "CategoricalAccuracy"),
    ("sparse_categorical_accuracy", "SparseCategoricalAccuracy"),
    ("top_k_categorical_accuracy", "TopKCategoricalAccuracy"),
    ("sparse_top_k_categorical_accuracy", "SparseTopKCategoricalAccuracy"),
    ("kld", "KLDivergence"), ("kullback_leibler_divergence", "KLDivergence"),
    ("logcosh", "LogCoshError"), ("bce", "BinaryCrossentropy"),
    ("categorical_crossentropy", "CategoricalCrossentropy"), ("f1_score", "F1Score"),
    ("RootMeanSquaredError", "RootMeanSquaredError"), ("r2_score", "R2Score"),
    ("hinge", "Hinge"), ("poisson", "Poisson"), ("cosine_similarity", "CosineSimilarity"),
])
def test_get_strings(ident, cls):
    assert type(metrics.get(ident)).__name__ == cls


def test_get_other_identifiers():
    assert metrics.get(None) is None
    inst = metrics.AUC(curve="PR")
    assert metrics.get(inst) is inst
    assert isinstance(metrics.get(metrics.Recall), metrics.Recall)

    def my_metric(y_true, y_pred):
        return torch.abs(torch.as_tensor(y_true) - torch.as_tensor(y_pred)).mean(-1)

    w = metrics.get(my_metric)
    assert isinstance(w, metrics.MeanMetricWrapper) and w.name == "my_metric"
    assert float(w([[0.0, 0.0]], [[1.0, 3.0]])) == 2.0
    h = metrics.get("huber")
    assert isinstance(h, metrics.MeanMetricWrapper) and h.name == "huber"
    lw = metrics.get(keras.losses.MeanSquaredError())
    assert isinstance(lw, metrics.MeanMetricWrapper) and lw.name == "mean_squared_error"
    d = metrics.get({"class_name": "AUC", "config": {"curve": "PR", "num_thresholds": 10}})
    assert d.curve == "PR" and d.num_thresholds == 10
    with pytest.raises(ValueError, match="Could not interpret metric identifier: nope"):
        metrics.get("nope")


def test_mean_metric_wrapper_config_round_trip():
    w = metrics.MeanMetricWrapper(keras.losses.huber, name="hub", delta=0.5)
    back = metrics.deserialize(metrics.serialize(w))
    assert back._fn is keras.losses.huber and back._fn_kwargs == {"delta": 0.5}
    assert back.name == "hub"


# ----------------------------------------------------------------------------- compile's rule
# (y shape, output units) -> accuracy function, as recorded by the oracle's compile_* cases.
ACCURACY_RULE = [
    ((16, 1), (16, 1), "BinaryAccuracy"),                 # compile_bce_out1 / compile_mse_out1
    ((16, 3), (16, 3), "CategoricalAccuracy"),            # bce_out3_multilabel, cce_out3, mse
    ((16,), (16, 3), "SparseCategoricalAccuracy"),        # compile_scce_out3
    ((16, 1), (16, 3), "SparseCategoricalAccuracy"),      # compile_scce_out3_labels_col
]


@pytest.mark.parametrize("alias", ["accuracy", "acc"])
@pytest.mark.parametrize("yt,yp,cls", ACCURACY_RULE)
def test_accuracy_resolves_by_shapes(alias, yt, yp, cls):
    for loss in ("mse", "binary_crossentropy", None):
        m, log_name = metrics.resolve_metric_alias(alias, yt, yp, loss)
        assert type(m).__name__ == cls and log_name == alias and m.name == alias


def test_crossentropy_alias_and_loss_fallback():
    m, name = metrics.resolve_metric_alias("crossentropy", (16, 1), (16, 1), "binary_crossentropy")
    assert type(m).__name__ == "BinaryCrossentropy" and name == "crossentropy"
    m, _ = metrics.resolve_metric_alias("ce", (16,), (16, 3))
    assert type(m).__name__ == "SparseCategoricalCrossentropy"
    m, _ = metrics.resolve_metric_alias("accuracy", None, None,
                                        keras.losses.SparseCategoricalCrossentropy())
    assert type(m).__name__ == "SparseCategoricalAccuracy"
    with pytest.raises(ValueError):
        metrics.resolve_metric_alias("accuracy", None, None, "mse")


def test_metric_log_names_by_era():
    """compile_mse_metric_names: k3 keys are the strings given; tf-keras logs a class-name
    string under the metric's default name."""
    from torchkeras.backend import config
    given = ["mae", "mean_absolute_error", "mse", "MeanSquaredError", "RootMeanSquaredError"]
    k3 = [metrics.resolve_metric_alias(g, (16, 1), (16, 1))[1] for g in given]
    assert k3 == given
    with config.era_scope(2):
        k2 = [metrics.resolve_metric_alias(g, (16, 1), (16, 1))[1] for g in given]
    assert k2 == ["mae", "mean_absolute_error", "mse", "mean_squared_error",
                  "root_mean_squared_error"]
    m, _ = metrics.resolve_metric_alias("mae", None, None)
    assert type(m).__name__ == "MeanAbsoluteError" and m.name == "mae"


# ----------------------------------------------------------------------------- Keras docstrings
def _result(m, *args, **kwargs):
    m.update_state(*args, **kwargs)
    return m.result().numpy()


def test_docstring_values_confusion_metrics():
    assert _result(metrics.FalsePositives(), [0, 1, 0, 0], [0, 0, 1, 1]) == 2.0
    assert _result(metrics.FalsePositives(), [0, 1, 0, 0], [0, 0, 1, 1],
                   sample_weight=[0, 0, 1, 0]) == 1.0
    assert _result(metrics.FalseNegatives(), [0, 1, 1, 1], [0, 1, 0, 0]) == 2.0
    assert _result(metrics.TrueNegatives(), [0, 1, 0, 0], [1, 1, 0, 0]) == 2.0
    assert _result(metrics.TruePositives(), [0, 1, 1, 1], [1, 0, 1, 1]) == 2.0
    assert _result(metrics.TruePositives(), [0, 1, 1, 1], [1, 0, 1, 1],
                   sample_weight=[0, 0, 1, 0]) == 1.0
    assert _result(metrics.Precision(), [0, 1, 1, 1], [1, 0, 1, 1]) == pytest.approx(0.6666667)
    assert _result(metrics.Precision(), [0, 1, 1, 1], [1, 0, 1, 1],
                   sample_weight=[0, 0, 1, 0]) == 1.0
    assert _result(metrics.Precision(top_k=2), [0, 0, 1, 1], [1, 1, 1, 1]) == 0.0
    assert _result(metrics.Precision(top_k=4), [0, 0, 1, 1], [1, 1, 1, 1]) == 0.5
    np.testing.assert_allclose(_result(metrics.TruePositives(thresholds=[0.3, 0.6]),
                                       [1, 1, 0], [0.5, 0.9, 0.4]), [2.0, 1.0])
    yt, yp = [0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8]
    assert _result(metrics.SensitivityAtSpecificity(0.5), yt, yp) == pytest.approx(0.5)
    assert _result(metrics.SensitivityAtSpecificity(0.5), yt, yp,
                   sample_weight=[1, 1, 2, 2, 1]) == pytest.approx(0.333333, rel=1e-5)
    assert _result(metrics.SpecificityAtSensitivity(0.5), yt, yp) == pytest.approx(0.66666667)
    assert _result(metrics.SpecificityAtSensitivity(0.5), yt, yp,
                   sample_weight=[1, 1, 2, 2, 2]) == pytest.approx(0.5)
    assert _result(metrics.PrecisionAtRecall(0.5), yt, yp) == pytest.approx(0.5)
    assert _result(metrics.PrecisionAtRecall(0.5), yt, yp,
                   sample_weight=[2, 2, 2, 1, 1]) == pytest.approx(0.33333333)
    assert _result(metrics.AUC(num_thresholds=3), [0, 0, 1, 1], [0, 0.5, 0.3, 0.9]) == 0.75
    assert _result(metrics.AUC(num_thresholds=3), [0, 0, 1, 1], [0, 0.5, 0.3, 0.9],
                   sample_weight=[1, 0, 0, 1]) == 1.0


def test_docstring_values_other_metrics():
    assert _result(metrics.IoU(num_classes=2, target_class_ids=[0]), [0, 0, 1, 1],
                   [0, 1, 0, 1]) == pytest.approx(0.33333334)
    assert _result(metrics.IoU(num_classes=2, target_class_ids=[0]), [0, 0, 1, 1],
                   [0, 1, 0, 1], sample_weight=[0.3, 0.3, 0.3, 0.1]) == pytest.approx(0.33333334)
    assert _result(metrics.BinaryIoU(target_class_ids=[0, 1], threshold=0.3), [0, 1, 0, 1],
                   [0.1, 0.2, 0.4, 0.7]) == pytest.approx(0.33333334)
    assert _result(metrics.BinaryIoU(target_class_ids=[0, 1], threshold=0.3), [0, 1, 0, 1],
                   [0.1, 0.2, 0.4, 0.7], sample_weight=[0.2, 0.3, 0.4, 0.1]) == \
        pytest.approx(0.17361112)
    np.testing.assert_allclose(_result(metrics.F1Score(threshold=0.5),
                                       np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]], np.int32),
                                       np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6],
                                                 [0.6, 0.8, 0.0]], np.float32)),
                               [0.5, 0.8, 0.6666667], rtol=1e-5)
    assert _result(metrics.R2Score(), np.array([[1], [4], [3]], np.float32),
                   np.array([[2], [4], [4]], np.float32)) == pytest.approx(0.57142854)
    assert _result(metrics.LogCoshError(), [[0, 1], [0, 0]], [[1, 1], [0, 0]]) == \
        pytest.approx(0.10844523, rel=1e-5)
    assert _result(metrics.LogCoshError(), [[0, 1], [0, 0]], [[1, 1], [0, 0]],
                   sample_weight=[1, 0]) == pytest.approx(0.21689045, rel=1e-5)
    assert _result(metrics.Accuracy(), [[1], [2], [3], [4]], [[0], [2], [3], [4]]) == 0.75
    assert _result(metrics.Accuracy(), [[1], [2], [3], [4]], [[0], [2], [3], [4]],
                   sample_weight=[1, 1, 0, 0]) == 0.5
    assert _result(metrics.BinaryAccuracy(), [[1], [1], [0], [0]],
                   [[0.98], [1], [0], [0.6]]) == 0.75
    assert _result(metrics.CategoricalAccuracy(), [[0, 0, 1], [0, 1, 0]],
                   [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], sample_weight=[0.7, 0.3]) == \
        pytest.approx(0.3)
    assert _result(metrics.SparseCategoricalAccuracy(), [[2], [1]],
                   [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]) == 0.5
    assert _result(metrics.TopKCategoricalAccuracy(k=1), [[0, 0, 1], [0, 1, 0]],
                   [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]) == 0.5
    assert _result(metrics.SparseTopKCategoricalAccuracy(k=1), [2, 1],
                   [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], sample_weight=[0.7, 0.3]) == \
        pytest.approx(0.3)


def test_top_k_ties_count_as_in_top_k():
    """tf.math.in_top_k: a label tied with the k-th value is inside the top k."""
    assert float(metrics.sparse_top_k_categorical_accuracy(
        [2], [[0.5, 0.5, 0.5, 0.1]], k=1)[0]) == 1.0


def test_metric_functions_and_aliases():
    assert metrics.mse is keras.losses.mean_squared_error
    assert float(metrics.cosine_similarity([[1.0, 0.0]], [[1.0, 0.0]])[0]) == pytest.approx(1.0)
    np.testing.assert_allclose(metrics.binary_accuracy([[1, 0]], [[0.7, 0.6]]).numpy(), [0.5])
    np.testing.assert_allclose(metrics.categorical_accuracy([[0, 1]], [[0.3, 0.7]]).numpy(), [1])


def test_shape_errors_name_both_shapes():
    for m in (metrics.Accuracy(), metrics.CategoricalAccuracy(), metrics.AUC(),
              metrics.Precision(), metrics.MeanSquaredError()):
        with pytest.raises(ValueError, match=r"y_true.shape=\(4, 3\).*y_pred.shape=\(4, 2\)"):
            m.update_state(np.zeros((4, 3)), np.full((4, 2), 0.5))
    with pytest.raises(ValueError, match=r"y_true.shape=\(4, 3\), y_pred.shape=\(4, 2\)"):
        metrics.SparseCategoricalAccuracy().update_state(np.zeros((4, 3)), np.zeros((4, 2)))


def test_argument_validation():
    with pytest.raises(ValueError, match="threshold"):
        metrics.BinaryAccuracy(threshold=1.5)
    with pytest.raises(ValueError, match="curve"):
        metrics.AUC(curve="XY")
    with pytest.raises(ValueError, match="num_thresholds"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="Threshold values must be in"):
        metrics.Precision(thresholds=[0.2, 1.5])
    with pytest.raises(ValueError, match="out of range"):
        metrics.IoU(num_classes=2, target_class_ids=[3])
    with pytest.raises(ValueError, match="2D inputs"):
        metrics.F1Score().update_state(np.zeros(3), np.zeros(3))
