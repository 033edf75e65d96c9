"""Paired comparison of each method with a reference method over the same targets and seeds (method.md 14):
the weighted-average difference and its bootstrap interval, resampling targets with their weights."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from tg_bench.analysis.tables import RUN_GROUP

PAIRED_COLUMNS = [
    *RUN_GROUP,
    "metric",
    "method",
    "reference",
    "difference",
    "low",
    "high",
    "won",
    "lost",
    "targets",
    "seeds",
]


def weighted_mean(values: np.ndarray, weights: np.ndarray, axis: int = -1) -> np.ndarray:
    """Weighted mean along `axis` (scipy's bootstrap calls it on resampled (batch, n) arrays)."""
    return np.sum(values * weights, axis=axis) / np.sum(weights, axis=axis)


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
) -> pd.DataFrame:
    """Per run group, metric and method (other than `reference`): the weighted-average difference to
    `reference` over shared targets, its percentile bootstrap interval at `confidence` (targets resampled with
    replacement, each carrying its weight; `resamples` draws from `seed`), and the targets won and lost.
    Columns `PAIRED_COLUMNS`. Groups without the reference give no rows."""
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
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # scipy warns on degenerate resamples of few targets
                    result = stats.bootstrap(
                        (d, w),
                        weighted_mean,
                        paired=True,
                        vectorized=True,
                        confidence_level=confidence,
                        n_resamples=resamples,
                        method="percentile",
                        rng=np.random.default_rng(seed),
                    )
                low, high = float(result.confidence_interval.low), float(result.confidence_interval.high)
            rows.append(
                (*key, method, reference, point, low, high, int((d > 0).sum()), int((d < 0).sum()), len(d),
                 int(diffs["seeds"].iloc[0]))
            )  # fmt: skip
    return pd.DataFrame(rows, columns=PAIRED_COLUMNS)
