"""The paper's own result tables (`result_analysis/{metric}_correlation.csv`), for side-by-side comparison."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tg_bench.data.tables import read_table
from tg_bench.data.zoo import ZooData


def published_path(zoo_folder: Path, metric: str, ratio: float = 1.0) -> Path:
    """Where the paper's table of `metric` at model ratio `ratio` lives inside a zoo's metadata folder."""
    folder = zoo_folder / "result_analysis"
    return folder / (f"{metric}_correlation.csv" if ratio == 1.0 else f"model_ratio_{ratio:g}/{metric}_correlation.csv")


def read_published(zoo_folder: Path, metric: str, ratio: float = 1.0) -> pd.DataFrame | None:
    """One published table as a long frame: `method`, `target` (the targets and `average`), `published` (NaN
    where the paper has no value); None when the paper has no table for `metric` at `ratio` (the model-ratio
    study published Pearson only)."""
    path = published_path(zoo_folder, metric, ratio)
    if not path.is_file():
        return None
    table = read_table(path, required=["average"], index_col=0).apply(pd.to_numeric, errors="coerce")
    return table.rename_axis("method").reset_index().melt(id_vars="method", var_name="target", value_name="published")


def published_long(zoo: ZooData, metrics: list[str], ratio: float = 1.0) -> pd.DataFrame:
    """All published values at model ratio `ratio` as a long frame: `method`, `target`, `metric`, `published`."""
    frames = []
    for metric in metrics:
        long = read_published(Path(zoo.root) / zoo.spec.folder, metric, ratio)
        if long is not None:
            frames.append(long.assign(metric=metric))
    if not frames:
        return pd.DataFrame(columns=["method", "target", "metric", "published"])
    return pd.concat(frames, ignore_index=True)


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
