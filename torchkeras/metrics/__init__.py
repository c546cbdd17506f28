"""`keras.metrics`: stateful streaming metrics (``torch.nn.Module`` subclasses) and functions.

Classes: Metric, Mean, Sum, MeanMetricWrapper, Accuracy, BinaryAccuracy, CategoricalAccuracy,
SparseCategoricalAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, AUC,
Precision, Recall, TruePositives, FalsePositives, TrueNegatives, FalseNegatives,
PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity,
IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU, F1Score, FBetaScore, MeanSquaredError,
MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
RootMeanSquaredError, CosineSimilarity, LogCoshError, R2Score, Hinge, SquaredHinge,
CategoricalHinge, Poisson, KLDivergence, BinaryCrossentropy, CategoricalCrossentropy,
SparseCategoricalCrossentropy.

Functions (per-sample values): binary_accuracy, categorical_accuracy,
sparse_categorical_accuracy, top_k_categorical_accuracy, sparse_top_k_categorical_accuracy and
the loss functions (mse, mae, ..., binary_crossentropy, hinge, ...).

``get`` / ``serialize`` / ``deserialize``; ``resolve_metric_alias`` for compile's
'accuracy' / 'acc' / 'crossentropy' / 'ce'. State reductions for multi-process training:
``metric.state_reductions()`` (aligned with ``metric.variables``; 'sum' for every built-in),
``all_reduce_states`` and ``reduced_result`` (see ``torchkeras.metrics.base``).
"""
from __future__ import annotations

from torchkeras.losses.hinge import categorical_hinge, hinge, squared_hinge
from torchkeras.losses.probabilistic import (BCE, KLD, bce, binary_crossentropy,
                                             binary_focal_crossentropy, categorical_crossentropy,
                                             categorical_focal_crossentropy, kl_divergence, kld,
                                             kullback_leibler_divergence, poisson,
                                             sparse_categorical_crossentropy)
from torchkeras.losses.regression import (MAE, MAPE, MSE, MSLE, huber, log_cosh, logcosh, mae,
                                          mape, mean_absolute_error,
                                          mean_absolute_percentage_error, mean_squared_error,
                                          mean_squared_logarithmic_error, mse, msle)
from torchkeras.losses.regression import cosine_similarity as cosine_proximity
from .base import AGGREGATIONS, Metric, MetricVariable, all_reduce_states, reduced_result
from .reduction import Mean, MeanMetricWrapper, Sum
from .accuracy import (ACC, Accuracy, BinaryAccuracy, CategoricalAccuracy,
                       SparseCategoricalAccuracy, SparseTopKCategoricalAccuracy,
                       TopKCategoricalAccuracy, acc, accuracy, binary_accuracy,
                       categorical_accuracy, sparse_categorical_accuracy,
                       sparse_top_k_categorical_accuracy, top_k_categorical_accuracy)
from .confusion import (AUC, FalseNegatives, FalsePositives, Precision, PrecisionAtRecall,
                        Recall, RecallAtPrecision, SensitivityAtSpecificity,
                        SpecificityAtSensitivity, TrueNegatives, TruePositives)
from .f_score import F1Score, FBetaScore
from .hinge import CategoricalHinge, Hinge, SquaredHinge
from .iou import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from .probabilistic import (BinaryCrossentropy, CategoricalCrossentropy, KLDivergence, Poisson,
                            SparseCategoricalCrossentropy)
from .regression import (CosineSimilarity, LogCoshError, MeanAbsoluteError,
                         MeanAbsolutePercentageError, MeanSquaredError,
                         MeanSquaredLogarithmicError, R2Score, RootMeanSquaredError,
                         cosine_similarity)
from .registry import (accuracy_kind, deserialize, get, resolve_metric_alias, serialize)
from torchkeras.losses._utils import to_snake_case as _to_snake_case

ALL_CLASSES = (
    Metric, Mean, Sum, MeanMetricWrapper,
    MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError, R2Score,
    AUC, FalseNegatives, FalsePositives, Precision, PrecisionAtRecall, Recall,
    RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity, TrueNegatives,
    TruePositives,
    Hinge, SquaredHinge, CategoricalHinge,
    KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
    F1Score, FBetaScore,
    IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU,
)

# Name -> class (Keras 3: class names, their snake case, short aliases; plus tf-keras names).
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_CLASSES}
ALL_OBJECTS_DICT.update({_to_snake_case(cls.__name__): cls for cls in ALL_CLASSES})
ALL_OBJECTS_DICT.update({
    "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
    "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
    # tf-keras function names / aliases that have a class
    "acc": Accuracy, "ACC": Accuracy,
    "kld": KLDivergence, "KLD": KLDivergence, "kullback_leibler_divergence": KLDivergence,
    "logcosh": LogCoshError, "log_cosh": LogCoshError, "log_cosh_error": LogCoshError,
    "rmse": RootMeanSquaredError,
    "cce": CategoricalCrossentropy,
})

# Name -> per-sample metric function (``MeanMetricWrapper`` targets, ``fn`` in configs).
METRIC_FUNCTIONS = {f.__name__: f for f in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy,
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, cosine_similarity, log_cosh, huber,
    kl_divergence, poisson, binary_crossentropy, binary_focal_crossentropy,
    categorical_crossentropy, categorical_focal_crossentropy, sparse_categorical_crossentropy,
    hinge, squared_hinge, categorical_hinge,
)}
METRIC_FUNCTIONS.update({
    "acc": accuracy, "ACC": accuracy, "mse": mse, "MSE": mse, "mae": mae, "MAE": mae,
    "mape": mape, "MAPE": mape, "msle": msle, "MSLE": msle, "kld": kld, "KLD": kld,
    "kullback_leibler_divergence": kl_divergence, "logcosh": log_cosh, "bce": bce, "BCE": bce,
    "cosine_proximity": cosine_proximity,
})

__all__ = sorted(set(ALL_OBJECTS_DICT) | set(METRIC_FUNCTIONS) | {
    "Metric", "MetricVariable", "get", "serialize", "deserialize", "resolve_metric_alias",
    "accuracy_kind", "all_reduce_states", "reduced_result", "AGGREGATIONS",
})

