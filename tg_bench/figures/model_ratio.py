"""Figure 2: the average correlation against the share of the zoo's models kept (the model-ratio study)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from tg_bench.evaluate.scoring import AVERAGE, MEAN
from tg_bench.figures.provenance import run_note, seeds_phrase
from tg_bench.figures.style import method_style


def ratio_curves(stats: pd.DataFrame, metric: str, methods: Sequence[str]) -> Figure:
    """Weighted-average `metric` against model ratio: columns = zoos, rows = protocols (each panel's y axis fitted
    to its data). Ours: mean over seeds with a ±std band, each method in its colour, marker and line style; the
    paper's value (its `model_ratio_<r>` tables): dotted, same colour, paper row only. Each panel's title states
    its seeds and targets.

    stats: `seed_statistics` + `with_published` over runs at several ratios (`ratio` 1 = the whole zoo).
    """
    chosen = stats[(stats["metric"] == metric) & stats["method"].isin(methods)]
    rows = chosen[chosen["target"] == AVERAGE]
    if rows["ratio"].nunique() < 2:
        raise ValueError(f"model-ratio figure: {metric} averages at fewer than two ratios")
    zoos, protocols = sorted(rows["zoo"].unique()), [p for p in ("paper", "clean") if p in set(rows["protocol"])]
    figure = Figure(figsize=(7.2, 0.9 + 2.6 * len(protocols)), layout="constrained")
    axes = figure.subplots(len(protocols), len(zoos), squeeze=False, sharex=True)
    published_drawn = False
    for i, protocol in enumerate(protocols):
        for j, zoo in enumerate(zoos):
            ax = axes[i, j]
            panel = rows[(rows["zoo"] == zoo) & (rows["protocol"] == protocol)]
            for method in [m for m in methods if m in set(panel["method"])]:
                line = panel[panel["method"] == method].sort_values("ratio")
                style = method_style(method)
                std = line["std"].fillna(0.0)
                ax.plot(line["ratio"], line["mean"], marker=style.marker, markersize=3.5, color=style.colour,
                        linestyle=style.linestyle, linewidth=1.1, label=style.label)  # fmt: skip
                ax.fill_between(line["ratio"], line["mean"] - std, line["mean"] + std, color=style.colour, alpha=0.12,
                                linewidth=0)  # fmt: skip
                published = line.dropna(subset=["published"])
                if len(published):
                    published_drawn = True
                    ax.plot(published["ratio"], published["published"], linestyle=":", color=style.colour,
                            linewidth=1.0)  # fmt: skip
            of_panel = chosen[(chosen["zoo"] == zoo) & (chosen["protocol"] == protocol)]
            targets = of_panel.loc[~of_panel["target"].isin([AVERAGE, MEAN]), "target"].nunique()
            ax.set_title(f"{zoo} zoo, {protocol} protocol\n{_seeds_note(panel, targets)}", fontsize="small")
            if i == len(protocols) - 1:
                ax.set_xlabel("model ratio (share of the zoo's models)")
            if j == 0:
                ax.set_ylabel(f"weighted-average {metric}")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    if published_drawn:
        handles.append(Line2D([], [], color="black", linestyle=":", linewidth=1))
        labels.append("published (paper protocol), same colour")
    figure.legend(handles, labels, loc="outside lower center", ncol=4, fontsize="small",
                  title="mean over seeds, band ± std", title_fontsize="small")  # fmt: skip
    return figure


def _seeds_note(panel: pd.DataFrame, targets: int) -> str:
    """Seeds and targets of one panel's rows (`seeds` per method and ratio): the fewest seeds a method ran at
    any ratio, and the whole zoo's (ratio 1) where that differs (the paper protocol's TransferGraph rows below
    ratio 1 ran seed 0 only)."""
    fewest = panel.groupby("method")["seeds"].min().to_dict()
    note = run_note(None, fewest, targets or None)
    whole = panel[panel["ratio"] == 1.0].set_index("method")["seeds"].to_dict()
    if whole and any(whole.get(m, n) != n for m, n in fewest.items()):
        note += f"; at ratio 1: {seeds_phrase(whole)}"
    return note
