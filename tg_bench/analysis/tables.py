"""Averages over targets, statistics over seeds, and the published values beside them.

All functions take the tidy table of `tg_bench.analysis.tidy` (one row per zoo, protocol, ratio, seed,
method, target, metric) and return long frames; `tg_bench.analysis.export` formats them.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from tg_bench.catalog import entry, zoo_targets
from tg_bench.data.layouts import PUBLISHED_COLUMNS, ZooLayout, layout_of
from tg_bench.data.spec import ZooSpec
from tg_bench.errors import UserInputError
from tg_bench.evaluate.averages import weighted_average
from tg_bench.evaluate.scoring import AVERAGE, MEAN
from tg_bench.identity import without_floors

#: a run's identity besides seed and method
RUN_GROUP = ["zoo", "protocol", "ratio"]


def target_averages(tidy: pd.DataFrame) -> pd.DataFrame:
    """Per (zoo, protocol, ratio, seed, method, metric): `average` (weighted by the targets' weights) and
    `mean` (plain) over the targets present, `targets` (how many) and `complete` (they are exactly the zoo's
    evaluation targets). Both are `weighted_average`, the one a run's `average` and `mean` rows are, so they
    agree to the last bit; a NaN value (or weight) on any target makes both NaN (`weighted_average`'s NaN rule),
    as the paper drops such rows."""
    keys = [*RUN_GROUP, "seed", "method", "metric"]
    rows = []
    for key, group in tidy.groupby(keys, sort=False):
        values = group["value"].to_numpy(dtype=float)
        average = weighted_average(values, group["weight"].to_numpy(dtype=float))
        # a NaN weight or weights summing to 0 make the plain mean NaN too: the row is unusable either way
        mean = math.nan if math.isnan(average) else weighted_average(values)
        expected = zoo_targets(key[0])
        complete = expected is not None and set(group["target"]) == set(expected)
        rows.append((*key, average, mean, len(group), complete))
    return pd.DataFrame(rows, columns=[*keys, AVERAGE, MEAN, "targets", "complete"])


def average_rows(tidy: pd.DataFrame) -> pd.DataFrame:
    """`target_averages` as rows of the tidy table: `target` is `average` or `mean`, `value` the average."""
    averages = target_averages(tidy)
    return averages.melt(
        id_vars=[*RUN_GROUP, "seed", "method", "metric", "complete"],
        value_vars=[AVERAGE, MEAN],
        var_name="target",
        value_name="value",
    )


def seed_statistics(tidy: pd.DataFrame) -> pd.DataFrame:
    """Per (zoo, protocol, ratio, method, metric, target) with `target` also `average` and `mean`: the `mean`,
    `std` (ddof 1; NaN for one seed) and number of `seeds`; `complete` says whether the averages cover all of the
    zoo's targets (always True on a target's own row)."""
    rows = pd.concat([tidy.assign(complete=True), average_rows(tidy)], ignore_index=True)
    keys = [*RUN_GROUP, "method", "metric", "target"]
    stats = rows.groupby(keys, sort=False).agg(
        mean=("value", "mean"), std=("value", "std"), seeds=("value", "count"), complete=("complete", "all")
    )
    return stats.reset_index()


def zoo_published(zoo: str, root: str | Path | None = None) -> tuple[ZooLayout, Path] | None:
    """The layout and folder of the zoo config named `zoo` (a run's `zoo` column), for its published tables;
    None when no zoo config has that name (a `zoo=folder` run under a name of its own) or its folder cannot be
    found (no metadata root set up)."""
    try:
        spec = ZooSpec.from_config(entry("zoo", zoo))
        layout = layout_of(spec)
        spec, base = layout.locate(spec, root)
    except UserInputError:
        return None
    return layout, base / spec.folder


def published_values(zoo: str, metric: str, ratio: float = 1.0, root: str | Path | None = None) -> pd.DataFrame:
    """The published values of `metric` for `zoo` at model ratio `ratio` (`ZooLayout.published`: the paper's
    `result_analysis/[model_ratio_<r>/]<metric>_correlation.csv`, a tidy zoo's `published/<metric>.csv`):
    columns `method`, `target` (the targets, and `average` where published), `published`. Empty when the zoo
    has no such table or cannot be found."""
    return _published_of(zoo_published(zoo, root), metric, ratio)


def _published_of(found: tuple[ZooLayout, Path] | None, metric: str, ratio: float) -> pd.DataFrame:
    """`published_values` of a zoo already found (`zoo_published`)."""
    long = None if found is None else found[0].published(found[1], metric, ratio)
    return pd.DataFrame(columns=PUBLISHED_COLUMNS) if long is None else long.dropna(subset=["published"])


def with_published(stats: pd.DataFrame, root: str | Path | None = None) -> pd.DataFrame:
    """`stats` (from `seed_statistics`) with a `published` column: the published value for the same zoo, ratio,
    method, metric and target. The paper's leave-one-out tables (`ZooLayout.published_leave_one_out`) apply
    under the paper protocol only, a tidy zoo's `published/` under any; the average only where the run covered
    all of the zoo's targets (a subset's average is not the paper's 8-target average). A floor's published row
    (the paper's `random`) is the expected value of a random pick, not a seeded random ranking like ours: left
    out."""
    frames = []
    for (zoo, protocol, ratio, metric), group in stats.groupby(["zoo", "protocol", "ratio", "metric"], sort=False):
        found = zoo_published(zoo, root)
        # leave-one-out tables (the paper's) hold under the paper protocol only, a tidy zoo's under any
        if found is None or (protocol != "paper" and found[0].published_leave_one_out):
            frames.append(group.assign(published=np.nan))
            continue
        published = without_floors(_published_of(found, metric, ratio))
        merged = group.merge(published, on=["method", "target"], how="left")
        merged.loc[(merged["target"] == AVERAGE) & ~merged["complete"], "published"] = np.nan
        merged.loc[merged["target"] == MEAN, "published"] = np.nan
        frames.append(merged)
    return pd.concat(frames, ignore_index=True) if frames else stats.assign(published=np.nan)
