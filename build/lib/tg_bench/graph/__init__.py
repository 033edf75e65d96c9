"""The model-dataset graph of a held-out zoo."""

from tg_bench.graph.zoo_graph import EdgeType, NodeKind, ZooGraph

__all__ = ["EdgeType", "NodeKind", "ZooGraph"]
