"""The README's headline table: per zoo and protocol, the zoo prior, the k-NN prior, the best TransferGraph
variant and the stacked prior on weighted-average Pearson, each against the zoo prior.

`tg-bench aggregate` writes it as `headline.md` beside the summary when the runs hold those methods (the
headline runs, `results/transfergraph`); the README quotes that file verbatim and a test checks it does.
"""

from __future__ import annotations

import pandas as pd

from tg_bench.analysis.export import PROTOCOL_ORDER, versus_cell
from tg_bench.evaluate.scoring import AVERAGE

#: the methods the table is built around, by name in the output tables
ZOO_PRIOR, KNN_PRIOR, STACKED_PRIOR, LOGME = "zoo_prior", "knn_prior", "stacked_prior", "LogME"
#: the suffix of the TransferGraph variants on the paper's graph without transferability edges (the 12)
VARIANT_SUFFIX = "_all_normalize_without_transfer"


def headline_table(stats: pd.DataFrame, paired: pd.DataFrame, labels: dict[str, str]) -> str | None:
    """Markdown of the headline table from `statistics.csv` and `paired_zoo_prior.csv` rows (weighted-average
    Pearson at model ratio 1); `labels`: method -> its short label (methods.csv). None when the rows lack any
    of the table's methods or variants."""
    stats = stats[(stats["metric"] == "pearson") & (stats["target"] == AVERAGE) & (stats["ratio"] == 1)]
    paired = paired[(paired["metric"] == "pearson") & (paired["ratio"] == 1) & (paired["reference"] == ZOO_PRIOR)]
    lines = [
        "| zoo, protocol | zoo prior | k-NN prior - zoo prior | best TransferGraph variant | its - zoo prior "
        "| stacked prior | its - zoo prior | LogME |",
        "|---|---|---|---|---|---|---|---|",
    ]
    groups = sorted(stats.groupby(["zoo", "protocol"]), key=lambda g: (g[0][0], PROTOCOL_ORDER.get(g[0][1], 2)))
    for (zoo, protocol), group in groups:
        means = group.set_index("method")
        versus = paired[(paired["zoo"] == zoo) & (paired["protocol"] == protocol)].set_index("method")
        variants = means[means.index.str.endswith(VARIANT_SUFFIX)]
        needed = {ZOO_PRIOR, KNN_PRIOR, STACKED_PRIOR, LOGME}
        if not needed <= set(means.index) or variants.empty or not {KNN_PRIOR, STACKED_PRIOR} <= set(versus.index):
            return None
        best = variants["mean"].idxmax()
        lines.append(
            f"| {zoo}, {protocol} | {means.at[ZOO_PRIOR, 'mean']:.4f} | {versus_cell(versus.loc[KNN_PRIOR])} "
            f"| {labels.get(best, best)} {means.at[best, 'mean']:.4f} ± {means.at[best, 'std']:.4f} "
            f"| {versus_cell(versus.loc[best])} | {means.at[STACKED_PRIOR, 'mean']:.4f} "
            f"| {versus_cell(versus.loc[STACKED_PRIOR])} | {means.at[LOGME, 'mean']:.4f} |"
        )
    return "\n".join(lines) + "\n"
