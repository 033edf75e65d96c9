"""Figure 5: the dataset distance matrix of a zoo, clustered."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform


def shorten(name: str, width: int = 32) -> str:
    """A dataset name cut to `width` characters (some hub datasets are named by their class lists)."""
    return name if len(name) <= width else name[: width - 1] + "…"


def distance_heatmap(distances: pd.DataFrame, zoo: str, targets: Sequence[str] = ()) -> Figure:
    """Clustered heatmap of the published distances between dataset embeddings (square, symmetric, indexed
    by dataset name, arbitrary units; smaller = more similar). Rows and columns are reordered by average-linkage
    clustering; evaluation `targets` are printed in bold. Datasets without any finite distance are left out."""
    matrix = distances.astype(float)
    keep = matrix.notna().sum(axis=1) > 1
    matrix = matrix.loc[keep, keep]
    # the clustering needs a complete matrix: a missing pair gets the largest distance (least similar)
    matrix = matrix.fillna(float(matrix.max().max()))
    # the matrix holds distances, not observations: cluster it as one (condensed form), rows and columns alike
    values = matrix.to_numpy()
    linkage = hierarchy.linkage(squareform((values + values.T) / 2, checks=False), method="average")
    size = min(11.0, 2.5 + 0.16 * len(matrix))
    grid = sns.clustermap(
        matrix, row_linkage=linkage, col_linkage=linkage, cmap="viridis_r", figsize=(size, size), dendrogram_ratio=0.08,
        xticklabels=True, yticklabels=True, cbar_pos=(0.03, 0.93, 0.12, 0.015),
        cbar_kws={"label": "distance", "orientation": "horizontal"},
    )  # fmt: skip
    for axis in (grid.ax_heatmap.xaxis, grid.ax_heatmap.yaxis):
        labels = axis.get_ticklabels()
        for label in labels:
            label.set_fontsize(6)
            if label.get_text() in set(targets):
                label.set_fontweight("bold")
            label.set_text(shorten(label.get_text()))
        axis.set_ticks(axis.get_ticklocs(), labels)
    grid.ax_heatmap.set_xlabel("")
    grid.ax_heatmap.set_ylabel("")
    grid.figure.suptitle(f"{zoo} zoo: distances between dataset embeddings (evaluation targets in bold)", y=1.0)
    return grid.figure
