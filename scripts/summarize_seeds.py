"""Mean +- std over seeds of the weighted-average Pearson per method, both protocols, beside the paper's value.

    .venv/bin/python scripts/summarize_seeds.py results/transfergraph/image [--out results/transfergraph/image.md]

Reads every run folder (anything holding metrics.csv + run.json) under the given folders.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from tg_bench.evaluate.seeds import collect_metrics, run_dirs, seed_table
from tg_bench.evaluate.summary import to_markdown


def published_average(metadata_root: Path, folder: str) -> pd.Series:
    path = metadata_root / folder / "result_analysis" / "pearson_correlation.csv"
    return pd.read_csv(path, index_col=0)["average"] if path.is_file() else pd.Series(dtype=float)


def main() -> None:
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=None, help="write the table as Markdown here")
    parser.add_argument("--metric", default="pearson")
    args = parser.parse_args()
    metrics = collect_metrics(run_dirs(args.folders))
    parts = []
    root = Path(os.environ.get("TG_BENCH_DATA", "data/transfergraph-metadata"))
    for zoo, group in metrics.groupby("zoo"):
        table = seed_table(group, args.metric)
        folder = {"image": "image_classification", "text": "sequence_classification"}.get(zoo, zoo)
        paper = published_average(root, folder)
        table.insert(0, "published", table.index.map(paper))
        table = table.sort_values(table.columns[1], ascending=False)
        formatted = pd.DataFrame(index=table.index)
        formatted["published"] = table["published"].map(lambda v: "" if pd.isna(v) else f"{v:.4f}")
        for protocol in ("paper", "clean"):
            if f"{protocol}_mean" in table:
                formatted[f"{protocol} (mean ± std, n)"] = [
                    f"{m:.4f} ± {s:.4f} (n={int(n)})" if pd.notna(m) else ""
                    for m, s, n in zip(
                        table[f"{protocol}_mean"],
                        table[f"{protocol}_std"].fillna(0),
                        table[f"{protocol}_count"].fillna(0),
                        strict=True,
                    )
                ]
        if "paper_mean" in table:
            formatted["paper - published"] = [
                "" if pd.isna(p) else f"{m - p:+.4f}"
                for m, p in zip(table["paper_mean"], table["published"], strict=True)
            ]
        parts.append(to_markdown(formatted, f"{zoo} zoo: weighted-average {args.metric} over seeds"))
    text = "\n".join(parts)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()
