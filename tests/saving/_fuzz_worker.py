"""Fuzz worker (run in a subprocess by test_fuzz.py, so a crash cannot take pytest down).

    python _fuzz_worker.py FILE N SEED [ARCH_JSON]

Writes N mutated copies of FILE (random byte flips, truncation, zeroed ranges, spliced
ranges) and reads each with ``load_model`` (or ``model_from_json`` + ``load_weights`` when
ARCH_JSON is given) and ``describe_file``. Every outcome must be a return value or a Python
exception; the worker prints a JSON summary of exception types. A crash shows up as a
non-zero exit status, a hang as a timeout of the subprocess.
"""
import json
import os
import random
import sys
import tempfile
import warnings


def mutate(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    kind = rng.choice(["flip", "trunc", "zero", "splice"])
    if kind == "flip":
        for _ in range(rng.randint(1, 20)):
            b[rng.randrange(len(b))] = rng.randrange(256)
    elif kind == "trunc":
        b = b[:rng.randrange(len(b))]
    elif kind == "zero":
        i = rng.randrange(len(b))
        j = min(len(b), i + rng.randint(1, 4096))
        b[i:j] = bytes(j - i)
    else:
        i, j, n = rng.randrange(len(b)), rng.randrange(len(b)), rng.randint(1, 512)
        b[i:i + n] = b[j:j + n]
    return bytes(b)


def main(argv):
    src, n, seed = argv[0], int(argv[1]), int(argv[2])
    arch = argv[3] if len(argv) > 3 else None
    warnings.simplefilter("ignore")
    import torchkeras as keras
    import torchkeras.backend  # noqa: F401
    from torchkeras.saving import file_info
    data = open(src, "rb").read()
    rng = random.Random(seed)
    suffix = os.path.basename(src)[os.path.basename(src).index("."):]
    outcomes = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "mutant" + suffix)
        for _ in range(n):
            with open(path, "wb") as fh:
                fh.write(mutate(data, rng))
            for step in ("load", "inspect"):
                try:
                    if step == "inspect":
                        file_info.describe_file(path)
                    elif arch:
                        with open(arch) as fh:
                            model = keras.models.model_from_json(fh.read())
                        model.load_weights(path)
                    else:
                        keras.models.load_model(path)
                    result = "ok"
                except Exception as e:  # noqa: BLE001 - any Python exception is acceptable
                    result = type(e).__name__
                key = f"{step}:{result}"
                outcomes[key] = outcomes.get(key, 0) + 1
    print(json.dumps(outcomes, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
