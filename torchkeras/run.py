"""``python -m torchkeras.run script.py [args]``: run an unmodified Keras script on torchkeras.

``import keras`` (and its submodules), ``import tensorflow as tf`` / ``tf.keras`` and
``tf_keras`` resolve to torchkeras for the script; ``sys.argv`` is what the script expects.
"""
from __future__ import annotations

import runpy
import sys


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    from .legacy.modules import install_as_keras
    install_as_keras()
    script = argv[0]
    sys.argv = argv
    if script == "-m":
        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(script)))
        runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
