#!/bin/sh
# Larger fuzz campaign than the test suite runs: 100-150 mutated copies per reader.
# Each line: file, exit status of the worker (0 = no crash), outcome counts
# ("load:<result>" / "inspect:<result>"; results are "ok" or the exception type).
# Usage: sh compat_suite/saving/fuzz_campaign.sh   (from the repository root)
export TORCHKERAS_H5_PREFLIGHT_TIMEOUT=4 OMP_NUM_THREADS=1
F=tests/fixtures/keras_files
W=tests/saving/_fuzz_worker.py
TMP=$(mktemp -d)
python -W ignore -c "
import torchkeras as keras, torchkeras.backend
keras.models.load_model('$F/modern/mlp.k3.keras').save('$TMP/mlp.pt')"
for args in "$F/modern/mlp.k2.h5 100 2" "$F/modern/mlp.k3.keras 100 3" \
            "$F/modern/mlp.k3.h5 100 4" "$F/legacy/lstm.k1.h5 100 5" \
            "$F/modern/mlp.k2.weights.h5 100 6 $F/modern/mlp.k2.json" \
            "$F/modern/mlp.k2.legacy_weights.h5 100 7 $F/modern/mlp.k2.json" \
            "$TMP/mlp.pt 150 8"; do
  set -- $args
  start=$(date +%s)
  timeout 3000 python $W $1 $2 $3 $4 > $TMP/out.txt 2>/dev/null
  rc=$?
  echo "$(basename $1) x$2 seed=$3 rc=$rc $(( $(date +%s) - start ))s $(tail -1 $TMP/out.txt)"
done
rm -rf $TMP
