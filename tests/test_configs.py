"""Configs become objects (lightning-hydra-template style): every file of every group composes and builds, each
object's settings live in its config file, and a bad setting fails before the first target, naming its key."""

from __future__ import annotations

import inspect
from pathlib import Path

import pandas as pd
import pytest
from conftest import config, load_protocol, write_text_zoo
from hydra.utils import get_class
from omegaconf import OmegaConf

from tg_bench.build import build_methods, build_protocol, estimators, resolve_targets
from tg_bench.catalog import entry, methods, options, target_names
from tg_bench.commands.run import evaluate_config
from tg_bench.data.zoo import TIDY, ZooSpec, load_zoo, zoo_folder
from tg_bench.embed.base import Embedder
from tg_bench.errors import UserInputError
from tg_bench.paths import CONFIG_DIR
from tg_bench.predict.regressors import make_regressor
from tg_bench.predict.transfergraph import TransferGraph
from tg_bench.store.unit_ids import DISPLAY
from tg_bench.task.method import Method
from tg_bench.task.protocol import Protocol
from tg_bench.transferability.estimators import Estimator

PROTOCOLS = options("protocol")
#: constructor arguments that are about the console, not the numbers, and stay out of the configs
CONSOLE_ONLY = {"progress", "enable_progress_bar"}


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("key", methods("baseline"))
def test_every_baseline_builds(key: str, protocol: str) -> None:
    cfg = config([f"baseline=[{key}]", f"protocol={protocol}"])
    (method,) = build_methods(cfg)
    assert isinstance(method, Method) and method.name == cfg.baseline[key].name


def test_the_paper_set_is_the_one_baseline_list_of_every_paper_experiment() -> None:
    """`baseline=[paper_set]` gathers the paper's baselines; each paper experiment uses it, in its order."""
    gathered = list(config(["baseline=[paper_set]"]).baseline)
    assert "paper_set" not in methods("baseline") and set(gathered) < set(methods("baseline"))
    assert {"logme", "zoo_prior", "stacked_prior", "random"} <= set(gathered)
    for experiment in ("paper_image", "paper_text", "paper_baselines_image", "paper_baselines_text"):
        assert list(config([f"experiment={experiment}"]).baseline) == gathered, experiment


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("key", options("embedder"))
def test_every_embedder_builds_with_the_protocols_switches(key: str, protocol: str) -> None:
    cfg = config([f"embedder=[{key}]", "predictor=[lr]", f"protocol={protocol}", "baseline=[]"])
    (family,) = build_methods(cfg)
    assert isinstance(family, TransferGraph)
    built = family.embedders[key]
    assert isinstance(built, Embedder) and built.name == cfg.transfergraph.embedders[key].name
    switches = load_protocol(protocol).embedders
    resolved = OmegaConf.to_container(cfg.transfergraph.embedders[key], resolve=True)
    resolved = resolved.get("settings", resolved)  # a GNN's switches are settings of its fit
    for switch in ("negatives", "inductive_datasets", "normalize", "tied", "init_std"):
        if switch in resolved:
            assert resolved[switch] == getattr(switches, switch), switch  # what run.json records is what ran


#: constructor arguments a `_partial_: true` node leaves to the call (the GNN encoders' input width, known at fit)
CALL_TIME = {"in_channels"}


def _built_nodes(node: dict, where: str) -> list[tuple[str, dict]]:
    """`node` and every node with a `_target_` inside it, by their path."""
    nested = [(f"{where}.{k}", v) for k, v in node.items() if isinstance(v, dict) and "_target_" in v]
    return [(where, node), *(pair for path, child in nested for pair in _built_nodes(child, path))]


@pytest.mark.parametrize("key", options("embedder"))
def test_an_embedder_config_is_the_one_place_its_settings_live(key: str) -> None:
    """Every constructor argument of the embedder, and of each object its config builds (a GNN's encoder and
    settings), is in the file (so run.json records it), and none has a default in code."""
    file = OmegaConf.to_container(OmegaConf.load(CONFIG_DIR / "embedder" / f"{key}.yaml"))
    for where, node in _built_nodes(file, key):
        parameters = inspect.signature(get_class(node["_target_"]).__init__).parameters
        arguments = {name for name in parameters if name != "self"} - CONSOLE_ONLY
        if node.get("_partial_"):
            arguments -= CALL_TIME
        assert set(node) - {"_target_", "_partial_", DISPLAY} == arguments, where
        defaulted = {n for n in arguments if parameters[n].default is not inspect.Parameter.empty}
        assert not defaulted, f"{where}: defaults in code as well as in the config: {defaulted}"


@pytest.mark.parametrize("key", options("predictor"))
def test_every_predictor_builds_and_is_seeded_per_fit(key: str) -> None:
    cfg = config(["embedder=[none]", f"predictor=[{key}]", "baseline=[]"])
    (family,) = build_methods(cfg)
    factory = family.predictors[key]
    regressor = factory(random_state=7)
    params = regressor.get_params()
    if "random_state" in params:
        assert params["random_state"] == 7
    for name, value in cfg.transfergraph.predictors[key].items():
        if not str(name).startswith("_") and name != DISPLAY:
            assert params[name] == value, name


@pytest.mark.parametrize("key", PROTOCOLS)
def test_every_protocol_file_lists_every_switch(key: str) -> None:
    protocol = build_protocol(config([f"protocol={key}"]).protocol)
    assert isinstance(protocol, Protocol) and protocol.name == key


def test_the_two_protocols_differ_in_every_switch_but_the_embedders_feature_width() -> None:
    paper, clean = load_protocol("paper"), load_protocol("clean")
    fields = [f for f in vars(paper) if f not in {"name", "embedders"}]
    assert all(getattr(paper, f) != getattr(clean, f) for f in fields)
    assert all(getattr(paper.embedders, f) != getattr(clean.embedders, f) for f in vars(paper.embedders))


@pytest.mark.parametrize("key", options("experiment"))
def test_every_experiment_builds(key: str) -> None:
    cfg = config([f"experiment={key}"])
    names = [name for family in build_methods(cfg) for name in family.names]
    variants = len(cfg.transfergraph.get("embedders") or {}) * len(cfg.transfergraph.get("predictors") or {})
    assert len(names) == variants + len(cfg.baseline)


@pytest.mark.parametrize("key", options("graph"))
def test_every_graph_preset_builds(key: str) -> None:
    cfg = config([f"graph={key}", "embedder=[node2vec]", "predictor=[lr]", "baseline=[]"])
    (family,) = build_methods(cfg)
    assert family.graph_name == key
    assert all(name.endswith(f"_{key}") == (key not in ("paper", "with_transferability")) for name in family.names)


@pytest.mark.parametrize("key", options("zoo"))
def test_every_zoo_lists_its_targets_as_target_files(key: str) -> None:
    """A zoo of the authors' layout names each target's hub dataset in a target file (`tg-bench score`); a tidy
    zoo shipped in the package (docs/zoo_format.md) has its targets among its records' datasets."""
    spec = ZooSpec.from_config(config([f"zoo={key}"]).zoo)
    if spec.layout == TIDY and spec.path is None:  # zoo=folder: the user's folder, every dataset a target
        assert spec.targets == ()
        return
    if spec.layout == TIDY:
        records = pd.read_csv(zoo_folder(spec) / "records.csv")
        assert set(spec.targets) <= set(records["dataset"]) and spec.targets
        return
    zoos = {OmegaConf.load(CONFIG_DIR / "target" / f"{t}.yaml").zoo for t in target_names()}
    assert key in zoos
    by_name = {name: stem for stem, name in target_names().items()}
    assert all(target in by_name for target in spec.targets)


def test_every_logger_composes() -> None:
    for key in options("logger"):
        assert config([f"logger={key}"]).logger.name == key


def test_estimators_come_from_the_baseline_configs() -> None:
    built = estimators()
    files = {key: entry("baseline", key) for key in options("baseline")}
    assert set(built) == {key for key, node in files.items() if "estimator" in node}
    assert all(isinstance(e, Estimator) for e in built.values())
    # one spelling: the config key, the score file's enum member, the paper's table name (in the baseline file)
    assert built["reg_h"].metric == "REG_H_SCORE" and built["logme"].metric == "LOG_ME"
    assert not built["logme"].needs_head and built["leep"].needs_head


def test_targets_take_the_target_file_name_or_the_dataset_name(tmp_path: Path) -> None:
    spec = write_text_zoo(tmp_path)
    zoo = load_zoo(spec, tmp_path)
    assert resolve_targets(config(["targets=[tB, tA]"]), zoo) == ["tB", "tA"]
    cola = config(["zoo=text", "targets=[glue_cola, glue/sst2]"])
    with pytest.raises(UserInputError, match="glue_cola"):  # a text-zoo target, not one of this zoo's
        resolve_targets(cola, zoo)


def test_target_file_names_resolve_on_the_published_zoo(metadata_root: Path) -> None:
    cfg = config(["zoo=text", "targets=[glue_cola, tweet_eval/irony]"])
    zoo = load_zoo(ZooSpec.from_config(cfg.zoo), metadata_root)
    assert resolve_targets(cfg, zoo) == ["glue/cola", "tweet_eval/irony"]


BAD_SETTINGS = [
    (["embedder=[node2vec]", "transfergraph.embedders.node2vec.context_size=20"], "node2vec", "context_size"),
    (["embedder=[node2vec_plus]", "transfergraph.embedders.node2vec_plus.p=0.5"], "node2vec_plus", "p and q"),
    (["embedder=[sage]", "+transfergraph.embedders.sage.dropout=0.1"], "embedders.sage", "dropout"),
    (["embedder=[gat]", "transfergraph.embedders.gat.settings.negatives=random"], "embedders.gat", "negatives"),
    (["embedder=[gat]", "+transfergraph.embedders.gat.encoder.heads=2"], "embedders.gat", "heads"),
    (["predictor=[rf]", "+transfergraph.predictors.rf.n_estimatorz=5"], "predictors.rf", "n_estimatorz"),
    (["predictor=[rf]", "transfergraph.predictors.rf.max_features=sqrtt"], "predictors.rf", "max_features"),
    (["predictor=[xgb]", "+transfergraph.predictors.xgb.learning_ratee=0.1"], "predictors.xgb", "learning_ratee"),
    (["predictor=[xgb]", "transfergraph.predictors.xgb.tree_method=exactt"], "predictors.xgb", "exactt"),
    (["predictor=[lr]", "+transfergraph.predictors.lr.fit_interceptt=false"], "predictors.lr", "fit_interceptt"),
    (["transfergraph.graph.negative_threshold=-1"], "graph.negative_threshold", "[0, 1]"),
    (["transfergraph.graph.negative_threshold=0.8"], "graph.negative_threshold", "positive_threshold"),
    (["embedder=[gat]", "transfergraph.embedders.gat._target_=tg_bench.embed.gnn.GCNEmbedder"], "gat", "GCNEmbedder"),
    (
        ["embedder=[gat]", "transfergraph.embedders.gat.encoder._target_=tg_bench.embed.encoders.GCNEncoder"],
        "embedders.gat.encoder",
        "GCNEncoder",
    ),
    (
        ["embedder=[none]", "transfergraph.embedders.none._target_=tg_bench.baselines.zoo_prior.ZooPrior"],
        "none",
        "need",
    ),
    (["baseline.zoo_prior._target_=tg_bench.task.method.Method"], "baseline.zoo_prior", "Method()"),
    (["baseline.logme.estimator.needs=logits"], "baseline.logme.estimator", "needs"),
]


@pytest.mark.parametrize(("overrides", "key", "reason"), BAD_SETTINGS, ids=[c[2] for c in BAD_SETTINGS])
def test_a_bad_setting_is_one_line_naming_its_key(overrides: list[str], key: str, reason: str) -> None:
    defaults = ["embedder=[node2vec]", "predictor=[lr]", "baseline=[zoo_prior,logme]"]
    cfg = config([*defaults, *overrides])
    with pytest.raises(UserInputError) as error:
        build_methods(cfg)
    message = str(error.value)
    assert key in message and reason in message, message
    assert "\n" not in message


def test_a_bad_protocol_is_one_line_naming_its_key() -> None:
    for override, key in (("protocol.non_finite=drop", "protocol.non_finite"), ("+protocol.foo=1", "foo")):
        with pytest.raises(UserInputError, match=key):
            build_protocol(config([override]).protocol)


def test_a_third_protocol_is_a_yaml_file(tmp_path: Path) -> None:
    """A protocol of one's own: the clean one with the paper's leaky runtime feature, from a search path."""
    folder = tmp_path / "conf" / "protocol"
    folder.mkdir(parents=True)
    mixed = OmegaConf.load(CONFIG_DIR / "protocol" / "clean.yaml")
    mixed.name, mixed.train_runtime_feature = "clean_with_runtime", True
    OmegaConf.save(mixed, folder / "clean_with_runtime.yaml")
    write_text_zoo(tmp_path)
    runs = {}
    for key in ("clean", "clean_with_runtime"):
        cfg = config(
            [
                f"hydra.searchpath=[file://{tmp_path / 'conf'}]",
                f"protocol={key}",
                "zoo=text",
                "zoo.targets=[tA,tB]",
                "zoo.excluded_datasets=[]",
                f"paths.data_root={tmp_path}",
                "embedder=[none]",
                "predictor=[lr]",
                "baseline=[zoo_prior]",
                "progress=false",
            ]
        )
        runs[key] = evaluate_config(cfg)[1]
    lr = "lr_none_all_normalize_without_transfer"
    clean, mixed_run = (r.predictions[r.predictions["method"] == lr] for r in runs.values())
    assert list(clean["model"]) == list(mixed_run["model"])  # one row per model, as clean
    assert not clean["score"].equals(mixed_run["score"])  # but the runtime column changed the regression


def test_any_scikit_learn_regressor_is_a_predictor_config() -> None:
    """A predictor is a config file: here one given on the command line, a regressor without `random_state`."""
    cfg = config(
        [
            "embedder=[none]",
            "baseline=[]",
            "+transfergraph.predictors.knn._target_=sklearn.neighbors.KNeighborsRegressor",
            "+transfergraph.predictors.knn._partial_=true",
            "+transfergraph.predictors.knn.n_neighbors=3",
        ]
    )
    (family,) = build_methods(cfg)
    assert family.names == ("knn_none_all_normalize_without_transfer",)
    assert make_regressor(family.predictors["knn"], seed=3).get_params()["n_neighbors"] == 3


def _groups() -> list[str]:
    # experiments and sweeps override other groups and compose only inside a run's config
    return sorted(p.name for p in CONFIG_DIR.iterdir() if p.is_dir() and p.name not in {"hydra", "experiment", "sweep"})


@pytest.mark.parametrize("group", _groups())
def test_a_catalog_entry_is_what_hydra_composes(group: str) -> None:
    """`entry` skips the composition of a file without a defaults list; what it hands back must be what a
    composition gives: same content, same struct flag, interpolations left as they are."""
    from hydra import compose

    from tg_bench.catalog import composing

    found = options(group)
    assert found, group
    with composing():
        for option in found:
            composed = compose(overrides=[f"+{group}@_global_={option}"])
            read = entry(group, option)
            assert OmegaConf.to_container(read) == OmegaConf.to_container(composed), f"{group}/{option}"
            assert OmegaConf.is_struct(read) == OmegaConf.is_struct(composed), f"{group}/{option}"
