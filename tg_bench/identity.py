"""Who a method is, for tables and figures: its label, kind and drawing hints, read from its config.

Each baseline, embedder and predictor config carries a `display` node (never passed to the class it builds):
a baseline's `label` and `kind` (`estimator`, `data-agnostic`, `stacking`, `floor`, else `other`), an
embedder's and a predictor's short `label` (`N2V`, `XGB`), and optionally `shade` (which colour of the kind's
palette), `hatch`, `marker` and a predictor's `tone`. A TransferGraph variant is `TG:<predictor>:<embedder>`:
its embedder gives the hue and the marker, its predictor the tone (lightness and line style) and the hatch, so
each (predictor, embedder) pair has a colour of its own and stays apart in greyscale. A run writes its methods'
identities to `methods.csv`; `tg-bench aggregate` gathers them, and the figures draw from them, so a new method
is drawn right with no edit outside its own config file (`docs/extending.md`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from functools import cache
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from tg_bench.catalog import entry, methods, options
from tg_bench.task.naming import PAPER_GRAPHS, variant_name

#: the kind of every TransferGraph variant
TRANSFERGRAPH = "transfergraph"
#: a method whose config says nothing about how to show it
OTHER = "other"
#: what every method should clear (random scores): drawn apart, and never set beside the paper's row of the
#: same name, which is the expected value of a random pick rather than a seeded ranking
FLOOR = "floor"
#: the file a run (and `tg-bench aggregate`) writes the identities to
METHODS_FILE = "methods.csv"


@dataclass(frozen=True)
class MethodIdentity:
    """How one method of the output tables is shown.

    method: its name in the output tables; label: the short name figures and tables show; kind: its family
    (`transfergraph`, `estimator`, `data-agnostic`, `stacking`, `floor`, `other`); shade: which colour of the
    kind's palette (None: chosen from the label); hatch and marker: bar and line hints ("" and "" = the kind's);
    learner and regressor: a TransferGraph variant's embedder and predictor labels ("" otherwise); tone: a
    variant's predictor's lightness and line style (None: chosen from the predictor's label).
    """

    method: str
    label: str
    kind: str
    shade: int | None = None
    hatch: str = ""
    marker: str = ""
    learner: str = ""
    regressor: str = ""
    tone: int | None = None


COLUMNS = [f.name for f in fields(MethodIdentity)]


def _plain(node: object) -> dict:
    if isinstance(node, DictConfig):
        return OmegaConf.to_container(node, resolve=False)
    return dict(node) if isinstance(node, Mapping) else {}


def _display(node: object, group: str, key: str) -> dict:
    """The node's own `display`, else that of the package's config of the same key, else {}."""
    own = _plain(node).get("display")
    if isinstance(own, Mapping):
        return dict(own)
    if key in options(group):
        return dict(_plain(entry(group, key)).get("display") or {})
    return {}


def _shade(value: object) -> int | None:
    return None if value is None else int(value)


def baseline_identity(key: str, node: object) -> MethodIdentity:
    """The identity of baseline `key` built from `node` (a baseline config)."""
    name = str(_plain(node).get("name", key))
    display = _display(node, "baseline", key)
    return MethodIdentity(
        method=name,
        label=str(display.get("label", name)),
        kind=str(display.get("kind", OTHER)),
        shade=_shade(display.get("shade")),
        hatch=str(display.get("hatch", "")),
        marker=str(display.get("marker", "")),
    )


def transfergraph_identities(node: object) -> list[MethodIdentity]:
    """The identities of a `transfergraph` node's variants (embedder x predictor), in the run's order."""
    plain = _plain(node)
    embedders, predictors = plain.get("embedders") or {}, plain.get("predictors") or {}
    graph = plain.get("graph") or {}
    graph_name = str(graph.get("name", "paper"))
    with_transfer = bool(graph.get("transferability_edges", False))
    identities = []
    for embedder_key, embedder in embedders.items():
        learner = _display(embedder, "embedder", str(embedder_key))
        learner_label = str(learner.get("label", embedder.get("name", embedder_key)))
        for predictor_key, predictor in predictors.items():
            regressor = _display(predictor, "predictor", str(predictor_key))
            regressor_label = str(regressor.get("label", str(predictor_key).upper()))
            label = f"TG:{regressor_label}:{learner_label}" + ("+T" if with_transfer else "")
            if graph_name not in PAPER_GRAPHS:
                label += f" [{graph_name}]"
            identities.append(
                MethodIdentity(
                    method=variant_name(str(predictor_key), str(embedder["name"]), with_transfer, graph_name),
                    label=label,
                    kind=TRANSFERGRAPH,
                    shade=_shade(learner.get("shade")),
                    hatch=str(regressor.get("hatch", "")),
                    marker=str(learner.get("marker", "")),
                    learner=learner_label,
                    regressor=regressor_label,
                    tone=_shade(regressor.get("tone")),
                )
            )
    return identities


def run_identities(config: Mapping) -> list[MethodIdentity]:
    """Every method of a run's config (resolved or not, e.g. `run.json`'s), TransferGraph variants first."""
    plain = _plain(config)
    found = []
    transfergraph = plain.get("transfergraph") or {}
    if transfergraph.get("embedders") and transfergraph.get("predictors"):
        found += transfergraph_identities(transfergraph)
    found += [baseline_identity(str(key), node) for key, node in (plain.get("baseline") or {}).items()]
    return found


@cache
def known_identities() -> dict[str, MethodIdentity]:
    """Every method the package's configs define: each baseline, and each embedder x predictor variant on each
    graph preset; by method name. What a results store (which keeps no configs) is labelled from."""
    baselines = {key: entry("baseline", key) for key in methods("baseline")}
    found = [baseline_identity(key, node) for key, node in baselines.items()]
    embedders = {key: entry("embedder", key) for key in options("embedder")}
    predictors = {key: entry("predictor", key) for key in options("predictor")}
    for graph in options("graph"):
        node = {"embedders": embedders, "predictors": predictors, "graph": _plain(entry("graph", graph))}
        found += transfergraph_identities(node)
    return {identity.method: identity for identity in found}


def identity_of(method: str, known: Mapping[str, MethodIdentity] | None = None) -> MethodIdentity:
    """`method`'s identity from `known` (a table's), else from the package's configs, else `other`."""
    if known is not None and method in known:
        return known[method]
    return known_identities().get(method, MethodIdentity(method=method, label=method, kind=OTHER))


def without_floors(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame`'s rows (column `method`) of methods that are not floors (`identity_of`): a published floor row
    (the paper's `random`) is the expected value of a random pick, never comparable with our seeded ranking."""
    return frame[frame["method"].map(lambda method: identity_of(method).kind != FLOOR).astype(bool)]


def to_frame(identities: Iterable[MethodIdentity]) -> pd.DataFrame:
    """One row per method (the first identity of a method wins), columns `COLUMNS`."""
    unique = {}
    for identity in identities:
        unique.setdefault(identity.method, identity)
    return pd.DataFrame([asdict(i) for i in unique.values()], columns=COLUMNS)


def from_frame(frame: pd.DataFrame) -> dict[str, MethodIdentity]:
    """A `methods.csv` table back to identities by method name (a column an older table lacks: its default)."""
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    found = {}
    for row in rows:
        values = {key: row.get(key) for key in COLUMNS}
        values["shade"], values["tone"] = _shade(values["shade"]), _shade(values["tone"])
        for text in ("hatch", "marker", "learner", "regressor"):
            values[text] = "" if values[text] is None else str(values[text])
        found[str(values["method"])] = MethodIdentity(**values)
    return found


def read_identities(path: Path) -> dict[str, MethodIdentity]:
    """The identities of a `methods.csv`, by method name ({} if there is none)."""
    if not Path(path).is_file():
        return {}
    return from_frame(pd.read_csv(path, keep_default_na=False, na_values={"shade": [""], "tone": [""]}))
