"""Figure 7: the spread of fine-tuned accuracies over the zoo's models, per target."""

from __future__ import annotations

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure


def accuracy_boxes(accuracies: pd.DataFrame, protocol: str | None = None) -> Figure:
    """Box plots of the models' fine-tuned accuracy (fraction) per target, one panel per zoo, targets sorted
    by median; the number of models is in each target's label, the `protocol` whose ground truth they are in
    the title.

    accuracies: columns `zoo`, `target`, `model`, `accuracy` (`tg_bench.figures.inputs.accuracies`).
    """
    zoos = sorted(accuracies["zoo"].unique())
    if not zoos:
        raise ValueError("no accuracies to draw")
    figure = Figure(figsize=(7.2, 3.0), layout="constrained")
    axes = figure.subplots(1, len(zoos), squeeze=False, sharey=True)[0]
    for ax, zoo in zip(axes, zoos, strict=True):
        rows = accuracies[accuracies["zoo"] == zoo]
        order = rows.groupby("target")["accuracy"].median().sort_values().index
        counts = rows.groupby("target")["model"].nunique()
        labelled = rows.assign(label=rows["target"] + " (" + rows["target"].map(counts).astype(str) + ")")
        sns.boxplot(
            data=labelled, x="label", y="accuracy", order=[f"{t} ({counts[t]})" for t in order], ax=ax,
            color=sns.color_palette("colorblind")[0], fliersize=1.5, linewidth=0.7,
        )  # fmt: skip
        truth = f", {protocol} protocol's ground truth" if protocol else ""
        ax.set_title(f"{zoo} zoo: {rows['target'].nunique()} targets{truth}", fontsize="small")
        ax.set_xlabel("target (models)")
        ax.set_ylabel("fine-tuned accuracy")
        ax.tick_params(axis="x", labelrotation=60, labelsize=6)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
    return figure
