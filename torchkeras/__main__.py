"""``python -m torchkeras``: command-line tools for Keras files.

    python -m torchkeras inspect FILE [--json]
        era, layers, weight shapes, parameter counts and training configuration of a .keras,
        .h5 / .hdf5, .weights.h5 or torch checkpoint, read without building the model.
    python -m torchkeras convert IN OUT [--no-optimizer] [--no-compile] [--unsafe]
        load a model file and save it in the format of OUT's extension (.keras, .h5 / .hdf5,
        .pt / .pth); weights-only files need the architecture: --arch model.json.
"""
from __future__ import annotations

import argparse
import json
import sys
import warnings
from typing import List, Optional


def _inspect(args) -> int:
    from .saving.file_info import describe_file, format_description
    info = describe_file(args.file)
    if args.json:
        print(json.dumps(info, indent=1, default=str))
    else:
        print(format_description(info))
    return 0


def _convert(args) -> int:
    from .saving import api
    if not args.verbose:
        warnings.simplefilter("ignore")
    kind = api.detect_format(args.src)
    if kind in ("h5-weights", "weights-v3") or (kind == "torch" and args.arch):
        if not args.arch:
            print(f"error: '{args.src}' holds weights only ({kind}); pass the architecture "
                  "with --arch model.json", file=sys.stderr)
            return 2
        from .saving.serialization import model_from_json
        with open(args.arch) as fh:
            model = model_from_json(fh.read())
        model.load_weights(args.src)
    else:
        model = api.load_model(args.src, compile=not args.no_compile,
                               safe_mode=not args.unsafe)
    api.save_model(model, args.dst, include_optimizer=not args.no_optimizer)
    print(f"{args.src} ({kind}) -> {args.dst}")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m torchkeras",
                                     description="Inspect and convert Keras model files.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("inspect", help="describe a Keras file without building the model")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print the description as JSON")
    p.set_defaults(func=_inspect)
    c = sub.add_parser("convert", help="convert between .keras, .h5 and torch checkpoints")
    c.add_argument("src")
    c.add_argument("dst")
    c.add_argument("--arch", help="model JSON (to_json) for weights-only inputs")
    c.add_argument("--no-optimizer", action="store_true", help="do not write optimizer state")
    c.add_argument("--no-compile", action="store_true", help="ignore the training config")
    c.add_argument("--unsafe", action="store_true",
                   help="allow Lambda layers stored as Python bytecode (safe_mode=False)")
    c.add_argument("-v", "--verbose", action="store_true", help="show warnings")
    c.set_defaults(func=_convert)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (OSError, ValueError, TypeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
