"""The model-ratio study: which models a ratio keeps under each protocol, and that they are kept everywhere."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import baseline, image_spec, load_protocol

from tg_bench.data.zoo import load_zoo
from tg_bench.errors import UserInputError
from tg_bench.evaluate.lodo import evaluate_methods
from tg_bench.evaluate.published import published_long
from tg_bench.task.ground_truth import candidate_models, ground_truth
from tg_bench.task.model_ratio import check_ratio, kept_models, zoo_at_ratio


@pytest.fixture(scope="module")
def image_zoo(metadata_root):
    return load_zoo(image_spec(), metadata_root)


def test_ranked_keeps_evenly_spaced_picks_along_the_targets_true_ranking(image_zoo) -> None:
    paper = load_protocol("paper")
    records = image_zoo.records[(image_zoo.records["dataset"] == "pets") & (image_zoo.records["kind"] == "full")]
    for ratio in (0.1, 0.5, 0.9):
        kept = kept_models(image_zoo, "pets", paper, ratio, seed=0)
        assert 2 <= len(kept) <= int(len(records) * ratio)
        # the ends of the ranking are always picked (linspace includes both), and no stretch of it is skipped
        kept_accuracy = records.loc[records["model"].isin(kept), "accuracy"]
        assert kept_accuracy.min() == records["accuracy"].min()
        assert kept_accuracy.max() == records["accuracy"].max()
        positions = np.flatnonzero(records.sort_values("accuracy")["model"].isin(kept).to_numpy())
        assert np.diff(positions).max() <= np.ceil(1 / ratio) + 1
        # the seed plays no part: the authors' selection is deterministic
        assert kept_models(image_zoo, "pets", paper, ratio, seed=7) == kept


def test_random_is_a_seeded_subset_of_the_candidates(image_zoo) -> None:
    clean = load_protocol("clean")
    candidates = set(ground_truth(image_zoo, "dtd", clean)["model"])
    first = kept_models(image_zoo, "dtd", clean, 0.3, seed=0)
    assert first <= candidates and len(first) == int(len(candidates) * 0.3)
    assert kept_models(image_zoo, "dtd", clean, 0.3, seed=0) == first
    assert kept_models(image_zoo, "dtd", clean, 0.3, seed=1) != first
    assert kept_models(image_zoo, "cifar100", clean, 0.3, seed=0) != first  # drawn per target


def test_the_kept_models_are_kept_everywhere_and_the_rest_nowhere(image_zoo) -> None:
    clean = load_protocol("clean")
    small = zoo_at_ratio(image_zoo, "dtd", clean, 0.5, seed=2)
    kept = kept_models(image_zoo, "dtd", clean, 0.5, seed=2)
    assert set(small.records["model"]) <= kept and set(small.models["model"]) == kept & set(image_zoo.models["model"])
    assert set(small.scores["model"]) <= kept
    assert set(small.records["dataset"]) == set(image_zoo.records["dataset"])  # other datasets keep their rows
    assert set(candidate_models(small, "dtd", clean)["model"]) == kept
    assert zoo_at_ratio(image_zoo, "dtd", clean, 1.0, seed=2) is image_zoo


def test_every_method_of_a_run_is_scored_on_the_same_subset(image_zoo) -> None:
    clean = load_protocol("clean")
    targets = ["dtd", "pets"]
    result = evaluate_methods(
        image_zoo, [baseline("logme"), baseline("zoo_prior")], clean, targets, seed=4, progress=False, model_ratio=0.3
    )
    for target in targets:
        rows = result.predictions[result.predictions["target"] == target]
        by_method = rows.groupby("method")["model"].apply(frozenset)
        assert set(by_method) == {kept_models(image_zoo, target, clean, 0.3, seed=4)}
    full = evaluate_methods(image_zoo, [baseline("logme")], clean, targets, seed=4, progress=False)
    assert len(full.predictions) > len(result.predictions[result.predictions["method"] == "LogME"])


@pytest.mark.parametrize("bad", [0, -0.5, 1.5, "many"])
def test_a_ratio_outside_0_1_is_a_user_error(bad) -> None:
    with pytest.raises(UserInputError, match="model_ratio"):
        check_ratio(bad)


def test_a_ratio_too_small_for_a_ranking_is_a_user_error(image_zoo) -> None:
    with pytest.raises(UserInputError, match=r"keeps .* model"):
        kept_models(image_zoo, "dtd", load_protocol("clean"), 0.001, seed=0)


def test_a_ratio_run_is_compared_with_the_papers_table_at_that_ratio(image_zoo) -> None:
    at_half = published_long(image_zoo, ["pearson"], 0.5).set_index(["method", "target"])["published"]
    whole = published_long(image_zoo, ["pearson"]).set_index(["method", "target"])["published"]
    assert at_half[("LogME", "pets")] != whole[("LogME", "pets")]
    assert published_long(image_zoo, ["kendall"], 0.5).empty  # the ratio study published Pearson only
