"""Figure 5: the dataset distance matrix of a zoo, clustered."""

from __future__ import annotations

import ast
from collections.abc import Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform


def shorten(name: str, width: int = 32) -> str:
    """A dataset name cut to `width` characters; a hub dataset named by its class list (`"['alpaca', 'llama']"`)
    shows the classes in braces (`{alpaca, llama}`)."""
    if name.startswith("[") and name.endswith("]"):
        try:
            classes = ast.literal_eval(name)
        except (ValueError, SyntaxError):
            classes = None
        if isinstance(classes, list) and all(isinstance(c, str) for c in classes):
            name = "{" + ", ".join(classes) + "}"
    return name if len(name) <= width else name[: width - 1] + "…"


def colour_limits(matrix: pd.DataFrame) -> tuple[float, float, list[str]]:
    """(low, high, outliers): the colour scale of a distance matrix, set by the datasets that are not outliers
    (median distance to the others above Q3 + 1.5 IQR of the datasets' medians), so that one or two far-away
    datasets do not flatten it; their distances are drawn at the top colour (the colourbar's arrow)."""
    values = matrix.to_numpy(dtype=float).copy()
    np.fill_diagonal(values, np.nan)
    medians = pd.Series(np.nanmedian(values, axis=1), index=matrix.index)
    q1, q3 = medians.quantile([0.25, 0.75])
    outliers = list(medians[medians > q3 + 1.5 * (q3 - q1)].index)
    inliers = ~matrix.index.isin(outliers)
    kept = values[np.ix_(inliers, inliers)]
    kept = kept[np.isfinite(kept)]
    if not len(kept):
        kept = values[np.isfinite(values)]
    return float(kept.min()), float(kept.max()), outliers


def distance_heatmap(distances: pd.DataFrame, zoo: str, targets: Sequence[str] = ()) -> Figure:
    """Clustered heatmap of the published distances between dataset embeddings (square, symmetric, indexed
    by dataset name, arbitrary units; smaller = more similar). Rows and columns are reordered by average-linkage
    clustering; evaluation `targets` are printed in bold; the colour scale is that of the datasets other than
    the outliers (`colour_limits`), and the colourbar stands right of the row labels. Datasets without any
    finite distance are left out."""
    matrix = distances.astype(float)
    keep = matrix.notna().sum(axis=1) > 1
    matrix = matrix.loc[keep, keep]
    # the clustering needs a complete matrix: a missing pair gets the largest distance (least similar)
    matrix = matrix.fillna(float(matrix.max().max()))
    # the matrix holds distances, not observations: cluster it as one (condensed form), rows and columns alike
    values = matrix.to_numpy()
    linkage = hierarchy.linkage(squareform((values + values.T) / 2, checks=False), method="average")
    low, high, outliers = colour_limits(matrix)
    size = min(11.0, 2.5 + 0.16 * len(matrix))
    grid = sns.clustermap(
        matrix, row_linkage=linkage, col_linkage=linkage, cmap="viridis_r", figsize=(size, size), dendrogram_ratio=0.08,
        xticklabels=True, yticklabels=True, cbar_pos=None, vmin=low, vmax=high,
    )  # fmt: skip
    bold = set(targets)
    for axis in (grid.ax_heatmap.xaxis, grid.ax_heatmap.yaxis):
        labels = axis.get_ticklabels()
        for label in labels:
            label.set_fontsize(6)
            if label.get_text() in bold:
                label.set_fontweight("bold")
            label.set_text(shorten(label.get_text()))
        axis.set_ticks(axis.get_ticklocs(), labels)
    grid.ax_heatmap.set_xlabel("")
    grid.ax_heatmap.set_ylabel("")
    figure = grid.figure
    # the colourbar goes right of the row labels, whose width is known only once they are drawn
    figure.draw_without_rendering()
    renderer = figure.canvas.get_renderer()
    heatmap = grid.ax_heatmap.get_position()
    labels_right = max(label.get_window_extent(renderer).x1 for label in grid.ax_heatmap.get_yticklabels())
    left = figure.transFigure.inverted().transform((labels_right, 0))[0] + 0.02
    colourbar_axes = figure.add_axes((left, heatmap.y0 + 0.2 * heatmap.height, 0.015, 0.6 * heatmap.height))
    extend = "max" if outliers or float(np.nanmax(values)) > high else "neither"
    colourbar = figure.colorbar(grid.ax_heatmap.collections[0], cax=colourbar_axes, extend=extend)
    note = f"\n(above {high:.3g}: {', '.join(shorten(o, 20) for o in outliers)})" if outliers else ""
    colourbar.set_label(f"distance (smaller = more similar){note}", fontsize=6)
    colourbar.ax.tick_params(labelsize=6)
    figure.suptitle(f"{zoo} zoo: distances between dataset embeddings (evaluation targets in bold)", y=1.0, va="bottom")
    return figure
