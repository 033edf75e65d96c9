"""A zoo of one's own in the tidy layout (docs/zoo_format.md), built here from scratch: `tg-bench run zoo=folder`
gives the metrics computed by hand; a missing column, a missing folder and a method needing distances the zoo
lacks are one line and exit 2; the package's classic10 zoo loads through the same reader."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import config
from scipy import stats

from tg_bench.catalog import entry
from tg_bench.commands.run import evaluate_config
from tg_bench.data.tidy_export import write_tidy_zoo
from tg_bench.data.zoo import TIDY, ZooSpec, load_zoo
from tg_bench.errors import USER_ERROR_EXIT_CODE

MODELS = ["m1", "m2", "m3", "m4", "m5"]
DATASETS = ["a", "b", "c"]


def _accuracy() -> pd.DataFrame:
    """models x datasets, fractions; no two models tie on any dataset."""
    rng = np.random.default_rng(4)
    return pd.DataFrame(np.round(rng.uniform(0.3, 0.95, (5, 3)), 3), index=MODELS, columns=DATASETS)


def _write_zoo(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    accuracy = _accuracy()
    logme = accuracy * 3 + np.random.default_rng(5).normal(0, 0.1, accuracy.shape)
    folder.mkdir(parents=True)
    pd.DataFrame({"model": MODELS, "n_parameters": [1e6, 2e6, 3e6, 4e6, 5e6]}).to_csv(
        folder / "models.csv", index=False
    )
    records = accuracy.stack().rename("accuracy").rename_axis(["model", "dataset"]).reset_index()
    records.to_csv(folder / "records.csv", index=False)
    scores = logme.stack().rename("score").rename_axis(["model", "dataset"]).reset_index().assign(metric="LOG_ME")
    scores.to_csv(folder / "scores.csv", index=False)
    return accuracy, logme


def _run(args: list[str], workdir: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "TG_BENCH_DATA"}  # no metadata root needed
    return subprocess.run(
        [sys.executable, "-m", "tg_bench", "run", "zoo=folder", "protocol=clean", "progress=false", "n_jobs=1", *args],
        capture_output=True, text=True, env={**env, "TG_BENCH_ROOT": str(workdir)}, timeout=300, cwd=workdir,
    )  # fmt: skip


def _zoo_prior(accuracy: pd.DataFrame, target: str) -> np.ndarray:
    """The zoo prior by hand: each model's mean min-max normalised accuracy over the other datasets."""
    others = accuracy.drop(columns=target)
    normalised = (others - others.min()) / (others.max() - others.min())
    return normalised.mean(axis=1).to_numpy()


def test_a_zoo_of_ones_own_runs_and_gives_the_hand_computed_metrics(tmp_path: Path) -> None:
    accuracy, logme = _write_zoo(tmp_path / "my_zoo")
    out = tmp_path / "run"
    done = _run([f"zoo.path={tmp_path / 'my_zoo'}", "zoo.name=mine", "baseline=[zoo_prior,logme]",
                 f"hydra.run.dir={out}"], tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    metrics = pd.read_csv(out / "metrics.csv")  # values written with 10 significant digits
    pearson = metrics[metrics["metric"] == "pearson"].set_index(["method", "target"])["value"]
    for target in DATASETS:
        truth = accuracy[target].to_numpy()
        expected_prior = stats.pearsonr(truth, _zoo_prior(accuracy, target))[0]
        expected_logme = stats.pearsonr(truth, logme[target].to_numpy())[0]
        assert pearson[("zoo_prior", target)] == pytest.approx(expected_prior, rel=1e-9)
        assert pearson[("LogME", target)] == pytest.approx(expected_logme, rel=1e-9)
    assert "mine zoo, clean protocol" in done.stdout


def test_graph_free_transfergraph_runs_without_distances_on_the_features_the_zoo_knows(tmp_path: Path) -> None:
    """Without distances TransferGraph's graph learners are refused (below), its graph-free variant runs: here
    the only feature a training row knows is the parameter count (no sizes, classes, distances or categories),
    so OLS predicts a line in it, and the Pearson is that of the parameter count, signed by the fitted slope."""
    accuracy, _ = _write_zoo(tmp_path / "my_zoo")
    cfg = config(["zoo=folder", f"zoo.path={tmp_path / 'my_zoo'}", "protocol=clean", "baseline=[]",
                  "embedder=[none]", "predictor=[lr]"])  # fmt: skip
    metrics = evaluate_config(cfg)[1].metrics
    pearson = metrics[metrics["metric"] == "pearson"].set_index("target")["value"]
    parameters = np.array([1e6, 2e6, 3e6, 4e6, 5e6])
    for target in DATASETS:
        others = accuracy.drop(columns=target)
        normalised = (others - others.min()) / (others.max() - others.min())
        slope = np.polyfit(np.tile(parameters, len(others.columns)), normalised.to_numpy().T.ravel(), 1)[0]
        expected = np.sign(slope) * stats.pearsonr(accuracy[target].to_numpy(), parameters)[0]
        assert pearson[target] == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    ("edit", "args", "words"),
    [
        # a required column missing: the file and the column named
        ("drop-accuracy", ["baseline=[zoo_prior]"], ["records.csv", "accuracy"]),
        # no distances in this zoo: the k-NN prior would silently be the zoo prior
        (None, ["baseline=[zoo_prior,knn_prior]"], ["knn_prior", "has no dataset distances", "distances.csv"]),
        # TransferGraph's graph learners: the graph's dataset nodes come from the distance matrix
        (None, ["embedder=[node2vec]", "predictor=[lr]", "baseline=[]"], ["has no dataset distances"]),
        # a percent where a fraction belongs
        ("percent", ["baseline=[zoo_prior]"], ["records.csv", "accuracy", "fraction"]),
    ],
    ids=["missing-column", "knn-without-distances", "transfergraph-without-distances", "percent-accuracy"],
)
def test_what_a_zoo_lacks_is_one_line_before_any_work(edit, args, words, tmp_path: Path) -> None:
    _write_zoo(tmp_path / "my_zoo")
    records = tmp_path / "my_zoo" / "records.csv"
    if edit == "drop-accuracy":
        pd.read_csv(records).drop(columns="accuracy").to_csv(records, index=False)
    elif edit == "percent":
        frame = pd.read_csv(records)
        frame.assign(accuracy=frame["accuracy"] * 100).to_csv(records, index=False)
    done = _run([f"zoo.path={tmp_path / 'my_zoo'}", *args], tmp_path)
    assert done.returncode == USER_ERROR_EXIT_CODE, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    for word in words:
        assert word in done.stderr, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my_zoo"]  # no run folder left


def test_a_folder_zoo_needs_its_folder(tmp_path: Path) -> None:
    done = _run(["baseline=[zoo_prior]"], tmp_path)
    assert done.returncode == USER_ERROR_EXIT_CODE and "needs zoo.path" in done.stderr
    done = _run([f"zoo.path={tmp_path / 'nowhere'}", "baseline=[zoo_prior]"], tmp_path)
    assert done.returncode == USER_ERROR_EXIT_CODE and "no such folder" in done.stderr


def test_classic10_loads_through_the_tidy_reader() -> None:
    from tg_bench.catalog import entry

    zoo = load_zoo(ZooSpec.from_config(entry("zoo", "classic10")))
    assert zoo.targets == ("aircraft", "caltech101", "cifar10", "cifar100", "dtd", "pets", "stanfordcars", "sun397")
    assert len(zoo.full_records()) == 80 and zoo.distances.empty and len(zoo.typed_models()) == 10
    assert set(zoo.scores["metric"]) == {"H_SCORE", "LEEP", "LOG_ME", "NCE"}
    assert zoo.models.set_index("model").loc["resnet50", "n_parameters"] == 25557032


@pytest.mark.parametrize("zoo", ["image", "text"])
def test_an_authors_zoo_written_in_the_tidy_layout_reads_back_the_same_and_gives_the_same_results(
    zoo: str, metadata_root: Path, tmp_path: Path
) -> None:
    """Both layouts go through one interface (`tg_bench.data.layouts`): the authors' zoo written as a tidy
    folder (`write_tidy_zoo`) loads back to equal tables, and the same run on either gives the same metrics and
    predictions to the last bit, under both protocols (the paper's typed-model filter and known defects
    included). One target, the methods reading every table: records, scores, model and dataset metadata,
    distances."""
    spec = ZooSpec.from_config(entry("zoo", zoo))
    authors = load_zoo(spec, metadata_root)
    write_tidy_zoo(authors, tmp_path / zoo)
    tidy = load_zoo(replace(spec, layout=TIDY, path=str(tmp_path / zoo)))
    for table in ("records", "models", "dataset_features", "scores", "distances"):
        pd.testing.assert_frame_equal(getattr(authors, table), getattr(tidy, table), check_exact=True)
    methods = ["baseline=[zoo_prior,logme,knn_prior]", "embedder=[none]", "predictor=[lr]"]
    targets = f"targets=[{spec.targets[0]}]"
    for protocol in ("paper", "clean"):
        runs = []
        for layout in ([f"paths.data_root={metadata_root}"], [f"+zoo.layout={TIDY}", f"+zoo.path={tmp_path / zoo}"]):
            cfg = config([f"zoo={zoo}", f"protocol={protocol}", targets, *methods, *layout])
            runs.append(evaluate_config(cfg)[1])
        pd.testing.assert_frame_equal(runs[0].metrics, runs[1].metrics, check_exact=True)
        pd.testing.assert_frame_equal(runs[0].predictions, runs[1].predictions, check_exact=True)


def test_a_zoos_published_table_is_compared_by_the_run_and_checked_by_the_data_report(tmp_path: Path) -> None:
    """`published/pearson.csv` of a tidy zoo: the run writes ours beside it (comparison.csv, any protocol) and
    prints the per-target differences; the data report says how many published values follow from the zoo's
    records and scores and lists the one planted wrong (c), with both values."""
    accuracy, logme = _write_zoo(tmp_path / "my_zoo")
    exact = {d: round(stats.pearsonr(accuracy[d].to_numpy(), logme[d].to_numpy())[0], 3) for d in DATASETS}
    published = pd.DataFrame([{"method": "LogME", **exact, "c": exact["c"] - 0.3}])
    (tmp_path / "my_zoo" / "published").mkdir()
    published.to_csv(tmp_path / "my_zoo" / "published" / "pearson.csv", index=False)
    out = tmp_path / "run"
    done = _run([f"zoo.path={tmp_path / 'my_zoo'}", "baseline=[zoo_prior,logme]", f"hydra.run.dir={out}"], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    comparison = pd.read_csv(out / "comparison.csv").set_index("target")
    assert set(comparison["method"]) == {"LogME"} and set(comparison.index) == set(DATASETS)
    assert comparison.loc["c", "difference"] == pytest.approx(0.3, abs=5e-4)
    assert "+0.300" in done.stdout  # the printed per-target differences (the title wraps in a narrow console)
    assert f"({exact['c'] - 0.3:.4f})" in (out / "summary.md").read_text()  # ours (published) cells
    env = {key: value for key, value in os.environ.items() if key != "TG_BENCH_DATA"}
    report = subprocess.run(
        [sys.executable, "-m", "tg_bench", "data-report", "zoo=folder", f"zoo.path={tmp_path / 'my_zoo'}",
         "published_check_draws=100"],
        capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert report.returncode == 0, report.stderr[-3000:]
    assert "published pearson: 2 of 3 values follow" in report.stdout
    listed = [line for line in report.stdout.splitlines() if "LogME" in line]
    assert len(listed) == 1 and " c " in listed[0] and f"{exact['c'] - 0.3:.3f}" in listed[0]
