"""`tg-bench verify`: a finished run re-run from its run.json compares identical; an edited value is reported
with its method, target and difference (exit 1); narrowing by target and method; legacy runs re-run native."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import config
from omegaconf import OmegaConf

from tg_bench.build import build_methods, instantiate_checked
from tg_bench.commands.verify import VerifyOptions, rerun_config
from tg_bench.commands.verify import main as verify_main
from tg_bench.data.zoo import ZooSpec, load_zoo
from tg_bench.store.unit_ids import unit_ids

SMALL_RUN = [
    "zoo=text",
    "targets=[tweet_eval_irony,glue_cola]",
    "baseline=[zoo_prior,random]",
    "embedder=[sage]",
    "predictor=[lr]",
    "transfergraph.embedders.sage.settings.epochs=1",
    "transfergraph.embedders.sage.settings.steps_per_epoch=2",
    "progress=false",
    "n_jobs=1",
]


@pytest.fixture(autouse=True)
def data_root_of_this_machine(metadata_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """verify re-runs on this machine's data root, as a user's shell would have it."""
    monkeypatch.setenv("TG_BENCH_DATA", str(metadata_root))


@pytest.fixture(scope="module")
def finished_run(metadata_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small portable run of the text zoo (two targets, SAGE + lr, two baselines), made by the CLI."""
    folder = tmp_path_factory.mktemp("verify") / "runs" / "small"
    env = {**os.environ, "TG_BENCH_DATA": str(metadata_root)}
    done = subprocess.run(
        [sys.executable, "-m", "tg_bench", "run", *SMALL_RUN, f"hydra.run.dir={folder}"],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return folder


def test_a_rerun_is_identical_and_an_edited_value_is_reported(finished_run: Path, tmp_path, capsys) -> None:
    assert verify_main([str(finished_run.parent), "progress=false"]) == 0
    out = capsys.readouterr().out
    assert "small: identical" in out and "all 1 run(s) identical" in out

    edited = tmp_path / "edited"
    edited.mkdir()
    for name in ("run.json", "metrics.csv", "predictions.csv"):
        (edited / name).write_bytes((finished_run / name).read_bytes())
    metrics = pd.read_csv(edited / "metrics.csv")
    row = (metrics["method"] == "zoo_prior") & (metrics["target"] == "glue/cola") & (metrics["metric"] == "pearson")
    assert row.sum() == 1
    metrics.loc[row, "value"] += 0.0125
    metrics.to_csv(edited / "metrics.csv", index=False, float_format="%.10g")

    assert verify_main([str(edited), "progress=false", "methods=[zoo_prior]"]) == 1
    out = capsys.readouterr().out
    assert "DIFFERS in 1 of" in out
    assert "| zoo_prior | 1 | 0.0125 | glue/cola, value:pearson" in out
    # within a stated tolerance it passes; narrowed to the other target the edit is out of scope
    assert verify_main([str(edited), "progress=false", "methods=[zoo_prior]", "tolerance=0.02"]) == 0
    assert verify_main([str(edited), "progress=false", "targets=[tweet_eval_irony]"]) == 0
    capsys.readouterr()


def test_bad_paths_and_options_are_one_line_errors(finished_run: Path, tmp_path, capsys) -> None:
    assert verify_main([str(tmp_path / "nothing_here")]) == 2
    assert verify_main([str(tmp_path)]) == 2  # a folder without run folders
    assert verify_main([str(finished_run), "tolerence=1"]) == 2
    assert verify_main([str(finished_run), "methods=[not_a_method]", "progress=false"]) == 2
    assert verify_main([str(finished_run), "seeds=[7]"]) == 2  # nothing left to verify
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("tg-bench verify: error")]
    assert len(errors) == 5, errors
    assert "tolerence" in errors[2] and "not_a_method" in errors[3]


def test_a_run_made_before_numerics_existed_is_rerun_native(finished_run: Path, tmp_path, capsys) -> None:
    """A run.json without `numerics` (every run before it existed) re-runs as it was made: native, float32
    fits; its deterministic baselines compare identical."""
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    for name in ("metrics.csv", "predictions.csv"):
        (legacy / name).write_bytes((finished_run / name).read_bytes())
    info = json.loads((finished_run / "run.json").read_text())
    del info["config"]["numerics"], info["numerics"]
    for node in info["config"]["transfergraph"]["embedders"].values():
        node.get("settings", node).pop("dtype", None)
    (legacy / "run.json").write_text(json.dumps(info))
    scratch = tmp_path / "scratch"
    code = verify_main([str(legacy), "methods=[zoo_prior,random]", "progress=false", f"out={scratch}"])
    assert code == 0, capsys.readouterr()
    (rerun,) = scratch.rglob("run.json")
    rerun_info = json.loads(rerun.read_text())
    assert rerun_info["numerics"]["mode"] == "native"
    assert rerun_info["config"]["transfergraph"]["embedders"]["sage"]["settings"]["dtype"] == "float32"


#: a GNN embedder's config as runs recorded it before `GNNEmbedder` existed (as in the run.json files of
#: results/transfergraph/image/paper_seed0 and the other folders made then)
LEGACY_SAGE = {
    "_target_": "tg_bench.embed.gnn.SAGEEmbedder",
    "name": "homo_SAGEConv",
    "hidden_channels": 128,
    "out_channels": 128,
    "epochs": 50,
    "steps_per_epoch": 20,
    "lr": 0.005,
    "neg_sampling_ratio": 1.0,
    "negatives": "paper",
    "inductive_datasets": False,
    "normalize": False,
    "neighbour_sampling": False,
    "feature_dim": 128,
    "accelerator": "cpu",
    "num_threads": 1,
    "dtype": "float64",
}
LEGACY_GAT = {**LEGACY_SAGE, "_target_": "tg_bench.embed.gnn.GATEmbedder", "name": "homoGATConv"}


@pytest.mark.parametrize("numerics", ["portable", None])
def test_a_run_made_before_gnn_embedder_existed_builds_the_same_gnns(numerics: str | None) -> None:
    """A run.json naming `SAGEEmbedder` / `GATEmbedder` with flat settings re-runs with the GNNs of today's
    configs and the values it recorded (and, made before `numerics` too, float32 fits: native)."""
    today = config(["embedder=[sage,gat]", "predictor=[lr]", "protocol=paper", f"numerics={numerics or 'native'}"])
    recorded = OmegaConf.to_container(today)
    recorded["transfergraph"]["embedders"] = {"sage": dict(LEGACY_SAGE), "gat": dict(LEGACY_GAT)}
    if numerics is None:
        del recorded["numerics"]
        for node in recorded["transfergraph"]["embedders"].values():
            del node["dtype"]
    cfg = rerun_config(recorded, VerifyOptions(), [])
    built = {key: gnn for family in build_methods(cfg) for key, gnn in getattr(family, "embedders", {}).items()}
    for key in ("sage", "gat"):
        expected = instantiate_checked(today.transfergraph.embedders[key], key)
        assert built[key].name == expected.name and built[key].settings == expected.settings
        assert built[key].encoder.func is expected.encoder.func
        assert built[key].encoder.keywords == expected.encoder.keywords
    assert built["gat"].settings.dtype == ("float64" if numerics else "float32")


def test_the_store_digest_covers_the_numerics_mode(metadata_root: Path) -> None:
    """A unit computed in one mode is never read back for the other, baselines included."""
    digests = {}
    for mode in ("portable", "native"):
        cfg = config(["zoo=text", "baseline=[zoo_prior]", f"numerics={mode}"])
        digests[mode] = unit_ids(cfg, load_zoo(ZooSpec.from_config(cfg.zoo), metadata_root).files)
    assert digests["portable"] != digests["native"]


def test_update_rewrites_only_the_named_methods_rows(finished_run: Path, tmp_path, capsys) -> None:
    """A method whose code changed: `update=true` puts its re-run rows into the folder (a gzipped predictions
    file too) and leaves every other row as it was; the folder then verifies identical."""
    import gzip

    stale = tmp_path / "stale"
    stale.mkdir()
    for name in ("run.json", "metrics.csv", "summary.md"):
        (stale / name).write_bytes((finished_run / name).read_bytes())
    metrics = pd.read_csv(stale / "metrics.csv")
    metrics.loc[metrics["method"] == "zoo_prior", "value"] -= 0.5  # what the old code gave
    metrics.to_csv(stale / "metrics.csv", index=False, float_format="%.10g")
    predictions = pd.read_csv(finished_run / "predictions.csv")
    predictions.loc[predictions["method"] == "zoo_prior", "score"] *= 2
    (stale / "predictions.csv.gz").write_bytes(
        gzip.compress(predictions.to_csv(index=False, float_format="%.10g").encode(), mtime=0)
    )
    (stale / "summary.md").write_text("stale\n")

    assert verify_main([str(stale), "progress=false", "methods=[zoo_prior]", "update=true"]) == 1
    assert "updated: zoo_prior" in capsys.readouterr().out
    assert (stale / "metrics.csv").read_bytes() == (finished_run / "metrics.csv").read_bytes()
    assert (
        gzip.decompress((stale / "predictions.csv.gz").read_bytes()) == (finished_run / "predictions.csv").read_bytes()
    )
    assert not (stale / "predictions.csv").exists()
    assert (stale / "summary.md").read_text() == (finished_run / "summary.md").read_text()
    info = json.loads((stale / "run.json").read_text())
    assert [update["methods"] for update in info["updates"]] == [["zoo_prior"]]
    assert info["config"] == json.loads((finished_run / "run.json").read_text())["config"]
    assert verify_main([str(stale), "progress=false"]) == 0

    # rows the re-run does not have cannot be updated in place; nor can part of a run's targets
    shorter = predictions.drop(index=predictions.index[predictions["method"] == "zoo_prior"][:1])
    (stale / "predictions.csv.gz").write_bytes(gzip.compress(shorter.to_csv(index=False).encode(), mtime=0))
    metrics.to_csv(stale / "metrics.csv", index=False, float_format="%.10g")
    assert verify_main([str(stale), "progress=false", "methods=[zoo_prior]", "update=true"]) == 2
    assert verify_main([str(stale), "targets=[glue_cola]", "update=true"]) == 2
    errors = capsys.readouterr().err
    assert "other rows than the folder holds" in errors and "leave out `targets`" in errors
