import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(__file__))

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_session():
    """Every test starts with Keras's default naming counters and era."""
    import torchkeras
    from torchkeras.backend import config
    torchkeras.backend.clear_session()
    old = config.keras_era()
    yield
    config.set_keras_era(old)
    torchkeras.mixed_precision.set_global_policy(None)
