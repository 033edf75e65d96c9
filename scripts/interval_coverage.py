"""Coverage of the candidate intervals for a paired, weighted comparison over the benchmark's targets.

    TG_BENCH_DATA=../shared/transfergraph-metadata .venv/bin/python scripts/interval_coverage.py
        [--simulations 2000] [--out docs/interval_coverage.md]

For the image zoo's 8 target weights, the text zoo's and both pooled (16 targets), per-target differences
with true mean 0 are drawn from each shape of `tg_bench.analysis.coverage.DISTRIBUTIONS`; every candidate of
`tg_bench.analysis.intervals.INTERVALS` is computed at nominal 95 % on the same draws, and the share of
intervals that hold 0 is printed as a Markdown table (the bootstraps with 2,000 resamples each, to keep the
run to minutes). docs/method.md 14 carries the table this prints.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from tg_bench.analysis.coverage import benchmark_weights, coverage_table
from tg_bench.analysis.intervals import CHOSEN, INTERVALS, LABELS, kish_n
from tg_bench.build import build_protocol
from tg_bench.catalog import compose_config
from tg_bench.data.zoo import ZooSpec, load_zoo
from tg_bench.evaluate.summary import to_markdown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--simulations", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="write the table as Markdown here")
    args = parser.parse_args()
    weights = {}
    for zoo_name in ("image", "text"):
        cfg = compose_config(["experiment=paper_" + zoo_name, "protocol=clean"])
        zoo = load_zoo(ZooSpec.from_config(cfg.zoo), cfg.paths.get("data_root"))
        weights[zoo_name] = benchmark_weights(zoo, build_protocol(cfg.protocol)).to_numpy()
    weights["pooled"] = np.concatenate([weights["image"], weights["text"]])
    start = time.perf_counter()
    table = coverage_table(weights, INTERVALS, args.simulations, seed=args.seed, resamples=2000)
    seconds = time.perf_counter() - start
    shown = table.map(lambda value: f"{value:.3f}")
    shown.index = [f"**{LABELS[name]}** (reported)" if name == CHOSEN else LABELS[name] for name in shown.index]
    sizes = ", ".join(f"{name} n = {len(w)}, n_eff = {kish_n(w):.1f}" for name, w in weights.items())
    title = f"coverage at nominal 0.95, {args.simulations} simulations per cell ({sizes})"
    text = to_markdown(pd.DataFrame(shown), title).replace("| method |", "| interval |", 1)
    print(text)
    print(f"{seconds:.0f} s")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()
