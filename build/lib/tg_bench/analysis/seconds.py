"""What runs cost: wall seconds per stage and run, from run folders' `run.json` and from results stores.

Columns `SECONDS_COLUMNS`: zoo, protocol, ratio, seed, stage (`graph`, `embedding`, `features`, `regression`,
`scoring`, `predict:<method>`), seconds (summed over the run's targets and units, CPU-process wall time, so
work done in parallel workers is added up), targets (how many targets the run covered), source (`units`: every
unit's cost, read-back units included; `wall`: an older run.json without `unit_seconds`, whose stage times
miss the units it read back from the store).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from tg_bench.analysis.tidy import is_store, latest_records, run_folders
from tg_bench.store import ResultStore

SECONDS_COLUMNS = ["zoo", "protocol", "ratio", "seed", "stage", "seconds", "targets", "source"]


def from_run_json(run_dir: Path) -> pd.DataFrame:
    """One row per stage of the run in `run_dir` (the `total` wall time and `ground_truth` are left out)."""
    info = json.loads((run_dir / "run.json").read_text())
    config = info["config"]
    source = "units" if "unit_seconds" in info else "wall"
    seconds = info.get("unit_seconds", info.get("wall_seconds", {}))
    rows = [
        (
            config["zoo"]["name"],
            config["protocol"]["name"],
            float(config.get("model_ratio") or 1.0),
            int(config["seed"]),
            stage,
            float(value),
            len(info.get("target_weights", {})),
            source,
        )
        for stage, value in seconds.items()
        if stage not in {"total", "ground_truth"}
    ]
    return pd.DataFrame(rows, columns=SECONDS_COLUMNS)


def from_store(store: ResultStore) -> pd.DataFrame:
    """Every unit's stage seconds, summed per (zoo, protocol, ratio, seed, stage) over targets."""
    rows = [
        (r.key.zoo, r.key.protocol, float(r.key.model_ratio), int(r.key.seed), r.key.target, stage, float(value))
        for r in latest_records(store)[0]
        for stage, value in r.seconds.items()
    ]
    frame = pd.DataFrame(rows, columns=["zoo", "protocol", "ratio", "seed", "target", "stage", "seconds"])
    keys = ["zoo", "protocol", "ratio", "seed", "stage"]
    summed = frame.groupby(keys, sort=True).agg(seconds=("seconds", "sum"), targets=("target", "nunique"))
    return summed.reset_index().assign(source="units")[SECONDS_COLUMNS]


def collect_seconds(paths: Iterable[str | Path]) -> pd.DataFrame:
    """The stage seconds of every run folder and results store under `paths` (empty frame if none)."""
    frames = []
    for given in paths:
        path = Path(given)
        if is_store(path):
            frames.append(from_store(ResultStore(path)))
        else:
            frames.extend(from_run_json(run_dir) for run_dir in run_folders(path))
    frames = [frame for frame in frames if len(frame)]
    if not frames:
        return pd.DataFrame(columns=SECONDS_COLUMNS)
    seconds = pd.concat(frames, ignore_index=True)
    return seconds.sort_values(SECONDS_COLUMNS[:5], kind="stable").reset_index(drop=True)
