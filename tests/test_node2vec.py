"""node2vec / node2vec+: the NumPy walk samplers and the Lightning skip-gram embedder.

Sampler tests check transition frequencies against the exact probabilities on hand-made graphs (tolerances
are about 4 standard errors); embedder tests check determinism and that a planted two-community structure is
recovered while a randomly rewired control graph shows no structure.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import replace

import numpy as np
import pytest
import torch
from conftest import embedder, embedder_settings

from tg_bench.embed.base import Embedder
from tg_bench.embed.node2vec import (
    Node2Vec,
    poor_partners,
    sample_negatives,
    skipgram_windows,
)
from tg_bench.embed.walks import PAD, CSRGraph, uniform_walks, weighted_walks
from tg_bench.graph import EdgeType, NodeKind, ZooGraph


def make_graph(
    edges: list[tuple[int, int]] | np.ndarray,
    num_nodes: int,
    *,
    weights: list[float] | np.ndarray | None = None,
    directed: bool = True,
    negative_pairs: np.ndarray | None = None,
    num_models: int | None = None,
    edge_type: np.ndarray | None = None,
) -> ZooGraph:
    """A ZooGraph from an edge list; the first `num_models` nodes are models (default: half)."""
    edge_index = np.asarray(edges, dtype=np.int64).reshape(-1, 2).T.copy()
    num_models = num_nodes // 2 if num_models is None else num_models
    w = np.ones(edge_index.shape[1]) if weights is None else np.asarray(weights, dtype=np.float64)
    return ZooGraph(
        node_names=tuple(f"node{i}" for i in range(num_nodes)),
        node_kind=np.array([NodeKind.MODEL] * num_models + [NodeKind.DATASET] * (num_nodes - num_models), np.int8),
        edge_index=edge_index,
        edge_weight=w,
        edge_type=np.full(edge_index.shape[1], EdgeType.ACCURACY, np.int8) if edge_type is None else edge_type,
        negative_pairs=np.zeros((2, 0), np.int64) if negative_pairs is None else negative_pairs,
        node_features=None,
        directed=directed,
    )


def step_frequencies(walks: np.ndarray, start: int, num_nodes: int, step: int = 1) -> np.ndarray:
    """(num_nodes,) fraction of the walks from `start` that are at each node after `step` steps."""
    at = walks[walks[:, 0] == start, step]
    return np.bincount(at[at != PAD], minlength=num_nodes) / len(at)


# --- CSR -----------------------------------------------------------------------------------------------------


def test_csr_from_zoo_graph_respects_direction() -> None:
    edges = [(0, 2), (1, 2), (0, 3)]
    directed = CSRGraph.from_zoo_graph(make_graph(edges, 4, weights=[0.1, 0.2, 0.3]))
    assert directed.indptr.tolist() == [0, 2, 3, 3, 3]
    assert directed.indices.tolist() == [2, 3, 2]
    assert directed.weights.tolist() == [0.1, 0.3, 0.2]

    undirected = CSRGraph.from_zoo_graph(make_graph(edges, 4, weights=[0.1, 0.2, 0.3], directed=False))
    assert undirected.out_degree().tolist() == [2, 1, 2, 1]
    assert undirected.indices[undirected.indptr[2] : undirected.indptr[3]].tolist() == [0, 1]
    assert undirected.weights[undirected.indptr[3] : undirected.indptr[4]].tolist() == [0.3]


# --- (a) uniform walks ---------------------------------------------------------------------------------------


def test_uniform_first_step_is_uniform_and_ignores_weights() -> None:
    # node 0 -> 1..4 with very unequal weights, which p = q = 1 walks must ignore
    graph = make_graph([(0, 1), (0, 2), (0, 3), (0, 4), (1, 0)], 5, weights=[0.01, 0.1, 1.0, 0.5, 1.0])
    walks = uniform_walks(CSRGraph.from_zoo_graph(graph), 20000, 3, np.random.default_rng(0))
    assert walks.shape == (5 * 20000, 3)
    assert walks.dtype == np.int64
    assert np.array_equal(walks[:, 0], np.tile(np.arange(5), 20000))  # walk i starts at node i % N
    freq = step_frequencies(walks, 0, 5)
    np.testing.assert_allclose(freq[1:], 0.25, atol=0.015)
    assert freq[0] == 0


# --- (b) weighted walks --------------------------------------------------------------------------------------


def test_weighted_first_step_is_proportional_to_weight() -> None:
    graph = make_graph([(0, 1), (0, 2), (0, 3), (0, 4)], 5, weights=[1.0, 2.0, 7.0, 0.0])
    walks = weighted_walks(CSRGraph.from_zoo_graph(graph), 20000, 2, np.random.default_rng(0))
    freq = step_frequencies(walks, 0, 5)
    np.testing.assert_allclose(freq[1:4], [0.1, 0.2, 0.7], atol=0.02)
    assert freq[4] == 0  # a zero-weight edge is never taken


def test_weighted_walks_scale_free_and_zero_weight_rows_are_dead_ends() -> None:
    # rows 0 and 1 have the same relative weights at very different scales; node 2's only edge weighs 0
    graph = make_graph([(0, 3), (0, 4), (1, 3), (1, 4), (2, 3)], 5, weights=[3e-6, 1e-6, 300.0, 100.0, 0.0])
    walks = weighted_walks(CSRGraph.from_zoo_graph(graph), 20000, 2, np.random.default_rng(1))
    np.testing.assert_allclose(step_frequencies(walks, 0, 5)[3:], [0.75, 0.25], atol=0.02)
    np.testing.assert_allclose(step_frequencies(walks, 1, 5)[3:], [0.75, 0.25], atol=0.02)
    assert np.all(walks[walks[:, 0] == 2, 1] == PAD)


# --- (c) directed graphs and dead ends -----------------------------------------------------------------------


@pytest.mark.parametrize("sampler", ["uniform", "weighted", "second_order"])
def test_directed_walks_follow_edges_forward_and_pad_dead_ends(sampler: str) -> None:
    # models 0..2 -> datasets 3..5, datasets 3 -> 4 -> 5 (lower to higher id, as in the paper's graph);
    # dataset 5 has no out-edge
    edges = [(0, 3), (0, 4), (1, 4), (2, 5), (3, 4), (4, 5), (3, 5)]
    graph = make_graph(edges, 6, weights=[0.9, 0.6, 0.7, 0.8, 0.5, 0.4, 0.3], num_models=3)
    csr, rng = CSRGraph.from_zoo_graph(graph), np.random.default_rng(0)
    if sampler == "uniform":
        walks = uniform_walks(csr, 50, 6, rng)
    elif sampler == "weighted":
        walks = weighted_walks(csr, 50, 6, rng)
    else:
        walks = uniform_walks(csr, 50, 6, rng, p=0.5, q=2.0)
    allowed = set(edges)
    for row in walks:
        steps = [(int(a), int(b)) for a, b in itertools.pairwise(row.tolist()) if b != PAD]
        assert set(steps) <= allowed
        # padding is a suffix and follows a node without out-edges
        n = int((row != PAD).sum())
        assert np.all(row[n:] == PAD) and np.all(row[:n] != PAD)
        if n < len(row):
            assert row[n - 1] == 5
    assert np.all(walks[walks[:, 0] == 5, 1:] == PAD)
    # every walk must reach the sink within 3 steps, so the last column is always padding
    assert np.all(walks[:, 4:] == PAD)


def test_graph_without_edges_gives_start_nodes_only() -> None:
    csr = CSRGraph.from_zoo_graph(make_graph(np.zeros((0, 2)), 3))
    for sampler in (uniform_walks, weighted_walks):
        walks = sampler(csr, 2, 4, np.random.default_rng(0))
        assert walks.shape == (6, 4)
        assert np.array_equal(walks[:, 0], [0, 1, 2, 0, 1, 2])
        assert np.all(walks[:, 1:] == PAD)


# --- (d) node2vec p / q bias ---------------------------------------------------------------------------------


def test_second_order_step_probabilities_are_exact() -> None:
    # undirected: 0-1, 0-2, 1-2, 1-3. Having come 0 -> 1, the next step goes back to 0 (weight 1/p), to 2, a
    # neighbour of 0 (weight 1), or outward to 3 (weight 1/q)
    graph = make_graph([(0, 1), (0, 2), (1, 2), (1, 3)], 4, directed=False)
    csr = CSRGraph.from_zoo_graph(graph)
    for p, q in [(1.0, 0.1), (1.0, 10.0), (0.5, 2.0)]:
        walks = uniform_walks(csr, 40000, 3, np.random.default_rng(0), p=p, q=q)
        via1 = walks[(walks[:, 0] == 0) & (walks[:, 1] == 1), 2]
        freq = np.bincount(via1, minlength=4)[[0, 2, 3]] / len(via1)
        expected = np.array([1 / p, 1.0, 1 / q]) / (1 / p + 1.0 + 1 / q)
        np.testing.assert_allclose(freq, expected, atol=0.02, err_msg=f"p={p}, q={q}")


def test_small_q_moves_outward() -> None:
    # a path 0 - 1 - ... - 59: every step after the first either returns (1/p) or moves on (1/q)
    n = 60
    graph = make_graph([(i, i + 1) for i in range(n - 1)], n, directed=False)
    csr = CSRGraph.from_zoo_graph(graph)
    spread = {}
    for q in (0.1, 10.0):
        walks = uniform_walks(csr, 200, 10, np.random.default_rng(0), q=q)
        inner = (walks[:, 0] >= 10) & (walks[:, 0] < n - 10)  # away from the ends
        spread[q] = np.abs(walks[inner, -1] - walks[inner, 0]).mean()
    uniform = uniform_walks(csr, 200, 10, np.random.default_rng(0))
    inner = (uniform[:, 0] >= 10) & (uniform[:, 0] < n - 10)
    spread[1.0] = np.abs(uniform[inner, -1] - uniform[inner, 0]).mean()
    # expected about 6.3 (mostly straight, distance 9 at most), 2.45 (simple random walk), 1.1 (back and forth)
    assert spread[0.1] > 5.5
    assert 2.0 < spread[1.0] < 2.9
    assert spread[10.0] < 1.5


# --- skip-gram pairs and negatives ---------------------------------------------------------------------------


def test_skipgram_windows_follow_pyg_and_skip_padding() -> None:
    walks = np.array([[0, 1, 2, 3], [4, 5, PAD, PAD], [6, PAD, PAD, PAD]])
    centre, context, walk = skipgram_windows(walks, 3)
    # windows start at 0 and 1; the dead-end walk and the padded second window of walk 1 give nothing
    assert centre.tolist() == [0, 4, 1]
    assert context.tolist() == [[1, 2], [5, PAD], [2, 3]]
    assert walk.tolist() == [0, 1, 0]
    with pytest.raises(ValueError):
        skipgram_windows(walks, 5)


def test_negatives_put_a_poor_partner_first() -> None:
    # model 0 did poorly on datasets 3 and 4; model 1 on nothing; dataset 3's poor model is 0
    graph = make_graph([(0, 5)], 6, negative_pairs=np.array([[0, 0], [3, 4]]), num_models=3)
    poor = poor_partners(graph)
    centre = np.array([0] * 4000 + [1] * 4000 + [3] * 10)
    neg = sample_negatives(centre, 6, 7, np.random.default_rng(0), poor)
    assert neg.shape == (len(centre), 8)
    first = neg[:, 0]
    assert set(first[:4000].tolist()) == {3, 4}
    assert abs((first[:4000] == 3).mean() - 0.5) < 0.04
    assert len(set(first[4000:8000].tolist())) == 6  # no partner: a uniform random node
    assert np.all(first[8000:] == 0)
    np.testing.assert_allclose(np.bincount(neg[:, 1:].ravel(), minlength=6) / neg[:, 1:].size, 1 / 6, atol=0.01)
    assert sample_negatives(centre, 6, 7, np.random.default_rng(0)).shape == (len(centre), 7)


# --- the embedder --------------------------------------------------------------------------------------------


def two_communities(rng: np.random.Generator, *, rewire: bool = False) -> tuple[ZooGraph, np.ndarray]:
    """Two communities of 30 models and 6 datasets each; returns the graph and each node's community (N,).

    Accuracy edges model -> dataset with probability 0.7 inside a community and 0.05 across; similarity edges
    between the datasets of a community; poor (negative) pairs only across. `rewire` keeps the edge counts
    and kinds but draws every endpoint at random: the control with no community structure.
    """
    n_models, n_datasets = 60, 12
    comm = np.concatenate([np.arange(n_models) % 2, np.arange(n_datasets) % 2])
    models, datasets = np.arange(n_models), np.arange(n_models, n_models + n_datasets)
    m, d = (x.ravel() for x in np.meshgrid(models, datasets, indexing="ij"))
    same = comm[m] == comm[d]
    acc = rng.random(len(m)) < np.where(same, 0.7, 0.05)
    neg = ~same & ~acc & (rng.random(len(m)) < 0.3)
    a, b = (x.ravel() for x in np.meshgrid(datasets, datasets, indexing="ij"))
    sim = (a < b) & (comm[a] == comm[b])
    src, dst = np.concatenate([m[acc], a[sim]]), np.concatenate([d[acc], b[sim]])
    negative_pairs = np.stack([m[neg], d[neg]])
    if rewire:
        n_acc, n_sim, n_neg = int(acc.sum()), int(sim.sum()), int(neg.sum())
        src = np.concatenate([rng.choice(models, n_acc), rng.choice(datasets, n_sim)])
        dst = np.concatenate([rng.choice(datasets, n_acc), rng.choice(datasets, n_sim)])
        negative_pairs = np.stack([rng.choice(models, n_neg), rng.choice(datasets, n_neg)])
    edge_type = np.concatenate([np.full(acc.sum(), EdgeType.ACCURACY), np.full(sim.sum(), EdgeType.SIMILARITY)])
    graph = make_graph(
        np.stack([src, dst], axis=1),
        n_models + n_datasets,
        weights=rng.uniform(0.5, 1.0, len(src)),
        directed=False,
        negative_pairs=negative_pairs.astype(np.int64),
        num_models=n_models,
        edge_type=edge_type.astype(np.int8),
    )
    return graph, comm


def community_gap(emb: np.ndarray, comm: np.ndarray) -> float:
    """Mean cosine similarity of distinct same-community nodes minus that of different-community nodes."""
    x = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    cos = x @ x.T
    same = comm[:, None] == comm[None, :]
    return float(cos[same & ~np.eye(len(comm), dtype=bool)].mean() - cos[~same].mean())


SMALL = {"dim": 32, "epochs": 30, "batch_size": 8}
KINDS = ["node2vec", "node2vec_plus"]


def make(kind: str = "node2vec", **settings: object) -> Node2Vec:
    """The embedder of `tg_bench/conf/embedder/<kind>.yaml` with the clean protocol's separate tables at std 0.01."""
    return embedder(kind, "clean", **settings)


def test_embedders_implement_the_interface() -> None:
    plain, plus = make("node2vec"), make("node2vec_plus")
    assert isinstance(plain, Embedder) and plain.name == "node2vec" and plain.directed
    assert plus.name == "node2vec+" and plus.walks.weighted and not plus.walks.resample_walks
    assert plain.walks.resample_walks
    with pytest.raises(ValueError, match="p and q must be 1"):
        Node2Vec(**{**embedder_settings("node2vec_plus"), "p": 0.5}, name="x")
    with pytest.raises(ValueError, match="context_size"):
        Node2Vec(**{**embedder_settings("node2vec"), "walk_length": 5}, name="x")


@pytest.mark.parametrize("kind", KINDS)
def test_same_seed_same_embeddings(kind: str) -> None:
    graph, _ = two_communities(np.random.default_rng(0))
    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    a = make(kind, dim=16, epochs=3).fit_transform(graph, seed=3)
    b = make(kind, dim=16, epochs=3).fit_transform(graph, seed=3)
    c = make(kind, dim=16, epochs=3).fit_transform(graph, seed=4)
    assert a.shape == (graph.num_nodes, 16) and a.dtype == np.float32
    assert np.all(np.isfinite(a))
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)
    # the fit gives back the global torch settings it changes
    assert torch.get_num_threads() == threads
    assert torch.are_deterministic_algorithms_enabled() == deterministic


def test_a_fit_gives_back_every_global_the_trainer_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    """`Trainer(deterministic=True)` sets CUBLAS_WORKSPACE_CONFIG and cudnn.benchmark and never undoes them;
    node2vec's fit used to leave both changed (the GNN fit did not): both now go through one helper."""
    graph, _ = two_communities(np.random.default_rng(0))
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    monkeypatch.setattr(torch.backends.cudnn, "benchmark", True)
    make(dim=8, epochs=1).fit_transform(graph, seed=0)
    assert "CUBLAS_WORKSPACE_CONFIG" not in os.environ
    assert torch.backends.cudnn.benchmark is True
    assert not torch.are_deterministic_algorithms_enabled()


@pytest.mark.parametrize("kind", KINDS)
def test_planted_communities_are_recovered_and_rewired_control_is_not(kind: str) -> None:
    graph, comm = two_communities(np.random.default_rng(0))
    fitted = make(kind, **SMALL)
    emb = fitted.fit_transform(graph, seed=0)
    assert fitted.epoch_losses_[-1] < 0.6 * fitted.epoch_losses_[0]
    assert community_gap(emb, comm) > 0.2

    control, _ = two_communities(np.random.default_rng(0), rewire=True)
    assert abs(community_gap(make(kind, **SMALL).fit_transform(control, seed=0), comm)) < 0.08


def test_poor_negatives_push_poor_pairs_apart() -> None:
    graph, _ = two_communities(np.random.default_rng(0))
    m, d = graph.negative_pairs

    def poor_pair_cosine(poor_negatives: bool) -> float:
        emb = make(**SMALL, poor_negatives=poor_negatives).fit_transform(graph, 0)
        x = emb / np.linalg.norm(emb, axis=1, keepdims=True)
        return float((x[m] * x[d]).sum(1).mean())

    assert poor_pair_cosine(True) < poor_pair_cosine(False) - 0.05


def test_a_graph_without_poor_pairs_draws_random_negatives_instead() -> None:
    """`graph.negative_threshold=0` on a zoo without ties, or a zoo with no poor pairs at all: every window's
    poor slot falls back to a random node (it used to index an empty partner list)."""
    graph, _ = two_communities(np.random.default_rng(0))
    bare = replace(graph, negative_pairs=np.zeros((2, 0), dtype=np.int64))
    poor = poor_partners(bare)
    negatives = sample_negatives(np.arange(5), bare.num_nodes, 3, np.random.default_rng(0), poor)
    assert negatives.shape == (5, 4) and ((negatives >= 0) & (negatives < bare.num_nodes)).all()
    emb = make(dim=8, epochs=2).fit_transform(bare, seed=0)
    assert np.isfinite(emb).all()


@pytest.mark.parametrize("kind", KINDS)
def test_table_initialisation_follows_the_protocol_unless_set(kind: str) -> None:
    paper, clean = embedder(kind, "paper"), embedder(kind, "clean")
    assert (paper.tied, paper.init_std) == (True, 1.0)
    assert (clean.tied, clean.init_std) == (False, 0.01)
    forced = embedder(kind, "paper", tied=False, init_std=0.5)
    assert (forced.tied, forced.init_std) == (False, 0.5)
