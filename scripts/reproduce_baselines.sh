#!/usr/bin/env bash
# Regenerates results/baselines/: the paper's LogME / Reg-H-Score rows with the zoo prior and a random floor,
# both zoos, both protocols. Needs TG_BENCH_DATA (or `tg-bench fetch`).
set -euo pipefail
cd "$(dirname "$0")/.."
TG=${TG:-.venv/bin/tg-bench}
for zoo in image text; do
  for protocol in paper clean; do
    out=results/baselines/${zoo}_${protocol}
    rm -rf "$out"
    "$TG" run experiment=paper_baselines_${zoo} protocol=${protocol} progress=false \
      show_metrics=[pearson,spearman,w-kendall,rel@1] hydra.run.dir="$out" hydra.output_subdir=null \
      hydra/job_logging=disabled
  done
done
