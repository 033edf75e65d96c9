"""Collects the metrics.csv of several runs (seeds, protocols) into one table: mean +- std per method."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from tg_bench.errors import UserInputError
from tg_bench.evaluate.scoring import AVERAGE


def run_dirs(folders: Iterable[Path]) -> list[Path]:
    """Every run folder (one holding a metrics.csv) under `folders`, sorted."""
    return sorted({path.parent for folder in folders for path in Path(folder).rglob("metrics.csv")})


def collect_metrics(run_dirs: Iterable[Path]) -> pd.DataFrame:
    """Concatenate the runs' metrics.csv, tagging each row with the run's zoo and protocol from run.json."""
    import json

    frames = []
    for run_dir in run_dirs:
        metrics_path = Path(run_dir) / "metrics.csv"
        info_path = Path(run_dir) / "run.json"
        if not metrics_path.is_file() or not info_path.is_file():
            continue
        config = json.loads(info_path.read_text())["config"]
        frame = pd.read_csv(metrics_path)
        frames.append(frame.assign(zoo=config["zoo"]["name"], protocol=config["protocol"]["name"]))
    if not frames:
        raise UserInputError("no finished runs (metrics.csv + run.json) found")
    return pd.concat(frames, ignore_index=True)


def seed_table(metrics: pd.DataFrame, metric: str = "pearson", target: str = AVERAGE) -> pd.DataFrame:
    """Rows = methods; per protocol the mean, std and number of seeds of `metric` at `target`."""
    rows = metrics[(metrics["metric"] == metric) & (metrics["target"] == target)]
    table = rows.groupby(["method", "protocol"])["value"].agg(["mean", "std", "count"]).unstack("protocol")
    table.columns = [f"{protocol}_{stat}" for stat, protocol in table.columns]
    return table


def seed_shift(
    before: pd.DataFrame, after: pd.DataFrame, metric: str = "pearson", target: str = AVERAGE
) -> pd.DataFrame:
    """How far a change moved each method's `metric` at `target`, against its seed noise.

    before, after: `collect_metrics` frames before and after the change; only the (zoo, protocol, method,
    seed) present in both are compared. Returns one row per (zoo, protocol, method): `before_mean`,
    `before_std`, `after_mean`, `after_std` (over seeds, ddof 1), `shift` (after_mean - before_mean),
    `shift_over_std` (shift / before_std; inf where the method has no seed spread and moved), `within_noise`
    (|shift| < before_std, or no shift at all), `paired_std` (std of after - before on the same seed) and
    `seeds` (how many seeds were compared).
    """
    keys = ["zoo", "protocol", "method", "seed"]

    def values(metrics: pd.DataFrame) -> pd.Series:
        rows = metrics[(metrics["metric"] == metric) & (metrics["target"] == target)]
        if rows.duplicated(keys).any():
            raise UserInputError(f"several runs share a (zoo, protocol, method, seed) for {metric} at {target}")
        return rows.set_index(keys)["value"]

    old, new = values(before), values(after)
    # only the seeds both have: a mean over other seeds would mix seed noise into the shift
    shared = old.index.intersection(new.index)
    old, new = old.loc[shared], new.loc[shared]
    paired = new - old
    groups = ["zoo", "protocol", "method"]
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
    spread = table["before_std"].fillna(0.0).to_numpy()
    shift = table["shift"].to_numpy()
    moved = np.abs(shift) > 1e-12
    with np.errstate(divide="ignore", invalid="ignore"):
        table["shift_over_std"] = np.where(moved, np.where(spread > 0, shift / spread, np.inf), 0.0)
    table["within_noise"] = ~moved | (np.abs(shift) < spread)
    return table.reset_index()
