"""The output contract of a run (design.md): predictions.csv, metrics.csv, methods.csv (each method's label
and kind, `tg_bench.identity`), run.json; each written all-or-nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from tg_bench.atomic_write import write_atomic
from tg_bench.data.zoo import ZooData
from tg_bench.evaluate.lodo import LodoResult
from tg_bench.identity import METHODS_FILE, run_identities, to_frame
from tg_bench.numerics import cpu_report
from tg_bench.store.provenance import data_checksum, package_versions


def write_run_outputs(
    output_dir: Path,
    result: LodoResult,
    resolved_config: dict,
    zoo: ZooData,
    wall_seconds: dict[str, float],
    extra_tables: dict[str, pd.DataFrame] | None = None,
    summary_markdown: str | None = None,
    store: dict | None = None,
) -> list[Path]:
    """Write the run's files into `output_dir`; each file appears complete or not at all."""
    output_dir.mkdir(parents=True, exist_ok=True)
    ran = set(result.metrics["method"])
    identities = to_frame(i for i in run_identities(resolved_config) if i.method in ran)
    tables = {
        "predictions.csv": result.predictions,
        "metrics.csv": result.metrics,
        METHODS_FILE: identities,
        **(extra_tables or {}),
    }
    written = []
    for name, frame in tables.items():
        path = output_dir / name
        write_atomic(path, lambda handle, frame=frame: frame.to_csv(handle, index=False, float_format="%.10g"))
        written.append(path)
    run_info = {
        "config": resolved_config,
        "versions": package_versions(),
        "data": {"root": str(zoo.root), "sha256": data_checksum(zoo.files)},
        "target_weights": {k: round(float(v), 10) for k, v in result.weights.items()},
        "wall_seconds": {k: round(v, 4) for k, v in wall_seconds.items()},
        # what every (target, method family) unit cost when it was computed, whether this run computed it or
        # read it back from the results store: the efficiency figure's source
        "unit_seconds": {k: round(v, 4) for k, v in result.unit_seconds.items()},
        # what produced the numbers: the numerics mode, this CPU, and the kernels the computing processes chose
        "numerics": {
            "mode": (resolved_config.get("numerics") or {}).get("name"),
            "cpu": cpu_report(),
            "kernels": result.kernels,
        },
    }
    if store is not None:
        # units read back from the store took no time in this run: wall_seconds then covers only the rest
        run_info["store"] = store
    path = output_dir / "run.json"
    write_atomic(path, lambda handle: json.dump(run_info, handle, indent=2, sort_keys=False, default=str))
    written.append(path)
    if summary_markdown is not None:
        path = output_dir / "summary.md"
        write_atomic(path, lambda handle: handle.write(summary_markdown))
        written.append(path)
    return written
