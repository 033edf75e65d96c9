"""GraphSAGE and GAT node embeddings trained by link prediction (docs/method.md section 4).

The paper's `homo_SAGEConv` / `homoGATConv` learners: an undirected, unweighted homogeneous graph of models
and datasets; a two-layer encoder to 128 dimensions; a dot-product decoder; a 70/10/20 link split with 30 % of
the training edges held out of message passing as supervision; Adam, BCE with logits, 50 epochs. The zoo
graphs have ~250 nodes, so training is full-batch (`steps_per_epoch` full-graph steps per epoch, 20 in
`conf/embedder`, at lr 0.005 there where the authors' mini-batches used 1e-3: fewer, larger
steps); the authors' neighbour sampling [20, 10] only matters for zoos of 10^4+ models and needs
`pyg-lib`, which is not installed here.

The `negatives` switch chooses how the known-poor (model, dataset) pairs of `ZooGraph.negative_pairs` are
labelled:

- ``"paper"`` reproduces the authors' loader quirk: their link split labels the poor pairs 2, and a later
  "2 -> 1" replacement turns them into positives, so the GNN learns "has a fine-tuning record" vs random
  pairs.
- ``"clean"`` labels them 0, next to the random negatives, as the method intends.
"""

from __future__ import annotations

import time
from typing import Any, Literal

import numpy as np
import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.utils.data import DataLoader

from tg_bench.embed.base import Embedder
from tg_bench.embed.fitting import fit_dtype, lightning_fit_scope, quiet_trainer
from tg_bench.embed.negative_sampling import KnownPairSampler
from tg_bench.errors import UserInputError
from tg_bench.graph.zoo_graph import NodeKind, ZooGraph

Negatives = Literal["paper", "clean"]
NEGATIVES_MODES: tuple[str, ...] = ("paper", "clean")

#: fan-out per layer of the authors' LinkNeighborLoader (only with `neighbour_sampling=True`)
NEIGHBOUR_FANOUT: tuple[int, int] = (20, 10)

_LIGHTNING_LOGGERS = (
    "pytorch_lightning",
    "lightning.pytorch",
    "lightning_fabric",
    "lightning.fabric",
    "lightning",
)


# ------------------------------------------------------------------------------------------------------------
# encoders and decoder


class SAGEEncoder(nn.Module):
    """Two `SAGEConv` layers (mean aggregation): x (N, F) -> z (N, out_channels)."""

    def __init__(self, in_channels: int, hidden_channels: int = 128, out_channels: int = 128) -> None:
        super().__init__()
        from torch_geometric.nn import SAGEConv

        self.conv1 = SAGEConv(in_channels, hidden_channels)
        self.conv2 = SAGEConv(hidden_channels, out_channels)

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        """x: (N, F) float32 or float64 (the fit's dtype), edge_index: (2, E) int64 -> (N, out_channels)."""
        h = self.conv1(x, edge_index).relu()
        return self.conv2(h, edge_index)


class GATEncoder(nn.Module):
    """Two single-head `GATConv` layers without self loops, each plus a linear skip (paper: homoGATConv).

    Without self loops a node's attention only sees its neighbours, so the skip `Linear(in, out)` is what
    carries the node's own features (and the only signal for isolated nodes, e.g. a target whose records were
    all removed).
    """

    def __init__(self, in_channels: int, hidden_channels: int = 128, out_channels: int = 128) -> None:
        super().__init__()
        from torch_geometric.nn import GATConv

        self.conv1 = GATConv(in_channels, hidden_channels, heads=1, add_self_loops=False)
        self.lin1 = nn.Linear(in_channels, hidden_channels)
        self.conv2 = GATConv(hidden_channels, out_channels, heads=1, add_self_loops=False)
        self.lin2 = nn.Linear(hidden_channels, out_channels)

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        """x: (N, F) float32 or float64 (the fit's dtype), edge_index: (2, E) int64 -> (N, out_channels)."""
        h = (self.conv1(x, edge_index) + self.lin1(x)).relu()
        return self.conv2(h, edge_index) + self.lin2(h)


ENCODERS: dict[str, type[nn.Module]] = {"sage": SAGEEncoder, "gat": GATEncoder}


def dot_decoder(z: Tensor, edge_label_index: Tensor) -> Tensor:
    """Link logits: z (N, D), edge_label_index (2, L) int64 -> (L,) dot products z[src] . z[dst]."""
    return (z[edge_label_index[0]] * z[edge_label_index[1]]).sum(dim=-1)


# ------------------------------------------------------------------------------------------------------------
# training data


def node_features(graph: ZooGraph, feature_dim: int = 128, seed: int = 0) -> Tensor:
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


def undirected_data(graph: ZooGraph, feature_dim: int = 128, seed: int = 0):
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


def split_links(data) -> tuple[Any, Any, Any]:
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


def supervision_labels(
    positive_index: Tensor, poor_pairs: Tensor, random_negatives: Tensor, negatives: Negatives
) -> tuple[Tensor, Tensor]:
    """One step's labelled training pairs: (edge_label_index (2, S+P+R) int64, edge_label (S+P+R,) float32).

    positive_index: (2, S) supervision edges (label 1). poor_pairs: (2, P) known-poor (model, dataset) pairs,
    labelled 1 under "paper" (the authors' quirk) and 0 under "clean". random_negatives: (2, R), label 0.
    """
    if negatives not in NEGATIVES_MODES:
        raise UserInputError(f"negatives must be one of {NEGATIVES_MODES}, got {negatives!r}")
    poor_label = 1.0 if negatives == "paper" else 0.0
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


def _both_directions(edge_index: Tensor) -> Tensor:
    return torch.cat([edge_index, edge_index.flip(0)], dim=1)


# ------------------------------------------------------------------------------------------------------------
# Lightning module


class LinkPredictionModule(pl.LightningModule):
    """Full-batch link prediction: encoder + dot-product decoder, BCE with logits, Adam.

    Each training step sees the whole graph: the batch is the training `Data` from `split_links`, and
    `supervision_labels` adds the poor pairs (per `negatives`) and `neg_sampling_ratio * S` fresh random
    negatives drawn as PyG's `negative_sampling` draws them (`KnownPairSampler`, Python's `random`, seeded by
    `seed_everything`).
    """

    def __init__(
        self,
        encoder: nn.Module,
        poor_pairs: Tensor,
        known_pairs: Tensor,
        *,
        negatives: Negatives = "paper",
        lr: float = 1e-3,
        neg_sampling_ratio: float = 1.0,
        is_model: Tensor | None = None,
        inductive_datasets: bool = False,
    ) -> None:
        """poor_pairs: (2, P) int64 known-poor (model, dataset) pairs. known_pairs: (2, K) int64 training
        pairs random negatives must avoid (message-passing and supervision edges, poor pairs; both ways).
        is_model: (N,) bool, which nodes are models (needed with `inductive_datasets`).
        inductive_datasets: pass messages through `inductive_dataset_edges` and supervise the dropped
        model -> dataset edges as positives too."""
        super().__init__()
        if negatives not in NEGATIVES_MODES:
            raise UserInputError(f"negatives must be one of {NEGATIVES_MODES}, got {negatives!r}")
        self.encoder = encoder
        self.negatives: Negatives = negatives
        self.lr = lr
        self.neg_sampling_ratio = neg_sampling_ratio
        if inductive_datasets and is_model is None:
            raise ValueError("inductive_datasets needs is_model")
        self.inductive_datasets = inductive_datasets
        self.register_buffer("is_model", None if is_model is None else is_model.bool(), persistent=False)
        # buffers follow the module to the accelerator; not persistent since they are data, not weights
        self.register_buffer("poor_pairs", poor_pairs.long().reshape(2, -1), persistent=False)
        self.register_buffer("known_pairs", known_pairs.long().reshape(2, -1), persistent=False)
        #: mean training loss of each epoch; the last validation pass's `val_loss` and `val_auc`
        self.epoch_losses: list[float] = []
        self.validation_metrics: dict[str, float] = {}
        self._loss_sum, self._loss_count = 0.0, 0
        # PyG's negative_sampling, with the known-pair index built once per fit instead of every step
        self._sampler: KnownPairSampler | None = None

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        """x: (N, F), edge_index: (2, E) -> node embeddings (N, D)."""
        return self.encoder(x, edge_index)

    def message_edges(self, edge_index: Tensor) -> Tensor:
        """The edges messages flow along: all of `edge_index`, or its inductive subset."""
        if self.inductive_datasets:
            return inductive_dataset_edges(edge_index, self.is_model)[0]
        return edge_index

    def training_step(self, batch, batch_idx: int) -> Tensor:
        edge_index, positives = batch.edge_index, batch.edge_label_index
        if self.inductive_datasets:
            edge_index, dropped = inductive_dataset_edges(batch.edge_index, self.is_model)
            positives = torch.cat([positives, dropped], dim=1)
        z = self(batch.x, edge_index)
        num_neg = max(1, round(positives.size(1) * self.neg_sampling_ratio))
        if self._sampler is None or self._sampler.num_nodes != batch.num_nodes:
            self._sampler = KnownPairSampler(self.known_pairs, batch.num_nodes)
        random_negatives = self._sampler(num_neg).to(self.known_pairs.device)
        edge_label_index, edge_label = supervision_labels(positives, self.poor_pairs, random_negatives, self.negatives)
        logits = dot_decoder(z, edge_label_index)
        loss = F.binary_cross_entropy_with_logits(logits, edge_label.to(logits.dtype))
        # summed here rather than `self.log`ged: Lightning's logging cost ~1.7 ms a step, 15 % of a GAT fit
        self._loss_sum += float(loss.detach())
        self._loss_count += 1
        return loss

    def on_train_epoch_end(self) -> None:
        self.epoch_losses.append(self._loss_sum / max(self._loss_count, 1))
        self._loss_sum, self._loss_count = 0.0, 0

    def transfer_batch_to_device(self, batch, device: torch.device, dataloader_idx: int):
        """The full-graph `Data` moves itself (Lightning's generic walk over its attributes took ~1.3 ms a
        step)."""
        return batch.to(device)

    def validation_step(self, batch, batch_idx: int) -> None:
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


# ------------------------------------------------------------------------------------------------------------
# fitting


def _identity(item: Any) -> Any:
    return item


def _full_batch_loader(data, steps: int = 1) -> DataLoader:
    """A loader that yields the whole graph `steps` times per epoch (full-batch training)."""
    return DataLoader([data] * steps, batch_size=None, shuffle=False, collate_fn=_identity, num_workers=0)


def neighbour_sampling_available() -> bool:
    """Whether PyG can sample neighbourhoods here (needs `pyg-lib` or `torch-sparse`)."""
    import torch_geometric.typing as pyg_typing

    return bool(getattr(pyg_typing, "WITH_PYG_LIB", False) or getattr(pyg_typing, "WITH_TORCH_SPARSE", False))


def _check_neighbour_sampling() -> None:
    if not neighbour_sampling_available():
        raise UserInputError(
            "neighbour_sampling=True needs PyG's sampling backend: `pip install pyg-lib` (or torch-sparse) "
            "matching your torch version (https://data.pyg.org/whl/). It only matters for zoos of 10^4+ "
            "models; full-batch training (neighbour_sampling=False) is the default and fits ~250-node zoo "
            "graphs in seconds."
        )
    # The backend is importable, but mini-batch training with LinkNeighborLoader is not implemented (it could
    # not be tested in this environment); fail loudly rather than silently train full-batch.
    raise NotImplementedError(
        "neighbour sampling with LinkNeighborLoader (fan-out [20, 10], batch 16) is not implemented yet; "
        "use neighbour_sampling=False (full-batch)"
    )


def check_link_settings(
    *,
    negatives: str,
    hidden_channels: int,
    out_channels: int,
    epochs: int,
    steps_per_epoch: int,
    feature_dim: int,
    lr: float,
    neg_sampling_ratio: float,
    neighbour_sampling: bool,
    dtype: str,
) -> None:
    """The checks of `fit_link_embeddings`' settings, shared with the embedders' constructors: ValueError
    naming the setting (or, for `neighbour_sampling` without pyg-lib, a UserInputError saying what to install)."""
    if negatives not in NEGATIVES_MODES:
        raise ValueError(f"negatives must be one of {', '.join(NEGATIVES_MODES)}, got {negatives!r}")
    for key, value in (
        ("hidden_channels", hidden_channels),
        ("out_channels", out_channels),
        ("epochs", epochs),
        ("steps_per_epoch", steps_per_epoch),
        ("feature_dim", feature_dim),
    ):
        if value < 1:
            raise ValueError(f"{key} must be >= 1, got {value}")
    if lr <= 0 or neg_sampling_ratio <= 0:
        raise ValueError(f"lr and neg_sampling_ratio must be > 0, got {lr} and {neg_sampling_ratio}")
    fit_dtype(dtype)
    if neighbour_sampling:
        _check_neighbour_sampling()


def fit_link_embeddings(
    graph: ZooGraph,
    encoder: str,
    seed: int,
    *,
    hidden_channels: int,
    out_channels: int,
    epochs: int,
    lr: float,
    negatives: Negatives,
    accelerator: str,
    feature_dim: int,
    neighbour_sampling: bool,
    neg_sampling_ratio: float,
    steps_per_epoch: int,
    num_threads: int | None,
    inductive_datasets: bool,
    normalize: bool,
    dtype: str,
    progress: bool = False,
) -> tuple[np.ndarray, dict[str, float]]:
    """Train `encoder` ("sage" | "gat") by link prediction on `graph`; return (embeddings, metrics).

    embeddings: (N, out_channels) float32, one eval-mode forward pass over the full, unsplit graph.
    metrics: last epoch's `train_loss`, `val_auc`, `val_loss` (when defined) and `fit_seconds`.
    steps_per_epoch: full-batch optimiser steps per epoch, each with fresh random negatives. One step per
        epoch gives 50 Adam steps in all, far fewer than the authors' ~60 mini-batches of 16 per epoch, and
        can leave the encoder under-trained; raise it to match their step count (~10 ms a step here).
    num_threads: torch intra-op threads during the fit (None: leave as is); see
        `tg_bench.embed.fitting.lightning_fit_scope`.
    inductive_datasets: embed datasets without messages from models (`inductive_dataset_edges`), in training
        and in the final pass; False is the authors' training.
    normalize: scale each embedding row to unit L2 norm (a zero row stays zero), so a regressor on the raw
        coordinates compares directions, which link prediction trains, not norms, which vary with degree.
    dtype: "float32" | "float64", what the encoder trains and embeds in (`conf/numerics`). The features and
        the initial weights are drawn in float32 either way and then cast, so both start from the same values.
    """
    if encoder not in ENCODERS:
        raise UserInputError(f"unknown GNN encoder {encoder!r}; expected one of {sorted(ENCODERS)}")
    check_link_settings(
        negatives=negatives,
        hidden_channels=hidden_channels,
        out_channels=out_channels,
        epochs=epochs,
        steps_per_epoch=steps_per_epoch,
        feature_dim=feature_dim,
        lr=lr,
        neg_sampling_ratio=neg_sampling_ratio,
        neighbour_sampling=neighbour_sampling,
        dtype=dtype,
    )
    float_type = fit_dtype(dtype)

    start = time.perf_counter()
    with lightning_fit_scope(num_threads):
        pl.seed_everything(seed, workers=True, verbose=False)
        full = undirected_data(graph, feature_dim=feature_dim, seed=seed)
        full.x = full.x.to(float_type)
        train_data, val_data, _test_data = split_links(full)

        poor_pairs = torch.as_tensor(np.asarray(graph.negative_pairs), dtype=torch.long).reshape(2, -1)
        known_pairs = torch.cat(
            [
                train_data.edge_index,
                _both_directions(train_data.edge_label_index),
                _both_directions(poor_pairs),
            ],
            dim=1,
        )
        module = LinkPredictionModule(
            ENCODERS[encoder](full.num_features, hidden_channels, out_channels),
            poor_pairs,
            known_pairs,
            negatives=negatives,
            lr=lr,
            neg_sampling_ratio=neg_sampling_ratio,
            is_model=torch.as_tensor(np.asarray(graph.node_kind) == NodeKind.MODEL),
            inductive_datasets=inductive_datasets,
        ).to(float_type)
        has_val = val_data.edge_label_index.numel() > 0
        trainer = quiet_trainer(
            epochs=epochs,
            accelerator=accelerator,
            progress=progress,
            num_sanity_val_steps=0,
            log_every_n_steps=1,
            limit_val_batches=1.0 if has_val else 0,
            # validation reads the model and changes nothing, so one pass after the last epoch reports the same
            # final metrics as a pass after every epoch did, for 1/50 of the cost
            check_val_every_n_epoch=epochs,
        )
        trainer.fit(
            module,
            train_dataloaders=_full_batch_loader(train_data, steps_per_epoch),
            val_dataloaders=_full_batch_loader(val_data) if has_val else None,
        )
        metrics = {"train_loss": module.epoch_losses[-1], **module.validation_metrics}

        # the embedding pass runs on CPU: one forward over ~250 nodes, and CPU keeps it bit-reproducible
        module = module.cpu().eval()
        with torch.no_grad():
            z = module(full.x, module.message_edges(full.edge_index))
            if normalize:
                z = F.normalize(z, p=2.0, dim=1)
    metrics["fit_seconds"] = time.perf_counter() - start
    return z.numpy().astype(np.float32, copy=False), metrics


# ------------------------------------------------------------------------------------------------------------
# embedders


class _GNNEmbedder(Embedder):
    """A GNN link-prediction embedder; every setting is a keyword argument of `fit_link_embeddings`, given by
    `conf/embedder/{sage,gat}.yaml` (the protocol-dependent ones by interpolation from `conf/protocol`)."""

    encoder: str

    def __init__(
        self,
        *,
        name: str,
        hidden_channels: int,
        out_channels: int,
        epochs: int,
        steps_per_epoch: int,
        lr: float,
        negatives: Negatives,
        inductive_datasets: bool,
        normalize: bool,
        neighbour_sampling: bool,
        neg_sampling_ratio: float,
        feature_dim: int,
        accelerator: str,
        num_threads: int | None,
        dtype: str,
        progress: bool = False,
    ) -> None:
        # fail at configuration time, not after the first target's graph is built
        check_link_settings(
            negatives=negatives,
            hidden_channels=hidden_channels,
            out_channels=out_channels,
            epochs=epochs,
            steps_per_epoch=steps_per_epoch,
            feature_dim=feature_dim,
            lr=lr,
            neg_sampling_ratio=neg_sampling_ratio,
            neighbour_sampling=neighbour_sampling,
            dtype=dtype,
        )
        self.name = name
        self.settings: dict[str, Any] = {
            "hidden_channels": hidden_channels,
            "out_channels": out_channels,
            "epochs": epochs,
            "steps_per_epoch": steps_per_epoch,
            "lr": lr,
            "negatives": negatives,
            "inductive_datasets": inductive_datasets,
            "normalize": normalize,
            "neighbour_sampling": neighbour_sampling,
            "neg_sampling_ratio": neg_sampling_ratio,
            "feature_dim": feature_dim,
            "accelerator": accelerator,
            "num_threads": num_threads,
            "dtype": dtype,
            "progress": progress,
        }
        #: metrics of the last `fit_transform` (train_loss, val_auc, val_loss, fit_seconds)
        self.last_metrics: dict[str, float] = {}

    def fit_transform(self, graph: ZooGraph, seed: int) -> np.ndarray:
        """Embeddings (graph.num_nodes, out_channels) float32; same graph and seed -> same array on CPU."""
        z, self.last_metrics = fit_link_embeddings(graph, self.encoder, seed, **self.settings)
        return z

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.settings.items())})"


class SAGEEmbedder(_GNNEmbedder):
    """GraphSAGE link-prediction embeddings (the paper's `homo_SAGEConv`)."""

    encoder = "sage"


class GATEmbedder(_GNNEmbedder):
    """GAT link-prediction embeddings with linear skips (the paper's `homoGATConv`)."""

    encoder = "gat"
