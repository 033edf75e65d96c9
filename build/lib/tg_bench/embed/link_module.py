"""The Lightning module of a GNN link-prediction fit: encoder + dot-product decoder, BCE with logits, Adam."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from tg_bench.embed.link_data import inductive_dataset_edges, supervision_labels
from tg_bench.embed.negative_sampling import KnownPairSampler

if TYPE_CHECKING:
    from torch_geometric.data import Data


def dot_decoder(z: Tensor, edge_label_index: Tensor) -> Tensor:
    """Link logits: z (N, D), edge_label_index (2, L) int64 -> (L,) dot products z[src] . z[dst]."""
    return (z[edge_label_index[0]] * z[edge_label_index[1]]).sum(dim=-1)


class LinkPredictionModule(pl.LightningModule):
    """Full-batch link prediction: encoder + dot-product decoder, BCE with logits, Adam.

    Each training step sees the whole graph: the batch is the training `Data` from `split_links`, and
    `supervision_labels` adds the poor pairs (labelled `poor_label`) and `neg_sampling_ratio * S` fresh random
    negatives drawn as PyG's `negative_sampling` draws them (`KnownPairSampler`, Python's `random`, seeded by
    `seed_everything`).
    """

    def __init__(
        self,
        encoder: nn.Module,
        poor_pairs: Tensor,
        known_pairs: Tensor,
        *,
        poor_label: float,
        lr: float,
        neg_sampling_ratio: float,
        inductive_datasets: bool,
        is_model: Tensor | None = None,
    ) -> None:
        """poor_pairs: (2, P) int64 known-poor (model, dataset) pairs, labelled `poor_label` (1.0 under the
        paper's negatives, 0.0 under the clean ones: `link_data.POOR_PAIR_LABEL`). known_pairs: (2, K) int64
        training pairs random negatives must avoid (`link_data.known_training_pairs`).
        is_model: (N,) bool, which nodes are models (needed with `inductive_datasets`).
        inductive_datasets: pass messages through `inductive_dataset_edges` and supervise the dropped
        model -> dataset edges as positives too."""
        super().__init__()
        if inductive_datasets and is_model is None:
            raise ValueError("inductive_datasets needs is_model")
        self.encoder = encoder
        self.poor_label = poor_label
        self.lr = lr
        self.neg_sampling_ratio = neg_sampling_ratio
        self.inductive_datasets = inductive_datasets
        # buffers follow the module to the accelerator; not persistent since they are data, not weights
        self.register_buffer("is_model", None if is_model is None else is_model.bool(), persistent=False)
        self.register_buffer("poor_pairs", poor_pairs.long().reshape(2, -1), persistent=False)
        self.register_buffer("known_pairs", known_pairs.long().reshape(2, -1), persistent=False)
        #: mean training loss of each epoch; the last validation pass's `val_loss` and `val_auc`
        self.epoch_losses: list[float] = []
        self.validation_metrics: dict[str, float] = {}
        self._loss_sum, self._loss_count = 0.0, 0
        # PyG's negative_sampling, with the known-pair index built once per fit instead of every step
        self._sampler: KnownPairSampler | None = None

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        """x: (N, F), edge_index: (2, E) int64 -> node embeddings (N, D)."""
        return self.encoder(x, edge_index)

    def message_edges(self, edge_index: Tensor) -> Tensor:
        """The edges messages flow along: all of `edge_index` (2, E), or its inductive subset (2, E')."""
        if self.inductive_datasets:
            return inductive_dataset_edges(edge_index, self.is_model)[0]
        return edge_index

    def training_step(self, batch: Data, batch_idx: int) -> Tensor:
        edge_index, positives = batch.edge_index, batch.edge_label_index
        if self.inductive_datasets:
            edge_index, dropped = inductive_dataset_edges(batch.edge_index, self.is_model)
            positives = torch.cat([positives, dropped], dim=1)
        z = self(batch.x, edge_index)
        num_neg = max(1, round(positives.size(1) * self.neg_sampling_ratio))
        if self._sampler is None or self._sampler.num_nodes != batch.num_nodes:
            self._sampler = KnownPairSampler(self.known_pairs, batch.num_nodes)
        random_negatives = self._sampler(num_neg).to(self.known_pairs.device)
        edge_label_index, edge_label = supervision_labels(positives, self.poor_pairs, random_negatives, self.poor_label)
        logits = dot_decoder(z, edge_label_index)
        loss = F.binary_cross_entropy_with_logits(logits, edge_label.to(logits.dtype))
        # summed here rather than `self.log`ged: Lightning's logging cost ~1.7 ms a step, 15 % of a GAT fit
        self._loss_sum += float(loss.detach())
        self._loss_count += 1
        return loss

    def on_train_epoch_end(self) -> None:
        self.epoch_losses.append(self._loss_sum / max(self._loss_count, 1))
        self._loss_sum, self._loss_count = 0.0, 0

    def transfer_batch_to_device(self, batch: Data, device: torch.device, dataloader_idx: int) -> Data:
        """The full-graph `Data` moves itself (Lightning's generic walk over its attributes took ~1.3 ms a
        step)."""
        return batch.to(device)

    def validation_step(self, batch: Data, batch_idx: int) -> None:
        z = self(batch.x, self.message_edges(batch.edge_index))
        logits = dot_decoder(z, batch.edge_label_index)
        label = batch.edge_label.to(logits.dtype)
        self.validation_metrics = {"val_loss": float(F.binary_cross_entropy_with_logits(logits, label))}
        if 0 < int(label.sum()) < label.numel():  # AUC is undefined with a single class
            from sklearn.metrics import roc_auc_score

            auc = roc_auc_score(label.cpu().numpy(), logits.detach().cpu().numpy())
            self.validation_metrics["val_auc"] = float(auc)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.Adam(self.parameters(), lr=self.lr)
