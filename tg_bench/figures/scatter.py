"""Figure 6: predicted score against true fine-tuned accuracy, per target, for a method beside two baselines."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from scipy import stats

from tg_bench.figures.style import method_style


def min_max(values: pd.Series) -> pd.Series:
    """`values` scaled to [0, 1] (all 0.5 when they are constant): scores of different methods live on
    different scales (a regressor's accuracy, LogME's evidence), only their order and spread compare."""
    low, high = values.min(), values.max()
    return (values - low) / (high - low) if high > low else values * 0 + 0.5


def predicted_vs_actual(
    predictions: pd.DataFrame,
    methods: Sequence[str],
    targets: Sequence[str] | None = None,
    columns: int = 4,
    protocol: str | None = None,
) -> Figure:
    """One panel per target: each method's min-max scaled score (x) against the model's true accuracy (y,
    fraction) with its least-squares line drawn over the scores' range only; each panel's y axis spans its
    accuracies, and its title gives each method's Pearson r on that target, in the legend's order. The title
    states the protocol, seed and number of models.

    predictions: rows `method`, `target`, `model`, `score`, `accuracy` (and `seed`) of one zoo, protocol and
        seed.
    """
    rows = predictions[predictions["method"].isin(methods)].dropna(subset=["score", "accuracy"])
    targets = list(targets) if targets else sorted(rows["target"].unique())
    if rows.empty or not targets:
        raise ValueError(f"no predictions of {', '.join(methods)} to draw")
    n_rows = int(np.ceil(len(targets) / columns))
    figure = Figure(figsize=(7.2, 0.9 + 1.9 * n_rows), layout="constrained")
    axes = figure.subplots(n_rows, columns, squeeze=False, sharex=True)
    drawn = [m for m in methods if m in set(rows["method"])]
    for ax, target in zip(axes.flat, targets, strict=False):
        correlations = []
        of_target = rows[rows["target"] == target]
        for method in drawn:
            points = of_target[of_target["method"] == method]
            if len(points) < 3:
                correlations.append("–")
                continue
            style = method_style(method)
            x, y = min_max(points["score"]).to_numpy(), points["accuracy"].to_numpy()
            r = stats.pearsonr(x, y).statistic if np.ptp(x) > 0 else np.nan
            correlations.append(f"{r:.2f}")
            ax.scatter(x, y, s=3, alpha=0.45, color=style.colour, marker=style.marker, linewidths=0)
            if np.ptp(x) > 0:
                fit = stats.linregress(x, y)
                ends = np.array([x.min(), x.max()])
                ax.plot(ends, fit.intercept + fit.slope * ends, color=style.colour, linestyle=style.linestyle,
                        linewidth=1)  # fmt: skip
        accuracy = of_target["accuracy"]
        pad = 0.05 * max(float(np.ptp(accuracy)), 0.01)
        ax.set_ylim(max(0.0, accuracy.min() - pad), min(1.0, accuracy.max() + pad))
        ax.set_title(f"{target}\nr: {' / '.join(correlations)}", fontsize="x-small")
        ax.tick_params(labelsize=6)
    for ax in axes.flat[len(targets) :]:
        ax.set_visible(False)
    handles = [
        Line2D([], [], color=method_style(m).colour, marker=method_style(m).marker, linestyle=method_style(m).linestyle,
               markersize=3.5, label=method_style(m).label)
        for m in drawn
    ]  # fmt: skip
    seeds = sorted(rows["seed"].unique()) if "seed" in rows else []
    seed = f"seed {', '.join(map(str, seeds))}" if seeds else None
    models = rows.groupby("target")["model"].nunique()
    about = ", ".join(p for p in (f"{protocol} protocol" if protocol else None, seed) if p)
    count = f"{models.min()}" if models.min() == models.max() else f"{models.min()}-{models.max()}"
    figure.legend(
        handles=handles, loc="outside upper center", ncol=len(handles), fontsize="small",
        title=f"{about}; {count} models per target; r in each title, in this order",
        title_fontsize="small",
    )  # fmt: skip
    figure.supxlabel("score, min-max scaled per target", fontsize="small")
    figure.supylabel("fine-tuned accuracy", fontsize="small")
    return figure
