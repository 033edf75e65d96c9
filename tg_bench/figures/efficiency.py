"""Figure 4: seconds per target against model ratio, TransferGraph against the per-model scoring estimators."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from tg_bench.figures.style import PALETTES, method_style, style_of_label
from tg_bench.identity import TRANSFERGRAPH

#: the stages of a TransferGraph variant's pipeline (run.json `unit_seconds`)
TRANSFERGRAPH_STAGES = ("graph", "embedding", "features", "regression")
#: markers of the paper's runtime rows, in the table's order
PUBLISHED_MARKERS = ("^", "v", "D")

#: how the paper's estimator lines are told apart where their times nearly coincide (LogME, Reg-H-Score)
PUBLISHED_LINESTYLES = ("--", ":", "-.")
#: relative difference below which two published lines are said to coincide
COINCIDE = 0.1


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
    """One panel per zoo, log-scaled seconds per target against model ratio: ours (TransferGraph, mean over its
    variants and seeds, per protocol) and the paper's runtime rows, each published row in its method's colour
    with a marker and line style of its own; a row within `COINCIDE` of an earlier one says so in its label.
    What the times include is in docs/method.md (Figure 4), not in the image.

    seconds: stage seconds of our runs (`tg_bench.analysis.seconds.SECONDS_COLUMNS`).
    published: the paper's runtime table (`tg_bench.evaluate.published.read_published_runtime`) with a `zoo`
        column.
    """
    ours = variant_seconds(seconds)
    zoos = sorted(set(ours["zoo"]) | set(published.get("zoo", pd.Series(dtype=str))))
    if not zoos:
        raise ValueError("efficiency figure: no seconds to draw")
    figure = Figure(figsize=(7.2, 3.0), layout="constrained")
    axes = figure.subplots(1, len(zoos), squeeze=False, sharey=True)[0]
    # the paper's runtime rows are named by label (`LogME`, `TG:XGB:GAT`): drawn in that method's colour
    published_styles = {name: style_of_label(name) for name in published.get("method", pd.Series(dtype=str)).unique()}
    tg_styles = [style for style in published_styles.values() if style.kind == TRANSFERGRAPH]
    tg_colour = tg_styles[0].colour if tg_styles else PALETTES[TRANSFERGRAPH][0]
    for ax, zoo in zip(axes, zoos, strict=True):
        for protocol, marker in (("paper", "o"), ("clean", "s")):
            line = ours[(ours["zoo"] == zoo) & (ours["protocol"] == protocol)]
            seeds = int(line["seed"].nunique())
            line = line.groupby("ratio")["seconds"].agg(["mean", "std"]).reset_index()
            if len(line):
                ax.errorbar(
                    line["ratio"], line["mean"], yerr=line["std"].fillna(0.0), marker=marker, markersize=3,
                    color=tg_colour if protocol == "clean" else "0.35", capsize=2,
                    label=f"TG, ours: {protocol} protocol (mean of variants, {seeds} seed{'s' * (seeds != 1)})",
                )  # fmt: skip
        theirs = published[published["zoo"] == zoo] if "zoo" in published else published.iloc[0:0]
        earlier: dict[str, pd.Series] = {}
        for index, (name, group) in enumerate(theirs.groupby("method", sort=False)):
            line = group.groupby("ratio")["seconds"].mean()
            style = published_styles[name]
            marker = PUBLISHED_MARKERS[index % len(PUBLISHED_MARKERS)]
            twin = next((other for other, seen in earlier.items() if _coincide(line, seen)), None)
            label = f"{name}, published" + (f" (within {COINCIDE:.0%} of {twin})" if twin else "")
            ax.plot(line.index, line.values, linestyle=PUBLISHED_LINESTYLES[index % len(PUBLISHED_LINESTYLES)],
                    marker=marker, markersize=4 if twin else 3, markerfacecolor="none" if twin else style.colour,
                    color=style.colour, label=label)  # fmt: skip
            earlier[name] = line
        ax.set_yscale("log")
        ax.set_title(f"{zoo} zoo", fontsize="medium")
        ax.set_xlabel("model ratio")
        ax.set_xticks(np.round(sorted(set(ours["ratio"]) | set(theirs["ratio"])), 1))
    axes[0].set_ylabel("seconds per target (log scale)")
    handles: dict[str, object] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    figure.legend(list(handles.values()), list(handles), loc="outside lower center", ncol=2, fontsize="x-small")
    return figure


def _coincide(line: pd.Series, other: pd.Series) -> bool:
    """Whether two published lines (seconds by ratio) are within `COINCIDE` of each other at every ratio."""
    shared = line.index.intersection(other.index)
    return bool(len(shared)) and bool((abs(line[shared] / other[shared] - 1) < COINCIDE).all())
