"""Which method ranks a new dataset: one named by the user, or the best clean-protocol method of the benchmark's
own results that can run on what the user has (transferability scores or not)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from tg_bench.data.tables import read_table
from tg_bench.errors import UserInputError
from tg_bench.graph.build import LOGME_METRIC
from tg_bench.task.method import MethodFamily

#: the row of results/<study>/statistics.csv a method is chosen by
CHOICE_METRIC, CHOICE_TARGET = "pearson", "average"


@dataclass(frozen=True)
class Candidate:
    """A method recommend can rank with.

    name: the method's name in result tables (`knn_prior`, `lr_node2vec_all_normalize_without_transfer`).
    key: the config key that selects it (`baseline.<key>`, or the TransferGraph family's embedder key).
    family: the built method family `name` belongs to.
    needs: transferability metrics (LOG_ME, ...) it reads on the ranked dataset itself.
    """

    name: str
    key: str
    family: MethodFamily
    needs: frozenset[str]


def metrics_read(node: Any) -> frozenset[str]:
    """The transferability metrics a method's resolved config reads on its target: the `metric` of every
    `estimator` anywhere inside it (LogME's own, the guide of the guided prior, a stack's components), and
    LOG_ME for a graph with transferability edges."""
    found: set[str] = set()
    if isinstance(node, Mapping):
        estimator = node.get("estimator")
        if isinstance(estimator, Mapping) and estimator.get("metric"):
            found.add(str(estimator["metric"]))
        if node.get("transferability_edges"):
            found.add(LOGME_METRIC)
        for value in node.values():
            found |= metrics_read(value)
    elif isinstance(node, Sequence) and not isinstance(node, str):
        for value in node:
            found |= metrics_read(value)
    return frozenset(found)


def choose(
    candidates: Sequence[Candidate],
    method: str,
    available: set[str],
    statistics: str | Path,
    zoo: str,
    protocol: str = "clean",
) -> tuple[Candidate, str]:
    """The candidate to rank with, and one line saying why.

    method: a candidate's name or key, or `best`: the candidate with the highest weighted-average Pearson of
        zoo `zoo` under `protocol` (model ratio 1) in `statistics` (a `tg-bench aggregate` statistics.csv)
        among those whose `needs` are in `available` (the metrics of the new dataset's scores).
    """
    if not candidates:
        raise UserInputError("no methods to choose from: select baselines (baseline=[...]) or embedder/predictor")
    if method != "best":
        for candidate in candidates:
            if method in (candidate.name, candidate.key):
                missing = sorted(candidate.needs - available)
                if missing:
                    raise UserInputError(
                        f"method={method} reads {', '.join(missing)} scores of the new dataset: give "
                        "dataset.scores=<csv> (`tg-bench score` writes one)"
                    )
                return candidate, f"method: {candidate.name} (method={method})"
        names = ", ".join(dict.fromkeys(c.key for c in candidates))
        raise UserInputError(f"method={method}: not among the selected methods ({names}); or method=best")
    path = Path(statistics)
    if not path.is_file():
        raise UserInputError("no results to choose the best method from; name one (method=knn_prior)", path=path)
    table = read_table(path, required=["zoo", "protocol", "ratio", "method", "metric", "target", "mean"])
    rows = table[
        (table["zoo"] == zoo)
        & (table["protocol"] == protocol)
        & (pd.to_numeric(table["ratio"], errors="coerce") == 1)
        & (table["metric"] == CHOICE_METRIC)
        & (table["target"] == CHOICE_TARGET)
    ]
    ranked = rows.assign(mean=pd.to_numeric(rows["mean"], errors="coerce")).dropna(subset=["mean"])
    ranked = ranked.sort_values(["mean", "method"], ascending=[False, True], kind="stable")
    by_name = {candidate.name: candidate for candidate in candidates}
    passed_over = []
    for name, value in zip(ranked["method"].astype(str), ranked["mean"], strict=True):
        candidate = by_name.get(name)
        if candidate is None:
            continue
        missing = sorted(candidate.needs - available)
        if missing:
            passed_over.append(f"{name} ({', '.join(missing)} scores of the dataset: dataset.scores)")
            continue
        why = (
            f"method: {name}, the best {protocol}-protocol method of zoo '{zoo}' in {path} that can rank this "
            f"dataset (weighted-average Pearson {value:.4f})"
        )
        if passed_over:
            why += f"; better but needing what is not given: {', '.join(passed_over)}"
        return candidate, why
    raise UserInputError(
        f"none of the selected methods ({', '.join(by_name)}) has a {protocol}-protocol result for zoo '{zoo}' "
        "that can rank this dataset; name one (method=...)",
        path=path,
    )
