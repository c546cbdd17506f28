import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(__file__))

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_session():
    """Every test starts with Keras's default naming counters, era, dtype policy and global
    custom objects (``register_keras_serializable`` is process-wide, as in Keras: a class one
    test registers must not make another test's "Unknown layer" check pass).

    ``free_memory=False``: a full ``gc.collect()`` before each of ~2,500 tests cost 0.15-0.5 s
    apiece (it walks every object torch, scipy and h5py allocated), more than the tests
    themselves; Python's generational collector still frees cycles as the run goes.
    """
    import torchkeras
    from torchkeras.backend import config
    from torchkeras.saving import get_custom_objects
    torchkeras.backend.clear_session(free_memory=False)
    old = config.keras_era()
    custom = get_custom_objects()
    old_custom = dict(custom)
    yield
    config.set_keras_era(old)
    torchkeras.mixed_precision.set_global_policy(None)
    custom.clear()
    custom.update(old_custom)
