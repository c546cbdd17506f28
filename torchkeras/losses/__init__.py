"""`keras.losses`: every built-in Keras loss as a class, as a function and by string name.

Classes (``Loss`` subclasses; ``loss(y_true, y_pred, sample_weight=None)`` -> reduced tensor):
MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
CosineSimilarity, Huber, LogCosh, BinaryCrossentropy, BinaryFocalCrossentropy,
CategoricalCrossentropy, CategoricalFocalCrossentropy, SparseCategoricalCrossentropy,
KLDivergence, Poisson, Hinge, SquaredHinge, CategoricalHinge, Dice, Tversky,
CategoricalGeneralizedCrossEntropy, Circle, CTC; ``LossFunctionWrapper(fn, ...)`` for custom
functions. Functions return per-sample losses. ``get`` / ``serialize`` / ``deserialize``.
Inputs may be numpy arrays or torch tensors (any device); results are torch tensors.
"""
from __future__ import annotations

from .base import (REDUCTIONS, Loss, LossFunctionWrapper, Reduction, ReductionV2,
                   reduce_values, reduce_weighted_values, standardize_reduction)
from ._utils import squeeze_or_expand_to_same_rank
from .hinge import (CategoricalHinge, Hinge, SquaredHinge, categorical_hinge,
                    convert_binary_labels_to_hinge, hinge, squared_hinge)
from .probabilistic import (BCE, KLD, BinaryCrossentropy, BinaryFocalCrossentropy,
                            CategoricalCrossentropy, CategoricalFocalCrossentropy,
                            CategoricalGeneralizedCrossEntropy, KLDivergence, Poisson,
                            SparseCategoricalCrossentropy, bce, binary_crossentropy,
                            binary_focal_crossentropy, categorical_crossentropy,
                            categorical_focal_crossentropy, categorical_generalized_cross_entropy,
                            kl_divergence, kld, kullback_leibler_divergence, poisson,
                            sparse_categorical_crossentropy)
from .regression import (MAE, MAPE, MSE, MSLE, CosineSimilarity, Huber, LogCosh,
                         MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError,
                         MeanSquaredLogarithmicError, cosine_similarity, huber, huber_loss,
                         log_cosh, logcosh, mae, mape, mean_absolute_error,
                         mean_absolute_percentage_error, mean_squared_error,
                         mean_squared_logarithmic_error, mse, msle)
from .segmentation import Dice, Tversky, dice, tversky
from .sequence import CTC, ctc
from .similarity import Circle, circle
from .serialization import (crossentropy_kind, deserialize, get, resolve_loss_alias,
                            serialize)

# Keras 1 / Keras 2.2 name of the (negated) cosine loss.
cosine_proximity = cosine = cosine_similarity

ALL_CLASSES = (
    Loss, LossFunctionWrapper,
    KLDivergence, Poisson, BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy,
    CategoricalFocalCrossentropy, SparseCategoricalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, CosineSimilarity, LogCosh, Huber,
    Hinge, SquaredHinge, CategoricalHinge,
    Dice, Tversky, Circle, CTC,
)
ALL_FUNCTIONS = (
    kl_divergence, poisson, binary_crossentropy, binary_focal_crossentropy,
    categorical_crossentropy, categorical_focal_crossentropy, sparse_categorical_crossentropy,
    categorical_generalized_cross_entropy,
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, cosine_similarity, log_cosh, huber,
    hinge, squared_hinge, categorical_hinge, dice, tversky, circle, ctc,
)

ALL_OBJECTS_DICT = {obj.__name__: obj for obj in ALL_CLASSES + ALL_FUNCTIONS}
ALL_OBJECTS_DICT.update({
    # Keras 3 aliases
    "bce": binary_crossentropy, "BCE": binary_crossentropy,
    "kld": kl_divergence, "KLD": kl_divergence,
    "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "mse": mean_squared_error, "MSE": mean_squared_error,
    "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
    # tf-keras / Keras 1-2 aliases
    "kullback_leibler_divergence": kl_divergence,
    "logcosh": log_cosh,
    "huber_loss": huber,
    "cosine_proximity": cosine_similarity,
    "cosine": cosine_similarity,
})


def _register_builtins() -> None:
    try:
        from torchkeras.saving.object_registry import register_builtin
    except ImportError:  # pragma: no cover - registry not available
        return
    for name, obj in ALL_OBJECTS_DICT.items():
        register_builtin("loss", name, obj)


_register_builtins()

__all__ = sorted(set(ALL_OBJECTS_DICT) | {
    "Loss", "LossFunctionWrapper", "Reduction", "ReductionV2", "get", "serialize", "deserialize", "resolve_loss_alias",
    "reduce_weighted_values", "squeeze_or_expand_to_same_rank", "cosine_proximity",
})

# The function forms accept KerasTensors too (a symbolic loss term for ``model.add_loss``):
# they are decorated with ``symbolic_aware`` where they are defined.
