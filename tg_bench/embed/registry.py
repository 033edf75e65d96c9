"""Builds an embedder from its `embedder` config entry."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from tg_bench.embed.base import Embedder
from tg_bench.errors import UserInputError
from tg_bench.evaluate.protocol import Protocol
from tg_bench.graph.zoo_graph import ZooGraph

EMBEDDER_KINDS = ("node2vec", "node2vec_plus", "sage", "gat", "none")
#: node2vec's starting std of its embedding table: the authors' (one table, N(0, 1)) and ours (two, N(0, 0.01^2))
PAPER_INIT_STD = 1.0
CLEAN_INIT_STD = 0.01


class NoEmbedding(Embedder):
    """Metadata-only regression (the paper's plain "LR" baseline): no graph embedding at all."""

    name = "none"

    def fit_transform(self, graph: ZooGraph, seed: int) -> np.ndarray | None:
        return None


def build_embedder(key: str, cfg: Mapping, protocol: Protocol, accelerator: str = "cpu") -> Embedder:
    """`kind` picks the class; `params` are its constructor arguments. GNN settings left null follow the
    protocol: `negatives` (paper = the authors' mislabelled positives, clean = poor pairs as negatives), and
    `inductive_datasets` and `normalize` (off under paper, on under clean; see `tg_bench.embed.gnn`). node2vec
    settings left null follow it too: `tied` and `init_std` (paper: the authors' one table at std 1.0, which
    reproduces their node2vec rows; clean: separate tables at std 0.01; see `tg_bench.embed.node2vec`)."""
    kind = cfg.get("kind")
    params = dict(cfg.get("params") or {})
    try:
        if kind in ("node2vec", "node2vec_plus"):
            from tg_bench.embed.node2vec import Node2Vec, Node2VecPlus

            if params.get("tied") is None:
                params["tied"] = protocol.is_paper
            if params.get("init_std") is None:
                params["init_std"] = PAPER_INIT_STD if protocol.is_paper else CLEAN_INIT_STD
            cls = Node2Vec if kind == "node2vec" else Node2VecPlus
            return cls(accelerator=accelerator, **params)
        if kind in ("sage", "gat"):
            from tg_bench.embed.gnn import GATEmbedder, SAGEEmbedder

            if params.get("negatives") is None:
                params["negatives"] = protocol.name
            for setting in ("inductive_datasets", "normalize"):
                if params.get(setting) is None:
                    params[setting] = not protocol.is_paper
            cls = SAGEEmbedder if kind == "sage" else GATEmbedder
            return cls(accelerator=accelerator, **params)
    except TypeError as exc:
        raise UserInputError(f"embedder.{key}.params: {exc}") from exc
    if kind == "none":
        return NoEmbedding()
    raise UserInputError(f"embedder.{key}.kind: unknown kind {kind!r} (choose one of {', '.join(EMBEDDER_KINDS)})")
