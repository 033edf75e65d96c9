"""Figure 8: every method against the zoo prior, target by target, with paired intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from scipy import stats

from tg_bench.figures.provenance import run_note
from tg_bench.figures.style import method_style
from tg_bench.identity import FLOOR


def target_differences(tidy: pd.DataFrame, reference: str, confidence: float = 0.95) -> pd.DataFrame:
    """Per (zoo, method, target): the mean over seeds of the seed-paired difference method - reference, and
    its t interval over seeds (zero width for deterministic methods or a single seed).

    tidy: per-target rows of one protocol, ratio and metric. Columns `zoo`, `method`, `target`,
    `difference`, `low`, `high`, `seeds`.
    """
    rows = []
    for zoo, of_zoo in tidy.groupby("zoo", sort=True):
        table = of_zoo.pivot_table(index=["method", "target"], columns="seed", values="value", dropna=False)
        if reference not in table.index.get_level_values("method"):
            continue
        ref = table.loc[reference]
        for method in sorted(set(of_zoo["method"]) - {reference}):
            own = table.loc[method].dropna(axis=1, how="all")
            shared = own.columns.intersection(ref.dropna(axis=1, how="all").columns)
            # seed-paired where both have the seed; against the reference's seed mean otherwise
            paired = own[shared] - ref[shared] if len(shared) else own.sub(ref.mean(axis=1), axis=0)
            for target, values in paired.iterrows():
                values = values.dropna().to_numpy(dtype=float)
                if not len(values):
                    continue
                mean, half = float(values.mean()), 0.0
                if len(values) > 1 and values.std(ddof=1) > 0:
                    sem = values.std(ddof=1) / np.sqrt(len(values))
                    half = float(stats.t.ppf(0.5 + confidence / 2, len(values) - 1) * sem)
                rows.append((zoo, method, target, mean, mean - half, mean + half, len(values)))
    return pd.DataFrame(rows, columns=["zoo", "method", "target", "difference", "low", "high", "seeds"])


#: markers of the targets (with their colours), so a target reads in greyscale too
TARGET_MARKERS = ("o", "s", "^", "v", "D", "P", "X", "*", "h", "<")


def wins_against_reference(
    differences: pd.DataFrame,
    paired: pd.DataFrame | None,
    reference: str,
    metric: str = "pearson",
    protocol: str | None = None,
) -> Figure:
    """One panel per zoo: a row per method, a dot per target at (method - reference) with its interval over
    seeds, coloured and shaped by target (each panel has its own key: the zoos have different targets); the
    black diamond and bar: the weighted average over targets with its paired 95 % interval (`paired`, from
    `tg_bench.analysis.paired.paired_intervals`). Right of 0 = the method beats the reference there; the label
    counts targets won. The title states the protocol, seeds and targets.
    Floors (random scores) are left out: they sit near -0.8 and would squeeze every other row against the zero
    line.

    differences: `target_differences` output (columns `zoo`, `method`, `target`, `difference`, `low`, `high`,
        `seeds`).
    """
    differences = differences[differences["method"].map(lambda m: method_style(m).kind != FLOOR).astype(bool)]
    zoos = sorted(differences["zoo"].unique())
    if not zoos:
        raise ValueError(f"no differences against {reference} to draw")
    n_methods = differences.groupby("zoo")["method"].nunique().max()
    n_targets = differences.groupby("zoo")["target"].nunique().max()
    figure = Figure(figsize=(7.2, 1.6 + 0.22 * n_methods + 0.12 * n_targets), layout="constrained")
    axes = figure.subplots(1, len(zoos), squeeze=False)[0]
    for ax, zoo in zip(axes, zoos, strict=True):
        rows = differences[differences["zoo"] == zoo]
        overall = None if paired is None else paired[paired["zoo"] == zoo].set_index("method")
        order = rows.groupby("method")["difference"].mean()
        if overall is not None:  # by the weighted average where the paired intervals give it
            order = overall["difference"].reindex(order.index).fillna(order)
        order = list(order.sort_values(ascending=False).index)
        targets = sorted(rows["target"].unique())
        colours = sns.color_palette("tab10", len(targets))
        offsets = np.linspace(-0.3, 0.3, len(targets))
        for position, method in enumerate(order):
            of_method = rows[rows["method"] == method]
            for index, (offset, target) in enumerate(zip(offsets, targets, strict=True)):
                point = of_method[of_method["target"] == target]
                if point.empty:
                    continue
                d, low, high = point[["difference", "low", "high"]].iloc[0]
                marker = TARGET_MARKERS[index % len(TARGET_MARKERS)]
                ax.errorbar(d, position + offset, xerr=[[d - low], [high - d]], fmt=marker, markersize=2.4,
                            color=colours[index], elinewidth=0.6, label=target if position == 0 else None)  # fmt: skip
            if overall is not None and method in overall.index:
                o = overall.loc[method]
                whisker = [[o["difference"] - o["low"]], [o["high"] - o["difference"]]]
                ax.errorbar(o["difference"], position, xerr=whisker, fmt="D", color="black", markersize=3.5,
                            elinewidth=1.2, capsize=2, label="weighted average, paired 95 % interval"
                            if position == 0 else None)  # fmt: skip
        won = rows.assign(win=rows["difference"] > 0).groupby("method")["win"].sum()
        count = rows.groupby("method")["target"].nunique()
        ax.set_yticks(range(len(order)), [f"{method_style(m).label} ({won[m]}/{count[m]})" for m in order], fontsize=6)
        ax.set_ylim(len(order) - 0.5, -0.5)
        ax.axvline(0, color="0.2", linewidth=0.8)
        ax.set_xlabel(f"{metric}: method - {method_style(reference).label}")
        # the key sits above its own panel, titled by the zoo: the two zoos have different targets
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize="x-small", markerscale=1.3,
                  title=f"{zoo} zoo: targets (dots, 95 % t interval over seeds)", title_fontsize="small")  # fmt: skip
    seeds = differences.groupby("method")["seeds"].max().to_dict()
    figure.suptitle(
        f"{metric}: each method minus the {method_style(reference).label}, per target; "
        f"{run_note(protocol, seeds, int(n_targets))} per zoo. (won/targets) after each name",
        fontsize="small",
    )
    return figure
