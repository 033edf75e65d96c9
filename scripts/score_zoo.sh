#!/usr/bin/env bash
# Score every model of a zoo on every evaluation target with LogME, LEEP and NCE (for a user with hub access
# and, ideally, a GPU), and merge the scores into the zoo's overlay, where `tg-bench run` and `recommend` read
# them. Resumable: every finished (model, target, estimator) score is kept in paths.score_store_dir, so the
# same command after a kill, a failure or a new model computes only what is missing (rerun=true recomputes).
#
#   scripts/score_zoo.sh <image|text> [tg-bench score overrides...]
#   scripts/score_zoo.sh text dataset.max_samples=2000 extract.batch_size=64
#   scripts/score_zoo.sh image model_root=/models dataset_root=/data    # local copies, no hub
#
# TG_BENCH names the tg-bench executable (default: tg-bench on PATH).
set -euo pipefail
zoo=${1:?usage: scripts/score_zoo.sh <image|text> [tg-bench score overrides...]}
shift
exec "${TG_BENCH:-tg-bench}" score "zoo=$zoo" targets=all "baseline=[logme,leep,nce]" update_zoo=true "$@"
