"""``keras.callbacks``: objects ``fit`` / ``evaluate`` / ``predict`` call at each stage.

Keras 1, 2 and 3 spellings: ``Callback`` (with the ``on_batch_*`` aliases), ``CallbackList``,
``History``, ``ProgbarLogger``, ``BaseLogger`` (Keras 1/2; a no-op since epoch logs are already
averaged), ``EarlyStopping``, ``ModelCheckpoint``, ``ReduceLROnPlateau``,
``LearningRateScheduler``, ``CSVLogger``, ``LambdaCallback``, ``TerminateOnNaN``, ``TensorBoard``,
``BackupAndRestore``, ``RemoteMonitor``. Printing and file writing happen on rank 0 only.
"""
from .base import Callback, CallbackList
from .history import History
from .progbar_logger import ProgbarLogger
from .early_stopping import EarlyStopping
from .model_checkpoint import ModelCheckpoint
from .reduce_lr import ReduceLROnPlateau
from .lr_scheduler import LearningRateScheduler
from .csv_logger import CSVLogger
from .lambda_callback import LambdaCallback
from .terminate_on_nan import TerminateOnNaN
from .tensorboard import TensorBoard
from .backup_and_restore import BackupAndRestore
from .remote_monitor import RemoteMonitor


class BaseLogger(Callback):
    """Keras 1/2 ``BaseLogger`` (averaged the batch metrics into the epoch logs). torchkeras's
    epoch logs already hold the epoch averages, so it leaves them unchanged."""

    def __init__(self, stateful_metrics=None):
        super().__init__()
        self.stateful_metrics = set(stateful_metrics or [])


__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger", "BaseLogger", "EarlyStopping",
           "ModelCheckpoint", "ReduceLROnPlateau", "LearningRateScheduler", "CSVLogger",
           "LambdaCallback", "TerminateOnNaN", "TensorBoard", "BackupAndRestore",
           "RemoteMonitor"]
