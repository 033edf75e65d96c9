"""The interface every embedder implements."""

from __future__ import annotations

import abc

import numpy as np

from tg_bench.graph.zoo_graph import ZooGraph


class Embedder(abc.ABC):
    """Learns one vector per node of a `ZooGraph`."""

    #: the name used in method names (`xgb_{name}_all_normalize_without_transfer`)
    name: str

    @abc.abstractmethod
    def fit_transform(self, graph: ZooGraph, seed: int) -> np.ndarray | None:
        """Embeddings of shape (graph.num_nodes, dim), float32; None for the `none` embedder.

        The same graph and seed must give the same embeddings (CPU).
        """
