#!/usr/bin/env bash
# Regenerates results/classic10/: the classic 10-CNN benchmark (zoo=classic10, shipped in the package), the four
# published estimators beside the data-agnostic priors and the graph-free TransferGraph variants, clean
# protocol, seeds 0-4 (SEEDS to change), then `tg-bench aggregate`'s tables, the figures and `tg-bench compare`
# against the published rows. Needs no metadata root.
set -euo pipefail
cd "$(dirname "$0")/.."
TG=${TG:-.venv/bin/tg-bench}
SEEDS=${SEEDS:-"0 1 2 3 4"}
for seed in $SEEDS; do
  out=results/classic10/runs/clean_seed${seed}
  rm -rf "$out"
  "$TG" run experiment=classic10 seed="$seed" progress=false \
    show_metrics=[pearson,w-kendall,rel@1] hydra.run.dir="$out" hydra.output_subdir=null hydra/job_logging=disabled
done
"$TG" aggregate results/classic10/runs out=results/classic10 'metric=[pearson,w-kendall,rel@1]'
"$TG" figures results studies=[classic10] 'only=[average,wins]' out=results/classic10/figures
# ours beside the benchmark's published Pearson and weighted Kendall rows (tg_bench/zoos/classic10/published)
for metric in pearson w-kendall; do
  "$TG" compare results/classic10/runs metric="$metric" out=results/classic10/compare > /dev/null
done
