"""Figure 4: seconds per target against model ratio, TransferGraph against the per-model scoring estimators."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from tg_bench.figures.style import PALETTES, method_style, style_of_label
from tg_bench.identity import TRANSFERGRAPH

#: the stages of a TransferGraph variant's pipeline (run.json `unit_seconds`)
TRANSFERGRAPH_STAGES = ("graph", "embedding", "features", "regression")
#: markers of the paper's runtime rows, in the table's order
PUBLISHED_MARKERS = ("^", "v", "D")

CAPTION = (
    "Seconds per target against model ratio. Ours (solid): TransferGraph's graph, embedding, features and "
    "regression stages from our runs' run.json (unit_seconds; wall_seconds of runs older than it), summed over "
    "the 12 variants and divided by 12 and by the number of targets, on a 2-core CPU VM, mean over seeds. "
    "Published (dashed): the authors' "
    "result_analysis/efficiency/runtime.csv; their LogME and Reg-H-Score times are per-model feature extraction "
    "plus scoring summed over the kept models (we did not extract the zoo's features: no hub access), their "
    "TG:XGB:GAT time the logged pipeline plus dataset embedding, on their hardware. Wall seconds are per "
    "process: runs that shared the cores with others (our headline runs at ratio 1.0 ran both zoos side by "
    "side, 4 worker processes on 2 cores) show up to twice the time of a run alone."
)


def variant_seconds(seconds: pd.DataFrame) -> pd.DataFrame:
    """Per (zoo, protocol, ratio, seed): seconds per target and TransferGraph variant, from stage seconds
    (`tg_bench.analysis.seconds`). The number of variants is the number of `predict:<variant>` stages of
    TransferGraph methods in the run. Columns `zoo`, `protocol`, `ratio`, `seed`, `seconds`, `variants`."""
    keys = ["zoo", "protocol", "ratio", "seed"]
    rows = []
    for key, run in seconds.groupby(keys, sort=True):
        stages = run.set_index("stage")["seconds"]
        variants = sum(
            1 for s in stages.index if s.startswith("predict:") and method_style(s[8:]).kind == TRANSFERGRAPH
        )
        total = float(stages.reindex(list(TRANSFERGRAPH_STAGES)).fillna(0.0).sum())
        targets = int(run["targets"].max())
        if variants and total > 0 and targets:
            rows.append((*key, total / variants / targets, variants))
    return pd.DataFrame(rows, columns=[*keys, "seconds", "variants"])


def efficiency(seconds: pd.DataFrame, published: pd.DataFrame) -> Figure:
    """One panel per zoo, log-scaled seconds per target against model ratio.

    seconds: stage seconds of our runs (`tg_bench.analysis.seconds.SECONDS_COLUMNS`).
    published: the paper's runtime table (`tg_bench.evaluate.published.read_published_runtime`) with a `zoo`
        column.
    """
    ours = variant_seconds(seconds)
    zoos = sorted(set(ours["zoo"]) | set(published.get("zoo", pd.Series(dtype=str))))
    if not zoos:
        raise ValueError("efficiency figure: no seconds to draw")
    figure = Figure(figsize=(7.2, 2.8), layout="constrained")
    axes = figure.subplots(1, len(zoos), squeeze=False, sharey=True)[0]
    # the paper's runtime rows are named by label (`LogME`, `TG:XGB:GAT`): drawn in that method's colour
    published_styles = {name: style_of_label(name) for name in published.get("method", pd.Series(dtype=str)).unique()}
    tg_styles = [style for style in published_styles.values() if style.kind == TRANSFERGRAPH]
    tg_colour = tg_styles[0].colour if tg_styles else PALETTES[TRANSFERGRAPH][0]
    for ax, zoo in zip(axes, zoos, strict=True):
        for protocol, marker in (("paper", "o"), ("clean", "s")):
            line = ours[(ours["zoo"] == zoo) & (ours["protocol"] == protocol)]
            line = line.groupby("ratio")["seconds"].agg(["mean", "std"]).reset_index()
            if len(line):
                ax.errorbar(
                    line["ratio"], line["mean"], yerr=line["std"].fillna(0.0), marker=marker, markersize=3,
                    color=tg_colour if protocol == "clean" else "0.35", capsize=2,
                    label=f"TG (mean of variants), ours, {protocol} protocol",
                )  # fmt: skip
        theirs = published[published["zoo"] == zoo] if "zoo" in published else published.iloc[0:0]
        for index, (name, group) in enumerate(theirs.groupby("method", sort=False)):
            line = group.groupby("ratio")["seconds"].mean()
            style = published_styles[name]
            marker = PUBLISHED_MARKERS[min(index, len(PUBLISHED_MARKERS) - 1)]
            ax.plot(line.index, line.values, linestyle="--", marker=marker, markersize=3, color=style.colour,
                    label=f"{name}, published")  # fmt: skip
        ax.set_yscale("log")
        ax.set_title(f"{zoo} zoo", fontsize="medium")
        ax.set_xlabel("model ratio")
        ax.set_xticks(np.round(sorted(set(ours["ratio"]) | set(theirs["ratio"])), 1))
    axes[0].set_ylabel("seconds per target (log scale)")
    handles, labels = {}, {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
            labels[label] = label
    # the legend goes on top: the caption takes the bottom
    figure.legend(list(handles.values()), list(labels), loc="outside upper center", ncol=3, fontsize="small")
    # the caption is part of the figure: whose times these are must travel with it
    figure.text(0.0, -0.02, textwrap.fill(CAPTION, 170), fontsize=5.5, va="top", ha="left", color="0.25")
    return figure
