"""Times the full TransferGraph grid: 12 variants x 16 targets (8 image + 8 text), one seed, per stage.

    TG_BENCH_DATA=../shared/transfergraph-metadata .venv/bin/python scripts/bench_grid.py [--protocol paper]

Prints wall seconds per stage (graph, embedding, features, regression, scoring) per zoo and in total.
"""

from __future__ import annotations

import argparse
import time

from hydra import compose, initialize_config_dir

from tg_bench.hydra_app import VERSION_BASE
from tg_bench.paths import CONFIG_DIR
from tg_bench.run import evaluate_config

STAGES = ("ground_truth", "graph", "embedding", "features", "regression", "scoring")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--protocol", default="paper", choices=["paper", "clean"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("overrides", nargs="*", help="extra Hydra overrides, e.g. transfergraph.embedders.sage...")
    args = parser.parse_args()
    totals: dict[str, float] = {}
    grand = 0.0
    for zoo in ("image", "text"):
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base=VERSION_BASE):
            cfg = compose(
                config_name="config",
                overrides=[
                    f"experiment=paper_{zoo}",
                    f"protocol={args.protocol}",
                    f"seed={args.seed}",
                    "baseline=[]",
                    "progress=false",
                    *args.overrides,
                ],
            )
        start = time.perf_counter()
        _, result = evaluate_config(cfg)
        wall = time.perf_counter() - start
        grand += wall
        stages = result.timer.as_dict()
        per_stage = {s: stages.get(s, 0.0) for s in STAGES}
        n_methods = result.metrics["method"].nunique()
        n_targets = result.metrics["target"].nunique() - 2
        print(f"{zoo}: {n_methods} variants x {n_targets} targets in {wall:.1f} s")
        for stage, seconds in per_stage.items():
            print(f"  {stage:<13}{seconds:8.1f} s")
            totals[stage] = totals.get(stage, 0.0) + seconds
        average = result.metrics[(result.metrics["metric"] == "pearson") & (result.metrics["target"] == "average")]
        print("  weighted-average pearson (a check that the timed run is the real one):")
        for method, value in average.set_index("method")["value"].sort_values(ascending=False).items():
            print(f"    {method:<50}{value:8.4f}")
    print(f"total: {grand:.1f} s ({grand / 60:.1f} min)")
    for stage, seconds in totals.items():
        print(f"  {stage:<13}{seconds:8.1f} s")


if __name__ == "__main__":
    main()
