"""One tidy table of per-target metric values from results stores and run folders.

Columns `TIDY_COLUMNS`: zoo, protocol, ratio (model ratio, 1 = whole zoo), seed, method, target, metric,
value, weight (the target's weight in the weighted average: max - mean ground-truth accuracy). Averages over
targets are not rows here: `tg_bench.analysis.tables` computes them, knowing which targets a run covered.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from tg_bench.errors import UserInputError
from tg_bench.evaluate.scoring import AVERAGE, MEAN
from tg_bench.identity import METHODS_FILE, MethodIdentity, identity_of, read_identities, run_identities, to_frame
from tg_bench.store import ResultStore, UnitRecord

TIDY_COLUMNS = ["zoo", "protocol", "ratio", "seed", "method", "target", "metric", "value", "weight"]
#: what makes a row unique
TIDY_KEY = ["zoo", "protocol", "ratio", "seed", "method", "target", "metric"]


def from_run_folder(run_dir: Path) -> pd.DataFrame:
    """A run folder's `metrics.csv` (per-target rows) tagged from its `run.json`."""
    info = json.loads((run_dir / "run.json").read_text())
    config = info["config"]
    metrics = pd.read_csv(run_dir / "metrics.csv")
    missing = {"method", "target", "metric", "value", "seed"} - set(metrics.columns)
    if missing:
        raise UserInputError(f"missing column(s) {', '.join(sorted(missing))}", path=run_dir / "metrics.csv")
    metrics = metrics[~metrics["target"].isin([AVERAGE, MEAN])]
    weights = info.get("target_weights", {})
    return metrics.assign(
        zoo=config["zoo"]["name"],
        protocol=config["protocol"]["name"],
        ratio=float(config.get("model_ratio") or 1.0),
        weight=metrics["target"].map(weights).astype(float),
    )[TIDY_COLUMNS]


def latest_records(store: ResultStore) -> tuple[list[UnitRecord], int]:
    """The units of `store` that count, and how many were superseded: where several digests (configs) left
    units for the same (zoo, protocol, ratio, seed, target, label), only the most recently finished counts, so
    a changed config's new results replace its old ones without mixing the two."""
    records = list(store.records())
    latest: dict[tuple, UnitRecord] = {}
    for record in records:
        key = record.key
        slot = (key.zoo, key.protocol, key.model_ratio, key.seed, key.target, key.label)
        if slot not in latest or record.finished > latest[slot].finished:
            latest[slot] = record
    return list(latest.values()), len(records) - len(latest)


def from_store(store: ResultStore) -> tuple[pd.DataFrame, int]:
    """Every unit of `store` that counts (`latest_records`) as tidy rows, and how many units were superseded."""
    records, superseded = latest_records(store)
    rows = [
        (r.key.zoo, r.key.protocol, float(r.key.model_ratio), *row_seed_first(row), r.weight)
        for r in records
        for row in r.metric_rows
    ]
    return pd.DataFrame(rows, columns=TIDY_COLUMNS), superseded


def row_seed_first(row: tuple) -> tuple:
    """(method, target, metric, value, seed) -> (seed, method, target, metric, value)."""
    method, target, metric, value, seed = row
    return int(seed), method, target, metric, value


def run_folders(path: Path) -> list[Path]:
    """The run folders (holding `metrics.csv` and `run.json`) at or under `path`, sorted."""
    return sorted({p.parent for p in path.rglob("metrics.csv") if (p.parent / "run.json").is_file()})


def is_store(path: Path) -> bool:
    """A folder whose Parquet files are results-store units (and no run folder)."""
    return path.is_dir() and not any(path.rglob("metrics.csv")) and any(path.rglob("*.parquet"))


def collect(paths: Iterable[str | Path]) -> tuple[pd.DataFrame, list[str]]:
    """The tidy table of every run folder (holding `metrics.csv` + `run.json`) and every results store under
    `paths`, and notes on what was dropped. The same row found twice with different values is an error."""
    frames, notes = [], []
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise UserInputError("no such file or folder", path=path)
        if is_store(path):
            frame, superseded = from_store(ResultStore(path))
            frames.append(frame)
            if superseded:
                notes.append(f"{path}: {superseded} unit(s) of an older config superseded by newer ones")
            continue
        frames.extend(from_run_folder(run_dir) for run_dir in run_folders(path))
    frames = [frame for frame in frames if len(frame)]
    if not frames:
        raise UserInputError(
            f"no finished runs (metrics.csv + run.json) or store units under {', '.join(map(str, paths))}"
        )
    tidy = pd.concat(frames, ignore_index=True)
    tidy["seed"] = tidy["seed"].astype(int)
    tidy["value"] = tidy["value"].astype(float)
    duplicated = tidy[tidy.duplicated(TIDY_KEY, keep=False)]
    if len(duplicated):
        conflicting = duplicated.groupby(TIDY_KEY)["value"].nunique(dropna=False)
        conflicting = conflicting[conflicting > 1]
        if len(conflicting):
            example = dict(zip(TIDY_KEY, conflicting.index[0], strict=True))
            raise UserInputError(
                f"{len(conflicting)} result(s) found twice with different values, e.g. {example}: aggregate one "
                "sweep at a time (or remove the stale folder)"
            )
        notes.append(f"{int(tidy.duplicated(TIDY_KEY).sum())} identical duplicate row(s) counted once")
        tidy = tidy.drop_duplicates(TIDY_KEY)
    return tidy.sort_values(TIDY_KEY, kind="stable").reset_index(drop=True), notes


def collect_identities(paths: Iterable[str | Path], methods: Iterable[str]) -> pd.DataFrame:
    """The identity (label, kind, drawing hints; `tg_bench.identity`) of each of `methods`: from the run
    folders' `methods.csv`, else from their `run.json` config, else (a results store keeps no configs) from the
    package's configs; one row per method, in `methods`' order."""
    found: dict[str, MethodIdentity] = {}
    for given in paths:
        path = Path(given)
        if is_store(path):
            continue
        for run_dir in run_folders(path):
            written = read_identities(run_dir / METHODS_FILE)
            if not written:
                written = {
                    i.method: i for i in run_identities(json.loads((run_dir / "run.json").read_text())["config"])
                }
            for method, identity in written.items():
                found.setdefault(method, identity)
    return to_frame(identity_of(method, found) for method in methods)
