"""Figure 2: the average correlation against the share of the zoo's models kept (the model-ratio study)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from tg_bench.evaluate.scoring import AVERAGE
from tg_bench.figures.style import method_style


def ratio_curves(stats: pd.DataFrame, metric: str, methods: Sequence[str]) -> Figure:
    """Weighted-average `metric` against model ratio: columns = zoos, rows = protocols. Ours: mean over seeds
    with a ±std band; the paper's value (its `model_ratio_<r>` tables): dashed, same colour, paper row only.

    stats: `seed_statistics` + `with_published` over runs at several ratios (`ratio` 1 = the whole zoo).
    """
    rows = stats[(stats["metric"] == metric) & (stats["target"] == AVERAGE) & stats["method"].isin(methods)]
    if rows["ratio"].nunique() < 2:
        raise ValueError(f"model-ratio figure: {metric} averages at fewer than two ratios")
    zoos, protocols = sorted(rows["zoo"].unique()), [p for p in ("paper", "clean") if p in set(rows["protocol"])]
    figure = Figure(figsize=(7.2, 0.6 + 2.4 * len(protocols)), layout="constrained")
    axes = figure.subplots(len(protocols), len(zoos), squeeze=False, sharex=True, sharey=True)
    for i, protocol in enumerate(protocols):
        for j, zoo in enumerate(zoos):
            ax = axes[i, j]
            panel = rows[(rows["zoo"] == zoo) & (rows["protocol"] == protocol)]
            for method in [m for m in methods if m in set(panel["method"])]:
                line = panel[panel["method"] == method].sort_values("ratio")
                style = method_style(method)
                std = line["std"].fillna(0.0)
                ax.plot(
                    line["ratio"],
                    line["mean"],
                    marker=style.marker,
                    markersize=3,
                    color=style.colour,
                    label=style.label,
                )
                ax.fill_between(line["ratio"], line["mean"] - std, line["mean"] + std, color=style.colour, alpha=0.2)
                published = line.dropna(subset=["published"])
                if len(published):
                    ax.plot(published["ratio"], published["published"], linestyle="--", color=style.colour, linewidth=1)
            ax.set_title(f"{zoo} zoo, {protocol} protocol", fontsize="medium")
            if i == len(protocols) - 1:
                ax.set_xlabel("model ratio (share of the zoo's models)")
            if j == 0:
                ax.set_ylabel(f"weighted-average {metric}")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    handles.append(Line2D([], [], color="0.3", linestyle="--", linewidth=1))
    labels.append("published (paper protocol)")
    figure.legend(handles, labels, loc="outside lower center", ncol=4, fontsize="small")
    return figure
