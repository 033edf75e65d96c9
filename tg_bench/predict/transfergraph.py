"""TransferGraph: graph -> node embeddings -> feature table -> regressor, one method per (embedder, regressor).

For each held-out target, every embedder's graph, embeddings and feature table are built once and shared by
all regressors, so the 12 published variants cost 4 embedding fits per target, not 12.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np
import pandas as pd

from tg_bench.embed.base import Embedder
from tg_bench.features.table import FeatureTables, feature_tables
from tg_bench.graph.build import GraphConfig, build_graph
from tg_bench.predict.regressors import RegressorFactory, make_regressor
from tg_bench.task.method import HeldOutTarget, MethodFamily
from tg_bench.task.naming import variant_name
from tg_bench.timing import StageTimer


class TransferGraph(MethodFamily):
    """The variants of one graph preset: every (embedder, predictor) pair is one named method.

    graph_name: the preset's name (suffixed to method names unless it is one of `PAPER_GRAPHS`).
    embedders: config key -> built embedder; predictors: config key (the name's prefix) -> regressor factory.
    """

    def distances_needed(self) -> bool:
        # a graph learner needs them: the graph's dataset nodes are the distance matrix's (tg_bench.graph.build),
        # and with its own accuracy edges held out, a target's only edges are similarity edges; without them
        # its embedding would be its random initialisation. The graph-free variant (embedder none) reads the
        # distance feature as unknown instead
        return any(embedder.uses_graph for embedder in self.embedders.values())

    stochastic = True

    def __init__(
        self,
        graph_name: str,
        graph: GraphConfig,
        embedders: Mapping[str, Embedder],
        predictors: Mapping[str, RegressorFactory],
    ) -> None:
        self.graph_name = graph_name
        self.graph = graph
        self.embedders = dict(embedders)
        self.predictors = dict(predictors)
        self.timer = StageTimer()

    def method_name(self, embedder_key: str, predictor_key: str) -> str:
        return variant_name(
            predictor_key, self.embedders[embedder_key].name, self.graph.transferability_edges, self.graph_name
        )

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.method_name(e, p) for e in self.embedders for p in self.predictors)

    def stage_seconds(self) -> dict[str, float]:
        return dict(self.timer.seconds)

    def tables(self, task: HeldOutTarget, embedder: Embedder) -> FeatureTables:
        """The feature table of `task` with `embedder`'s node embeddings (none for a graph-free embedder)."""
        embeddings, graph = None, None
        if embedder.uses_graph:
            with self.timer.stage("graph"):
                graph = build_graph(
                    task.zoo, task.target, task.protocol, self.graph, directed=embedder.directed, seed=task.seed
                )
            with self.timer.stage("embedding"):
                embeddings = embedder.fit_transform(graph, task.seed)
        with self.timer.stage("features"):
            return feature_tables(task.zoo, task.target, task.protocol, embeddings, graph, task.models)

    def regress(self, tables: FeatureTables, factory: RegressorFactory, seed: int) -> pd.DataFrame:
        """One prediction per row of the target's feature table (one per record, or per model under
        `protocol.one_row_per_model`): columns `model`, `score`."""
        with self.timer.stage("regression"):
            regressor = make_regressor(factory, seed)
            # float64 in: OLS then fits and predicts in float64, so a stored score does not depend on how many
            # rows are predicted at once (in float32 it moved by up to 1.5e-4); the tree ensembles cast to
            # float32 themselves, as before
            regressor.fit(tables.train.to_numpy(dtype=np.float64), tables.y)
            score = regressor.predict(tables.test.to_numpy(dtype=np.float64))
        return pd.DataFrame({"model": tables.test_models, "score": np.asarray(score, dtype=float)})

    def predictions(self, task: HeldOutTarget) -> Iterator[tuple[str, pd.DataFrame]]:
        for embedder_key, embedder in self.embedders.items():
            tables = self.tables(task, embedder)
            for predictor_key, factory in self.predictors.items():
                yield self.method_name(embedder_key, predictor_key), self.regress(tables, factory, task.seed)
