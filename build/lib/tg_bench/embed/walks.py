"""Random walks over a CSR adjacency, vectorised over all walkers at once.

Why this is hand-written: the usual samplers are not available in this environment (docs/design.md,
"Environment facts"). PyG's `Node2Vec` calls `torch.ops.pyg.random_walk` or `torch_cluster.random_walk`,
and neither `pyg-lib` nor `torch-cluster` installs from PyPI here; `pecanpy`, which the authors used for
node2vec+, breaks on NumPy 2 (`np.bool8`). The zoo graphs are small (about 250 nodes, a few thousand edges),
so plain NumPy that advances every walker by one step per iteration is fast enough (about a millisecond for
2500 walks of 10 nodes) and has no compiled dependency.

Conventions shared by all samplers:
- walk ``i`` starts at node ``i % N``: the walk array is ``walks_per_node`` blocks of N walks, block r holding
  every node's r-th walk (the order of PyG's ``batch.repeat(walks_per_node)``), so
  ``walks.reshape(walks_per_node, N, walk_length)[:, v]`` are node v's walks.
- ``walk_length`` counts nodes, start included: column 0 is the start node.
- a walker at a node without out-edges (or, for weighted walks, whose out-edges all weigh 0) stops there; the
  rest of its row is -1. Padding is therefore always a suffix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tg_bench.graph.zoo_graph import ZooGraph

PAD = -1


@dataclass(frozen=True)
class CSRGraph:
    """Out-adjacency in compressed sparse row form.

    indptr: (N+1,) int64, node v's out-edges are positions ``indptr[v]:indptr[v+1]``.
    indices: (E,) int64, destination of each out-edge, sorted within each row.
    weights: (E,) float64, weight of each out-edge.
    """

    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray

    @property
    def num_nodes(self) -> int:
        return len(self.indptr) - 1

    @property
    def num_edges(self) -> int:
        return len(self.indices)

    def out_degree(self) -> np.ndarray:
        """(N,) int64 number of out-edges per node."""
        return np.diff(self.indptr)

    @classmethod
    def from_edges(
        cls, src: np.ndarray, dst: np.ndarray, num_nodes: int, weights: np.ndarray | None = None
    ) -> CSRGraph:
        """CSR of the directed edges ``src[k] -> dst[k]`` (each (E,)); weights default to 1.

        Parallel edges are kept (they make that transition more likely in uniform walks).
        """
        src = np.asarray(src, dtype=np.int64)
        dst = np.asarray(dst, dtype=np.int64)
        w = np.ones(len(src)) if weights is None else np.asarray(weights, dtype=np.float64)
        if not (len(src) == len(dst) == len(w)):
            raise ValueError(f"src, dst, weights lengths differ: {len(src)}, {len(dst)}, {len(w)}")
        if len(src) and (min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= num_nodes):
            raise ValueError(f"edge endpoints must lie in [0, {num_nodes})")
        if np.any(w < 0) or not np.all(np.isfinite(w)):
            raise ValueError("edge weights must be finite and non-negative")
        # rows sorted by destination make the result independent of the input edge order and let the
        # second-order sampler test "is x an out-neighbour of prev" with one searchsorted
        order = np.lexsort((dst, src))
        indptr = np.zeros(num_nodes + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=num_nodes), out=indptr[1:])
        return cls(indptr=indptr, indices=dst[order], weights=w[order])

    @classmethod
    def from_zoo_graph(cls, graph: ZooGraph) -> CSRGraph:
        """CSR of all edges of `graph`; each edge goes both ways when ``graph.directed`` is False."""
        src, dst = (np.asarray(row, dtype=np.int64) for row in graph.edge_index)
        w = np.asarray(graph.edge_weight, dtype=np.float64)
        if not graph.directed:
            src, dst, w = np.concatenate([src, dst]), np.concatenate([dst, src]), np.concatenate([w, w])
        return cls.from_edges(src, dst, graph.num_nodes, w)


def _start_nodes(num_nodes: int, walks_per_node: int) -> np.ndarray:
    return np.tile(np.arange(num_nodes, dtype=np.int64), walks_per_node)


def _check_args(walks_per_node: int, walk_length: int) -> None:
    if walks_per_node < 1 or walk_length < 1:
        raise ValueError(f"walks_per_node and walk_length must be >= 1, got {walks_per_node}, {walk_length}")


def _edge_keys(csr: CSRGraph) -> np.ndarray:
    """(E,) int64 key ``src * N + dst`` of each edge; sorted, because rows are sorted by destination."""
    rows = np.repeat(np.arange(csr.num_nodes, dtype=np.int64), csr.out_degree())
    return rows * csr.num_nodes + csr.indices


def _has_edge(keys: np.ndarray, num_nodes: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """(K,) bool, whether edge ``src[k] -> dst[k]`` exists; keys from `_edge_keys`, src and dst (K,) int64."""
    # one binary search over the global sorted keys instead of a search per row
    query = src * num_nodes + dst
    pos = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return keys[pos] == query


def uniform_walks(
    csr: CSRGraph,
    walks_per_node: int,
    walk_length: int,
    rng: np.random.Generator,
    p: float = 1.0,
    q: float = 1.0,
) -> np.ndarray:
    """node2vec walks that ignore edge weights.

    With p = q = 1 each step picks an out-neighbour uniformly (first order). Otherwise the step from ``cur``
    (having come from ``prev``) to out-neighbour x has unnormalised probability 1/p if x == prev, 1 if the
    edge prev -> x exists, else 1/q (the node2vec bias; "distance 1" read on out-edges, as torch-cluster
    does for directed graphs).
    It is sampled exactly by rejection: propose x uniformly, accept with probability alpha(x) / max alpha;
    all walkers still pending are proposed for together. The first step has no ``prev`` and is uniform.

    Returns (N * walks_per_node, walk_length) int64; walk i starts at node i % N; -1 after a dead end.
    """
    _check_args(walks_per_node, walk_length)
    if p <= 0 or q <= 0:
        raise ValueError(f"p and q must be positive, got p={p}, q={q}")
    starts = _start_nodes(csr.num_nodes, walks_per_node)
    walks = np.full((len(starts), walk_length), PAD, dtype=np.int64)
    walks[:, 0] = starts
    if csr.num_edges == 0:
        return walks
    deg = csr.out_degree()
    second_order = p != 1.0 or q != 1.0
    max_alpha = max(1.0 / p, 1.0, 1.0 / q)
    keys = _edge_keys(csr) if second_order else None

    active = np.arange(len(starts))  # rows still walking
    for step in range(1, walk_length):
        cur = walks[active, step - 1]
        active = active[deg[cur] > 0]
        if len(active) == 0:
            break
        cur = walks[active, step - 1]
        if not second_order or step == 1:
            offset = (rng.random(len(active)) * deg[cur]).astype(np.int64)
            walks[active, step] = csr.indices[csr.indptr[cur] + offset]
            continue
        prev = walks[active, step - 2]
        chosen = np.empty(len(active), dtype=np.int64)
        pending = np.arange(len(active))
        while len(pending):
            c, pv = cur[pending], prev[pending]
            offset = np.minimum((rng.random(len(pending)) * deg[c]).astype(np.int64), deg[c] - 1)
            x = csr.indices[csr.indptr[c] + offset]
            alpha = np.where(x == pv, 1.0 / p, np.where(_has_edge(keys, csr.num_nodes, pv, x), 1.0, 1.0 / q))
            accept = rng.random(len(pending)) * max_alpha < alpha
            chosen[pending[accept]] = x[accept]
            pending = pending[~accept]
        walks[active, step] = chosen
    return walks


def weighted_walks(csr: CSRGraph, walks_per_node: int, walk_length: int, rng: np.random.Generator) -> np.ndarray:
    """First-order walks whose step to an out-neighbour is proportional to the edge weight.

    This is node2vec+ with p = q = 1 (the paper's setting), for which its bias terms are all 1.
    Sampling is inverse-CDF over a global running sum of weights: a walker at v draws
    u ~ U(cumw[indptr[v]-1], cumw[indptr[v+1]-1]) and takes the first edge whose running sum exceeds u,
    one `searchsorted` for all walkers. Zero-weight edges are never taken; a node whose out-weights sum to 0
    is a dead end.

    Returns (N * walks_per_node, walk_length) int64; walk i starts at node i % N; -1 after a dead end.
    """
    _check_args(walks_per_node, walk_length)
    starts = _start_nodes(csr.num_nodes, walks_per_node)
    walks = np.full((len(starts), walk_length), PAD, dtype=np.int64)
    walks[:, 0] = starts
    if csr.num_edges == 0:
        return walks
    cumw = np.cumsum(csr.weights)
    row_lo = np.concatenate([[0.0], cumw])[csr.indptr[:-1]]  # running sum before each row
    row_total = np.concatenate([[0.0], cumw])[csr.indptr[1:]] - row_lo
    # a row's total computed as a difference of running sums can be a rounding residue instead of 0
    alive = row_total > 1e-12 * max(1.0, float(cumw[-1]))

    active = np.arange(len(starts))
    for step in range(1, walk_length):
        cur = walks[active, step - 1]
        active = active[alive[cur]]
        if len(active) == 0:
            break
        cur = walks[active, step - 1]
        target = row_lo[cur] + rng.random(len(active)) * row_total[cur]
        pos = np.searchsorted(cumw, target, side="right")
        # rounding can push the target onto the row's last running sum; stay inside the row
        pos = np.clip(pos, csr.indptr[cur], csr.indptr[cur + 1] - 1)
        walks[active, step] = csr.indices[pos]
    return walks
