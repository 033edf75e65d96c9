"""Published values beside ours, per method and target, for any metric a zoo published (the paper's tables, a
tidy zoo's `published/`)."""

from __future__ import annotations

import pandas as pd

from tg_bench.analysis.export import method_order
from tg_bench.analysis.tables import zoo_targets
from tg_bench.evaluate.scoring import AVERAGE, MEAN

COMPARE_COLUMNS = ["zoo", "ratio", "metric", "method", "target", "published", "mean", "std", "seeds", "difference"]


def paper_vs_ours(stats: pd.DataFrame) -> pd.DataFrame:
    """Rows of `stats` (`seed_statistics` + `with_published`, which leaves the paper's values out under other
    protocols than the paper's) that have a published value, with `difference` = our seed mean - published. The
    plain `mean` over targets has no published counterpart and is left out; the `average` row only where the
    run covered all of the zoo's targets."""
    rows = stats[(stats["target"] != MEAN) & stats["published"].notna()]
    return rows.assign(difference=rows["mean"] - rows["published"])[COMPARE_COLUMNS].reset_index(drop=True)


def comparison_table(compared: pd.DataFrame, targets: str = "all") -> pd.DataFrame:
    """One zoo, ratio and metric of `paper_vs_ours` as display rows: method, target, published, ours (mean ±
    std over seeds), ours - published. Methods by their seed-mean weighted average (best first), targets in the
    zoo's order. `targets`: `average` (the weighted averages only), `per-target` (the rest) or `all`."""
    zoo = compared["zoo"].iloc[0]
    order = {t: i for i, t in enumerate(zoo_targets(zoo) or ())}
    methods = {m: i for i, m in enumerate(method_order(compared.assign(protocol="paper")))}
    rows = compared
    if targets == "average":
        rows = rows[rows["target"] == AVERAGE]
    elif targets == "per-target":
        rows = rows[rows["target"] != AVERAGE]
    rows = rows.assign(
        _m=rows["method"].map(methods), _t=rows["target"].map(lambda t: order.get(t, len(order) + (t == AVERAGE)))
    ).sort_values(["_m", "_t", "target"])
    return pd.DataFrame(
        {
            "method": rows["method"],
            "target": rows["target"],
            "published": rows["published"].map("{:.4f}".format),
            "ours": [
                f"{m:.4f}" if pd.isna(s) or s == 0 else f"{m:.4f} ± {s:.4f}"
                for m, s in zip(rows["mean"], rows["std"], strict=True)
            ],
            # rounded first, so an exact reproduction reads +0.0000 rather than -0.0000
            "ours - published": rows["difference"].round(4).add(0.0).map("{:+.4f}".format),
        }
    ).set_index(["method", "target"])
