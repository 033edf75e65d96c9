"""The interface every embedder implements, and the `none` embedder."""

from __future__ import annotations

import abc

import numpy as np

from tg_bench.graph.zoo_graph import ZooGraph


class Embedder(abc.ABC):
    """Learns one vector per node of a `ZooGraph`.

    A subclass is built from its `tg_bench/conf/embedder/*.yaml` by `hydra.utils.instantiate`: every constructor
    argument is listed there, so a run's `run.json` records what ran.
    """

    #: the name used in method names (`xgb_{name}_all_normalize_without_transfer`)
    name: str
    #: whether the graph it learns from is built with one-way edges (`ZooGraph.directed`)
    directed: bool = False
    #: False for an embedder that never looks at the graph (then no graph is built)
    uses_graph: bool = True

    @abc.abstractmethod
    def fit_transform(self, graph: ZooGraph | None, seed: int) -> np.ndarray | None:
        """Embeddings of shape (graph.num_nodes, dim), float32; None for the `none` embedder.

        The same graph and seed must give the same embeddings (CPU).
        """


class NoEmbedding(Embedder):
    """Metadata-only regression (the paper's plain "LR" baseline): no graph embedding at all."""

    uses_graph = False

    def __init__(self, *, name: str) -> None:
        self.name = name

    def fit_transform(self, graph: ZooGraph | None, seed: int) -> None:
        return None
