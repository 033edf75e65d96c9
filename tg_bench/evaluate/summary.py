"""Per-target tables of one metric, ours beside the paper's, for the console and for Markdown."""

from __future__ import annotations

from collections.abc import Mapping

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


#: the width console tables are made for (a terminal's usual 100 columns)
CONSOLE_WIDTH = 100


def console_table(
    metrics: pd.DataFrame, metric: str, labels: Mapping[str, str], published: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame | None, str]:
    """`metric` per target for a `CONSOLE_WIDTH`-column terminal: rows = methods by their short label
    (`labels`: method -> label, e.g. TG:LR:N2V), best weighted average first; columns T1..Tn (the targets, named
    in the returned key line), `avg` (weighted) and `mean` (plain); three decimals, `±std` over several seeds.
    With `published` (as `metric_table` takes it), a second table: each method's weighted average beside the
    paper's, and the difference. Returns (table, comparison or None, key)."""
    rows = metrics[metrics["metric"] == metric]
    stats = rows.groupby(["method", "target"], sort=False)["value"].agg(["mean", "std", "count"])
    targets = [t for t in dict.fromkeys(rows["target"]) if t not in (AVERAGE, MEAN)]
    short = {t: f"T{i}" for i, t in enumerate(targets, start=1)} | {AVERAGE: "avg", MEAN: "mean"}
    ranked = order_by_average(metrics, metric)
    order = ranked + [m for m in dict.fromkeys(rows["method"]) if m not in set(ranked)]
    table = pd.DataFrame("", index=[labels.get(m, m) for m in order], columns=list(short.values()), dtype=object)
    for (method, target), row in stats.iterrows():
        cell = f"{row['mean']:.3f}" if row["count"] == 1 else f"{row['mean']:.3f}±{row['std']:.3f}"
        table.loc[labels.get(method, method), short[target]] = cell
    key = " · ".join(f"{short[t]} {t}" for t in targets) + "; avg = weighted by max - mean accuracy, mean = plain"
    comparison = None
    if published is not None and len(published):
        paper = published[(published["metric"] == metric) & (published["target"] == AVERAGE)]
        paper = paper.dropna(subset=["published"]).set_index("method")["published"]
        averages = stats.xs(AVERAGE, level="target")["mean"] if AVERAGE in set(rows["target"]) else pd.Series()
        kept = [m for m in order if m in paper.index and m in averages.index]
        comparison = pd.DataFrame(
            {
                "ours (paper's)": [f"{averages[m]:.4f} ({paper[m]:.4f})" for m in kept],
                "ours - paper's": [f"{averages[m] - paper[m]:+.4f}" for m in kept],
            },
            index=[labels.get(m, m) for m in kept],
        )
        if not kept:  # a benchmark's table publishes per-target values only: the differences per target
            comparison = _per_target_differences(stats, published[published["metric"] == metric], short, order, labels)
    return table, comparison, key


def _per_target_differences(
    stats: pd.DataFrame, published: pd.DataFrame, short: Mapping[str, str], order: list[str], labels: Mapping[str, str]
) -> pd.DataFrame:
    """Ours (seed mean) - published per target (columns `short`'s T1..Tn), for the methods with a published
    value; empty where nothing is published."""
    paper = published.dropna(subset=["published"]).set_index(["method", "target"])["published"]
    kept = [m for m in order if m in set(paper.index.get_level_values("method"))]
    columns = [label for target, label in short.items() if target not in (AVERAGE, MEAN)]
    table = pd.DataFrame("", index=[labels.get(m, m) for m in kept], columns=columns, dtype=object)
    for method in kept:
        for target, label in short.items():
            if (method, target) in paper.index and (method, target) in stats.index:
                difference = stats.loc[(method, target), "mean"] - paper[(method, target)]
                table.loc[labels.get(method, method), label] = f"{difference:+.3f}"
    return table


def print_table(table: pd.DataFrame, title: str, index_name: str = "method", width: int | None = None) -> None:
    """`table` as a rich table under `title`, `width` columns wide (None: wide enough for every column). With a
    width, the table has no vertical rules and its first column never wraps: what lets 11 columns of numbers and
    a method's short name fit 100 columns."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    rich_table = Table(
        title=title,
        show_lines=False,
        box=box.SIMPLE_HEAD if width else box.HEAVY_HEAD,
        # with a width: the box's blank rule between columns is their only gap
        padding=(0, 0) if width else (0, 1),
    )
    fixed = width is not None

    def widest(values: list[str]) -> int | None:
        return max(map(len, values)) if fixed else None

    rich_table.add_column(
        index_name, style="bold", no_wrap=fixed, min_width=widest([index_name, *map(str, table.index)])
    )
    for column in table.columns:
        cells = [str(column), *map(str, table[column])]
        rich_table.add_column(str(column), justify="right", no_wrap=fixed, min_width=widest(cells))
    for idx, row in table.iterrows():
        rich_table.add_row(str(idx), *map(str, row))
    Console(width=width or max(160, 24 * (len(table.columns) + 1))).print(rich_table)
