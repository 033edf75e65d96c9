"""Coverage of the candidate intervals for a paired, weighted comparison over the benchmark's targets.

    TG_BENCH_DATA=../shared/transfergraph-metadata .venv/bin/python scripts/interval_coverage.py
        [--simulations 2000] [--out docs/interval_coverage.md] [--sets classic10] [--intervals t_kish]

For the target weights of each zoo's 8 evaluation targets, of its extended set (`target_set=extended`: 12
image, 9 text targets) and of both zoos pooled, per-target differences with true mean 0 are drawn from each
shape of `tg_bench.analysis.coverage.DISTRIBUTIONS`; every candidate of `tg_bench.analysis.intervals.INTERVALS`
is computed at nominal 95 % on the same draws, and the share of intervals that hold 0 is printed as a Markdown
table (the bootstraps with 2,000 resamples each, to keep the run to minutes). On the pooled sets the stratified
t interval (the zoo as a stratum, what `tg-bench aggregate pooled=true` reports) is measured too; it has no
meaning on one zoo. docs/method.md 14 carries the table this prints.
"""

from __future__ import annotations

import argparse
import time
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from tg_bench.analysis.coverage import DISTRIBUTIONS, benchmark_weights, coverage, coverage_table
from tg_bench.analysis.intervals import CHOSEN, INTERVALS, LABELS, kish_n, stratified_t_interval
from tg_bench.build import build_protocol
from tg_bench.catalog import compose_config
from tg_bench.data.zoo import ZooSpec, load_zoo
from tg_bench.evaluate.summary import to_markdown


def benchmark_weight_sets() -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(weights, strata) by set name: each zoo's 8 targets, its extended set, and the two pooled; strata (the
    zoo of each weight) for the pooled sets only."""
    weights, strata = {}, {}
    for zoo_name in ("image", "text"):
        cfg = compose_config(["experiment=paper_" + zoo_name, "protocol=clean"])
        zoo = load_zoo(ZooSpec.from_config(cfg.zoo), cfg.paths.get("data_root"))
        protocol = build_protocol(cfg.protocol)
        weights[zoo_name] = benchmark_weights(zoo, protocol).to_numpy()
        extended = zoo.extended_targets(int(cfg.extended_min_models))
        weights[f"{zoo_name} extended"] = benchmark_weights(zoo, protocol, extended).to_numpy()
    for suffix in ("", " extended"):
        image, text = weights["image" + suffix], weights["text" + suffix]
        name = "pooled" + suffix
        weights[name] = np.concatenate([image, text])
        strata[name] = np.array(["image"] * len(image) + ["text"] * len(text))
    # the classic 10-CNN benchmark's 8 targets (zoo=classic10, shipped in the package)
    cfg = compose_config(["experiment=classic10"])
    classic = load_zoo(ZooSpec.from_config(cfg.zoo))
    weights["classic10"] = benchmark_weights(classic, build_protocol(cfg.protocol)).to_numpy()
    return weights, strata


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--simulations", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="write the table as Markdown here")
    parser.add_argument("--sets", nargs="*", default=None, help="only these weight sets (e.g. classic10)")
    parser.add_argument("--intervals", nargs="*", default=None, help=f"only these candidates ({', '.join(INTERVALS)})")
    args = parser.parse_args()
    weights, strata = benchmark_weight_sets()
    if args.sets:
        weights = {name: w for name, w in weights.items() if name in args.sets}
        strata = {name: labels for name, labels in strata.items() if name in args.sets}
    intervals = {name: i for name, i in INTERVALS.items() if not args.intervals or name in args.intervals}
    start = time.perf_counter()
    table = coverage_table(weights, intervals, args.simulations, seed=args.seed, resamples=2000)
    for name, labels in strata.items():
        for distribution in DISTRIBUTIONS:
            interval = partial(stratified_t_interval, strata=labels)
            held = coverage(
                lambda d, w, c, r, i=interval: i(d, w, confidence=c), weights[name], distribution,
                args.simulations, seed=args.seed,
            )  # fmt: skip
            table.loc["stratified", f"{name}: {distribution}"] = held
    seconds = time.perf_counter() - start
    shown = table.map(lambda value: "–" if pd.isna(value) else f"{value:.3f}")
    shown.index = [f"**{LABELS[name]}** (reported)" if name == CHOSEN else LABELS[name] for name in shown.index]
    sizes = ", ".join(f"{name} n = {len(w)}, n_eff = {kish_n(w):.1f}" for name, w in weights.items())
    title = f"coverage at nominal 0.95, {args.simulations} simulations per cell ({sizes})"
    text = to_markdown(pd.DataFrame(shown).T, title).replace("| method |", "| weights: distribution |", 1)
    print(text)
    print(f"{seconds:.0f} s")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()
