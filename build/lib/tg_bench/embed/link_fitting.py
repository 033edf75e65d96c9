"""One GNN link-prediction fit on a zoo graph, start to finish: `fit_link_embeddings`.

Seeds everything, builds the link data (`link_data`), trains a `LinkPredictionModule` full-batch with a quiet
Lightning Trainer (`fitting`), and embeds every node in one pass over the full, unsplit graph.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np
import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

from tg_bench.embed.encoders import EncoderFactory
from tg_bench.embed.fitting import lightning_fit_scope, quiet_trainer
from tg_bench.embed.link_data import POOR_PAIR_LABEL, known_training_pairs, split_links, undirected_data
from tg_bench.embed.link_module import LinkPredictionModule
from tg_bench.embed.link_settings import LinkSettings
from tg_bench.graph.zoo_graph import NodeKind, ZooGraph

if TYPE_CHECKING:
    from torch_geometric.data import Data


def _identity(item: Any) -> Any:
    return item


def _full_batch_loader(data: Data, steps: int = 1) -> DataLoader:
    """A loader that yields the whole graph `steps` times per epoch (full-batch training)."""
    return DataLoader([data] * steps, batch_size=None, shuffle=False, collate_fn=_identity, num_workers=0)


def fit_link_embeddings(
    graph: ZooGraph, encoder: EncoderFactory, seed: int, settings: LinkSettings
) -> tuple[np.ndarray, dict[str, float]]:
    """Train `encoder(in_channels)` by link prediction on `graph` as `settings` say; return (embeddings,
    metrics).

    embeddings: (N, out_channels) float32, one eval-mode forward pass over the full, unsplit graph.
    metrics: last epoch's `train_loss`, `val_auc`, `val_loss` (when defined) and `fit_seconds`.
    The same graph, encoder, seed and settings give the same embeddings on CPU.
    """
    float_type = settings.torch_dtype

    start = time.perf_counter()
    with lightning_fit_scope(settings.num_threads):
        # the order of the draws below (numpy features, torch split, torch initial weights, Python's `random`
        # negatives) is part of what a seed means: reordering them changes every number
        pl.seed_everything(seed, workers=True, verbose=False)
        full = undirected_data(graph, feature_dim=settings.feature_dim, seed=seed)
        full.x = full.x.to(float_type)
        train_data, val_data, _test_data = split_links(full)

        poor_pairs = torch.as_tensor(np.asarray(graph.negative_pairs), dtype=torch.long).reshape(2, -1)
        module = LinkPredictionModule(
            encoder(full.num_features),
            poor_pairs,
            known_training_pairs(train_data, poor_pairs),
            poor_label=POOR_PAIR_LABEL[settings.negatives],
            lr=settings.lr,
            neg_sampling_ratio=settings.neg_sampling_ratio,
            inductive_datasets=settings.inductive_datasets,
            is_model=torch.as_tensor(np.asarray(graph.node_kind) == NodeKind.MODEL),
        ).to(float_type)
        has_val = val_data.edge_label_index.numel() > 0
        trainer = quiet_trainer(
            epochs=settings.epochs,
            accelerator=settings.accelerator,
            progress=settings.progress,
            num_sanity_val_steps=0,
            log_every_n_steps=1,
            limit_val_batches=1.0 if has_val else 0,
            # validation reads the model and changes nothing, so one pass after the last epoch reports the same
            # final metrics as a pass after every epoch did, for 1/50 of the cost
            check_val_every_n_epoch=settings.epochs,
        )
        trainer.fit(
            module,
            train_dataloaders=_full_batch_loader(train_data, settings.steps_per_epoch),
            val_dataloaders=_full_batch_loader(val_data) if has_val else None,
        )
        metrics = {"train_loss": module.epoch_losses[-1], **module.validation_metrics}

        # the embedding pass runs on CPU: one forward over ~250 nodes, and CPU keeps it bit-reproducible
        module = module.cpu().eval()
        with torch.no_grad():
            z = module(full.x, module.message_edges(full.edge_index))
            if settings.normalize:
                z = F.normalize(z, p=2.0, dim=1)
    metrics["fit_seconds"] = time.perf_counter() - start
    return z.numpy().astype(np.float32, copy=False), metrics
