"""A method's config is its only registration: its `display` node gives the label, kind and drawing hints that
a run writes to `methods.csv`, `tg-bench aggregate` gathers and the figures draw, so a new predictor or
baseline (here from a config folder of one's own) is labelled and coloured with no other file edited."""

from __future__ import annotations

import colorsys
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import config, write_text_zoo
from matplotlib.colors import to_rgb

from tg_bench.catalog import entry, methods, options
from tg_bench.commands.aggregate import main as aggregate_main
from tg_bench.commands.figures import best_variant
from tg_bench.figures.inputs import read_results
from tg_bench.figures.style import PALETTES, method_style, use_identities
from tg_bench.identity import METHODS_FILE, OTHER, TRANSFERGRAPH, known_identities, run_identities
from tg_bench.store.unit_ids import method_configs

KINDS = set(PALETTES)
PROJECT_ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("group", ["baseline", "embedder", "predictor"])
def test_every_method_config_says_how_it_is_shown(group: str) -> None:
    for key in methods(group) if group == "baseline" else options(group):
        display = entry(group, key).get("display")
        assert display is not None and str(display.label), f"{group}/{key}: no display.label"
        if group == "baseline":
            assert display.kind in KINDS - {TRANSFERGRAPH, OTHER}, f"{group}/{key}: kind {display.kind}"


def test_the_papers_methods_keep_their_labels_and_kinds() -> None:
    known = known_identities()
    assert known["xgb_homoGATConv_all_normalize_without_transfer"].label == "TG:XGB:GAT"
    assert known["lr_homo_SAGEConv_all_normalize_with_transfer"].label == "TG:LR:SAGE+T"
    assert known["xgb_none_all_normalize_without_transfer_no_similarity"].label == "TG:XGB:none [no_similarity]"
    assert known["hgb_node2vec_all_normalize_without_transfer"].label == "TG:HGB:N2V"
    assert (known["zoo_prior"].label, known["zoo_prior"].kind) == ("zoo prior", "data-agnostic")
    assert known["LogME"].kind == "estimator" and known["random"].kind == "floor"
    assert known["stacked_prior"].kind == "stacking"


def test_display_is_not_part_of_what_decides_the_numbers() -> None:
    """The store's unit identity (and so every committed digest) ignores labels and colours."""
    plain = dict(method_configs(config(["baseline=[zoo_prior]", "embedder=[none]", "predictor=[xgb]"])))
    relabelled = dict(
        method_configs(
            config(
                [
                    "baseline=[zoo_prior]",
                    "embedder=[none]",
                    "predictor=[xgb]",
                    "baseline.zoo_prior.display.label=prior",
                    "transfergraph.predictors.xgb.display.hatch=oo",
                ]
            )
        )
    )
    assert plain == relabelled
    assert "display" not in json.dumps(plain)


def _own_configs(folder: Path) -> Path:
    """A config folder of one's own: a predictor (tree) and a baseline, each one file with its display."""
    (folder / "predictor").mkdir(parents=True)
    (folder / "predictor" / "tree.yaml").write_text(
        "# @package transfergraph.predictors.tree\n_target_: sklearn.tree.DecisionTreeRegressor\n_partial_: true\n"
        "display:\n  label: TREE\n  hatch: '--'\n  marker: x\nmax_depth: 3\n"
    )
    (folder / "baseline").mkdir()
    (folder / "baseline" / "my_prior.yaml").write_text(
        "# @package baseline.my_prior\n_target_: tg_bench.baselines.zoo_prior.ZooPrior\nname: my_prior\n"
        "display:\n  label: my prior\n  kind: data-agnostic\n  shade: 3\n"
    )
    return folder


def test_a_new_predictor_and_baseline_are_labelled_and_drawn_from_their_config_alone(tmp_path: Path) -> None:
    write_text_zoo(tmp_path / "zoo")
    own = _own_configs(tmp_path / "my_conf")
    env = {**os.environ, "TG_BENCH_STORE": str(tmp_path / "store")}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "tg_bench",
            "run",
            f"hydra.searchpath=[file://{own}]",
            "zoo=text",
            "zoo.targets=[tA,tB]",
            "zoo.excluded_datasets=[]",
            f"paths.data_root={tmp_path / 'zoo'}",
            "embedder=[none]",
            "predictor=[hgb,tree]",
            "baseline=[zoo_prior,my_prior,random]",
            "protocol=clean",
            "progress=false",
            "n_jobs=1",
            f"hydra.run.dir={tmp_path / 'runs' / 'text' / 'clean_seed0'}",
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    written = pd.read_csv(tmp_path / "runs" / "text" / "clean_seed0" / METHODS_FILE, keep_default_na=False)
    labels = dict(zip(written["method"], written["label"], strict=True))
    assert labels == {
        "hgb_none_all_normalize_without_transfer": "TG:HGB:none",
        "tree_none_all_normalize_without_transfer": "TG:TREE:none",
        "zoo_prior": "zoo prior",
        "my_prior": "my prior",
        "random": "random",
    }
    assert aggregate_main([str(tmp_path / "runs"), f"out={tmp_path / 'results' / 'transfergraph'}"]) == 0
    inputs = read_results(tmp_path / "results")
    use_identities(inputs.methods)
    try:
        tree = method_style("tree_none_all_normalize_without_transfer")
        hgb = method_style("hgb_none_all_normalize_without_transfer")
        assert (tree.label, tree.kind, tree.hatch) == ("TG:TREE:none", TRANSFERGRAPH, "--")
        # hue and marker = learner (none); tone, line style and hatch = regressor
        hue = [round(colorsys.rgb_to_hls(*to_rgb(s.colour))[0], 2) for s in (tree, hgb)]
        assert hue[0] == hue[1] and tree.marker == hgb.marker and tree.hatch != hgb.hatch
        mine = method_style("my_prior")
        assert (mine.label, mine.kind, mine.colour) == ("my prior", "data-agnostic", PALETTES["data-agnostic"][3])
        # a new regressor's variants compete for "best variant" like the paper's
        assert best_variant(inputs.tidy, "text", "clean") in {
            "hgb_none_all_normalize_without_transfer",
            "tree_none_all_normalize_without_transfer",
        }
    finally:
        use_identities({})


def test_a_new_estimator_is_drawn_as_an_estimator_from_its_config_alone() -> None:
    """An estimator config of one's own (here LogME's function under another name) is labelled and coloured
    as an estimator, with its own shade, from its `display` node."""
    logme = config(["baseline=[logme]"]).baseline.logme
    mine = {**dict(logme), "name": "MyScore", "display": {"label": "my score", "kind": "estimator", "shade": 2}}
    (identity,) = run_identities({"baseline": {"myscore": mine}})
    assert (identity.method, identity.label, identity.kind) == ("MyScore", "my score", "estimator")
    use_identities({identity.method: identity})
    try:
        style = method_style("MyScore")
        assert (style.label, style.kind, style.colour) == ("my score", "estimator", PALETTES["estimator"][2])
        assert style.colour != method_style("LogME").colour and style.marker == "D"
    finally:
        use_identities({})


def test_runs_written_before_methods_csv_are_labelled_from_their_recorded_config(tmp_path: Path) -> None:
    """The committed runs have no `methods.csv`: their run.json config, read against the package's configs,
    gives the same identities."""
    config = json.loads((PROJECT_ROOT / "results" / "baselines" / "text_clean" / "run.json").read_text())["config"]
    found = {identity.method: identity for identity in run_identities(config)}
    assert found["LogME"].kind == "estimator" and found["knn_prior"].label == "k-NN prior"
    same = ("method", "label", "kind", "learner", "regressor")
    assert all([getattr(found[m], f) for f in same] == [getattr(known_identities()[m], f) for f in same] for m in found)
    # how they are drawn follows the package's configs (older runs recorded older colours)
    alone = {m: method_style(m) for m in found}
    use_identities(found)
    try:
        assert all(method_style(m) == alone[m] for m in found)
    finally:
        use_identities({})


def test_importing_figures_and_analysis_does_not_import_torch() -> None:
    code = (
        "import sys, tg_bench.commands.figures, tg_bench.commands.aggregate, tg_bench.figures.inputs, "
        "tg_bench.analysis.tables; print('torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
