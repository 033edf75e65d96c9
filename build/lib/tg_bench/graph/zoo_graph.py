"""`ZooGraph`: the typed record that graph construction hands to the embedders."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import torch


class NodeKind(IntEnum):
    MODEL = 0
    DATASET = 1


class EdgeType(IntEnum):
    ACCURACY = 0  # model -> dataset it was fine-tuned on with normalised accuracy above the positive threshold
    SIMILARITY = 1  # dataset - dataset, weight from 1 - distance
    TRANSFERABILITY = 2  # model -> dataset, weight from the LogME z-score


@dataclass(frozen=True)
class ZooGraph:
    """Models and datasets of a zoo with the held-out target's accuracy edges removed.

    node_names: (N,) node i's model or dataset name; models come first, then datasets.
    node_kind: (N,) int8, `NodeKind` of each node.
    edge_index: (2, E) int64, edges as built: source row 0, destination row 1. When `directed` is False each
        undirected edge is stored once; consumers that need both directions add the reverse.
    edge_weight: (E,) float64 in [0, 1].
    edge_type: (E,) int8, `EdgeType` of each edge.
    negative_pairs: (2, P) int64 (model, dataset) pairs whose normalised accuracy is at or below the negative
        threshold: known-poor transfers, used as negatives by the embedders.
    node_features: (N, F) float32 or None.
    directed: whether edges are one-way (the paper's node2vec graph) or two-way.
    """

    node_names: tuple[str, ...]
    node_kind: np.ndarray
    edge_index: np.ndarray
    edge_weight: np.ndarray
    edge_type: np.ndarray
    negative_pairs: np.ndarray
    node_features: np.ndarray | None
    directed: bool

    @property
    def num_nodes(self) -> int:
        return len(self.node_names)

    @property
    def num_edges(self) -> int:
        return int(self.edge_index.shape[1])

    def index_of(self, name: str) -> int:
        return self.node_names.index(name)

    def node_index(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.node_names)}

    def to_pyg(self):
        """A `torch_geometric.data.Data` with `edge_index`, `edge_weight`, `edge_type`, `x`, `node_kind`."""
        from torch_geometric.data import Data

        data = Data(
            edge_index=torch.as_tensor(self.edge_index, dtype=torch.long),
            edge_weight=torch.as_tensor(self.edge_weight, dtype=torch.float32),
            edge_type=torch.as_tensor(self.edge_type, dtype=torch.long),
            num_nodes=self.num_nodes,
        )
        data.node_kind = torch.as_tensor(self.node_kind, dtype=torch.long)
        if self.node_features is not None:
            data.x = torch.as_tensor(self.node_features, dtype=torch.float32)
        return data
