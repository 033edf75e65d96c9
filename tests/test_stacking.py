"""The stacking methods of docs/method.md section 15: the guided prior computed by hand on a small zoo, the
stacked prior's blend grid and correlations against scipy, its weights chosen on inner tasks that never see
the outer target, and its options checked at the boundary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import baseline, config, held_out
from scipy.stats import pearsonr

from tg_bench.build import build_methods
from tg_bench.data.zoo import ZooData, ZooSpec, load_zoo
from tg_bench.errors import UserInputError
from tg_bench.stacking.guided_prior import GuidedPrior
from tg_bench.stacking.stacked_prior import StackedPrior, pearson_columns, weight_grid
from tg_bench.stacking.standardise import standardised
from tg_bench.task.ground_truth import ground_truth
from tg_bench.task.method import HeldOutTarget, Method


class FixedScores(Method):
    """The same scores whatever the target."""

    def __init__(self, name: str, scores: dict[str, float]) -> None:
        self.name, self.scores = name, pd.Series(scores, dtype=float)

    def score_models(self, task: HeldOutTarget) -> pd.Series:
        return self.scores


class Oracle(Method):
    """The target's true accuracies, read from whatever zoo the task carries; notes every (zoo, target) asked."""

    name = "oracle"

    def __init__(self) -> None:
        self.asked: list[tuple[ZooData, str]] = []

    def score_models(self, task: HeldOutTarget) -> pd.Series:
        self.asked.append((task.zoo, task.target))
        return ground_truth(task.zoo, task.target, task.protocol).set_index("model")["accuracy"]


def test_the_guided_prior_keeps_the_datasets_the_guide_agrees_with(three_dataset_zoo) -> None:
    task = held_out(three_dataset_zoo, "tA")
    guide = FixedScores("guide", {"m1": 4.0, "m2": 1.0, "m3": 3.0, "m4": 2.0})  # ranks like tB, unlike src
    scores = GuidedPrior("guided", guide, power=4.0).score_models(task)
    assert scores.to_dict() == pytest.approx({"m1": 1.0, "m2": 0.0, "m3": 0.5, "m4": 0.25})  # tB alone
    flat = GuidedPrior("guided", guide, power=0.0).score_models(task)  # every dataset alike: the zoo prior
    zoo_prior = baseline("zoo_prior").score_models(task)
    pd.testing.assert_series_equal(flat.sort_index(), zoo_prior.sort_index(), check_names=False)


def test_a_guide_that_agrees_with_no_dataset_falls_back_to_the_zoo_prior(three_dataset_zoo) -> None:
    task = held_out(three_dataset_zoo, "tA")
    constant = FixedScores("guide", {"m1": 1.0, "m2": 1.0, "m3": 1.0, "m4": 1.0})
    with pytest.warns(UserWarning, match="no training dataset correlates with guide"):
        scores = GuidedPrior("guided", constant).score_models(task)
    zoo_prior = baseline("zoo_prior").score_models(task)
    pd.testing.assert_series_equal(scores.sort_index(), zoo_prior.sort_index(), check_names=False)


def test_the_blend_grid_has_one_row_per_direction() -> None:
    grid = weight_grid(2, 2)
    # integer weights (0,1) (1,0) (1,1) (1,2) (2,1); (0,2), (2,0) and (2,2) repeat a direction
    np.testing.assert_allclose(grid, [[0, 1], [1, 0], [0.5, 0.5], [1 / 3, 2 / 3], [2 / 3, 1 / 3]])
    big = weight_grid(4, 4)
    assert np.allclose(big.sum(axis=1), 1) and len(np.unique(big.round(12), axis=0)) == len(big) == 529


def test_blend_correlations_match_scipy() -> None:
    rng = np.random.default_rng(0)
    blends, truth = rng.normal(size=(30, 6)), rng.normal(size=30)
    blends[:, 2] = 1.5  # constant: never chosen
    r = pearson_columns(blends, truth)
    expected = [pearsonr(blends[:, j], truth)[0] for j in (0, 1, 3, 4, 5)]
    assert r[[0, 1, 3, 4, 5]] == pytest.approx(expected) and r[2] == -np.inf


def test_standardised_scores_fill_missing_models_with_the_average() -> None:
    models = pd.Index(["a", "b", "c", "d"])
    z = standardised(pd.Series({"a": 1.0, "b": 3.0, "c": np.inf}), models)
    assert z.to_dict() == pytest.approx({"a": -1 / np.sqrt(2), "b": 1 / np.sqrt(2), "c": 0.0, "d": 0.0})
    assert (standardised(pd.Series({"a": 2.0, "b": 2.0}), models) == 0).all()


@pytest.fixture(scope="module")
def text_zoo(metadata_root) -> ZooData:
    return load_zoo(ZooSpec.from_config(config(["zoo=text"]).zoo), metadata_root)


def test_the_stacked_prior_learns_its_weights_on_inner_tasks_that_never_see_the_target(text_zoo) -> None:
    """An oracle component ranks every inner task perfectly, so the blend puts all its weight there; every
    inner task the oracle was asked about came from a zoo without a single record of the outer target."""
    oracle = Oracle()
    stacked = StackedPrior("stacked", {"zoo_prior": baseline("zoo_prior"), "oracle": oracle}, levels=3)
    task = held_out(text_zoo, "glue/cola")
    scores = stacked.score_models(task)
    assert stacked.chosen["glue/cola"] == {"zoo_prior": 0.0, "oracle": 1.0}
    inner = [(zoo, target) for zoo, target in oracle.asked if target != "glue/cola"]
    assert sorted(target for _, target in inner) == sorted(t for t in text_zoo.targets if t != "glue/cola")
    assert all("glue/cola" not in set(zoo.records["dataset"]) for zoo, _ in inner)
    # scored on the outer target with the full zoo: the oracle's own ranking
    truth = ground_truth(text_zoo, "glue/cola", task.protocol).set_index("model")["accuracy"]
    assert pearsonr(scores.reindex(truth.index), truth)[0] == pytest.approx(1.0)


def test_the_stacked_prior_blends_what_ranks_the_inner_tasks_best(text_zoo) -> None:
    """Against random scores, the zoo prior wins the whole weight."""
    stacked = StackedPrior("stacked", {"random": baseline("random"), "zoo_prior": baseline("zoo_prior")}, levels=2)
    stacked.score_models(held_out(text_zoo, "tweet_eval/irony"))
    assert stacked.chosen["tweet_eval/irony"] == {"random": 0.0, "zoo_prior": 1.0}


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("baseline.stacked_prior.levels=0", "levels must be a positive integer"),
        ("baseline.guided_prior.power=-1", "power must be a finite number"),
        ("baseline.stacked_prior.components.logme=3", "components.logme is not a method"),
    ],
)
def test_bad_stacking_options_are_user_errors_naming_the_option(override, message) -> None:
    with pytest.raises(UserInputError, match=message):
        build_methods(config(["baseline=[guided_prior,stacked_prior]", override]))


def test_a_blend_of_nothing_is_a_user_error() -> None:
    with pytest.raises(UserInputError, match="components is empty"):
        StackedPrior("stacked", {})
