"""The CPU-dependent stages of a run, from saved inputs, for `tests/test_numerics_portable.py`.

    python tests/numerics_probe.py INPUTS.pkl MODE OUT.json [STAGES]

INPUTS.pkl (written by the test): per target, the undirected graph the GNNs fit on, the directed graph
node2vec walks, and a feature table (train, y, test as float64 arrays). MODE: `portable` or `native`, the
embedders' dtype of `tg_bench/conf/numerics/<MODE>.yaml`; the caller starts this process with or without the pinned
environment of `tg_bench.numerics`. Writes, per target and stage (gat, sage, node2vec, lr, rf, xgb; STAGES, a
comma-separated list, keeps only those), every value formatted as run outputs write them (`%.10g`).

Run whole under `qemu-x86_64 -cpu max` (an AVX2-only CPU) the stages can be; `tg-bench run` itself cannot
(pandas crashes there on the real zoo), hence saved inputs.
"""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path

import numpy as np

from tg_bench.build import instantiate_checked
from tg_bench.catalog import compose_config
from tg_bench.predict.regressors import make_regressor

#: fewer optimiser steps than a run's (50 epochs) so that the emulated CPU finishes in minutes; the float32
#: fits already differ between CPUs after these
EMBEDDER_SETTINGS = {
    "gat": {"settings": {"epochs": 1}},
    "sage": {"settings": {"epochs": 1}},
    "node2vec": {"epochs": 5},
}
PREDICTOR_SETTINGS = {"lr": {}, "rf": {"n_estimators": 20}, "xgb": {"n_estimators": 40}}


def written(values: np.ndarray) -> list[str]:
    """Values as `metrics.csv` / `predictions.csv` write them: 10 significant digits."""
    return [f"{value:.10g}" for value in np.asarray(values, dtype=float).ravel()]


def main(inputs: Path, mode: str, out: Path, stages: set[str] | None = None) -> None:
    cfg = compose_config(
        [
            f"numerics={mode}",
            "protocol=clean",
            f"embedder=[{','.join(EMBEDDER_SETTINGS)}]",
            f"predictor=[{','.join(PREDICTOR_SETTINGS)}]",
        ]
    )
    saved = pickle.loads(inputs.read_bytes())
    results: dict[str, dict[str, list[str]]] = {}
    for target, data in saved.items():
        results[target] = {}
        for key, settings in EMBEDDER_SETTINGS.items():
            if stages is not None and key not in stages:
                continue
            node = cfg.transfergraph.embedders[key]
            embedder = instantiate_checked(node, key, **settings)
            graph = data["directed_graph"] if embedder.directed else data["undirected_graph"]
            results[target][key] = written(embedder.fit_transform(graph, seed=0))
        for key, settings in PREDICTOR_SETTINGS.items():
            if stages is not None and key not in stages:
                continue
            regressor = make_regressor(instantiate_checked(cfg.transfergraph.predictors[key], key, **settings), seed=0)
            regressor.fit(data["train"], data["y"])
            results[target][key] = written(regressor.predict(data["test"]))
    out.write_text(json.dumps(results))


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), set(sys.argv[4].split(",")) if len(sys.argv) > 4 else None)
