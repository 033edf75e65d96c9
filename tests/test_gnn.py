"""GraphSAGE / GAT link-prediction embedders (tg_bench.embed: gnn, encoders, link_settings, link_data,
link_module, link_fitting)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from conftest import embedder, embedder_config
from omegaconf import OmegaConf

from tg_bench.embed.encoders import GATEncoder, SAGEEncoder
from tg_bench.embed.gnn import GNNEmbedder
from tg_bench.embed.link_data import POOR_PAIR_LABEL, inductive_dataset_edges, supervision_labels, undirected_data
from tg_bench.embed.link_fitting import fit_link_embeddings
from tg_bench.embed.link_module import LinkPredictionModule
from tg_bench.embed.link_settings import LinkSettings, neighbour_sampling_available
from tg_bench.errors import UserInputError
from tg_bench.graph import EdgeType, NodeKind, ZooGraph

EMBEDDERS = ["sage", "gat"]
ENCODERS = {"sage": SAGEEncoder, "gat": GATEncoder}
#: the budget these tests were sized for: 50 full-batch Adam steps at 1e-3 (the configs' 20 steps per epoch at
#: 5e-3 cost 20x more)
LIGHT = {"lr": 1e-3, "steps_per_epoch": 1}
#: the settings of the encoder node; every other one is a `LinkSettings` field under `settings`
ENCODER_KEYS = {"hidden_channels", "out_channels"}


def config_paths(settings: dict) -> dict:
    """`settings` by name -> by their path in `tg_bench/conf/embedder/{sage,gat}.yaml`: `settings.lr`,
    `encoder.out_channels`."""
    return {f"{'encoder' if key in ENCODER_KEYS else 'settings'}.{key}": value for key, value in settings.items()}


def gnn(kind: str, protocol: str = "paper", **settings: object) -> GNNEmbedder:
    """The embedder of `tg_bench/conf/embedder/<kind>.yaml` under `protocol` on the light budget, `settings` changed."""
    return embedder(kind, protocol, **config_paths({**LIGHT, **settings}))


def fit_parts(kind: str, **settings: object) -> dict:
    """`fit_link_embeddings`' encoder and settings: the paper protocol's config on the light budget."""
    built = gnn(kind, **settings)
    return {"encoder": built.encoder, "settings": built.settings}


def settings_node(kind: str, **settings: object) -> dict:
    """`LinkSettings`' arguments in `tg_bench/conf/embedder/<kind>.yaml` (paper protocol, light budget),
    resolved, changed."""
    node = embedder_config(kind, "paper", **config_paths({**LIGHT, **settings})).settings
    return {k: v for k, v in OmegaConf.to_container(node, resolve=True).items() if k != "_target_"}


MODELS_PER_COMMUNITY = 24
DATASETS_PER_COMMUNITY = 6


def _zoo_graph(acc: np.ndarray, sim: np.ndarray, poor: np.ndarray, n_models: int, n_datasets: int) -> ZooGraph:
    """acc: (2, A) model -> dataset node ids, sim: (2, S) dataset - dataset, poor: (2, P) model, dataset."""
    names = tuple([f"model{i}" for i in range(n_models)] + [f"dataset{j}" for j in range(n_datasets)])
    kind = np.array([NodeKind.MODEL] * n_models + [NodeKind.DATASET] * n_datasets, dtype=np.int8)
    edge_index = np.concatenate([acc, sim], axis=1).astype(np.int64)
    edge_type = np.array([EdgeType.ACCURACY] * acc.shape[1] + [EdgeType.SIMILARITY] * sim.shape[1], dtype=np.int8)
    weight = np.random.default_rng(0).uniform(0.5, 1.0, edge_index.shape[1])
    return ZooGraph(names, kind, edge_index, weight, edge_type, poor.astype(np.int64), None, False)


def _communities(seed: int = 0, rewired: bool = False) -> tuple[ZooGraph, np.ndarray]:
    """Two communities of models and datasets: dense accuracy edges within, none across; dataset-dataset
    similarity edges within. With `rewired`, every edge gets random endpoints of the same node kinds.

    Returns the graph and each node's community (N,) in {0, 1}.
    """
    rng = np.random.default_rng(seed)
    m, d = MODELS_PER_COMMUNITY, DATASETS_PER_COMMUNITY
    n_models, n_datasets = 2 * m, 2 * d
    model_comm = np.repeat([0, 1], m)
    dataset_comm = np.repeat([0, 1], d)
    acc, sim = [], []
    for c in (0, 1):
        models = np.flatnonzero(model_comm == c)
        datasets = n_models + np.flatnonzero(dataset_comm == c)
        acc += [(i, j) for i in models for j in datasets if rng.random() < 0.7]
        sim += [(a, b) for ia, a in enumerate(datasets) for b in datasets[ia + 1 :]]
    acc_arr, sim_arr = np.array(acc).T, np.array(sim).T
    if rewired:
        acc_arr = np.stack(
            [
                rng.integers(0, n_models, acc_arr.shape[1]),
                n_models + rng.integers(0, n_datasets, acc_arr.shape[1]),
            ]
        )
        sim_arr = n_models + np.stack([rng.integers(0, n_datasets, sim_arr.shape[1]) for _ in range(2)])
        sim_arr = sim_arr[:, sim_arr[0] != sim_arr[1]]
    graph = _zoo_graph(acc_arr, sim_arr, np.zeros((2, 0), dtype=np.int64), n_models, n_datasets)
    return graph, np.concatenate([model_comm, dataset_comm])


def _within_minus_across(z: np.ndarray, community: np.ndarray, n_models: int) -> float:
    """Mean cosine similarity of (model, dataset) pairs within a community minus across communities.

    Embeddings are centred first: the all-positive random features give every node a large shared component
    that would otherwise compress all cosines towards 1.
    """
    z = z - z.mean(axis=0)
    zn = z / np.linalg.norm(z, axis=1, keepdims=True)
    cos = zn[:n_models] @ zn[n_models:].T
    same = community[:n_models, None] == community[None, n_models:]
    return float(cos[same].mean() - cos[~same].mean())


@pytest.mark.parametrize("kind", EMBEDDERS)
def test_same_seed_same_embeddings_and_shape(kind: str) -> None:
    graph, _ = _communities()
    emb = gnn(kind, epochs=10)
    z1 = emb.fit_transform(graph, seed=3)
    z2 = emb.fit_transform(graph, seed=3)
    z3 = emb.fit_transform(graph, seed=4)
    assert z1.shape == (graph.num_nodes, 128)
    assert z1.dtype == np.float32
    assert np.isfinite(z1).all()
    np.testing.assert_array_equal(z1, z2)
    assert not np.array_equal(z1, z3)
    assert {"train_loss", "val_auc", "fit_seconds"} <= set(emb.last_metrics)


def test_fit_leaves_global_torch_state_alone() -> None:
    graph, _ = _communities()
    threads = torch.get_num_threads()
    deterministic = torch.are_deterministic_algorithms_enabled()
    z, _ = fit_link_embeddings(graph, seed=0, **fit_parts("gat", epochs=2, steps_per_epoch=3))
    assert z.shape == (graph.num_nodes, 128)
    assert torch.get_num_threads() == threads
    assert torch.are_deterministic_algorithms_enabled() == deterministic


def test_embedder_names_and_encoders() -> None:
    sage, gat = gnn("sage"), gnn("gat")
    assert isinstance(sage, GNNEmbedder) and sage.name == "homo_SAGEConv" and not sage.directed
    assert isinstance(gat, GNNEmbedder) and gat.name == "homoGATConv"
    assert isinstance(sage.encoder(16), SAGEEncoder) and isinstance(gat.encoder(16), GATEncoder)


@pytest.mark.parametrize("kind", EMBEDDERS)
def test_planted_communities_are_recovered_and_shuffled_control_is_not(kind: str) -> None:
    n_models = 2 * MODELS_PER_COMMUNITY
    graph, community = _communities()
    gap = _within_minus_across(gnn(kind).fit_transform(graph, seed=0), community, n_models)
    control, _ = _communities(rewired=True)
    control_gap = _within_minus_across(gnn(kind).fit_transform(control, seed=0), community, n_models)
    assert gap > 0.3, gap
    assert abs(control_gap) < 0.1, control_gap


def test_supervision_labels_paper_vs_clean() -> None:
    positives = torch.tensor([[0, 1], [5, 6]])
    poor = torch.tensor([[2, 3, 4], [5, 6, 7]])
    random_negatives = torch.tensor([[0], [7]])
    assert POOR_PAIR_LABEL == {"paper": 1.0, "clean": 0.0}
    for mode, poor_label in POOR_PAIR_LABEL.items():
        index, label = supervision_labels(positives, poor, random_negatives, POOR_PAIR_LABEL[mode])
        assert index.shape == (2, 6) and index.dtype == torch.long
        assert label.dtype == torch.float32
        torch.testing.assert_close(index, torch.cat([positives, poor, random_negatives], dim=1))
        torch.testing.assert_close(label, torch.tensor([1.0, 1.0, poor_label, poor_label, poor_label, 0.0]))


@pytest.mark.parametrize("encoder", ["sage", "gat"])
def test_clean_labelling_scores_poor_pairs_lower_than_paper(encoder: str) -> None:
    graph, community = _communities()
    n_models = 2 * MODELS_PER_COMMUNITY
    # poor pairs: within-community (model, dataset) pairs that have no accuracy edge
    acc = {(int(a), int(b)) for a, b in graph.edge_index.T if a < n_models}
    poor = np.array(
        [
            (i, j)
            for i in range(n_models)
            for j in range(n_models, graph.num_nodes)
            if community[i] == community[j] and (i, j) not in acc
        ]
    ).T
    graph = dataclasses.replace(graph, negative_pairs=poor, node_features=None, directed=False)

    def poor_score(mode: str) -> float:
        z, _ = fit_link_embeddings(graph, seed=0, **fit_parts(encoder, negatives=mode))
        return float(torch.sigmoid(torch.from_numpy((z[poor[0]] * z[poor[1]]).sum(1))).mean())

    paper, clean = poor_score("paper"), poor_score("clean")
    assert clean < paper - 0.1, (paper, clean)


@pytest.mark.skipif(neighbour_sampling_available(), reason="pyg-lib / torch-sparse is installed here")
def test_neighbour_sampling_without_pyg_lib_is_a_user_error() -> None:
    with pytest.raises(UserInputError, match="pyg-lib"):
        LinkSettings(**settings_node("sage", neighbour_sampling=True))


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("negatives", "random"),
        ("steps_per_epoch", 0),
        ("epochs", 2.5),
        ("lr", -1.0),
        ("neg_sampling_ratio", 0),
        ("normalize", "yes"),
        ("num_threads", 0),
        ("dtype", "float16"),
    ],
)
def test_a_bad_setting_fails_at_construction(setting: str, value: object) -> None:
    with pytest.raises(ValueError, match=f"^{setting} must be"):
        LinkSettings(**settings_node("sage", **{setting: value}))


@pytest.mark.parametrize("kind", EMBEDDERS)
@pytest.mark.parametrize("setting", sorted(ENCODER_KEYS))
def test_a_bad_encoder_width_fails_when_the_embedder_is_built(kind: str, setting: str) -> None:
    with pytest.raises(UserInputError, match=f"{setting} must be >= 1, got 0"):
        gnn(kind, **{setting: 0})


def test_building_an_embedder_draws_nothing_from_torchs_rng() -> None:
    """The encoder is built per fit; the embedder builds one on the meta device to fail early, and that must
    not move a later fit's numbers."""
    state = torch.get_rng_state()
    for kind in EMBEDDERS:
        gnn(kind)
    assert torch.equal(torch.get_rng_state(), state)


def test_given_node_features_and_tiny_graph() -> None:
    acc = np.array([[0, 1, 2], [3, 3, 4]])
    graph = _zoo_graph(acc, np.array([[3], [4]]), np.array([[0], [4]]), n_models=3, n_datasets=2)
    features = np.random.default_rng(1).normal(size=(graph.num_nodes, 16)).astype(np.float32)
    graph = dataclasses.replace(graph, node_features=features, directed=False)
    for kind in EMBEDDERS:
        z = gnn(kind, epochs=3, negatives="clean").fit_transform(graph, seed=0)
        assert z.shape == (graph.num_nodes, 128) and z.dtype == np.float32
        assert np.isfinite(z).all()


def test_inductive_dataset_edges_drop_exactly_the_messages_into_datasets() -> None:
    # nodes 0, 1 models; 2, 3 datasets. Edges (both directions): 0-2, 1-3 accuracy, 2-3 similarity, 0-1
    edge_index = torch.tensor([[0, 2, 1, 3, 2, 3, 0, 1], [2, 0, 3, 1, 3, 2, 1, 0]])
    is_model = torch.tensor([True, True, False, False])
    kept, dropped = inductive_dataset_edges(edge_index, is_model)
    assert sorted(map(tuple, dropped.T.tolist())) == [(0, 2), (1, 3)]
    assert sorted(map(tuple, kept.T.tolist())) == [(0, 1), (1, 0), (2, 0), (2, 3), (3, 1), (3, 2)]


@pytest.mark.parametrize("encoder", ["sage", "gat"])
def test_inductive_datasets_embed_a_dataset_alike_with_or_without_its_accuracy_edges(encoder: str) -> None:
    """With model -> dataset messages gone, no dataset embedding depends on accuracy edges, so a held-out target
    is embedded like a training dataset; models still see their datasets. Without the switch, both change."""
    graph, _ = _communities()
    n_models = 2 * MODELS_PER_COMMUNITY
    data = undirected_data(graph, feature_dim=16, seed=0)
    is_model = torch.as_tensor(graph.node_kind == NodeKind.MODEL)
    target = n_models  # dataset0: drop all its accuracy edges, as for a held-out target
    touches_target = (data.edge_index == target).any(dim=0) & is_model[data.edge_index].any(dim=0)
    cut_edges = data.edge_index[:, ~touches_target]
    torch.manual_seed(0)
    encoder_module = ENCODERS[encoder](16, 8, 8)
    for inductive in (True, False):
        module = LinkPredictionModule(
            encoder_module,
            torch.zeros(2, 0),
            torch.zeros(2, 0),
            poor_label=1.0,
            lr=1e-3,
            neg_sampling_ratio=1.0,
            inductive_datasets=inductive,
            is_model=is_model,
        ).eval()
        with torch.no_grad():
            z_full = module(data.x, module.message_edges(data.edge_index))
            z_cut = module(data.x, module.message_edges(cut_edges))
        datasets_alike = torch.allclose(z_full[n_models:], z_cut[n_models:])
        assert datasets_alike is inductive
        # a model fine-tuned on the target loses a neighbour either way
        neighbour = int(data.edge_index[0, (data.edge_index[1] == target) & is_model[data.edge_index[0]]][0])
        assert not torch.allclose(z_full[neighbour], z_cut[neighbour])


def test_normalize_gives_unit_rows_and_switches_follow_the_protocol() -> None:
    graph, _ = _communities()
    z, _ = fit_link_embeddings(graph, seed=0, **fit_parts("sage", epochs=2, normalize=True, inductive_datasets=True))
    np.testing.assert_allclose(np.linalg.norm(z, axis=1), 1.0, rtol=1e-5)
    for protocol, expected in (("paper", False), ("clean", True)):
        built = embedder("sage", protocol)
        assert built.settings.inductive_datasets is expected
        assert built.settings.normalize is expected
        assert built.settings.negatives == protocol
    forced = embedder("sage", "clean", **{"settings.normalize": False})
    assert forced.settings.normalize is False
