"""`tg-bench data-report zoo=<name>`: a zoo's metadata defects (`tg_bench.data.report`) and, for a zoo whose
published tables are whole-table correlations (a tidy zoo's `published/`), which published values follow from
its own records and scores (`tg_bench.evaluate.published_check`), each one that does not listed with both
values."""

from __future__ import annotations

import pandas as pd
from omegaconf import DictConfig

from tg_bench.data.report import QualityReport, print_report, quality_report
from tg_bench.data.zoo import ZooSpec, load_zoo
from tg_bench.evaluate.published_check import zoo_published_checks


def print_published_checks(checks: pd.DataFrame, zoo: str) -> None:
    """One line per metric (how many published values follow), then a table of those that do not."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=160)
    if checks.empty:
        console.print(f"published tables: {zoo} zoo has none with estimator rows to check")
        return
    for metric, group in checks.groupby("metric", sort=False):
        console.print(
            f"published {metric}: {int(group['follows'].sum())} of {len(group)} values follow from the zoo's "
            "records and scores (recomputed, within the tables' rounding)"
        )
    differing = checks[~checks["follows"]]
    if differing.empty:
        return
    table = Table(title=f"published values that do not follow from the table: {zoo} zoo")
    for column in ("metric", "method", "dataset", "published", "from the table", "range under rounding"):
        table.add_column(column, justify="left" if column in ("metric", "method", "dataset") else "right")
    for row in differing.itertuples(index=False):
        table.add_row(
            row.metric, row.method, row.dataset, f"{row.published:.3f}", f"{row.ours:.3f}",
            f"[{row.low:.3f}, {row.high:.3f}]",
        )  # fmt: skip
    console.print(table)


def report_task(cfg: DictConfig) -> QualityReport:
    """Hydra task of `tg-bench data-report`."""
    zoo = load_zoo(ZooSpec.from_config(cfg.zoo), cfg.paths.get("data_root"), cfg.paths.get("overlay_dir"))
    report = quality_report(zoo)
    print_report(report)
    checks = zoo_published_checks(zoo, draws=int(cfg.get("published_check_draws", 2000)), seed=int(cfg.seed))
    if checks is not None:
        print_published_checks(checks, zoo.name)
    return report
