"""Figure 6: predicted score against true fine-tuned accuracy, per target, for a method beside two baselines."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from tg_bench.figures.style import method_style


def min_max(values: pd.Series) -> pd.Series:
    """`values` scaled to [0, 1] (all 0.5 when they are constant): scores of different methods live on
    different scales (a regressor's accuracy, LogME's evidence), only their order and spread compare."""
    low, high = values.min(), values.max()
    return (values - low) / (high - low) if high > low else values * 0 + 0.5


def predicted_vs_actual(
    predictions: pd.DataFrame, methods: Sequence[str], targets: Sequence[str] | None = None, columns: int = 4
) -> Figure:
    """One panel per target: each method's min-max scaled score (x) against the model's true accuracy (y,
    fraction) with a least-squares line; the legend gives each method's Pearson r on that target.

    predictions: rows `method`, `target`, `model`, `score`, `accuracy` of one zoo, protocol and seed.
    """
    rows = predictions[predictions["method"].isin(methods)].dropna(subset=["score", "accuracy"])
    targets = list(targets) if targets else sorted(rows["target"].unique())
    if rows.empty or not targets:
        raise ValueError(f"no predictions of {', '.join(methods)} to draw")
    n_rows = int(np.ceil(len(targets) / columns))
    figure = Figure(figsize=(7.2, 0.5 + 1.9 * n_rows), layout="constrained")
    axes = figure.subplots(n_rows, columns, squeeze=False, sharex=True)
    for ax, target in zip(axes.flat, targets, strict=False):
        for method in methods:
            points = rows[(rows["method"] == method) & (rows["target"] == target)]
            if len(points) < 3:
                continue
            style = method_style(method)
            x, y = min_max(points["score"]).to_numpy(), points["accuracy"].to_numpy()
            r = stats.pearsonr(x, y).statistic if np.ptp(x) > 0 else np.nan
            ax.scatter(x, y, s=3, alpha=0.45, color=style.colour, linewidths=0)
            if np.ptp(x) > 0:
                fit = stats.linregress(x, y)
                ax.plot([0, 1], [fit.intercept, fit.intercept + fit.slope], color=style.colour, linewidth=1,
                        label=f"{style.label} r={r:.2f}")  # fmt: skip
        ax.set_title(target, fontsize="small")
        ax.legend(fontsize=5, loc="lower right", handlelength=1)
        ax.tick_params(labelsize=6)
    for ax in axes.flat[len(targets) :]:
        ax.set_visible(False)
    figure.supxlabel("score, min-max scaled per target", fontsize="small")
    figure.supylabel("fine-tuned accuracy", fontsize="small")
    return figure
