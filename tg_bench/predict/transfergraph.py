"""TransferGraph: graph -> node embeddings -> feature table -> regressor, one method per (embedder, regressor).

All regressors of one embedder share that embedder's graph, embeddings and feature table for a target, so the
12 published variants cost 4 embedding fits per target, not 12.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tg_bench.data.zoo import ZooData
from tg_bench.embed.registry import build_embedder
from tg_bench.evaluate.protocol import Protocol
from tg_bench.features.table import FeatureTables, feature_tables
from tg_bench.graph.build import GraphConfig, build_graph
from tg_bench.method import Method
from tg_bench.predict.regressors import make_regressor
from tg_bench.timing import StageTimer

#: graph presets whose method names are the paper's (no suffix)
PAPER_GRAPHS = ("paper", "with_transferability")


@dataclass(frozen=True)
class _Prepared:
    tables: FeatureTables


class TransferGraph:
    """Shared state of the variants: config, a per-target cache, and the stage timer."""

    def __init__(
        self,
        graph: Mapping | None,
        embedders: Mapping[str, Mapping],
        predictors: Mapping[str, Mapping],
        accelerator: str = "cpu",
    ) -> None:
        graph = dict(graph or {})
        self.graph_name = str(graph.get("name", "paper"))
        self.graph_config = GraphConfig.from_config(graph)
        self.embedders = {k: dict(v) for k, v in embedders.items()}
        self.predictors = {k: dict(v) for k, v in predictors.items()}
        self.accelerator = accelerator
        self.timer = StageTimer()
        self._cache: dict[tuple, _Prepared] = {}

    def method_name(self, embedder_key: str, predictor_key: str) -> str:
        embedder_name = self.embedders[embedder_key].get("name", embedder_key)
        transfer = "with" if self.graph_config.transferability_edges else "without"
        name = f"{predictor_key}_{embedder_name}_all_normalize_{transfer}_transfer"
        return name if self.graph_name in PAPER_GRAPHS else f"{name}_{self.graph_name}"

    def variants(self) -> list[TransferGraphVariant]:
        return [
            TransferGraphVariant(self, embedder_key, predictor_key)
            for embedder_key in self.embedders
            for predictor_key in self.predictors
        ]

    def prepared(self, zoo: ZooData, target: str, protocol: Protocol, seed: int, embedder_key: str) -> _Prepared:
        key = (id(zoo), target, protocol.name, seed, embedder_key)
        if key not in self._cache:
            # keep one target's entries: the LODO loop finishes a target before it starts the next
            self._cache = {k: v for k, v in self._cache.items() if k[:4] == key[:4]}
            cfg = self.embedders[embedder_key]
            embedder = build_embedder(embedder_key, cfg, protocol, self.accelerator)
            embeddings, graph = None, None
            if cfg.get("kind") != "none":
                with self.timer.stage("graph"):
                    graph = build_graph(
                        zoo, target, protocol, self.graph_config, directed=bool(cfg.get("directed", False)), seed=seed
                    )
                with self.timer.stage("embedding"):
                    embeddings = embedder.fit_transform(graph, seed)
            with self.timer.stage("features"):
                tables = feature_tables(zoo, target, protocol, embeddings, graph)
            self._cache[key] = _Prepared(tables)
        return self._cache[key]


class TransferGraphVariant(Method):
    """One (embedder, regressor) pair, named as the paper names it."""

    def __init__(self, owner: TransferGraph, embedder_key: str, predictor_key: str) -> None:
        self.owner = owner
        self.embedder_key = embedder_key
        self.predictor_key = predictor_key
        self.name = owner.method_name(embedder_key, predictor_key)
        self.timer = owner.timer

    def score_models(self, zoo: ZooData, target: str, protocol: Protocol, seed: int) -> pd.Series:
        predicted = self.predict(zoo, target, protocol, seed)
        return predicted.groupby("model")["score"].mean()

    def predict(self, zoo: ZooData, target: str, protocol: Protocol, seed: int) -> pd.DataFrame:
        """One prediction per row of the target's feature table (paper: per record; clean: per model)."""
        tables = self.owner.prepared(zoo, target, protocol, seed, self.embedder_key).tables
        cfg = self.owner.predictors[self.predictor_key]
        with self.timer.stage("regression"):
            regressor = make_regressor(str(cfg.get("kind", self.predictor_key)), cfg.get("params"), seed)
            regressor.fit(tables.train.to_numpy(dtype=np.float32), tables.y)
            score = regressor.predict(tables.test.to_numpy(dtype=np.float32))
        return pd.DataFrame({"model": tables.test_models, "score": np.asarray(score, dtype=float)})


def build_variants(cfg: Mapping) -> list[Method]:
    """Variants from the `transfergraph` config node: the product of its embedders and predictors."""
    embedders = cfg.get("embedders") or {}
    predictors = cfg.get("predictors") or {}
    if not embedders or not predictors:
        return []
    owner = TransferGraph(cfg.get("graph"), embedders, predictors, str(cfg.get("accelerator", "cpu")))
    return list(owner.variants())
