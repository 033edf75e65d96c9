"""Our cached negative sampler draws exactly what PyG's negative_sampling draws."""

from __future__ import annotations

import random

import pytest
import torch
from torch_geometric.utils import negative_sampling

from tg_bench.embed.negative_sampling import KnownPairSampler


@pytest.mark.parametrize(
    ("num_nodes", "num_known", "num_samples"), [(40, 100, 60), (30, 700, 150), (12, 120, 30), (8, 10, 200)]
)
def test_same_draws_as_pyg(num_nodes, num_known, num_samples):
    generator = torch.Generator().manual_seed(num_nodes)
    known = torch.randint(0, num_nodes, (2, num_known), generator=generator)  # duplicates and self loops too
    sampler = KnownPairSampler(known, num_nodes)
    random.seed(7)
    ours = [sampler(num_samples) for _ in range(5)]
    random.seed(7)
    theirs = [negative_sampling(known, num_nodes=num_nodes, num_neg_samples=num_samples) for _ in range(5)]
    for a, b in zip(ours, theirs, strict=True):
        assert torch.equal(a, b)
    pairs = {tuple(p) for p in known.t().tolist()}
    drawn = torch.cat(ours, dim=1).t().tolist()
    assert drawn and not any(tuple(p) in pairs or p[0] == p[1] for p in drawn)


def test_a_full_graph_has_no_negatives():
    n = 5
    every = torch.tensor([[i, j] for i in range(n) for j in range(n) if i != j]).t()
    assert KnownPairSampler(every, n)(10).shape == (2, 0)
