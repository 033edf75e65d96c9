"""GraphSAGE and GAT node embeddings trained by link prediction (docs/method.md section 4): the embedder.

The paper's `homo_SAGEConv` / `homoGATConv` learners are one `GNNEmbedder` with a different encoder:
`tg_bench/conf/embedder/{sage,gat}.yaml` give the encoder (`tg_bench.embed.encoders`, by `_target_`) and the fit's
`LinkSettings`; `tg_bench.embed.link_fitting.fit_link_embeddings` trains it.
"""

from __future__ import annotations

import numpy as np
import torch

from tg_bench.embed.base import Embedder
from tg_bench.embed.encoders import EncoderFactory
from tg_bench.embed.link_fitting import fit_link_embeddings
from tg_bench.embed.link_settings import LinkSettings
from tg_bench.graph.zoo_graph import ZooGraph


class GNNEmbedder(Embedder):
    """A GNN link-prediction embedder: `encoder` trained as `settings` say (`fit_link_embeddings`).

    name: the name in method names (`homo_SAGEConv`, `homoGATConv`). encoder: `encoder(in_channels)` -> a
    fresh encoder module (the config's `_partial_: true` node). settings: the fit's `LinkSettings`.
    """

    def __init__(self, *, name: str, encoder: EncoderFactory, settings: LinkSettings) -> None:
        # fail at configuration time, not after the first target's graph is built: a bad width or a misspelt
        # keyword of the encoder's config shows when it is built, here on the meta device, which allocates no
        # memory and draws nothing from torch's RNG
        with torch.device("meta"):
            encoder(1)
        self.name = name
        self.encoder = encoder
        self.settings = settings
        #: metrics of the last `fit_transform` (train_loss, val_auc, val_loss, fit_seconds)
        self.last_metrics: dict[str, float] = {}

    def fit_transform(self, graph: ZooGraph, seed: int) -> np.ndarray:
        """Embeddings (graph.num_nodes, out_channels) float32; same graph and seed -> same array on CPU."""
        z, self.last_metrics = fit_link_embeddings(graph, self.encoder, seed, self.settings)
        return z

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, encoder={self.encoder!r}, settings={self.settings!r})"
