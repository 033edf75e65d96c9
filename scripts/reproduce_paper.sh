#!/usr/bin/env bash
# Runs the paper's studies as sweep presets (tg_bench/conf/sweep) and aggregates each into results/:
#   headline        -> results/transfergraph/   (12 variants + baselines, both zoos and protocols, seeds 0-4)
#   model_ratio     -> results/model_ratio/     (ratios 0.1-0.9 beside the headline's 1.0)
#   graph_ablation  -> results/graph_ablation/  (graph presets and embedder=none, clean protocol)
# then `tg-bench figures` (results/figures) and `tg-bench compare` (results/compare).
# STUDIES=headline (or a comma list) runs some of them. Resumable and never deletes finished work: every
# (target, method) unit is kept in the results store (outputs/store, or paths.store_dir / TG_BENCH_STORE) the
# moment it finishes, so rerunning this script after a kill computes only what is missing. The headline alone
# takes about an hour on 2 cores; the model-ratio study (100 runs) several. On a cluster, add LAUNCHER=slurm
# (tg_bench/conf/hydra/launcher/slurm.yaml) to run each study as a SLURM array.
set -euo pipefail
cd "$(dirname "$0")/.."
TG=${TG:-.venv/bin/tg-bench}
STUDIES=${STUDIES:-headline,model_ratio,graph_ablation}
LAUNCHER=${LAUNCHER:-basic}
METRICS='metric=[pearson,w-kendall,rel@1]'
for study in ${STUDIES//,/ }; do
  echo "== $study"
  "$TG" run -m sweep="$study" hydra/launcher="$LAUNCHER" hydra/job_logging=disabled
done
# predictions.csv (~4 MB per run) stays in the results store; metrics.csv and run.json are the record here,
# and the headline's seed-0 predictions, compressed, for the predicted-vs-actual figure
find results/transfergraph -path '*_seed0/predictions.csv' -exec gzip -n -f {} \; 2>/dev/null || true
find results/transfergraph results/model_ratio results/graph_ablation -name predictions.csv -delete 2>/dev/null || true
for study in ${STUDIES//,/ }; do
  case $study in
    headline) "$TG" aggregate results/transfergraph/image results/transfergraph/text results/data_agnostic out=results/transfergraph headline=true "$METRICS" ;;
    model_ratio) "$TG" aggregate results/model_ratio results/transfergraph results/data_agnostic out=results/model_ratio metric=pearson ;;
    graph_ablation) "$TG" aggregate results/graph_ablation out=results/graph_ablation "$METRICS" ;;
  esac > /dev/null
done
# the figures and the paper-vs-ours tables, from what was just aggregated
"$TG" figures results out=results/figures
for metric in pearson w-kendall rel@1; do
  "$TG" compare results/transfergraph metric="$metric" out=results/compare > /dev/null
done
