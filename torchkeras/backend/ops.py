"""The Keras 2 backend function library (``from keras import backend as K; K.sum(...)``).

Everything here runs eagerly on torch tensors (CPU or CUDA), accepts numpy arrays and Python
numbers, and follows the definitions of tf-keras 2.x ``keras/backend.py`` (Keras 2.0-2.15).
Modules: :mod:`.variables` (variables, shapes, values), :mod:`.math_ops` (reductions,
element-wise, ``dot``/``batch_dot``), :mod:`.array_ops` (reshaping, indexing, padding),
:mod:`.nn_ops` (activations, cross-entropies, dropout), :mod:`.conv_ops` (conv/pool),
:mod:`.random_ops`, :mod:`.control` (switch, learning phase, gradients, rnn), :mod:`.ctc`.

Not here: ``K.function`` and ``K.get_session`` (they need the model graph; the engine adds
them), and ``floatx``/``epsilon``/``image_data_format`` (from :mod:`.config`).
"""
from __future__ import annotations

from . import array_ops as _array_ops
from . import control as _control
from . import conv_ops as _conv_ops
from . import ctc as _ctc
from . import math_ops as _math_ops
from . import nn_ops as _nn_ops
from . import random_ops as _random_ops
from . import variables as _variables
from ._common import default_device, device_scope, reset_device_hint
from .session import register_clear_hook as _register_clear_hook
from .array_ops import *  # noqa: F401,F403
from .control import *  # noqa: F401,F403
from .conv_ops import *  # noqa: F401,F403
from .ctc import *  # noqa: F401,F403
from .math_ops import *  # noqa: F401,F403
from .nn_ops import *  # noqa: F401,F403
from .random_ops import *  # noqa: F401,F403
from .variables import *  # noqa: F401,F403

__all__ = sorted(set(
    _variables.__all__ + _math_ops.__all__ + _array_ops.__all__ + _nn_ops.__all__
    + _conv_ops.__all__ + _random_ops.__all__ + _control.__all__ + _ctc.__all__
    + ["device_scope", "default_device"]))

# clear_session() also forgets the device hint and the learning phase set by the script
_register_clear_hook(reset_device_hint)
_register_clear_hook(_control._reset_learning_phase)
