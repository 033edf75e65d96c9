"""`ResultStore`: finished units as Parquet files under one folder, each written whole by a rename.

A unit's file holds its predictions as the Parquet table and everything else (key, metric values, the target's
weight, seconds per stage) as JSON in the file's metadata, so one rename publishes the whole unit: a reader,
a killed run or a second writer never sees half of one. Two writers of the same unit (two SLURM array jobs
given the same work, say) both write complete files and the later rename wins; their contents agree, since
a unit's numbers depend only on its key.
"""

from __future__ import annotations

import json
import platform
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from tg_bench.atomic_write import write_atomic
from tg_bench.store.key import UnitKey

#: the Parquet metadata entry holding a unit's JSON
METADATA_KEY = b"tg_bench.unit"


@dataclass(frozen=True)
class StoredUnit:
    """What a finished unit keeps.

    methods: the family's method names, in output order.
    metric_rows: one `(method, target, metric, value, seed)` tuple per metric of each method.
    predictions: one row per candidate row per method; columns `method`, `target`, `model`, `score`,
        `accuracy`, `seed`.
    weight: the target's weight in the weighted average (max - mean ground-truth accuracy).
    seconds: wall seconds per stage spent on this unit (what the efficiency study reads).
    """

    methods: tuple[str, ...]
    metric_rows: tuple[tuple, ...]
    predictions: pd.DataFrame
    weight: float
    seconds: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class UnitRecord:
    """A stored unit's key and metadata, without its predictions (cheap to list a whole store)."""

    key: UnitKey
    path: Path
    methods: tuple[str, ...]
    metric_rows: tuple[tuple, ...]
    weight: float
    seconds: Mapping[str, float]
    finished: str


class ResultStore:
    """Finished units under `root` (`UnitKey.relative_path`); safe for several writing processes at once."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"ResultStore({str(self.root)!r})"

    def path(self, key: UnitKey) -> Path:
        return self.root / key.relative_path()

    def save(self, key: UnitKey, unit: StoredUnit) -> Path:
        """Write `unit` under `key`, replacing an older file of the same key whole."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        info = {
            "key": key.as_dict(),
            "methods": list(unit.methods),
            # JSON writes floats by repr, so the values read back are bit-identical (NaN included)
            "metric_rows": [list(row) for row in unit.metric_rows],
            "weight": unit.weight,
            "seconds": dict(unit.seconds),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "host": platform.node(),
        }
        table = pa.Table.from_pandas(unit.predictions, preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), METADATA_KEY: json.dumps(info)})
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, lambda handle: pq.write_table(table, handle), binary=True)
        return path

    def load(self, key: UnitKey) -> StoredUnit | None:
        """The unit stored under `key`, or None when there is none (or its file cannot be read: it is then
        recomputed, with a warning)."""
        import pyarrow.parquet as pq

        path = self.path(key)
        if not path.is_file():
            return None
        try:
            table = pq.read_table(path)
            info = _unit_info(table.schema.metadata)
        except Exception as exc:  # a damaged file is recomputed, never trusted
            warnings.warn(f"{path}: unreadable stored unit, recomputing it ({exc})", stacklevel=2)
            return None
        if info["key"] != key.as_dict():
            return None
        return StoredUnit(
            methods=tuple(info["methods"]),
            metric_rows=tuple(tuple(row) for row in info["metric_rows"]),
            predictions=table.to_pandas(),
            weight=float(info["weight"]),
            seconds=info["seconds"],
        )

    def records(self) -> Iterator[UnitRecord]:
        """Every unit in the store (key and metric values, no predictions), in path order."""
        import pyarrow.parquet as pq

        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*.parquet")):
            if path.name.startswith("."):  # a write in progress (write_atomic's temporary name)
                continue
            try:
                info = _unit_info(pq.read_schema(path).metadata)
            except Exception as exc:
                warnings.warn(f"{path}: unreadable stored unit, skipped ({exc})", stacklevel=2)
                continue
            yield UnitRecord(
                key=UnitKey(**info["key"]),
                path=path,
                methods=tuple(info["methods"]),
                metric_rows=tuple(tuple(row) for row in info["metric_rows"]),
                weight=float(info["weight"]),
                seconds=info["seconds"],
                finished=str(info.get("finished", "")),
            )


def _unit_info(metadata: Mapping[bytes, bytes] | None) -> dict[str, Any]:
    if not metadata or METADATA_KEY not in metadata:
        raise ValueError("not a tg-bench unit (no unit metadata)")
    return json.loads(metadata[METADATA_KEY])
