"""Collects the metrics.csv of several runs (seeds, protocols) into one table: mean +- std per method."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from tg_bench.errors import UserInputError
from tg_bench.evaluate.scoring import AVERAGE


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
