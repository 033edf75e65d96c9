"""The classic 10-CNN benchmark's zoo files (`tg_bench/zoos/classic10`): what `scripts/make_classic10.py` writes
from the verbatim published tables, model metadata as torchvision states it, and which published correlations
follow from the published table (`tg_bench.evaluate.published_check`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tg_bench.catalog import estimator_methods
from tg_bench.data.classic10 import DATASETS, ESTIMATORS, MODEL_METADATA, build_classic10, parse_tables
from tg_bench.errors import UserInputError
from tg_bench.evaluate.metrics import pearson
from tg_bench.evaluate.published_check import follows_from_table, printed_decimals

FOLDER = Path(__file__).resolve().parents[1] / "tg_bench" / "zoos" / "classic10"


def test_the_committed_files_are_what_the_script_writes_from_the_source(tmp_path: Path) -> None:
    written = build_classic10(FOLDER / "source.md", tmp_path)
    assert len(written) == 6
    for path in written:
        relative = path.relative_to(tmp_path)
        assert path.read_bytes() == (FOLDER / relative).read_bytes(), relative
    records = pd.read_csv(FOLDER / "records.csv")
    assert len(records) == 80 and records["accuracy"].between(0, 1).all()
    scores = pd.read_csv(FOLDER / "scores.csv")
    assert len(scores) == 320 and set(scores["metric"]) == set(ESTIMATORS.values())
    # a value read back from the table: ResNet50's LogME score and accuracy on Caltech101 (0.946 is Aircraft's)
    resnet = scores[(scores["model"] == "resnet50") & (scores["dataset"] == "caltech101")].set_index("metric")
    assert resnet.loc["LOG_ME", "score"] == 1.262 and resnet.loc["NCE", "score"] == -0.616
    assert records.set_index(["model", "dataset"]).loc[("resnet50", "caltech101"), "accuracy"] == 0.918


def test_a_table_missing_an_estimator_or_a_model_is_refused(tmp_path: Path) -> None:
    text = (FOLDER / "source.md").read_text()
    without_nce = text.replace("| NCE    |", "| XYZ    |", 1)
    with pytest.raises(UserInputError, match=r"Aircraft: columns .* lack"):
        parse_tables(without_nce)
    source = tmp_path / "source.md"
    source.write_text(text.replace("| MNasNet      |          72.8", "| NASNet       |          72.8", 1))
    with pytest.raises(UserInputError, match="Aircraft: no row for model 'MNasNet'"):
        build_classic10(source, tmp_path / "out")


def test_model_metadata_is_torchvisions() -> None:
    models = pytest.importorskip("torchvision.models")
    for _, (name, _architecture, top1, parameters) in MODEL_METADATA.items():
        meta = models.get_model_weights(name).IMAGENET1K_V1.meta
        assert (meta["num_params"], meta["_metrics"]["ImageNet-1K"]["acc@1"]) == (parameters, top1), name


def test_printed_decimals_are_read_off_the_values() -> None:
    assert printed_decimals(np.array([0.827, 0.88, 0.9])) == 3
    assert printed_decimals(np.array([28.37, 46.0])) == 2
    assert printed_decimals(np.array([-4.31, -4.202])) == 3


def test_a_published_value_follows_only_within_the_tables_rounding() -> None:
    rng = np.random.default_rng(3)
    accuracy = np.round(rng.uniform(0.7, 0.9, 10), 3)
    score = np.round(accuracy * 2 + rng.normal(0, 0.02, 10), 3)
    records = pd.DataFrame({"model": range(10), "dataset": "d", "accuracy": accuracy})
    scores = pd.DataFrame({"model": range(10), "dataset": "d", "metric": "S", "score": score})
    exact = round(pearson(accuracy, score), 3)
    published = pd.DataFrame({"method": ["S", "S"], "d": [exact, exact - 0.2]})
    checked = follows_from_table(records, scores, published, "pearson", draws=200)
    assert checked["follows"].tolist() == [True, False]
    assert (checked["low"] <= checked["ours"]).all() and (checked["ours"] <= checked["high"]).all()
    assert checked.equals(follows_from_table(records, scores, published, "pearson", draws=200))  # seeded


def test_which_published_correlations_of_the_benchmark_follow_from_its_table() -> None:
    """Aircraft's and Pets' correlation rows were computed from other numbers than their tables print, and DTD's
    NCE column repeats its LogME column (the NCE correlations are not LogME's): 9 of 32 per metric do not
    follow; the other 23 do, within the tables' rounding."""
    records, scores = pd.read_csv(FOLDER / "records.csv"), pd.read_csv(FOLDER / "scores.csv")
    dtd = scores[scores["dataset"] == "dtd"].pivot(index="model", columns="metric", values="score")
    assert (dtd["NCE"] == dtd["LOG_ME"]).all()  # the copy error, as published
    names = estimator_methods()  # published rows are keyed by method name: LOG_ME's scores are LogME's
    expected = {(names[m], d) for m in ESTIMATORS.values() for d in ("aircraft", "pets")} | {("NCE", "dtd")}
    for metric in ("pearson", "w-kendall"):
        published = pd.read_csv(FOLDER / "published" / f"{metric}.csv")
        assert list(published.columns[1:]) == [name for name, _ in DATASETS.values()]
        assert set(published["method"]) == {"H-Score", "LEEP", "LogME", "NCE"}
        by_method = {names[m]: m for m in ESTIMATORS.values()}
        checked = follows_from_table(records, scores, published, metric, draws=500, score_metrics=by_method)
        assert len(checked) == 32
        assert set(map(tuple, checked.loc[~checked["follows"], ["method", "dataset"]].to_numpy())) == expected
