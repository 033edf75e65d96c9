"""Graph construction on the hand-made zoo of conftest.write_text_zoo, holding out tA.

By construction (tB accuracies m1 .9, m2 .5, m3 .7, m4 .6 -> normalised 1, 0, .5, .25; model-card accuracies
on source `src`: m1 .9, m2 NaN -> mean(.9, .3, .8) = .6667, m4 .8 -> 1, 0, .5714; m3's source is tB, alone in
its group -> 1):
  accuracy edges (normalised > .5): m1->tB, m1->src, m4->src, m3->tB (source edge) = 4
  negative pairs (<= .5): m2-tB, m3-tB, m4-tB, m2-src                          = 4
  similarity (1 - distance, min-max over pairs): tA-tB 1.0, tA-src 0.5, tB-src 0 (dropped) = 2
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import load_protocol

from tg_bench.data.zoo import load_zoo
from tg_bench.graph import EdgeType, NodeKind
from tg_bench.graph.build import GraphConfig, build_graph, classical_mds


@pytest.fixture
def zoo(synthetic_text_zoo):
    root, spec = synthetic_text_zoo
    return load_zoo(spec, root)


def edges_of(graph, edge_type):
    mask = graph.edge_type == edge_type
    names = graph.node_names
    return {
        (names[s], names[d]): round(float(w), 6)
        for s, d, w in zip(graph.edge_index[0][mask], graph.edge_index[1][mask], graph.edge_weight[mask], strict=True)
    }


@pytest.mark.parametrize("protocol", ["paper", "clean"])
def test_nodes_edges_and_weights(zoo, protocol):
    graph = build_graph(zoo, "tA", load_protocol(protocol), GraphConfig(), directed=True)
    assert graph.node_names == ("m1", "m2", "m3", "m4", "tA", "tB", "src")
    assert list(graph.node_kind) == [NodeKind.MODEL] * 4 + [NodeKind.DATASET] * 3
    assert edges_of(graph, EdgeType.ACCURACY) == {
        ("m1", "tB"): 1.0,
        ("m1", "src"): 1.0,
        ("m4", "src"): round(0.8 / 1.4, 6),
        ("m3", "tB"): 1.0,
    }
    assert edges_of(graph, EdgeType.SIMILARITY) == {("tA", "tB"): 1.0, ("tA", "src"): 0.5}
    assert graph.num_edges == 6
    negatives = {(graph.node_names[a], graph.node_names[b]) for a, b in graph.negative_pairs.T}
    assert negatives == {("m2", "tB"), ("m3", "tB"), ("m4", "tB"), ("m2", "src")}


def test_held_out_target_has_no_accuracy_edges(zoo):
    for target in ("tA", "tB"):
        graph = build_graph(zoo, target, load_protocol("paper"), GraphConfig(source_edges=False), directed=True)
        t = graph.index_of(target)
        accuracy = graph.edge_type == EdgeType.ACCURACY
        assert not np.isin(graph.edge_index[:, accuracy], t).any()
        assert not np.isin(graph.negative_pairs, t).any()
    # with source edges, the only edge into tB is m3's model-card link (m3 was trained on tB), not a fine-tune
    graph = build_graph(zoo, "tB", load_protocol("paper"), GraphConfig(), directed=True)
    into_tb = {pair for pair in edges_of(graph, EdgeType.ACCURACY) if pair[1] == "tB"}
    assert into_tb == {("m3", "tB")}
    # holding out tB instead: tA's records become edges (m1 .8 -> 1.0 after min-max of .8/.75/.7/.6)
    graph = build_graph(zoo, "tB", load_protocol("clean"), GraphConfig(source_edges=False), directed=True)
    assert ("m1", "tA") in edges_of(graph, EdgeType.ACCURACY)


def test_presets_switch_edge_types(zoo):
    no_sim = build_graph(zoo, "tA", load_protocol("paper"), GraphConfig(similarity_edges=False), directed=True)
    assert not (no_sim.edge_type == EdgeType.SIMILARITY).any()
    accuracy_only = build_graph(
        zoo, "tA", load_protocol("paper"), GraphConfig(source_edges=False, similarity_edges=False), directed=True
    )
    assert edges_of(accuracy_only, EdgeType.ACCURACY) == {("m1", "tB"): 1.0}
    threshold = build_graph(zoo, "tA", load_protocol("paper"), GraphConfig(distance_threshold=1.5), directed=True)
    assert edges_of(threshold, EdgeType.SIMILARITY) == {("tA", "tB"): 1.0}
    transfer = build_graph(zoo, "tA", load_protocol("paper"), GraphConfig(transferability_edges=True), directed=True)
    # LogME scores are 0, 1, 2, 3 for m1..m4 on each target: positive z-scores for m3 and m4
    assert set(edges_of(transfer, EdgeType.TRANSFERABILITY)) == {("m3", "tA"), ("m4", "tA"), ("m3", "tB"), ("m4", "tB")}


def test_pyg_data_and_features(zoo):
    graph = build_graph(zoo, "tA", load_protocol("paper"), GraphConfig(feature_dim=8), directed=False, seed=3)
    data = graph.to_pyg()
    assert data.num_nodes == 7 and data.edge_index.shape == (2, 6) and data.x.shape == (7, 8)
    again = build_graph(zoo, "tA", load_protocol("paper"), GraphConfig(feature_dim=8), directed=False, seed=3)
    np.testing.assert_array_equal(graph.node_features, again.node_features)


def test_unknown_graph_key_is_a_user_error():
    from tg_bench.errors import UserInputError

    with pytest.raises(UserInputError, match="distance_treshold"):
        GraphConfig.from_config({"distance_treshold": 1.0})


def test_classical_mds_recovers_distances():
    points = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0], [1.0, 1.0]])
    distances = np.linalg.norm(points[:, None] - points[None], axis=-1)
    coords = classical_mds(distances, 5)
    assert coords.shape == (4, 5)
    recovered = np.linalg.norm(coords[:, None] - coords[None], axis=-1)
    np.testing.assert_allclose(recovered, distances, atol=1e-5)
