"""node2vec and node2vec+ embeddings: skip-gram with negative sampling over our own random walks.

What the authors ran (docs/method.md section 4) is a modified PyG `Node2Vec`; this module keeps its data flow
and replaces the parts that cannot run here (the walk samplers, see `tg_bench.embed.walks`):

- walks: `walks_per_node` walks of `walk_length` nodes from every node. node2vec draws fresh uniform walks every
  epoch (PyG samples walks inside its loader); node2vec+ draws weighted first-order walks once before training
  (the authors precomputed them with pecanpy). Walks stop at dead ends (-1 padding) where PyG's sampler would
  repeat the dead-end node; padded positions give no pairs.
- positive pairs, PyG's windows: for every window start j in 0 .. walk_length - context_size, the centre
  walk[j] is paired with each of walk[j+1 .. j+context_size-1]. With the paper's walk_length = context_size = 10
  that is one window per walk: (start node, each later node of its walk), up to 9 pairs per walk.
- batches, PyG's loader: `batch_size` counts *start nodes*; a batch holds all walks of `batch_size` nodes
  (in a shuffled node order) and all their pairs. The paper's batch 64 on a 250-node graph is therefore 4
  optimiser steps per epoch, not one step per 64 pairs.
- negatives: the authors drew one negative row per walk, [node, poor model m', 7 random nodes, dataset d']
  for a known-poor pair (m', d'), i.e. 9 negatives for the walk's start node, 2 of them from a poor pair
  (their code draws the pair among those whose model is anywhere in the batch, not necessarily related to
  the node). Taken "of the node", one of m', d' is the node itself, and a node as its own negative is
  noise. Here each window (one per walk at the paper's settings) draws 1 + `num_random_negatives` negatives
  for its centre: slot 0 is a poor partner of the centre (a dataset that model did poorly on, or a model that
  did poorly on that dataset, uniform over `graph.negative_pairs`), or a uniform random node when the centre
  has none; the other slots are uniform random nodes (which may hit the centre or its context, as in PyG).
  All positive pairs of the window share these negatives, as the authors' pairs of one walk did; sharing
  also makes an epoch about 4x cheaper than fresh negatives per pair. `poor_negatives=False` keeps only the
  random slots.
- loss per positive pair: -log sigmoid(u_c . v_o) - sum_k log sigmoid(-u_c . v_k), averaged over the batch's
  pairs, with u from the target table and v from the context table (word2vec's two tables; PyG and the
  authors used one shared table, available as `tied=True`; their loss also averaged rather than summed over
  negatives). Both tables are `nn.Embedding(sparse=True)` trained with SparseAdam.
- initialisation: target table N(0, 0.01^2), context table 0 (word2vec-like). PyG starts its table at
  N(0, 1); with the paper's budget (50 epochs x 4 SparseAdam steps of 0.01) the vectors then barely leave
  their random start: on a planted two-community graph the within-minus-across cosine gap was 0.08 with
  N(0, 1) against 0.46 with 0.01 (and 0.007 against 0.07 on a paper-sized directed graph).
  `tied=True, init_std=1.0` is the authors' setup.
- threads: the fit runs on one torch thread (`num_threads: 1` in the configs, restored afterwards). The work is
  many small ops; on the 2-core machine, with other processes running, two threads made a paper-sized fit
  3-15x slower (4-17 s instead of 1.0-1.4 s), and at best (idle machine) about 20 % faster.

Determinism: `pytorch_lightning.seed_everything(seed)`, a `torch.Generator(seed)` for the initial tables and
`np.random.default_rng(seed)` for walks, node order and negatives; the Trainer runs with `deterministic=True`
and a data iterable without worker processes, so the same graph and seed give bit-identical embeddings on CPU.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch import nn

from tg_bench.embed.base import Embedder
from tg_bench.embed.fitting import fit_dtype, lightning_fit_scope, quiet_trainer
from tg_bench.embed.walks import PAD, CSRGraph, uniform_walks, weighted_walks
from tg_bench.graph.zoo_graph import ZooGraph


def skipgram_windows(walks: np.ndarray, context_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PyG's context windows of the walks: a centre and the next ``context_size - 1`` nodes after it.

    walks: (M, L) int64 with -1 padding as a suffix; context_size: C, 2 <= C <= L.
    Returns centre (W,), context (W, C-1) int64 (-1 where the walk had ended: no pair there), and walk (W,),
    the row of `walks` each window comes from. Windows without a single context node are dropped.
    """
    num_walks, length = walks.shape
    if not 2 <= context_size <= length:
        raise ValueError(f"context_size must lie in [2, walk_length={length}], got {context_size}")
    starts = range(length - context_size + 1)
    centre = np.concatenate([walks[:, j] for j in starts])
    context = np.concatenate([walks[:, j + 1 : j + context_size] for j in starts])
    walk = np.tile(np.arange(num_walks, dtype=np.int64), len(starts))
    keep = context[:, 0] != PAD  # padding is a suffix: no first context node, no context at all
    return centre[keep], context[keep], walk[keep]


def poor_partners(graph: ZooGraph) -> tuple[np.ndarray, np.ndarray]:
    """Known-poor partners of every node, from `graph.negative_pairs`, in CSR form.

    Returns indptr (N+1,), partners (2P,) int64: a model's poor datasets and a dataset's poor models.
    """
    pairs = np.asarray(graph.negative_pairs, dtype=np.int64).reshape(2, -1)
    src = np.concatenate([pairs[0], pairs[1]])
    dst = np.concatenate([pairs[1], pairs[0]])
    csr = CSRGraph.from_edges(src, dst, graph.num_nodes)
    return csr.indptr, csr.indices


def sample_negatives(
    centre: np.ndarray,
    num_nodes: int,
    num_random: int,
    rng: np.random.Generator,
    poor: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Negatives for each window (shared by the window's positive pairs).

    centre: (W,) centre node of each window; poor: (indptr (N+1,), partners) from `poor_partners`, or None.
    Returns (W, K) int64 with K = num_random + (1 if poor is not None else 0); when poor is given, column 0
    holds a poor partner of the centre (uniform among its partners), or a uniform random node if it has none.
    """
    rand = rng.integers(0, num_nodes, size=(len(centre), num_random), dtype=np.int64)
    if poor is None:
        return rand
    indptr, partners = poor
    deg = indptr[centre + 1] - indptr[centre]
    # draw both candidates for every pair so the random stream does not depend on which centres have partners
    pick = (rng.random(len(centre)) * deg).astype(np.int64)
    fallback = rng.integers(0, num_nodes, size=len(centre), dtype=np.int64)
    if len(partners) == 0:  # a graph without known-poor pairs: every window falls back to a random node
        return np.concatenate([fallback[:, None], rand], axis=1)
    first = np.where(deg > 0, partners[np.minimum(indptr[centre] + pick, len(partners) - 1)], fallback)
    return np.concatenate([first[:, None], rand], axis=1)


@dataclass(frozen=True)
class WalkSettings:
    """How an epoch's skip-gram batches are drawn: walks, windows, batches and negatives."""

    weighted: bool
    resample_walks: bool
    walks_per_node: int
    walk_length: int
    context_size: int
    batch_size: int
    num_random_negatives: int
    p: float = 1.0
    q: float = 1.0


class _SkipGramBatches:
    """An epoch's batches, re-created each time Lightning starts an epoch (it calls `iter` once per epoch).

    Yields (centre (B,), context (B, C-1) with -1 padding, negatives (B, K)) int64 tensors over B windows,
    one tuple per group of `batch_size` start nodes.
    """

    def __init__(
        self,
        csr: CSRGraph,
        settings: WalkSettings,
        poor: tuple[np.ndarray, np.ndarray] | None,
        rng: np.random.Generator,
    ) -> None:
        self.csr = csr
        self.settings = settings
        self.poor = poor
        self.rng = rng
        self._walks = None if settings.resample_walks else self._draw_walks()

    def _draw_walks(self) -> np.ndarray:
        cfg = self.settings
        if cfg.weighted:
            return weighted_walks(self.csr, cfg.walks_per_node, cfg.walk_length, self.rng)
        return uniform_walks(self.csr, cfg.walks_per_node, cfg.walk_length, self.rng, p=cfg.p, q=cfg.q)

    def __len__(self) -> int:
        return math.ceil(self.csr.num_nodes / self.settings.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
        n = self.csr.num_nodes
        walks = self._draw_walks() if self._walks is None else self._walks
        centre, context, walk = skipgram_windows(walks, self.settings.context_size)
        position = np.empty(n, dtype=np.int64)
        position[self.rng.permutation(n)] = np.arange(n)
        batch_of_window = position[walks[walk, 0]] // self.settings.batch_size
        order = np.argsort(batch_of_window, kind="stable")
        centre, context, batch_of_window = centre[order], context[order], batch_of_window[order]
        negatives = sample_negatives(centre, n, self.settings.num_random_negatives, self.rng, self.poor)
        bounds = np.searchsorted(batch_of_window, np.arange(len(self) + 1))
        for lo, hi in itertools.pairwise(bounds.tolist()):
            if hi > lo:  # a batch of dead-end start nodes has no pairs
                yield (
                    torch.from_numpy(centre[lo:hi]),
                    torch.from_numpy(context[lo:hi]),
                    torch.from_numpy(negatives[lo:hi]),
                )


class SkipGram(pl.LightningModule):
    """Skip-gram with negative sampling over node ids: a target and a context `nn.Embedding(N, dim)`.

    The target table starts as N(0, init_std^2) drawn from a `torch.Generator(seed)`; the context table
    starts at 0 (word2vec's choice: only the target table carries the random start), or is the target table
    itself when `tied` (PyG's single table).
    """

    def __init__(
        self,
        num_nodes: int,
        dim: int,
        lr: float,
        *,
        seed: int,
        init_std: float = 0.01,
        tied: bool = False,
        dtype: torch.dtype = torch.float32,
    ) -> None:
        """dtype: what the tables train in; they are drawn in float32 and then cast, so a float64 fit starts
        from the same values as a float32 one."""
        super().__init__()
        gen = torch.Generator().manual_seed(seed)
        self.lr = lr
        self.target = nn.Embedding(num_nodes, dim, sparse=True)
        nn.init.normal_(self.target.weight, std=init_std, generator=gen)
        if tied:
            self.context = self.target
        else:
            self.context = nn.Embedding(num_nodes, dim, sparse=True)
            nn.init.zeros_(self.context.weight)
        self.to(dtype)
        self.epoch_losses: list[float] = []
        self._loss_sum = torch.zeros((), dtype=dtype)
        self._loss_count = 0

    def loss(self, centre: torch.Tensor, context: torch.Tensor, negatives: torch.Tensor) -> torch.Tensor:
        """Mean over positive pairs of -log s(u.v) - sum_k log s(-u.v_k), the negatives shared per window.

        centre: (B,) window centres; context: (B, C-1) with -1 where there is no pair; negatives: (B, K).
        """
        valid = context >= 0  # (B, C-1)
        u = self.target(centre).unsqueeze(1)  # (B, 1, D)
        # one lookup for contexts and negatives (one sparse gradient to coalesce), and broadcast products
        # rather than bmm, whose B tiny matrix products are much slower on CPU
        scores = (self.context(torch.cat([context.clamp(min=0), negatives], dim=1)) * u).sum(-1)
        pos, neg = scores[:, : context.shape[1]], scores[:, context.shape[1] :]  # (B, C-1), (B, K)
        pairs = valid.sum(-1)  # (B,) the window's negative term counts once per pair
        total = -(F.logsigmoid(pos) * valid).sum() - (F.logsigmoid(-neg).sum(-1) * pairs).sum()
        return total / pairs.sum()

    def training_step(self, batch: tuple[torch.Tensor, ...], batch_idx: int) -> torch.Tensor:
        loss = self.loss(*batch)
        self._loss_sum = self._loss_sum + loss.detach().cpu()
        self._loss_count += 1
        return loss

    def on_train_epoch_end(self) -> None:
        self.epoch_losses.append(float(self._loss_sum) / max(self._loss_count, 1))
        self._loss_sum, self._loss_count = torch.zeros_like(self._loss_sum), 0

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SparseAdam(list(self.parameters()), lr=self.lr)


class Node2Vec(Embedder):
    """node2vec (uniform walks, re-drawn every epoch) or, with `weighted=True`, node2vec+ (weighted
    first-order walks, probability proportional to edge weight, drawn once).

    Every setting is given by `tg_bench/conf/embedder/node2vec.yaml` / `node2vec_plus.yaml` (the paper's values;
    `tied` and `init_std` follow the protocol). `directed`: walk the graph's directed edges (the authors'
    model -> dataset and lower -> higher id similarity edges). `batch_size` counts walk start nodes per step
    (PyG's loader). `resample_walks` None: re-draw every epoch for uniform walks, once for weighted ones.
    `accelerator` is passed to the Lightning Trainer ("cpu": bit-identical results; "auto" picks a GPU if
    there is one). `num_threads` sets torch's intra-op threads for the fit and restores them afterwards (None
    leaves them alone; see the module docstring). `tied` and `init_std` choose the tables and their start
    (module docstring). `dtype` ("float32" | "float64", `tg_bench/conf/numerics`) is what the tables train in. After a
    fit, `epoch_losses_` holds the mean training loss of each epoch and `fit_seconds_` the wall time.
    """

    def __init__(
        self,
        *,
        name: str,
        weighted: bool,
        directed: bool,
        dim: int,
        walk_length: int,
        walks_per_node: int,
        context_size: int,
        epochs: int,
        batch_size: int,
        lr: float,
        p: float,
        q: float,
        num_random_negatives: int,
        poor_negatives: bool,
        resample_walks: bool | None,
        tied: bool,
        init_std: float,
        accelerator: str,
        num_threads: int | None,
        dtype: str,
        enable_progress_bar: bool = False,
    ) -> None:
        if weighted and (p != 1.0 or q != 1.0):
            raise ValueError("weighted (node2vec+) walks are first order here: p and q must be 1")
        if not 2 <= context_size <= walk_length:
            raise ValueError(f"context_size must lie in [2, walk_length={walk_length}], got {context_size}")
        if min(dim, walks_per_node, epochs, batch_size) < 1 or num_random_negatives < 0:
            raise ValueError("dim, walks_per_node, epochs, batch_size must be >= 1, negatives >= 0")
        if num_random_negatives == 0 and not poor_negatives:
            raise ValueError("no negatives: set num_random_negatives >= 1 or poor_negatives=True")
        if init_std <= 0:
            raise ValueError(f"init_std must be > 0, got {init_std}")
        self.dtype = fit_dtype(dtype)
        self.name = name
        self.directed = directed
        self.dim = dim
        self.epochs = epochs
        self.lr = lr
        self.poor_negatives = poor_negatives
        self.walks = WalkSettings(
            weighted=weighted,
            # node2vec re-samples like PyG's loader; node2vec+ walks were drawn once (pecanpy) before training
            resample_walks=(not weighted) if resample_walks is None else resample_walks,
            walks_per_node=walks_per_node,
            walk_length=walk_length,
            context_size=context_size,
            batch_size=batch_size,
            num_random_negatives=num_random_negatives,
            p=p,
            q=q,
        )
        self.tied = tied
        self.init_std = init_std
        self.accelerator = accelerator
        self.enable_progress_bar = enable_progress_bar
        self.num_threads = num_threads
        self.epoch_losses_: list[float] = []
        self.fit_seconds_: float | None = None

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(name={self.name!r}, weighted={self.walks.weighted}, dim={self.dim}, "
            f"epochs={self.epochs}, batch_size={self.walks.batch_size})"
        )

    def fit_transform(self, graph: ZooGraph, seed: int) -> np.ndarray:
        """Target embeddings of shape (graph.num_nodes, dim), float32; same graph and seed, same result."""
        start = time.perf_counter()
        with lightning_fit_scope(self.num_threads):
            pl.seed_everything(seed)
            rng = np.random.default_rng(seed)
            poor = poor_partners(graph) if self.poor_negatives else None
            batches = _SkipGramBatches(CSRGraph.from_zoo_graph(graph), self.walks, poor, rng)
            module = SkipGram(
                graph.num_nodes, self.dim, self.lr, seed=seed, init_std=self.init_std, tied=self.tied, dtype=self.dtype
            )
            trainer = quiet_trainer(epochs=self.epochs, accelerator=self.accelerator, progress=self.enable_progress_bar)
            trainer.fit(module, train_dataloaders=batches)
        self.epoch_losses_ = list(module.epoch_losses)
        self.fit_seconds_ = time.perf_counter() - start
        return module.target.weight.detach().cpu().numpy().astype(np.float32, copy=True)
