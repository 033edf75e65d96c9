"""What identifies a unit of work in the results store: the config that decides a method family's numbers.

A run's config is read here as plain data (no object is built): each method family's resolved config, its
`display` node left out (labels and colours never decide a number), digested with the protocol, the zoo, the
data, the cut-offs, the numerics mode, the package versions and the code behind every `_target_`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, ListConfig, OmegaConf

from tg_bench.store.key import config_digest
from tg_bench.store.provenance import code_digest, data_checksum, package_versions

#: a config's display identity (`tg_bench.identity`): how tables and figures show the method, never an
#: argument of the class it builds nor part of what decides its numbers
DISPLAY = "display"
#: the module that runs and scores every unit of work
LODO_MODULE = "tg_bench.evaluate.lodo"


def container(node: Any) -> Any:
    """A config node as plain dicts and lists, interpolations resolved; anything else as it is."""
    return OmegaConf.to_container(node, resolve=True) if isinstance(node, DictConfig | ListConfig) else node


def without_display(node: Any) -> Any:
    """`node` resolved, with every `display` entry removed at any depth (a stacked prior's components keep
    their own)."""
    plain = container(node)
    if isinstance(plain, Mapping):
        return {k: without_display(v) for k, v in plain.items() if k != DISPLAY}
    if isinstance(plain, list):
        return [without_display(v) for v in plain]
    return plain


def method_configs(cfg: DictConfig) -> list[tuple[str, dict]]:
    """(label, resolved config) of each method family of a run (`tg_bench.build.build_methods(cfg)`), in the
    same order: the config that decides the family's numbers (with the run's protocol, zoo, data and seed),
    nothing else.

    Labels: `transfergraph-<graph preset>-<embedder key>` for TransferGraph, the baseline's key otherwise.
    """
    entries: list[tuple[str, dict]] = []
    transfergraph = cfg.get("transfergraph")
    if transfergraph is not None and transfergraph.get("embedders") and transfergraph.get("predictors"):
        graph = container(transfergraph.get("graph"))
        graph_name = str((graph or {}).get("name", "paper"))
        predictors = without_display(transfergraph.predictors)
        shared = {k: container(v) for k, v in transfergraph.items() if k not in ("embedders", "predictors")}
        for key, node in transfergraph.embedders.items():
            config = {**shared, "embedder": without_display(node), "predictors": predictors}
            entries.append((f"transfergraph-{graph_name}-{key}", config))
    for key, node in (cfg.get("baseline") or {}).items():
        entries.append((str(key), {"baseline": without_display(node)}))
    return entries


def unit_ids(cfg: DictConfig, data_files: Mapping[str, str | Path]) -> tuple[tuple[str, str], ...]:
    """(label, digest) of each method family of a run: the results store's key of its units.

    data_files: the zoo's files by key (`ZooData.files`), checksummed. The digest covers the family's resolved
    config (`method_configs`), the protocol, the zoo's config and the checksum of its data files, the metrics'
    cut-offs, the numerics mode and the installed package versions, so a unit computed under any other setting
    is never taken for this one.
    """
    protocol = container(cfg.protocol)
    shared = {
        "numerics": container(cfg.numerics),
        "protocol": protocol,
        "zoo": container(cfg.zoo),
        "data": data_checksum(data_files)["combined"],
        "ks": list(cfg.ks),
        "versions": package_versions(),
    }
    # the code too: a stored unit computed before an edit to its method (or to the protocol and evaluation code
    # every unit runs through) must not be read back as if it were current
    common_code = [*_targets_in(protocol), LODO_MODULE]
    return tuple(
        (label, config_digest({**shared, "method": config, "code": code_digest([*common_code, *_targets_in(config)])}))
        for label, config in method_configs(cfg)
    )


def _targets_in(node: Any) -> list[str]:
    """Every `_target_` string in a resolved config (nested dicts and lists)."""
    if isinstance(node, Mapping):
        own = [str(node["_target_"])] if "_target_" in node else []
        return own + [t for value in node.values() for t in _targets_in(value)]
    if isinstance(node, list | tuple):
        return [t for value in node for t in _targets_in(value)]
    return []
