"""A zoo's published result tables (the paper's `result_analysis/`, a tidy zoo's `published/`), for side-by-side
comparison with ours."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tg_bench.data.layouts import layout_of
from tg_bench.data.tables import read_table
from tg_bench.data.zoo import ZooData
from tg_bench.task.protocol import Protocol


def published_long(zoo: ZooData, metrics: list[str], ratio: float = 1.0) -> pd.DataFrame:
    """All published values at model ratio `ratio` as a long frame: `method`, `target`, `metric`, `published`,
    read through the zoo's layout (`ZooLayout.published`)."""
    layout = layout_of(zoo.spec)
    frames = []
    for metric in metrics:
        long = layout.published(Path(zoo.root) / zoo.spec.folder, metric, ratio)
        if long is not None:
            frames.append(long.assign(metric=metric))
    if not frames:
        return pd.DataFrame(columns=["method", "target", "metric", "published"])
    return pd.concat(frames, ignore_index=True)


def compares_with_published(zoo: ZooData, protocol: Protocol) -> bool:
    """Whether a run of `zoo` under `protocol` is compared with the zoo's published tables: leave-one-out
    tables of the paper's pipeline under a protocol that reproduces it (`protocol.published_comparison`),
    whole-table correlations (a tidy zoo's `published/`, `ZooLayout.published_leave_one_out`) under any."""
    return protocol.published_comparison or not layout_of(zoo.spec).published_leave_one_out


def read_published_runtime(zoo_folder: Path) -> pd.DataFrame | None:
    """The paper's efficiency table (`result_analysis/efficiency/runtime.csv`, its Figure 4) as a long frame:
    `method` (`LogME`, `Reg-H-Score`, `TG:XGB:GAT`), `ratio`, `target` (the table's abbreviated column name),
    `seconds` per target. For the estimators these are per-model extraction + scoring times summed over the
    models kept at that ratio; for TransferGraph the logged pipeline time plus dataset embedding. None when the
    metadata has no such table."""
    path = zoo_folder / "result_analysis" / "efficiency" / "runtime.csv"
    if not path.is_file():
        return None
    table = read_table(path, required=["gnn_method", "model_ratio"])
    long = table.melt(id_vars=["gnn_method", "model_ratio"], var_name="target", value_name="seconds")
    long = long.rename(columns={"gnn_method": "method", "model_ratio": "ratio"})
    long["seconds"] = pd.to_numeric(long["seconds"], errors="coerce")
    long["ratio"] = long["ratio"].astype(float)
    return long.dropna(subset=["seconds"]).reset_index(drop=True)
