"""``python -m torchkeras.launch --nproc N script.py [args]``: torchrun for people who don't
know it (single node). Equivalent to ``torchrun --nproc_per_node=N script.py [args]``."""
from __future__ import annotations

import argparse
import sys


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m torchkeras.launch",
                                 description="Run a Keras script data-parallel on N processes.")
    ap.add_argument("--nproc", type=int, default=None,
                    help="processes (default: number of GPUs, or 2 on CPU)")
    ap.add_argument("script")
    ap.add_argument("args", nargs=argparse.REMAINDER)
    ns = ap.parse_args(argv)
    nproc = ns.nproc
    if nproc is None:
        import torch
        nproc = torch.cuda.device_count() or 2
    from torch.distributed import run as torchrun
    torchrun.main([f"--nproc_per_node={nproc}", "--standalone", ns.script] + list(ns.args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
