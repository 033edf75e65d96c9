"""Per-target tables of one metric, ours beside the paper's, for the console and for Markdown."""

from __future__ import annotations

import pandas as pd

from tg_bench.evaluate.scoring import AVERAGE, MEAN


def metric_table(metrics: pd.DataFrame, metric: str, published: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows = methods, columns = targets, `average`, `mean`; cells are 'ours' or 'ours (paper)' strings.

    metrics: long METRIC_COLUMNS frame of one or more seeds; several seeds are shown as mean +- std.
    published: long frame with `method`, `target`, `metric`, `published`.
    """
    rows = metrics[metrics["metric"] == metric]
    stats = rows.groupby(["method", "target"], sort=False)["value"].agg(["mean", "std", "count"])
    paper = {}
    if published is not None and len(published):
        sel = published[published["metric"] == metric]
        paper = {(m, t): v for m, t, v in zip(sel["method"], sel["target"], sel["published"], strict=True)}
    methods = list(dict.fromkeys(rows["method"]))
    targets = [t for t in dict.fromkeys(rows["target"]) if t not in (AVERAGE, MEAN)] + [AVERAGE, MEAN]
    table = pd.DataFrame(index=methods, columns=targets, dtype=object)
    for (method, target), row in stats.iterrows():
        cell = f"{row['mean']:.4f}" if row["count"] == 1 else f"{row['mean']:.4f}±{row['std']:.4f}"
        if (method, target) in paper and pd.notna(paper[(method, target)]):
            cell += f" ({paper[(method, target)]:.4f})"
        table.loc[method, target] = cell
    return table.fillna("")


def order_by_average(metrics: pd.DataFrame, metric: str) -> list[str]:
    rows = metrics[(metrics["metric"] == metric) & (metrics["target"] == AVERAGE)]
    return list(rows.groupby("method")["value"].mean().sort_values(ascending=False).index)


def to_markdown(table: pd.DataFrame, title: str) -> str:
    header = "| method | " + " | ".join(map(str, table.columns)) + " |"
    rule = "|" + "---|" * (len(table.columns) + 1)
    body = ["| " + str(idx) + " | " + " | ".join(map(str, row)) + " |" for idx, row in table.iterrows()]
    return "\n".join([f"### {title}", "", header, rule, *body, ""])


def print_table(table: pd.DataFrame, title: str, index_name: str = "method") -> None:
    from rich.console import Console
    from rich.table import Table

    rich_table = Table(title=title, show_lines=False)
    rich_table.add_column(index_name, style="bold")
    for column in table.columns:
        rich_table.add_column(str(column), justify="right")
    for idx, row in table.iterrows():
        rich_table.add_row(str(idx), *map(str, row))
    Console(width=max(160, 24 * (len(table.columns) + 1))).print(rich_table)
