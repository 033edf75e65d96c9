"""Objects from config: the protocol, the methods, the estimators and the targets of a run.

Every `baseline`, `embedder` and `predictor` entry of `tg_bench/conf` (and the `estimator` entry of a baseline) names
its class with `_target_` and is built by `hydra.utils.instantiate`, so a config file is the one place its
defaults live and a researcher's own method is a config file naming their class. Everything is built and
checked here, before the first target runs: a bad value, an unknown key or an unknown `_target_` becomes one
`UserInputError` naming the config key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from hydra.errors import InstantiationException
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from tg_bench.catalog import estimator_nodes, target_names
from tg_bench.data.zoo import ZooData
from tg_bench.errors import UserInputError
from tg_bench.numerics import check_mode
from tg_bench.predict.regressors import RegressorFactory, check_regressor
from tg_bench.store.unit_ids import DISPLAY, without_display
from tg_bench.task.method import MethodFamily
from tg_bench.task.protocol import protocol_from_config
from tg_bench.transferability.estimators import Estimator

if TYPE_CHECKING:
    from tg_bench.predict.transfergraph import TransferGraph

#: the protocol of a `tg_bench/conf/protocol/*.yaml` node (built in `tg_bench.task.protocol`, torch-free)
build_protocol = protocol_from_config

#: the values of `target_set` (`resolve_targets`)
TARGET_SETS = ("paper", "extended")

_USER_ERRORS = (InstantiationException, OmegaConfBaseException, TypeError, ValueError, ImportError, AttributeError)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def _reason(exc: BaseException) -> str:
    """What went wrong, without Hydra's wrapping: the constructor's own message, or the target that could not
    be imported."""
    if isinstance(exc, InstantiationException):
        message = str(exc)
        if message.startswith("Error locating target"):
            target = message.split("'")[1] if "'" in message else "?"
            return f"_target_ {target!r} cannot be imported ({_one_line(exc.__cause__ or exc)})"
        if exc.__cause__ is not None:
            return _reason(exc.__cause__)
        return _one_line(exc)
    return _one_line(exc)


def instantiate_checked(node: Any, key: str, expected: type | None = None, **kwargs: Any) -> Any:
    """`hydra.utils.instantiate(node, **kwargs)` (its `display` aside), with any failure turned into a
    `UserInputError` that names the config `key`, and the result checked to be an `expected` instance."""
    if not isinstance(node, Mapping) or "_target_" not in node:
        raise UserInputError(f"{key}: no `_target_` (the class or function to build)")
    try:
        built = instantiate(OmegaConf.create(without_display(node)), **kwargs)
    except _USER_ERRORS as exc:
        # Hydra names the nested node that failed (e.g. a baseline's estimator) by its key inside `node`
        nested = re.search(r"full_key: (\S+)", str(exc))
        where = f"{key}.{nested.group(1)}" if nested else key
        raise UserInputError(f"{where}: {_reason(exc)}") from None
    if expected is not None and not isinstance(built, expected):
        raise UserInputError(
            f"{key}: _target_ {node['_target_']!r} built a {type(built).__name__} where a {expected.__name__} is needed"
        )
    return built


def config_int(cfg: DictConfig | Mapping, key: str) -> int:
    """`cfg[key]` as an integer, else a user error naming the key (`seed=abc` used to end in a traceback)."""
    value = cfg.get(key)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise UserInputError(f"{key}: {value!r} is not an integer")
    try:
        return int(value)
    except ValueError:
        raise UserInputError(f"{key}: {value!r} is not an integer") from None


def config_seed(cfg: DictConfig | Mapping, key: str = "seed") -> int:
    """`cfg[key]` as a seed: an integer >= 0 (NumPy's generators refuse a negative one, and only once a worker
    draws from it), else a user error naming the key."""
    seed = config_int(cfg, key)
    if seed < 0:
        raise UserInputError(f"{key}: {seed} is negative; a seed is an integer >= 0")
    return seed


def numerics_mode(cfg: DictConfig | Mapping) -> str:
    """The run's numerics mode (`numerics=portable|native`, tg_bench/conf/numerics), checked."""
    node = cfg.get("numerics")
    name = node.get("name") if isinstance(node, Mapping) else node
    try:
        return check_mode(str(name))
    except ValueError as exc:
        raise UserInputError(f"numerics: {exc}") from None


def build_transfergraph(cfg: DictConfig | None) -> list[TransferGraph]:
    """The TransferGraph variants of the `transfergraph` node: one family per embedder (with every predictor),
    in the node's embedder order; none without embedders or predictors. A family is one unit of work per
    target in the results store, so adding an embedder to a sweep leaves the others' finished units valid."""
    if cfg is None or not cfg.get("embedders") or not cfg.get("predictors"):
        return []
    # the graph stack imports torch (~1 s a process): a run of baselines alone, and the many commands that
    # build one, go without it
    from tg_bench.embed.base import Embedder
    from tg_bench.graph.build import GraphConfig
    from tg_bench.predict.transfergraph import TransferGraph

    graph_cfg = cfg.get("graph")
    graph = GraphConfig.from_config(graph_cfg)
    graph_name = str(graph_cfg.get("name", "paper")) if graph_cfg is not None else "paper"
    embedders: dict[str, Embedder] = {
        key: instantiate_checked(node, f"transfergraph.embedders.{key}", Embedder)
        for key, node in cfg.embedders.items()
    }
    predictors: dict[str, RegressorFactory] = {}
    for key, node in cfg.predictors.items():
        where = f"transfergraph.predictors.{key}"
        factory = instantiate_checked(node, where)
        if not callable(factory):
            raise UserInputError(f"{where}: _target_ {node['_target_']!r} is not callable (use `_partial_: true`)")
        try:
            check_regressor(factory, {k for k in node if not str(k).startswith("_") and k != DISPLAY})
        except Exception as exc:
            raise UserInputError(f"{where}: {_one_line(exc)}") from None
        predictors[key] = factory
    return [TransferGraph(graph_name, graph, {key: embedder}, predictors) for key, embedder in embedders.items()]


def build_baselines(cfg: Mapping | None) -> list[MethodFamily]:
    """The methods of the `baseline` node, in its order."""
    return [instantiate_checked(node, f"baseline.{key}", MethodFamily) for key, node in (cfg or {}).items()]


def build_methods(cfg: DictConfig) -> list[MethodFamily]:
    """A run's methods in output order: TransferGraph variants first, then baselines; names must be unique."""
    methods: list[MethodFamily] = [*build_transfergraph(cfg.get("transfergraph"))]
    methods.extend(build_baselines(cfg.get("baseline")))
    names = [name for family in methods for name in family.names]
    duplicated = {n for n in names if names.count(n) > 1}
    if duplicated:
        raise UserInputError(f"two methods share the name(s) {', '.join(sorted(duplicated))}")
    if not methods:
        raise UserInputError("no methods to run: select a baseline (baseline=[logme,...]) or an experiment")
    return methods


def estimators_of(baselines: Mapping | None) -> dict[str, Estimator]:
    """The estimators behind the selected baselines (`baseline.<key>.estimator`), by baseline key.

    A baseline without one (zoo_prior, random) cannot be computed from a model's outputs: a user error.
    """
    if not baselines:
        raise UserInputError("baseline: nothing selected; choose estimators, e.g. baseline=logme,leep,nce")
    built = {}
    for key, entry in baselines.items():
        node = entry.get("estimator") if isinstance(entry, Mapping) else None
        if node is None:
            raise UserInputError(
                f"baseline={key} is not computed from model outputs; choose from {', '.join(estimators())}"
            )
        built[str(key)] = instantiate_checked(node, f"baseline.{key}.estimator", Estimator)
    return built


def estimators() -> dict[str, Estimator]:
    """Every estimator of the baseline configs, by baseline key (`logme`, `reg_h`, `leep`, ...)."""
    return estimators_of({key: {"estimator": node} for key, node in estimator_nodes().items()})


def resolve_targets(cfg: DictConfig, zoo: ZooData) -> list[str]:
    """The dataset names a run evaluates: `target=<key>`, else `targets=[...]` (target keys such as
    `glue_cola`, or dataset names such as `glue/cola`), else all of the target set's (`target_set`: `paper`, the
    zoo's evaluation targets; `extended`, every dataset that can be held out, `ZooData.extended_targets`)."""
    target_set = str(cfg.get("target_set") or "paper")
    if target_set not in TARGET_SETS:
        raise UserInputError(f"target_set={target_set}: choose from {', '.join(TARGET_SETS)}")
    if target_set == "extended" and cfg.protocol.get("published_comparison"):
        raise UserInputError(
            f"target_set=extended: protocol={cfg.protocol.name} compares with the published tables, which cover "
            "the zoo's evaluation targets only; use protocol=clean"
        )
    pool = zoo.targets
    if target_set == "extended":
        min_models = config_int(cfg, "extended_min_models")
        if min_models < 3:
            raise UserInputError(f"extended_min_models: {min_models} is below 3 (a Pearson of 2 models is +-1)")
        pool = zoo.extended_targets(min_models)
    target_cfg = cfg.get("target")
    if target_cfg:
        if target_cfg.get("zoo") != zoo.name:
            raise UserInputError(
                f"target={target_cfg.name} belongs to the {target_cfg.get('zoo')} zoo, but zoo={zoo.name}; "
                f"add zoo={target_cfg.get('zoo')}"
            )
        return [str(target_cfg.name)]
    requested = cfg.get("targets")
    if requested is None:
        return list(pool)
    by_key = target_names()
    targets = [by_key.get(str(t), str(t)) for t in requested]
    if not targets:
        raise UserInputError("targets: empty list; give at least one target, or leave it null for all")
    unknown = [str(t) for t, name in zip(requested, targets, strict=True) if name not in pool]
    if unknown:
        names = {name: key for key, name in by_key.items()}
        raise UserInputError(
            f"targets: unknown target(s) {', '.join(unknown)} for zoo '{zoo.name}' and target_set={target_set} "
            f"(choose from {', '.join(names.get(t, t) for t in pool)})"
        )
    return targets


def check_inputs_cover(families: Sequence[MethodFamily], zoo: ZooData, targets: Sequence[str]) -> None:
    """Refuse, before any work, a method whose inputs the zoo lacks for one of `targets`: transferability
    scores (`check_scores_cover`) and dataset distances (`MethodFamily.distances_needed`; a zoo of one's own
    may have none, docs/zoo_format.md)."""
    check_scores_cover(families, zoo, targets)
    missing = [t for t in targets if t not in zoo.distances.index]
    needing = [name for family in families if family.distances_needed() for name in family.names]
    if missing and needing:
        what = "no dataset distances" if zoo.distances.empty else f"no distances for target(s) {', '.join(missing)}"
        shown = ", ".join(needing[:3]) + (f" and {len(needing) - 3} more" if len(needing) > 3 else "")
        raise UserInputError(
            f"{shown}: zoo '{zoo.name}' has {what}; drop the method, or give the zoo a distance matrix "
            "(distances.csv, docs/zoo_format.md)",
            path=zoo.files.get("distances"),
        )


def check_scores_cover(families: Sequence[MethodFamily], zoo: ZooData, targets: Sequence[str]) -> None:
    """Refuse, before any work, a method that reads transferability scores (`MethodFamily.scores_needed`) the
    zoo lacks for one of `targets` (the published LogME scores cover the zoo's evaluation targets only)."""
    scored = zoo.scores.groupby("metric")["target"].agg(set).to_dict() if len(zoo.scores) else {}
    for family in families:
        for metric in family.scores_needed():
            missing = [t for t in targets if t not in scored.get(metric, set())]
            if missing:
                raise UserInputError(
                    f"{', '.join(family.names)}: no {metric} scores for target(s) {', '.join(missing)}; drop the "
                    "method, or compute them with `tg-bench score` (update_zoo=true)",
                    path=zoo.files.get("scores"),
                )
