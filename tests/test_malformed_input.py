"""Bad input gets one clear message naming the file, column or key, a non-zero exit, no traceback, no outputs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import image_spec

from tg_bench.data.zoo import zoo_files
from tg_bench.errors import USER_ERROR_EXIT_CODE

FILES = zoo_files(image_spec(), Path("."))


def make_root(tmp_path: Path, source: Path) -> Path:
    """A writable copy of the image zoo's five input files (the rest of the metadata is not needed)."""
    root = tmp_path / "metadata"
    for path in FILES.values():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source / path, target)
    return root


def run_cli(args: list[str], data_root: Path, workdir: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "TG_BENCH_DATA": str(data_root),
        "TG_BENCH_ROOT": str(workdir),
        "HYDRA_FULL_ERROR": "0",
    }
    return subprocess.run(
        [sys.executable, "-m", "tg_bench", *args], capture_output=True, text=True, env=env, timeout=120
    )


def rewrite(path: Path, edit) -> None:
    path.write_text(edit(path.read_text()))


def drop_column(text: str, column: str) -> str:
    from io import StringIO

    import pandas as pd

    frame = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
    return frame.drop(columns=[column]).to_csv(index=False)


def set_cell(text: str, column: str, value: str, row: int = 3) -> str:
    from io import StringIO

    import pandas as pd

    frame = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
    frame.loc[row, column] = value
    return frame.to_csv(index=False)


# (id, how to break the data or the command line, extra CLI args, words the message must contain, exit code)
CASES = [
    ("missing-file", lambda r: (r / FILES["records"]).unlink(), [], ["records.csv", "file not found"], 2),
    (
        "empty-file",
        lambda r: (r / FILES["model_config"]).write_text(""),
        [],
        ["model_config_dataset.csv", "empty"],
        2,
    ),
    (
        "header-only",
        lambda r: rewrite(r / FILES["scores"], lambda t: t.splitlines()[0] + "\n"),
        [],
        ["transferability_score_records.csv", "no rows"],
        2,
    ),
    (
        "missing-column",
        lambda r: rewrite(r / FILES["records"], lambda t: drop_column(t, "eval_accuracy")),
        [],
        ["records.csv", "column 'eval_accuracy'", "missing"],
        2,
    ),
    (
        "non-numeric-accuracy",
        lambda r: rewrite(r / FILES["records"], lambda t: set_cell(t, "eval_accuracy", "abc")),
        [],
        ["records.csv", "column 'eval_accuracy'", "'abc'"],
        2,
    ),
    (
        "non-numeric-parameters",
        lambda r: rewrite(r / FILES["model_config"], lambda t: set_cell(t, "number_of_parameters", "many")),
        [],
        ["model_config_dataset.csv", "column 'number_of_parameters'"],
        2,
    ),
    (
        "missing-score-column",
        lambda r: rewrite(r / FILES["scores"], lambda t: drop_column(t, "score")),
        [],
        ["transferability_score_records.csv", "column 'score'"],
        2,
    ),
    ("unknown-target", None, ["targets=[not_a_dataset]"], ["not_a_dataset", "targets"], 2),
    ("target-of-other-zoo", None, ["target=glue_cola"], ["glue/cola", "zoo=text"], 2),
    ("empty-target-list", None, ["targets=[]"], ["targets", "empty"], 2),
    ("no-methods", None, ["baseline=[]"], ["no methods"], 2),
    (
        "missing-data-root",
        lambda r: shutil.rmtree(r),
        [],
        ["metadata root does not exist", "TG_BENCH_DATA"],
        2,
    ),
    # settings checked before the first target (tg_bench.build): one line naming the key, no run folder left;
    # tests/test_configs.py checks more of them in-process
    (
        "node2vec-context-size",
        None,
        ["embedder=[node2vec]", "predictor=[lr]", "transfergraph.embedders.node2vec.context_size=20"],
        ["transfergraph.embedders.node2vec", "context_size"],
        2,
    ),
    (
        "rf-unknown-parameter",
        None,
        ["embedder=[none]", "predictor=[rf]", "+transfergraph.predictors.rf.n_estimatorz=5"],
        ["transfergraph.predictors.rf", "n_estimatorz"],
        2,
    ),
    (
        "negative-threshold",
        None,
        ["embedder=[node2vec]", "predictor=[lr]", "transfergraph.graph.negative_threshold=-1"],
        ["graph.negative_threshold", "[0, 1]"],
        2,
    ),
    (
        "unknown-target-class",
        None,
        ["embedder=[gat]", "predictor=[lr]", "transfergraph.embedders.gat._target_=tg_bench.embed.gnn.GCNEmbedder"],
        ["transfergraph.embedders.gat", "GCNEmbedder", "cannot be imported"],
        2,
    ),
    # Hydra's own errors, caught before it composes: one line, exit 2, the choices or the nearest key
    ("override-typo", None, ["seeed=1"], ["seeed", "did you mean seed?"], 2),
    # Hydra would add an unknown top-level key silently and run with the default seed
    ("appended-unknown-key", None, ["+sede=3"], ["+sede", "did you mean seed?"], 2),
    ("unknown-baseline", None, ["baseline=[zoo_prior,logmee]"], ["baseline=logmee", "choose from", "logme,"], 2),
    ("negative-seed", None, ["zoo=text", "baseline=[zoo_prior,random]", "seed=-1"], ["seed", "-1", ">= 0"], 2),
    # an option missing from an optional group (Hydra skips it silently: this ran every target, exit 0)
    ("no-such-target-option", None, ["target=cifar10"], ["target=cifar10", "no such option", "cifar100"], 2),
    ("seed-not-an-integer", None, ["seed=abc"], ["seed", "'abc'", "not an integer"], 2),
    ("model-ratio-out-of-range", None, ["model_ratio=1.5"], ["model_ratio", "(0, 1]"], 2),
    ("unknown-group-option", None, ["zoo=imagee"], ["zoo=imagee", "choose from classic10, folder, image, text"], 2),
    # every dataset as a held-out target: the clean protocol only, and only methods whose inputs every target has
    ("extended-under-paper-protocol", None, ["target_set=extended"], ["target_set=extended", "protocol=clean"], 2),
    (
        "extended-without-scores",
        None,
        ["protocol=clean", "target_set=extended", "baseline=[zoo_prior,stacked_prior]"],
        ["stacked_prior", "LOG_ME", "eurosat", "kitti", "transferability_score_records.csv"],
        2,
    ),
    ("unknown-target-set", None, ["target_set=all"], ["target_set=all", "paper, extended"], 2),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gives_one_clear_error(case, tmp_path, metadata_root):
    _, breaker, args, words, code = case
    root = make_root(tmp_path, metadata_root)
    if breaker is not None:
        breaker(root)
    workdir = tmp_path / "work"
    workdir.mkdir()
    result = run_cli(["run", "progress=false", *args], root, workdir)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    if code == USER_ERROR_EXIT_CODE:
        error_lines = [line for line in result.stderr.splitlines() if "error" in line.lower()]
        assert len(error_lines) == 1, result.stderr
    assert not list(workdir.rglob("*.csv")), "a failed run must leave no result file"
    assert not list(workdir.rglob("run.json"))
    if code == USER_ERROR_EXIT_CODE:
        assert not list(workdir.rglob(".hydra")), "a failed run must leave no run folder"
        assert not list(workdir.iterdir()), "a failed run must leave no (empty) folder either"


def test_data_report_bad_input_exits_2(tmp_path, metadata_root):
    root = make_root(tmp_path, metadata_root)
    rewrite(root / FILES["records"], lambda t: set_cell(t, "eval_accuracy", "n/a?"))
    result = run_cli(["data-report", "zoo=image"], root, tmp_path)
    assert result.returncode == 2
    assert "column 'eval_accuracy'" in result.stderr and "Traceback" not in result.stderr


def test_unknown_command_exits_2(tmp_path, metadata_root):
    result = run_cli(["frobnicate"], metadata_root, tmp_path)
    assert result.returncode == 2
    assert "unknown command 'frobnicate'" in result.stderr


#: the other commands' bad inputs: (id, arguments ({work}: the working folder), words of the one line, exit code)
OTHER_COMMANDS = [
    # no network (a closed port): one line naming the file and the URL, and the destination not left behind
    (
        "fetch-offline",
        ["fetch", "--dest", "{work}/data/metadata", "--base-url", "http://127.0.0.1:9/", "--quiet"],
        ["tg-bench fetch:", "cannot connect", "http://127.0.0.1:9/"],
    ),
    # recommend checks the distances file before it chooses a method (and prints nothing of the choice)
    (
        "recommend-distances-column",
        ["recommend", "zoo=text", "dataset.name=mine", "dataset.distances={work}/missing_column.csv"],
        ["missing_column.csv", "column 'distance'", "missing required column"],
    ),
    (
        "recommend-unknown-dataset",
        ["recommend", "zoo=text", "dataset.name=mine", "dataset.distances={work}/unknown_dataset.csv"],
        ["glue/colaa", "did you mean glue/cola?"],
    ),
    (
        "recommend-negative-seed",
        ["recommend", "zoo=text", "dataset.name=mine", "dataset.distances={work}/unknown_dataset.csv", "seeds=[0,-1]"],
        ["seeds", "-1", ">= 0"],
    ),
    ("score-negative-seed", ["score", "target=glue_cola", "seed=-1"], ["seed", "-1", ">= 0"]),
]
INPUT_FILES = {
    "missing_column.csv": "dataset,distanc\nglue/cola,1.0\n",
    "unknown_dataset.csv": "dataset,distance\nglue/colaa,1.0\n",
}


@pytest.mark.parametrize("case", OTHER_COMMANDS, ids=[c[0] for c in OTHER_COMMANDS])
def test_bad_input_to_the_other_commands_is_one_line_before_any_work(case, tmp_path, metadata_root):
    _, args, words = case
    workdir = tmp_path / "work"
    workdir.mkdir()
    for name, text in INPUT_FILES.items():
        (workdir / name).write_text(text)
    result = run_cli([arg.format(work=workdir) for arg in args], metadata_root, workdir)
    assert result.returncode == USER_ERROR_EXIT_CODE, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert len(result.stderr) < 400  # no list of every dataset of the zoo
    for word in words:
        assert word in result.stderr, result.stderr
    assert "method:" not in result.stdout  # nothing was chosen or run
    assert sorted(p.name for p in workdir.iterdir()) == sorted(INPUT_FILES), "no folder may be left behind"


def test_aggregate_without_a_metadata_root_says_the_published_values_are_missing(tmp_path):
    """Exit 0 (our tables are whole), with one note naming what is left out and how to get it."""
    runs = Path(__file__).parents[1] / "results" / "transfergraph" / "text" / "paper_seed0"
    env = {key: value for key, value in os.environ.items() if key != "TG_BENCH_DATA"}
    result = subprocess.run(
        [sys.executable, "-m", "tg_bench", "aggregate", str(runs), f"out={tmp_path / 'tables'}", "metric=pearson"],
        capture_output=True, text=True, env={**env, "TG_BENCH_ROOT": str(tmp_path)}, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    notes = [line for line in (result.stdout + result.stderr).splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "published values are left out" in notes[0] and "tg-bench fetch" in notes[0]
    assert (tmp_path / "tables" / "summary.md").is_file()
