"""How far a change moved each method's seed mean, against its seed std: run folders before and after.

    .venv/bin/python scripts/compare_seeds.py BEFORE_FOLDER AFTER_FOLDER [--out docs/table.md] [--protocol paper]
        [--std-from results/transfergraph]

Reads every run folder (metrics.csv + run.json) or results store under each folder; methods and seeds present
in both are compared per zoo and protocol (`tg_bench.analysis.shift.seed_shift`). A shift is "within noise"
when its size is below the method's seed std before the change (issue 11's rule for changes that alter an
algorithm). A seed-0 study (the graph ablation) has no seed std of its own: `--std-from` borrows each
method's std over the seeds of another study, matched by name, else (a TransferGraph variant on another graph
preset) by its graph learner and regressor (`methods.csv`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from tg_bench.analysis.shift import seed_shift
from tg_bench.analysis.tables import average_rows
from tg_bench.analysis.tidy import collect, collect_identities
from tg_bench.errors import UserInputError
from tg_bench.evaluate.summary import to_markdown


def borrowed_spread(reference: Path, after: Path, ours: pd.DataFrame, metric: str) -> pd.Series:
    """Seed std of each method of `ours` (the `average_rows` of the runs under `after`) at the weighted average,
    from the runs under `reference`: the same method name, else the reference's variant with the same graph
    learner and regressor labels. Indexed by (zoo, protocol, method)."""
    rows = average_rows(collect([reference])[0])
    rows = rows[(rows["metric"] == metric) & (rows["target"] == "average")]
    std = rows.groupby(["zoo", "protocol", "method"])["value"].std()
    names = sorted(set(ours["method"]))
    theirs = collect_identities([reference], sorted(set(rows["method"])))
    by_labels = {(r.learner, r.regressor): r.method for r in theirs.itertuples() if r.learner and r.regressor}
    mine = collect_identities([after], names)
    counterpart = {
        r.method: r.method if r.method in set(theirs["method"]) else by_labels.get((r.learner, r.regressor))
        for r in mine.itertuples()
    }
    borrowed = {}
    for (zoo, protocol), _ in ours.groupby(["zoo", "protocol"]):
        for method, source in counterpart.items():
            if source is not None and (zoo, protocol, source) in std.index:
                borrowed[(zoo, protocol, method)] = std[(zoo, protocol, source)]
    return pd.Series(borrowed, dtype=float)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--out", type=Path, default=None, help="write the tables as Markdown here")
    parser.add_argument("--metric", default="pearson")
    parser.add_argument("--protocol", default=None, help="only this protocol (default: every one in both)")
    parser.add_argument("--std-from", type=Path, default=None, help="seed stds for single-seed runs from here")
    args = parser.parse_args()
    frames = []
    for folder in (args.before, args.after):
        try:
            frames.append(average_rows(collect([folder])[0]))
        except UserInputError as exc:
            parser.error(f"{folder}: {exc}")  # one line, exit 2
    spread = None
    if args.std_from is not None:
        try:
            spread = borrowed_spread(args.std_from, args.after, frames[1], args.metric)
        except UserInputError as exc:
            parser.error(f"{args.std_from}: {exc}")
    try:
        table = seed_shift(*frames, metric=args.metric, spread=spread)
    except UserInputError as exc:
        parser.error(str(exc))
    if args.protocol:
        table = table[table["protocol"] == args.protocol]
    parts = []
    # one table per (zoo, protocol), and per model ratio when the runs hold several (the model-ratio study)
    sections = ["zoo", "protocol", "ratio"] if "ratio" in table else ["zoo", "protocol"]
    for key, group in table.groupby(sections):
        zoo, protocol = key[0], key[1]
        ratio = f", model ratio {key[2]:g}" if len(key) > 2 else ""
        group = group.sort_values("after_mean", ascending=False)
        formatted = pd.DataFrame(
            {
                "before (mean ± std)": [
                    f"{m:.4f} ± {s:.4f}" for m, s in zip(group["before_mean"], group["before_std"], strict=True)
                ],
                "after (mean ± std)": [
                    f"{m:.4f} ± {s:.4f}" for m, s in zip(group["after_mean"], group["after_std"], strict=True)
                ],
                "shift": [f"{v:+.4f}" for v in group["shift"]],
                "shift / std": [f"{v:+.2f}" for v in group["shift_over_std"]],
                "paired std": [f"{v:.4f}" for v in group["paired_std"]],
                "within noise": [
                    ("yes" if v else "**no**") + (" (ref. std)" if source == "reference" else "")
                    for v, source in zip(group["within_noise"], group["std_source"], strict=True)
                ],
            },
            index=group["method"],
        )
        seeds = int(group["seeds"].max())
        parts.append(
            to_markdown(
                formatted, f"{zoo} zoo, {protocol} protocol{ratio}: weighted-average {args.metric}, {seeds} seeds"
            )
        )
    text = "\n".join(parts)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()
