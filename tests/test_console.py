"""The console's per-target table fits a 100-column terminal, uses the short method names and says what its
columns are (issue 25)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tg_bench.evaluate.summary import CONSOLE_WIDTH, console_table, print_table

TARGETS = [
    "cifar100", "caltech101", "dtd", "flowers", "pets", "smallnorb_label_elevation", "stanfordcars", "svhn",
]  # fmt: skip
METHODS = {
    f"{regressor}_{learner}_all_normalize_without_transfer": f"TG:{regressor.upper()}:{short}"
    for regressor in ("lr", "rf", "xgb")
    for learner, short in (
        ("node2vec", "N2V"),
        ("node2vec+", "N2V+"),
        ("homo_SAGEConv", "SAGE"),
        ("homoGATConv", "GAT"),
    )
} | {"zoo_prior": "zoo prior", "knn_prior": "k-NN prior", "LogME": "LogME", "source_accuracy": "source accuracy"}


def _metrics(seeds: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = [
        (method, target, "pearson", rng.uniform(-1, 1), seed)
        for seed in range(seeds)
        for method in METHODS
        for target in [*TARGETS, "average", "mean"]
    ]
    return pd.DataFrame(rows, columns=["method", "target", "metric", "value", "seed"])


def test_the_console_table_fits_100_columns_with_short_names_and_a_key(capsys) -> None:
    metrics = _metrics(1)
    published = pd.DataFrame({"method": ["LogME"], "target": ["average"], "metric": ["pearson"], "published": [0.5]})
    table, comparison, key = console_table(metrics, "pearson", METHODS, published)
    print_table(table, "pearson: image zoo, paper protocol, seed 0", width=CONSOLE_WIDTH)
    printed = capsys.readouterr().out
    assert max(len(line) for line in printed.splitlines()) <= CONSOLE_WIDTH
    assert "TG:XGB:SAGE" in printed and "homo_SAGEConv" not in printed
    assert list(table.columns) == [*(f"T{i}" for i in range(1, 9)), "avg", "mean"]
    assert key.startswith("T1 cifar100 · T2 caltech101") and "T6 smallnorb_label_elevation" in key
    # best weighted average first
    averages = metrics[metrics["target"] == "average"].set_index("method")["value"]
    assert table.index[0] == METHODS[averages.idxmax()]
    ours = averages["LogME"]
    assert comparison.loc["LogME"].tolist() == [f"{ours:.4f} (0.5000)", f"{ours - 0.5:+.4f}"]


def test_several_seeds_show_their_spread() -> None:
    table, comparison, _ = console_table(_metrics(3), "pearson", METHODS)
    assert comparison is None and all("±" in cell for cell in table["avg"])
