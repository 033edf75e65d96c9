"""Paired comparison of each method with a reference method over the same targets and seeds (method.md 14):
the weighted-average difference, its interval (`tg_bench.analysis.intervals`: by default a t interval on
Kish's effective number of targets, the candidate whose coverage held), the p-value of "no difference" and
the smallest difference the comparison could detect."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tg_bench.analysis.intervals import (
    CHOSEN,
    INTERVALS,
    minimum_detectable_difference,
    standard_error,
    t_test_p_value,
    weighted_mean,
)
from tg_bench.analysis.tables import RUN_GROUP
from tg_bench.errors import UserInputError

PAIRED_COLUMNS = [
    *RUN_GROUP,
    "metric",
    "method",
    "reference",
    "difference",
    "low",
    "high",
    "p_value",
    "mdd",
    "won",
    "lost",
    "targets",
    "seeds",
]


def per_target_differences(tidy: pd.DataFrame, method: str, reference: str) -> pd.DataFrame:
    """One run group's (method - reference) per target, averaged over the seeds both have (or over each one's
    own seeds when they share none, e.g. a deterministic reference from another sweep). Columns `target`,
    `difference`, `weight`, `seeds`; targets where either is missing or NaN are left out."""
    own = tidy[tidy["method"] == method].pivot_table(index="target", columns="seed", values="value", dropna=False)
    ref = tidy[tidy["method"] == reference].pivot_table(index="target", columns="seed", values="value", dropna=False)
    shared = own.columns.intersection(ref.columns)
    if len(shared):
        difference = (own[shared] - ref[shared]).mean(axis=1, skipna=False)
        seeds = len(shared)
    else:
        difference = own.mean(axis=1, skipna=False) - ref.mean(axis=1, skipna=False)
        seeds = own.shape[1]
    weight = tidy.drop_duplicates("target").set_index("target")["weight"]
    frame = pd.DataFrame({"difference": difference, "weight": weight.reindex(difference.index), "seeds": seeds})
    return frame.dropna().rename_axis("target").reset_index()


def paired_intervals(
    tidy: pd.DataFrame,
    reference: str,
    confidence: float = 0.95,
    resamples: int = 10_000,
    seed: int = 0,
    interval: str = CHOSEN,
    power: float = 0.8,
) -> pd.DataFrame:
    """Per run group, metric and method (other than `reference`): the weighted-average difference to
    `reference` over shared targets, its `interval` at `confidence` (a key of
    `tg_bench.analysis.intervals.INTERVALS`; a bootstrap draws `resamples` from `seed`), `p_value` (two-sided
    t test on n_eff - 1 degrees of freedom), `mdd` (the minimum difference detectable with `power` at level
    1 - `confidence`, from the observed spread) and the targets won and lost. Columns `PAIRED_COLUMNS`.
    Groups without the reference give no rows."""
    if interval not in INTERVALS:
        raise UserInputError(f"interval={interval}: choose from {', '.join(INTERVALS)}")
    rows = []
    for key, group in tidy.groupby([*RUN_GROUP, "metric"], sort=False):
        if reference not in set(group["method"]):
            continue
        for method in dict.fromkeys(group["method"]):
            if method == reference:
                continue
            diffs = per_target_differences(group, method, reference)
            if len(diffs) < 2:
                continue
            d, w = diffs["difference"].to_numpy(), diffs["weight"].to_numpy()
            point = float(weighted_mean(d, w))
            if np.ptp(d) == 0:
                low = high = point
            else:
                low, high = INTERVALS[interval](d, w, confidence, resamples, seed)
            mdd = minimum_detectable_difference(w, standard_error(d, w), 1 - confidence, power)
            rows.append(
                (*key, method, reference, point, low, high, t_test_p_value(d, w), mdd, int((d > 0).sum()),
                 int((d < 0).sum()), len(d), int(diffs["seeds"].iloc[0]))
            )  # fmt: skip
    return pd.DataFrame(rows, columns=PAIRED_COLUMNS)
