#!/usr/bin/env python
"""Run every compat_suite script unmodified through ``python -m torchkeras.run``.

Usage::

    python compat_suite/run_all.py [--era keras1,keras2,tf_keras,keras3] [-k NAME] [--timeout S]
                                   [--python PY] [--direct]

Each script runs in its own subprocess and its own temporary working directory (scripts write
model files there), with ``OMP_NUM_THREADS=1``. A script passes when it exits with status 0
and prints ``OK`` as its last line. ``--direct`` runs the scripts with ``PY script.py`` instead
(e.g. ``--python /path/to/venv/bin/python --direct`` to check them on real Keras).

Prints one line per script (PASS / FAIL, seconds) and a summary; exit status 0 when all passed.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from typing import List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ERAS = ("keras1", "keras2", "tf_keras", "keras3")


def scripts(eras=ERAS, name_filter: Optional[str] = None) -> List[str]:
    """Paths of the suite's scripts, era by era, in name order."""
    out = []
    for era in eras:
        folder = os.path.join(HERE, era)
        if not os.path.isdir(folder):
            continue
        for fn in sorted(os.listdir(folder)):
            if fn.endswith(".py") and not fn.startswith("_"):
                if name_filter and name_filter not in f"{era}/{fn}":
                    continue
                out.append(os.path.join(folder, fn))
    return out


def run_script(path: str, timeout: float = 120.0, python: str = sys.executable,
               direct: bool = False) -> Tuple[bool, float, str]:
    """-> (passed, seconds, combined output)."""
    env = dict(os.environ)
    env.setdefault("OMP_NUM_THREADS", "1")
    env["MPLBACKEND"] = "Agg"
    if not direct:
        env["PYTHONPATH"] = ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH")
                                    else "")
    cmd = [python, path] if direct else [python, "-m", "torchkeras.run", path]
    start = time.time()
    with tempfile.TemporaryDirectory(prefix="compat_") as cwd:
        try:
            proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                                  timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or "") if isinstance(e.stdout, str) else ""
            return False, time.time() - start, out + f"\nTIMEOUT after {timeout}s"
    elapsed = time.time() - start
    output = proc.stdout + proc.stderr
    lines = [l for l in proc.stdout.strip().splitlines() if l.strip()]
    ok = proc.returncode == 0 and bool(lines) and lines[-1].strip() == "OK"
    return ok, elapsed, output


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--era", default=",".join(ERAS))
    p.add_argument("-k", dest="name", default=None, help="run scripts whose path contains NAME")
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--direct", action="store_true", help="run `PY script.py` (real Keras)")
    p.add_argument("-v", "--verbose", action="store_true", help="print each script's output")
    args = p.parse_args(argv)
    eras = [e.strip() for e in args.era.split(",") if e.strip()]
    paths = scripts(eras, args.name)
    if not paths:
        print("no scripts selected")
        return 2
    failed = []
    total = time.time()
    for path in paths:
        ok, secs, out = run_script(path, args.timeout, args.python, args.direct)
        rel = os.path.relpath(path, HERE)
        print(f"{'PASS' if ok else 'FAIL'}  {rel:45s} {secs:6.1f}s", flush=True)
        if args.verbose or not ok:
            print("    " + out.strip().replace("\n", "\n    ")[-4000:], flush=True)
        if not ok:
            failed.append(rel)
    print(f"{len(paths) - len(failed)} passed, {len(failed)} failed "
          f"({time.time() - total:.0f}s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
