#!/usr/bin/env bash
# Regenerates results/transfergraph/: all 12 TransferGraph variants plus baselines, both zoos, both protocols,
# seeds 0-4 (SEEDS to change), then `tg-bench aggregate`'s tables (mean +- std beside the published values,
# paired intervals against the zoo prior). PROTOCOLS=clean (or paper) regenerates one protocol's runs and keeps
# the other's. Finished units are read back from the results store (outputs/store): a killed run resumes.
# Needs TG_BENCH_DATA (or `tg-bench fetch`). The two zoos run side by side, each run with n_jobs=-1 (a worker
# process per core, one held-out target each); the 20 runs take about an hour on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
TG=${TG:-.venv/bin/tg-bench}
PY=${PY:-.venv/bin/python}
SEEDS=${SEEDS:-0,1,2,3,4}
PROTOCOLS=${PROTOCOLS:-paper,clean}
# the headline preset (tg_bench/conf/sweep/headline.yaml, `scripts/reproduce_paper.sh`) runs the same grid one run at a
# time; here the two zoos run side by side, which keeps both cores busy at the end of each run
sweep() {
  local zoo=$1
  "$TG" run -m experiment=paper_${zoo} seed="$SEEDS" protocol="$PROTOCOLS" progress=false \
    hydra.sweep.dir="results/transfergraph/$zoo" hydra.sweep.subdir='${protocol.name}_seed${seed}' \
    hydra/job_logging=disabled > "results/transfergraph/$zoo.log" 2>&1
}
mkdir -p results/transfergraph
sweep image & sweep text & wait
# predictions.csv is ~4 MB per run: metrics.csv and run.json are the record; seed 0's are kept compressed for
# the predicted-vs-actual figure (`tg-bench figures`); the rest stay in the results store
find results/transfergraph -path '*_seed0/predictions.csv' -exec gzip -n -f {} \;
find results/transfergraph -name predictions.csv -delete
"$TG" aggregate results/transfergraph/image results/transfergraph/text results/data_agnostic out=results/transfergraph headline=true \
  metric=[pearson,w-kendall,rel@1] > /dev/null
