#!/usr/bin/env bash
# Regenerates results/transfergraph/: all 12 TransferGraph variants plus baselines, both zoos, both protocols,
# seeds 0-4 (SEEDS to change), then the mean +- std tables beside the published values.
# Needs TG_BENCH_DATA (or `tg-bench fetch`). About 2 x 2 x 5 grid runs of ~6 min each on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
TG=${TG:-.venv/bin/tg-bench}
PY=${PY:-.venv/bin/python}
SEEDS=${SEEDS:-0,1,2,3,4}
for zoo in image text; do
  rm -rf "results/transfergraph/$zoo"
  "$TG" run -m experiment=paper_${zoo} protocol=paper,clean seed="$SEEDS" progress=false \
    hydra.sweep.dir="results/transfergraph/$zoo" hydra.sweep.subdir='${protocol.name}_seed${seed}' \
    hydra/job_logging=disabled
  find "results/transfergraph/$zoo" -name predictions.csv -delete  # 4 MB per run; metrics.csv is the record
done
"$PY" scripts/summarize_seeds.py results/transfergraph/image results/transfergraph/text \
  --out results/transfergraph/summary.md
