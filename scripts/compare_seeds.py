"""How far a change moved each method's seed mean, against its seed std: run folders before and after.

    .venv/bin/python scripts/compare_seeds.py BEFORE_FOLDER AFTER_FOLDER [--out docs/table.md] [--protocol paper]

Reads every run folder (metrics.csv + run.json) or results store under each folder; methods and seeds present
in both are compared per zoo and protocol (`tg_bench.analysis.shift.seed_shift`). A shift is "within noise"
when its size is below the method's seed std before the change (issue 11's rule for changes that alter an
algorithm).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from tg_bench.analysis.shift import seed_shift
from tg_bench.analysis.tables import average_rows
from tg_bench.analysis.tidy import collect
from tg_bench.errors import UserInputError
from tg_bench.evaluate.summary import to_markdown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--out", type=Path, default=None, help="write the tables as Markdown here")
    parser.add_argument("--metric", default="pearson")
    parser.add_argument("--protocol", default=None, help="only this protocol (default: every one in both)")
    args = parser.parse_args()
    frames = []
    for folder in (args.before, args.after):
        try:
            frames.append(average_rows(collect([folder])[0]))
        except UserInputError as exc:
            parser.error(f"{folder}: {exc}")  # one line, exit 2
    try:
        table = seed_shift(*frames, metric=args.metric)
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
                "within noise": ["yes" if v else "**no**" for v in group["within_noise"]],
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
