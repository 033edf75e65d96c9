"""`tg-bench aggregate PATH... [metric=pearson] [reference=zoo_prior] [out=results/aggregate]`: finished runs
(results stores or run folders) -> the tidy table, mean ± std over seeds beside the paper's values, and paired
intervals, p-values and minimum detectable differences against a reference method, as CSV, Markdown and LaTeX."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from tg_bench.analysis.export import write_csv, write_tables, write_text
from tg_bench.analysis.headline import ZOO_PRIOR, headline_table
from tg_bench.analysis.paired import paired_intervals
from tg_bench.analysis.pooled import pooled_paired, pooled_tidy
from tg_bench.analysis.seconds import collect_seconds
from tg_bench.analysis.tables import seed_statistics, with_published
from tg_bench.analysis.tidy import collect, collect_identities
from tg_bench.errors import USER_ERROR_EXIT_CODE, UserInputError
from tg_bench.identity import METHODS_FILE
from tg_bench.options import as_list, option_lines, parse_options
from tg_bench.paths import data_root

USAGE = """usage: tg-bench aggregate PATH... [key=value ...]

PATH: results stores (outputs/store) or folders holding run folders (metrics.csv + run.json), e.g.
      results/transfergraph/image results/transfergraph/text
options (key=value):"""


@dataclass
class AggregateOptions:
    """The options of `tg-bench aggregate` (each `key=value` on the command line)."""

    #: metric(s) to tabulate: `pearson`, or a list `[pearson,w-kendall,rel@1]`
    metric: Any = "pearson"
    #: the method every other is compared with, paired over targets and seeds
    reference: str = "zoo_prior"
    #: output folder
    out: str = "results/aggregate"
    #: level of the paired intervals (and 1 - the level of the test behind the minimum detectable difference)
    confidence: float = 0.95
    #: the paired interval: t_kish (a t interval on Kish's effective number of targets; the one whose coverage
    #: held, docs/method.md 14), percentile, bca, studentized (bootstraps) or sign_flip
    interval: str = "t_kish"
    #: bootstrap resamples (the bootstrap intervals)
    resamples: int = 10_000
    #: seed of the bootstrap resampling (and of the sign-flip test's draws above 12 targets)
    seed: int = 0
    #: also pool the zoos: every held-out target of every zoo that ran the same protocol and ratio as one
    #: benchmark (zoo `pooled` in the tables), the zoo as a stratum of the paired intervals (docs/method.md 14)
    pooled: bool = False
    #: also write headline.md, the README's table (zoo prior, k-NN prior, best TransferGraph variant, stacked
    #: prior, LogME per zoo and protocol against the zoo prior; the headline runs)
    headline: bool = False
    #: metadata root for the published values (null: $TG_BENCH_DATA, else data/)
    data_root: Any = None
    #: also log the tables to a wandb run (offline unless WANDB_MODE says otherwise; `wandb sync` later)
    wandb: bool = False
    #: the wandb project
    wandb_project: str = "tg-bench"


def parse(args: list[str]) -> tuple[list[Path], AggregateOptions, set[str]]:
    """Split the command line into paths and `key=value` options (and the set of keys given); an unknown key,
    a bad value or no path is a user error."""
    paths, options, given = parse_options(args, AggregateOptions)
    if not paths:
        raise UserInputError("no PATH given: name a results store or sweep folder(s)")
    return paths, options, given


def aggregate(paths: list[Path], options: AggregateOptions, given: set[str] = frozenset()) -> tuple[list[Path], str]:
    """Read, check, then write every table under `options.out`; returns the paths written and the summary.
    `given`: the options set by the user (a missing reference is an error only when it was asked for)."""
    tidy, notes = collect(paths)
    metrics = as_list(options.metric)
    available = list(dict.fromkeys(tidy["metric"]))
    unknown = [m for m in metrics if m not in available]
    if unknown:
        raise UserInputError(f"metric: no {', '.join(unknown)} in the results (available: {', '.join(available)})")
    methods = set(tidy["method"])
    if options.reference not in methods:
        if "reference" in given:
            raise UserInputError(
                f"reference={options.reference}: no such method in the results ({', '.join(sorted(methods))})"
            )
        notes.append(f"no {options.reference} in the results: no paired comparison")
    if not 0 < options.confidence < 1 or options.resamples < 100:
        raise UserInputError("confidence must lie in (0, 1) and resamples be at least 100")
    chosen = tidy[tidy["metric"].isin(metrics)]
    if (chosen["protocol"] == "paper").any():
        try:
            data_root(options.data_root)
        except UserInputError as exc:
            notes.append(f"the paper's published values are left out of every table: {exc}")
    stats = with_published(seed_statistics(chosen), options.data_root)
    paired = paired_intervals(
        chosen, options.reference, options.confidence, options.resamples, options.seed, options.interval
    )
    if options.pooled:
        pooled = pooled_tidy(chosen)
        if pooled.empty:
            raise UserInputError("pooled=true needs runs of at least two zoos under the same protocol and model ratio")
        stats = pd.concat([stats, seed_statistics(pooled)], ignore_index=True)
        if options.reference in methods:
            paired = pd.concat(
                [paired, pooled_paired(chosen, options.reference, options.confidence)], ignore_index=True
            )
    headline = None
    identities = collect_identities(paths, dict.fromkeys(tidy["method"]))
    labels = dict(zip(identities["method"], identities["label"], strict=True))
    if options.headline:
        # checked before anything is written: a user error leaves no partial tables
        if options.reference != ZOO_PRIOR:
            raise UserInputError(f"headline=true compares with the zoo prior: leave out reference={options.reference}")
        headline = headline_table(stats, paired, labels)
        if headline is None:
            raise UserInputError(
                "headline=true needs zoo_prior, knn_prior, stacked_prior, LogME and TransferGraph variants in the runs"
            )
    out = Path(options.out)
    # every metric, not only those tabulated (figures read top@k and rel@k too); ~20x smaller compressed
    write_csv(out / "tidy.csv.gz", tidy)
    write_csv(out / "statistics.csv", stats)
    write_csv(out / f"paired_{options.reference}.csv", paired)
    # each method's label and kind, for the figures and whoever reads the tables
    write_csv(out / METHODS_FILE, identities)
    written, summary = write_tables(out, stats, paired, metrics, options.reference, labels)
    written = [
        out / "tidy.csv.gz",
        out / "statistics.csv",
        out / f"paired_{options.reference}.csv",
        out / METHODS_FILE,
        *written,
    ]
    if headline is not None:
        write_text(out / "headline.md", headline)
        written.append(out / "headline.md")
    seconds = collect_seconds(paths)
    if len(seconds):
        write_csv(out / "seconds.csv", seconds)
        written.append(out / "seconds.csv")
    if options.wandb:
        log_to_wandb(options, paths, {"statistics": stats, f"paired_{options.reference}": paired})
    return written, "\n".join([*(f"note: {n}" for n in notes), summary])


def log_to_wandb(options: AggregateOptions, paths: list[Path], tables: dict) -> None:
    """The aggregated tables as wandb Tables of one run under `<out>/wandb` (offline by default)."""
    import os

    import wandb

    run = wandb.init(
        project=options.wandb_project,
        mode=os.environ.get("WANDB_MODE", "offline"),
        dir=options.out,
        job_type="aggregate",
        config={"paths": [str(p) for p in paths], "metric": options.metric, "reference": options.reference},
        reinit=True,
    )
    run.log({name: wandb.Table(dataframe=frame) for name, frame in tables.items()})
    run.finish()


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print("\n".join([USAGE, *option_lines(AggregateOptions())]))
        return 0 if args else USER_ERROR_EXIT_CODE
    try:
        paths, options, given = parse(args)
        written, summary = aggregate(paths, options, given)
    except UserInputError as exc:
        print(f"tg-bench aggregate: error: {exc}", file=sys.stderr)
        return USER_ERROR_EXIT_CODE
    print(summary)
    print(f"wrote {len(written)} files to {options.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
