"""Whether a published correlation follows from the published table it summarises.

A benchmark table prints each model's accuracy and score rounded (one decimal of a percent, three decimals of
a score), and the correlation row under it rounded to three decimals. Recomputed from the printed values, a
correlation that the table supports lands within what that rounding allows; one that does not was computed
from other numbers (another run, a copied column). `follows_from_table` measures the allowance: it recomputes
the correlation with our metric code (`tg_bench.evaluate.metrics`) on the printed values and on `draws` copies
with every value moved uniformly within its rounding, and says the published value follows when it lies in
their range, widened by the half-unit of its own last printed digit.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from tg_bench.catalog import estimator_methods
from tg_bench.data.layouts import layout_of
from tg_bench.data.zoo import ZooData, best_runs
from tg_bench.evaluate.metrics import CORRELATION_FUNCTIONS

#: the columns of `follows_from_table`'s result
CHECK_COLUMNS = ["metric", "method", "dataset", "ours", "low", "high", "published", "follows"]


def printed_decimals(values: np.ndarray, most: int = 6) -> int:
    """The fewest decimals that write every value exactly as given (at most `most`): what it was printed with."""
    values = np.asarray(values, dtype=float)
    for decimals in range(most + 1):
        if np.allclose(np.round(values, decimals), values, rtol=0, atol=1e-9):
            return decimals
    return most


def follows_from_table(
    records: pd.DataFrame,
    scores: pd.DataFrame,
    published: pd.DataFrame,
    metric: str,
    draws: int = 2000,
    seed: int = 0,
    published_decimals: int = 3,
    score_metrics: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One row per published (method, dataset) value of `metric` (`pearson`, `w-kendall`, ...) of a method
    computed from a score table.

    records: `model`, `dataset`, `accuracy` (one per pair); scores: `model`, `dataset`, `metric`, `score`;
    published: `method` and one column per dataset (an `average` column is not a dataset: skipped).
    score_metrics: method -> the `metric` of its scores (`LogME` -> `LOG_ME`); None: the same name. A published
    method with no scores (a prior, a TransferGraph variant) does not follow from a score table: skipped.
    Columns `CHECK_COLUMNS`: ours (from the printed values), low and high (the range under the rounding),
    follows (published within [low, high] ± half a unit of its last digit). Seeded: the same tables give the
    same result.
    """
    correlation = CORRELATION_FUNCTIONS[metric]
    rng = np.random.default_rng(seed)
    slack = 0.5 * 10.0**-published_decimals
    rows = []
    for _, row in published.iterrows():
        method = str(row["method"])
        score_metric = method if score_metrics is None else score_metrics.get(method)
        if score_metric is None or not (scores["metric"] == score_metric).any():
            continue
        for dataset in [c for c in published.columns if c not in ("method", "average")]:
            if pd.isna(row[dataset]):
                continue
            of_method = scores[(scores["metric"] == score_metric) & (scores["dataset"] == dataset)]
            both = records[records["dataset"] == dataset].merge(of_method, on=["model", "dataset"])
            accuracy, score = both["accuracy"].to_numpy(float), both["score"].to_numpy(float)
            ours = correlation(accuracy, score)
            half = [0.5 * 10.0 ** -printed_decimals(v) for v in (accuracy, score)]
            moved = [
                correlation(accuracy + rng.uniform(-half[0], half[0], len(accuracy)),
                            score + rng.uniform(-half[1], half[1], len(score)))
                for _ in range(draws)
            ]  # fmt: skip
            low, high = float(np.nanmin([ours, *moved])), float(np.nanmax([ours, *moved]))
            value = float(row[dataset])
            follows = low - slack <= value <= high + slack
            rows.append((metric, method, dataset, ours, low, high, value, follows))
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


def zoo_published_checks(zoo: ZooData, draws: int = 2000, seed: int = 0) -> pd.DataFrame | None:
    """`follows_from_table` for every published table of `zoo` whose values are whole-table correlations (a
    tidy zoo's `published/`; `ZooLayout.published_leave_one_out` False), the estimator rows matched to their
    scores through the baseline configs (`LogME` -> `LOG_ME`), the ground truth each model's best full run.
    None for a zoo whose published tables are leave-one-out results (the paper's: `tg-bench verify` checks ours
    against those). Columns `CHECK_COLUMNS`, one row per checked value."""
    layout = layout_of(zoo.spec)
    if layout.published_leave_one_out:
        return None
    folder = Path(zoo.root) / zoo.spec.folder
    records = best_runs(zoo.full_records(), by=["model", "dataset"])[["model", "dataset", "accuracy"]]
    scores = zoo.scores.rename(columns={"target": "dataset"})
    score_metrics = {method: metric for metric, method in estimator_methods().items()}
    frames = []
    for metric in layout.published_metrics(folder):
        long = layout.published(folder, metric)
        if long is None:
            continue
        table = long.pivot_table(index="method", columns="target", values="published", aggfunc="first", sort=False)
        frames.append(
            follows_from_table(
                records, scores, table.reset_index(), metric, draws=draws, seed=seed, score_metrics=score_metrics
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=CHECK_COLUMNS)
