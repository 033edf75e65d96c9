"""The paper's own result tables (`result_analysis/{metric}_correlation.csv`), for side-by-side comparison."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tg_bench.data.tables import read_table
from tg_bench.data.zoo import ZooData


def published_table(zoo: ZooData, metric: str) -> pd.DataFrame | None:
    """Rows = methods, columns = targets + `average`; None when the paper has no table for `metric`."""
    path = Path(zoo.root) / zoo.spec.folder / "result_analysis" / f"{metric}_correlation.csv"
    if not path.is_file():
        return None
    table = read_table(path, required=["average"], index_col=0)
    return table.apply(pd.to_numeric, errors="coerce")


def published_long(zoo: ZooData, metrics: list[str]) -> pd.DataFrame:
    """All published values as a long frame: `method`, `target`, `metric`, `published`."""
    frames = []
    for metric in metrics:
        table = published_table(zoo, metric)
        if table is None:
            continue
        long = (
            table.rename_axis("method").reset_index().melt(id_vars="method", var_name="target", value_name="published")
        )
        frames.append(long.assign(metric=metric))
    if not frames:
        return pd.DataFrame(columns=["method", "target", "metric", "published"])
    return pd.concat(frames, ignore_index=True)
