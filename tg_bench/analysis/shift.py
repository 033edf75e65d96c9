"""How far a change moved each method's seed mean, against its seed noise (issue 11's rule for a change that
alters an algorithm: every variant's mean must move by less than its seed std)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tg_bench.errors import UserInputError
from tg_bench.evaluate.scoring import AVERAGE


def seed_shift(
    before: pd.DataFrame,
    after: pd.DataFrame,
    metric: str = "pearson",
    target: str = AVERAGE,
    spread: pd.Series | None = None,
) -> pd.DataFrame:
    """How far a change moved each method's `metric` at `target`, against its seed noise.

    before, after: `tg_bench.analysis.tables.average_rows` frames before and after the change; only the (zoo,
    protocol, method, seed) present in both are compared, per model ratio when the frames hold several (the
    model-ratio study). Returns one row per (zoo, protocol, [ratio,] method): `before_mean`,
    `before_std`, `after_mean`, `after_std` (over seeds, ddof 1), `shift` (after_mean - before_mean),
    `shift_over_std` (shift / before_std; inf where the method has no seed spread and moved), `within_noise`
    (|shift| < before_std, or no shift at all), `paired_std` (std of after - before on the same seed) and
    `seeds` (how many seeds were compared).

    spread: the seed std to judge a shift by where the compared runs have a single seed (a seed-0 study),
    indexed by (zoo, protocol, method), e.g. the same variant's std over the five seeds of another study; a row
    judged by it says so in `std_source` ("reference", else "before").
    """
    ratios = set(before.get("ratio", pd.Series(dtype=float))) | set(after.get("ratio", pd.Series(dtype=float)))
    groups = ["zoo", "protocol", "ratio", "method"] if len(ratios) > 1 else ["zoo", "protocol", "method"]
    keys = [*groups, "seed"]

    def values(metrics: pd.DataFrame) -> pd.Series:
        rows = metrics[(metrics["metric"] == metric) & (metrics["target"] == target)]
        if rows.duplicated(keys).any():
            raise UserInputError(f"several runs share a ({', '.join(keys)}) for {metric} at {target}")
        return rows.set_index(keys)["value"]

    old, new = values(before), values(after)
    # only the seeds both have: a mean over other seeds would mix seed noise into the shift
    shared = old.index.intersection(new.index)
    old, new = old.loc[shared], new.loc[shared]
    paired = new - old
    table = pd.concat(
        {
            "before_mean": old.groupby(groups).mean(),
            "before_std": old.groupby(groups).std(),
            "after_mean": new.groupby(groups).mean(),
            "after_std": new.groupby(groups).std(),
            "paired_std": paired.groupby(groups).std(),
            "seeds": paired.groupby(groups).size(),
        },
        axis=1,
    ).dropna(subset=["before_mean", "after_mean"])
    table["shift"] = table["after_mean"] - table["before_mean"]
    table["std_source"] = "before"
    if spread is not None:
        single = table["seeds"] < 2
        by_method = table.reset_index().set_index(["zoo", "protocol", "method"]).index
        borrowed = pd.Series(spread.reindex(by_method).to_numpy(), index=table.index)
        use = single & borrowed.notna()
        table.loc[use, "before_std"] = borrowed[use]
        table.loc[use, "std_source"] = "reference"
    spread = table["before_std"].fillna(0.0).to_numpy()
    shift = table["shift"].to_numpy()
    moved = np.abs(shift) > 1e-12
    with np.errstate(divide="ignore", invalid="ignore"):
        table["shift_over_std"] = np.where(moved, np.where(spread > 0, shift / spread, np.inf), 0.0)
    table["within_noise"] = ~moved | (np.abs(shift) < spread)
    return table.reset_index()
