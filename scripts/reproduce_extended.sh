#!/usr/bin/env bash
# Regenerates results/extended/: every dataset as a held-out target (target_set=extended, clean protocol,
# docs/method.md 10): the 12 TransferGraph variants and the data-agnostic baselines (baseline/data_agnostic_set),
# both zoos, seeds 0-4 (SEEDS to change), then `tg-bench aggregate`'s tables, per zoo and pooled over both zoos.
# The sweep preset `tg-bench run -m sweep=extended` runs the same grid one run at a time; here the two zoos run
# side by side. Finished units are read back from the results store (outputs/store): a killed run resumes.
set -euo pipefail
cd "$(dirname "$0")/.."
TG=${TG:-.venv/bin/tg-bench}
SEEDS=${SEEDS:-0,1,2,3,4}
sweep() {
  local zoo=$1
  "$TG" run -m experiment=paper_${zoo} protocol=clean target_set=extended 'baseline=[data_agnostic_set]' \
    seed="$SEEDS" progress=false hydra.sweep.dir="results/extended/$zoo" \
    hydra.sweep.subdir='${protocol.name}_seed${seed}' hydra/job_logging=disabled > "results/extended/$zoo.log" 2>&1
}
mkdir -p results/extended
sweep image & sweep text & wait
# metrics.csv and run.json are the record; predictions stay in the results store
find results/extended -name predictions.csv -delete
"$TG" aggregate results/extended out=results/extended metric=[pearson,w-kendall,rel@1] pooled=true > /dev/null
