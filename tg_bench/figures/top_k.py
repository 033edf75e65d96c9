"""Figure 3: what a practitioner who fine-tunes only the top k models gets (top@k) and loses (regret@k)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure

from tg_bench.analysis.tables import target_averages
from tg_bench.evaluate.scoring import AVERAGE
from tg_bench.figures.provenance import run_note
from tg_bench.figures.style import method_style


def top_k_curves(tidy: pd.DataFrame, protocol: str, methods: Sequence[str], ratio: float = 1.0) -> Figure:
    """Per zoo (rows): the weighted-average top@k (best true accuracy among a method's top k, as a fraction)
    and regret@k = 1 - rel@k (the share of the best model's accuracy lost by fine-tuning only the top k)
    against k, mean over seeds with a ±std band.

    tidy: per-target rows (`tg_bench.analysis.tidy`), with metrics `top@<k>` and `rel@<k>`.
    """
    rows = tidy[(tidy["protocol"] == protocol) & (tidy["ratio"] == ratio) & tidy["method"].isin(methods)]
    rows = rows[rows["metric"].str.match(r"^(top|rel)@\d+$")]
    if rows.empty:
        raise ValueError(f"no top@k / rel@k rows under protocol {protocol} to draw")
    averages = target_averages(rows)
    averages["k"] = averages["metric"].str.split("@").str[1].astype(int)
    averages["kind"] = averages["metric"].str.split("@").str[0]
    regret = averages["kind"] == "rel"
    averages.loc[regret, AVERAGE] = 1.0 - averages.loc[regret, AVERAGE]
    zoos = sorted(averages["zoo"].unique())
    figure = Figure(figsize=(7.2, 0.9 + 2.4 * len(zoos)), layout="constrained")
    axes = figure.subplots(len(zoos), 2, squeeze=False, sharex=True)
    for i, zoo in enumerate(zoos):
        of_zoo = rows[rows["zoo"] == zoo]
        seeds = of_zoo.groupby("method")["seed"].nunique().to_dict()
        note = run_note(protocol, seeds, of_zoo["target"].nunique())
        for j, (kind, label) in enumerate((("top", "top@k (accuracy)"), ("rel", "regret@k (1 - rel@k)"))):
            ax = axes[i, j]
            panel = averages[(averages["zoo"] == zoo) & (averages["kind"] == kind)]
            summary = panel.groupby(["method", "k"])[AVERAGE].agg(["mean", "std"]).reset_index()
            for method in [m for m in methods if m in set(summary["method"])]:
                line = summary[summary["method"] == method].sort_values("k")
                style = method_style(method)
                std = line["std"].fillna(0.0)
                ax.plot(line["k"], line["mean"], marker=style.marker, markersize=3.5, color=style.colour,
                        linestyle=style.linestyle, linewidth=1.1, label=style.label)  # fmt: skip
                # a light band: a wide one must not hide the lines under it
                ax.fill_between(line["k"], line["mean"] - std, line["mean"] + std, color=style.colour, alpha=0.1,
                                linewidth=0)  # fmt: skip
            ax.set_title(f"{zoo} zoo: {label.split(' (')[0]}\n{note}", fontsize="small")
            ax.set_ylabel(label)
            if i == len(zoos) - 1:
                ax.set_xlabel("k (models fine-tuned)")
            ax.set_xticks(sorted(summary["k"].unique()))
    handles, labels = axes[0, 0].get_legend_handles_labels()
    title = "weighted average over targets; mean over seeds, band ± std"
    figure.legend(handles, labels, loc="outside lower center", ncol=5, fontsize="small", title=title,
                  title_fontsize="small")  # fmt: skip
    return figure
