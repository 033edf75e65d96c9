"""Both zoos' held-out targets as one benchmark, the zoo as a stratum (docs/method.md 14).

The pooled weighted average of a method is its weighted average over every target of every zoo (each target's
own weight, max - mean accuracy), i.e. the zoos' weighted averages mixed by their share of the total weight.
The paired comparison with a reference uses the same point estimate, but its standard error comes from the
spread within each zoo (`tg_bench.analysis.intervals.stratified_error`): that one zoo's methods are better
everywhere than another's is not evidence about a method, and not counted as noise either.
"""

from __future__ import annotations

import pandas as pd

from tg_bench.analysis.intervals import (
    minimum_detectable_difference,
    stratified_error,
    stratified_p_value,
    stratified_t_interval,
    weighted_mean,
)
from tg_bench.analysis.paired import PAIRED_COLUMNS, per_target_differences

#: the `zoo` of pooled rows in the aggregate tables
POOLED = "pooled"
#: what groups runs that can be pooled: the same protocol and model ratio on different zoos
POOL_GROUP = ["protocol", "ratio"]


def _shared_methods(group: pd.DataFrame) -> list[str]:
    """Methods present on every zoo of `group`, in first-seen order."""
    per_zoo = group.groupby("zoo")["method"].agg(set)
    shared = set.intersection(*per_zoo)
    return [m for m in dict.fromkeys(group["method"]) if m in shared]


def pooled_tidy(tidy: pd.DataFrame) -> pd.DataFrame:
    """Tidy rows (`tg_bench.analysis.tidy.TIDY_COLUMNS`) of every (protocol, ratio) that at least two zoos ran,
    for the methods every one of those zoos has, relabelled as one zoo `POOLED` with targets `<zoo>/<target>`;
    empty when no two zoos share a protocol and ratio. Weighted averages of these rows are the pooled ones."""
    frames = []
    for _, group in tidy.groupby(POOL_GROUP, sort=False):
        if group["zoo"].nunique() < 2:
            continue
        kept = group[group["method"].isin(_shared_methods(group))]
        frames.append(kept.assign(target=kept["zoo"] + "/" + kept["target"], zoo=POOLED))
    if not frames:
        return tidy.iloc[0:0]
    return pd.concat(frames, ignore_index=True)[list(tidy.columns)]


def pooled_paired(tidy: pd.DataFrame, reference: str, confidence: float = 0.95, power: float = 0.8) -> pd.DataFrame:
    """Per (protocol, ratio, metric) that at least two zoos ran and method (other than `reference`) every one of
    them has: the weighted-average difference to `reference` over all their targets, the stratified t interval
    at `confidence`, its p-value, the minimum difference detectable with `power`, targets won and lost.
    Columns `PAIRED_COLUMNS`, `zoo` = `POOLED`. A method with fewer than 2 targets on a zoo gives no row."""
    rows = []
    for key, group in tidy.groupby([*POOL_GROUP, "metric"], sort=False):
        if group["zoo"].nunique() < 2 or reference not in set(group["method"]):
            continue
        for method in _shared_methods(group):
            if method == reference:
                continue
            parts = [
                per_target_differences(zoo_rows, method, reference).assign(stratum=zoo)
                for zoo, zoo_rows in group.groupby("zoo", sort=True)
            ]
            diffs = pd.concat(parts, ignore_index=True)
            if diffs.groupby("stratum").size().min() < 2 or diffs["stratum"].nunique() < 2:
                continue
            d, w, strata = diffs["difference"].to_numpy(), diffs["weight"].to_numpy(), diffs["stratum"].to_numpy()
            point = float(weighted_mean(d, w))
            low, high = stratified_t_interval(d, w, strata, confidence)
            se, df = stratified_error(d, w, strata)
            mdd = minimum_detectable_difference(w, se, 1 - confidence, power, df=df)
            protocol, ratio, metric = key
            rows.append(
                (POOLED, protocol, ratio, metric, method, reference, point, low, high,
                 stratified_p_value(d, w, strata), mdd, int((d > 0).sum()), int((d < 0).sum()), len(d),
                 int(diffs["seeds"].min()))
            )  # fmt: skip
    return pd.DataFrame(rows, columns=PAIRED_COLUMNS)
