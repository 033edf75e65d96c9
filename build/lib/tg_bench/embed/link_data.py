"""The link-prediction data of a GNN fit: the zoo graph as PyG data, its link split, and each step's labelled
pairs (docs/method.md section 4).

The graph is undirected, unweighted and homogeneous; links split 70/10/20 with 30 % of the training edges held
out of message passing as supervision. `POOR_PAIR_LABEL` says how the known-poor (model, dataset) pairs of
`ZooGraph.negative_pairs` are labelled under each `negatives` mode:

- ``"paper"`` reproduces the authors' loader quirk: their link split labels the poor pairs 2, and a later
  "2 -> 1" replacement turns them into positives, so the GNN learns "has a fine-tuning record" vs random
  pairs.
- ``"clean"`` labels them 0, next to the random negatives, as the method intends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import Tensor

from tg_bench.graph.zoo_graph import ZooGraph
from tg_bench.task.protocol import Negatives

if TYPE_CHECKING:
    from torch_geometric.data import Data

#: the training label of a known-poor (model, dataset) pair under each `negatives` mode
POOR_PAIR_LABEL: dict[Negatives, float] = {"paper": 1.0, "clean": 0.0}


def node_features(graph: ZooGraph, feature_dim: int, seed: int) -> Tensor:
    """(N, F) float32: `graph.node_features` when present, else U[0, 1) noise of width `feature_dim`.

    The paper gives models uniform random vectors; substituting dataset embeddings for dataset rows is the
    graph builder's job, so a graph without features gets noise for every node.
    """
    if graph.node_features is not None:
        x = np.asarray(graph.node_features, dtype=np.float32)
        if x.ndim != 2 or x.shape[0] != graph.num_nodes:
            raise ValueError(f"node_features must have shape ({graph.num_nodes}, F), got {x.shape}")
        return torch.from_numpy(x.copy())
    rng = np.random.default_rng(seed)
    return torch.from_numpy(rng.random((graph.num_nodes, feature_dim), dtype=np.float32))


def undirected_data(graph: ZooGraph, feature_dim: int, seed: int) -> Data:
    """The full graph as a PyG `Data(x (N, F), edge_index (2, 2E'))`: both directions, no weights or types.

    Self loops are dropped and duplicates merged, so every undirected edge appears exactly twice. Only `x` and
    `edge_index` are set on purpose: `RandomLinkSplit` splits every attribute it takes for an edge
    attribute.
    """
    from torch_geometric.data import Data
    from torch_geometric.utils import remove_self_loops, to_undirected

    edge_index = torch.as_tensor(np.asarray(graph.edge_index), dtype=torch.long).reshape(2, -1)
    edge_index, _ = remove_self_loops(edge_index)
    edge_index = to_undirected(edge_index, num_nodes=graph.num_nodes)
    return Data(x=node_features(graph, feature_dim, seed), edge_index=edge_index, num_nodes=graph.num_nodes)


def split_links(data: Data) -> tuple[Data, Data, Data]:
    """70/10/20 link split, 30 % of the training edges as supervision (`RandomLinkSplit`, global torch RNG).

    train.edge_index: message-passing edges (both directions); train.edge_label_index (2, S): supervision
    positives, one direction, no negatives (drawn fresh each step instead). val / test: message passing over
    all training edges, edge_label_index / edge_label with as many random negatives as positives.
    """
    from torch_geometric.transforms import RandomLinkSplit

    transform = RandomLinkSplit(
        num_val=0.1,
        num_test=0.2,
        is_undirected=True,
        add_negative_train_samples=False,
        disjoint_train_ratio=0.3,
    )
    return transform(data)


def known_training_pairs(train: Data, poor_pairs: Tensor) -> Tensor:
    """(2, K) int64 pairs that random negatives must avoid: train.edge_index (message passing, both
    directions), then the supervision edges train.edge_label_index (2, S) and poor_pairs (2, P), both each way.
    """
    return torch.cat([train.edge_index, _both_directions(train.edge_label_index), _both_directions(poor_pairs)], dim=1)


def _both_directions(edge_index: Tensor) -> Tensor:
    return torch.cat([edge_index, edge_index.flip(0)], dim=1)


def supervision_labels(
    positive_index: Tensor, poor_pairs: Tensor, random_negatives: Tensor, poor_label: float
) -> tuple[Tensor, Tensor]:
    """One step's labelled training pairs: (edge_label_index (2, S+P+R) int64, edge_label (S+P+R,) float32).

    positive_index: (2, S) supervision edges (label 1). poor_pairs: (2, P) known-poor (model, dataset) pairs,
    labelled `poor_label` (`POOR_PAIR_LABEL` of the `negatives` mode). random_negatives: (2, R), label 0.
    """
    device = positive_index.device
    poor_pairs = poor_pairs.to(device=device, dtype=torch.long).reshape(2, -1)
    random_negatives = random_negatives.to(device=device, dtype=torch.long).reshape(2, -1)
    edge_label_index = torch.cat([positive_index.long(), poor_pairs, random_negatives], dim=1)
    edge_label = torch.cat(
        [
            torch.ones(positive_index.size(1), device=device),
            torch.full((poor_pairs.size(1),), poor_label, device=device),
            torch.zeros(random_negatives.size(1), device=device),
        ]
    )
    return edge_label_index, edge_label


def inductive_dataset_edges(edge_index: Tensor, is_model: Tensor) -> tuple[Tensor, Tensor]:
    """Drop every model -> dataset message, so that each dataset is embedded from its own features and its
    similarity neighbours only: the way the held-out target, which has no accuracy edges, must be embedded.

    Trained on the full graph, the encoder only ever sees datasets that aggregate their fine-tuned models; the
    target, embedded from similarity edges alone, then lands at about half the norm of the training datasets
    and, on the planted zoo, on the wrong side of the regressor's splits for some seeds (Pearson -1 instead of
    +1) even though its direction is right. With these messages gone in training and in the final pass, every
    dataset embedding comes from the same function, and models still aggregate their datasets (dataset -> model
    messages stay). Deterministic.

    edge_index: (2, E) int64 message-passing edges, both directions, row 0 the source of the message;
    is_model: (N,) bool. Returns (kept (2, E') int64, dropped (2, E - E') int64 model -> dataset edges).
    """
    src, dst = edge_index
    into_dataset = is_model[src] & ~is_model[dst]
    return edge_index[:, ~into_dataset], edge_index[:, into_dataset]
