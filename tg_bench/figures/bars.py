"""Figure 1: the average correlation of every method, both protocols side by side (the paper's bar chart)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from tg_bench.evaluate.scoring import AVERAGE, MEAN
from tg_bench.figures.provenance import run_note
from tg_bench.figures.style import method_style
from tg_bench.identity import TRANSFERGRAPH

PROTOCOLS = ("paper", "clean")


def average_bars(
    stats: pd.DataFrame, metric: str = "pearson", ratio: float = 1.0, reference: str | None = None
) -> Figure:
    """Horizontal bars of the weighted-average `metric` per method: one row of panels per zoo, one column per
    protocol, methods sorted by their clean-protocol mean (so a method sits on the same line in both columns).
    Each panel's title states its seeds and targets; each bar's value is printed just past its end.

    stats: `tg_bench.analysis.tables.seed_statistics` output with a `published` column (`with_published`);
        rows of `metric`, `ratio` and target `average` are drawn. Error bars: the std over seeds; a black
        diamond: the paper's value (paper protocol only); a dashed line: the `reference` method's mean.
    """
    chosen = stats[(stats["metric"] == metric) & (stats["ratio"] == ratio)]
    rows = chosen[chosen["target"] == AVERAGE]
    if rows.empty:
        raise ValueError(f"no weighted-average {metric} rows at ratio {ratio:g} to draw")
    zoos = sorted(rows["zoo"].unique())
    # a study of one protocol (the classic benchmark: clean only) gets one column
    protocols = [p for p in PROTOCOLS if p in set(rows["protocol"])]
    n_methods = rows.groupby("zoo")["method"].nunique().max()
    width = 7.2 if len(protocols) > 1 else 4.2
    figure = Figure(figsize=(width, 1.1 + 0.19 * n_methods * len(zoos)), layout="constrained")
    axes = figure.subplots(len(zoos), len(protocols), squeeze=False, sharex=True)
    ends = rows["mean"] + rows["std"].fillna(0.0)
    right = float(np.nanmax([ends.max(), rows["published"].max() if "published" in rows else np.nan]))
    left = min(0.0, float(np.nanmin(rows["mean"] - rows["std"].fillna(0.0))) - 0.05)
    for row, zoo in enumerate(zoos):
        of_zoo = rows[rows["zoo"] == zoo]
        order = _order(of_zoo)
        for col, protocol in enumerate(protocols):
            ax = axes[row, col]
            table = of_zoo[of_zoo["protocol"] == protocol].set_index("method").reindex(order)
            _draw_bars(ax, table, reference)
            ax.set_yticks(range(len(order)), [method_style(m).label for m in order] if col == 0 else [])
            ax.set_ylim(len(order) - 0.5, -0.5)
            # room right of the longest bar for its printed value
            ax.set_xlim(left, right + 0.13 * (right - left))
            panel = chosen[(chosen["zoo"] == zoo) & (chosen["protocol"] == protocol)]
            targets = panel.loc[~panel["target"].isin([AVERAGE, MEAN]), "target"].nunique()
            seeds = panel[panel["target"] == AVERAGE].set_index("method")["seeds"].to_dict()
            note = run_note(None, seeds, targets or None) if len(panel) else "no runs"
            ax.set_title(f"{zoo} zoo, {protocol} protocol\n{note}", fontsize="small")
    figure.supxlabel(f"weighted-average {metric} over targets (mean ± std over seeds)", fontsize="small")
    figure.legend(
        handles=_legend(rows, reference), loc="outside upper center", ncol=4, fontsize="small",
        title="colour: the method (a TransferGraph variant's hue: its graph learner); hatch: its regressor"
        if any(method_style(m).kind == TRANSFERGRAPH for m in rows["method"].unique())
        else "colour: the method",
        title_fontsize="small",
    )  # fmt: skip
    return figure


def _order(of_zoo: pd.DataFrame) -> list[str]:
    """Methods by their clean-protocol mean, best first (by the paper protocol's where clean is missing)."""
    means = of_zoo.pivot_table(index="method", columns="protocol", values="mean", aggfunc="first")
    key = means.get("clean", pd.Series(np.nan, index=means.index)).fillna(means.get("paper"))
    return list(key.sort_values(ascending=False).index)


def _draw_bars(ax, table: pd.DataFrame, reference: str | None) -> None:
    """One bar per row of `table` (indexed by method, columns `mean`, `std`, `published`), NaN rows left empty,
    its value printed past the bar's end (past its error bar and diamond), and a dashed line at the
    `reference` method's mean."""
    for position, (method, values) in enumerate(table.iterrows()):
        if np.isnan(values["mean"]):
            continue
        style = method_style(method)
        ax.barh(position, values["mean"], color=style.colour, hatch=style.hatch, edgecolor="0.2", linewidth=0.4)
        std = values["std"] if values["std"] > 0 else 0.0
        if std:
            ax.errorbar(values["mean"], position, xerr=std, color="black", capsize=1.5, linewidth=0.8)
        published = values.get("published", np.nan)
        if not np.isnan(published):
            ax.plot(published, position, marker="D", color="black", markersize=3.5, linestyle="none")
        end = np.nanmax([max(values["mean"], 0.0) + std, published])
        # a white box under the label: the zoo prior's dashed line crosses the labels of bars ending near it
        ax.text(
            end + 0.015, position, f"{values['mean']:.3f}", ha="left", va="center", fontsize=5.5, color="0.15",
            zorder=4, bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.3, "alpha": 0.85},
        )  # fmt: skip
    if reference in table.index and not np.isnan(table.loc[reference, "mean"]):
        ax.axvline(table.loc[reference, "mean"], color="black", linestyle="--", linewidth=0.8)


def _legend(rows: pd.DataFrame, reference: str | None) -> list:
    """The hatch of each regressor, and the markers: every bar is named by its row label."""
    styles = {method_style(m) for m in rows["method"].unique()}
    handles = []
    hatches = {s.regressor: s.hatch for s in sorted(styles, key=lambda s: s.label) if s.kind == TRANSFERGRAPH}
    for regressor, hatch in hatches.items():
        handles.append(Patch(facecolor="none", edgecolor="0.2", hatch=hatch, label=f"TG:{regressor}:*"))
    if "published" in rows and rows["published"].notna().any():
        handles.append(Line2D([], [], marker="D", color="black", linestyle="none", markersize=3.5, label="published"))
    handles.append(Line2D([], [], color="black", marker="|", linestyle="none", label="± std over seeds"))
    if reference is not None:
        handles.append(Line2D([], [], color="black", linestyle="--", label=method_style(reference).label))
    return handles
