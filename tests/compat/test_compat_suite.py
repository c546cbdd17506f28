"""Every compat_suite script (Keras 1, Keras 2.0-2.2, tf.keras 2.x, Keras 3 styles) runs
unmodified through ``python -m torchkeras.run`` in a subprocess and passes its own checks
(learning happened, reloaded models predict the same)."""
import os
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "compat_suite"))

import run_all  # noqa: E402

SCRIPTS = run_all.scripts()


def test_the_suite_covers_every_era():
    per_era = {era: [s for s in SCRIPTS if os.sep + era + os.sep in s] for era in run_all.ERAS}
    assert len(SCRIPTS) >= 24
    assert all(len(v) >= 6 for v in per_era.values()), {k: len(v) for k, v in per_era.items()}


@pytest.mark.parametrize("path", SCRIPTS, ids=[os.path.relpath(s, os.path.join(ROOT,
                                                                                "compat_suite"))
                                               for s in SCRIPTS])
def test_compat_script(path):
    ok, seconds, output = run_all.run_script(path, timeout=240)
    assert ok, f"{os.path.basename(path)} failed after {seconds:.1f}s:\n{output[-6000:]}"
