"""Times the full TransferGraph grid: 12 variants x 16 targets (8 image + 8 text), one seed, per stage.

    TG_BENCH_DATA=../shared/transfergraph-metadata .venv/bin/python scripts/bench_grid.py [--protocol paper]
        [--numerics portable native]

Prints per zoo and in total: wall seconds, seconds per stage (graph, embedding, features, regression, scoring;
summed over the worker processes, so with n_jobs > 1 they add up to more than the wall time), `n_jobs`, the
peak resident memory of the run (this process and its workers, sampled every 0.1 s), and the ratio of the
total to the authors' 3076 s for the same grid (their `log/performance_score.csv`). With several numerics
modes, the grid runs once per mode, one after the other, and the ratio of each total to the first is printed.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import psutil
from hydra import compose, initialize_config_dir

from tg_bench.commands.hydra_app import VERSION_BASE
from tg_bench.commands.run import evaluate_config
from tg_bench.paths import CONFIG_DIR

STAGES = ("ground_truth", "graph", "embedding", "features", "regression", "scoring")
#: seconds the authors' log adds up to for the same grid (12 variants x 16 targets)
AUTHORS_SECONDS = 3076.0


@contextmanager
def peak_memory(interval: float = 0.1) -> Iterator[list[int]]:
    """Samples the resident memory of this process and all its descendants (worker processes) while the block
    runs; the one-element list holds the peak in bytes afterwards."""
    peak = [0]
    done = threading.Event()
    me = psutil.Process()

    def sample() -> None:
        while not done.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                with suppress(psutil.Error):  # a worker that just ended
                    total += process.memory_info().rss
            peak[0] = max(peak[0], total)
            done.wait(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        done.set()
        thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--protocol", default="paper", choices=["paper", "clean"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=None, help="worker processes (default: the config's n_jobs)")
    parser.add_argument(
        "--numerics", nargs="+", default=["portable"], choices=["portable", "native"], help="modes, run in turn"
    )
    parser.add_argument("overrides", nargs="*", help="extra Hydra overrides, e.g. transfergraph.embedders.sage...")
    args = parser.parse_args()
    grand_totals: dict[str, float] = {}
    for numerics in args.numerics:
        print(f"== numerics={numerics} ==")
        totals: dict[str, float] = {}
        grand = 0.0
        peak_bytes = 0
        for zoo in ("image", "text"):
            with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base=VERSION_BASE):
                cfg = compose(
                    config_name="config",
                    overrides=[
                        f"experiment=paper_{zoo}",
                        f"protocol={args.protocol}",
                        f"seed={args.seed}",
                        f"numerics={numerics}",
                        "baseline=[]",
                        "progress=false",
                        *([f"n_jobs={args.n_jobs}"] if args.n_jobs is not None else []),
                        *args.overrides,
                    ],
                )
            start = time.perf_counter()
            with peak_memory() as peak:
                _, result = evaluate_config(cfg)
            wall = time.perf_counter() - start
            grand += wall
            peak_bytes = max(peak_bytes, peak[0])
            stages = result.timer.as_dict()
            per_stage = {s: stages.get(s, 0.0) for s in STAGES}
            n_methods = result.metrics["method"].nunique()
            n_targets = result.metrics["target"].nunique() - 2
            print(
                f"{zoo}: {n_methods} variants x {n_targets} targets in {wall:.1f} s (n_jobs={cfg.n_jobs}, peak memory "
                f"{peak[0] / 2**30:.2f} GiB)"
            )
            for stage, seconds in per_stage.items():
                print(f"  {stage:<13}{seconds:8.1f} s")
                totals[stage] = totals.get(stage, 0.0) + seconds
            average = result.metrics[(result.metrics["metric"] == "pearson") & (result.metrics["target"] == "average")]
            print("  weighted-average pearson (a check that the timed run is the real one):")
            for method, value in average.set_index("method")["value"].sort_values(ascending=False).items():
                print(f"    {method:<50}{value:8.4f}")
        grand_totals[numerics] = grand
        print(
            f"total ({numerics}): {grand:.1f} s ({grand / 60:.1f} min), peak memory {peak_bytes / 2**30:.2f} GiB, "
            f"{grand / AUTHORS_SECONDS:.3f} of the authors' {AUTHORS_SECONDS:.0f} s"
        )
        for stage, seconds in totals.items():
            print(f"  {stage:<13}{seconds:8.1f} s")
    first = args.numerics[0]
    for numerics, total in grand_totals.items():
        print(f"numerics={numerics}: {total:.1f} s, {total / grand_totals[first]:.2f}x numerics={first}")


if __name__ == "__main__":
    main()
