"""``keras.distribution`` (Keras 3): DataParallel on top of torchrun + DDP."""
from .distribute.strategy import (DataParallel, distribution, initialize, list_devices,
                                  set_distribution)

__all__ = ["DataParallel", "distribution", "initialize", "list_devices", "set_distribution"]
