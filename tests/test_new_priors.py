"""The two priors an audit suggested (issue 24): the zoo prior on a logit scale, and the k-NN prior whose k and
temperature are chosen by an inner leave-one-dataset-out; each by hand, and their options checked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import baseline, config, held_out

from tg_bench.baselines.knn_prior import KnnPrior
from tg_bench.baselines.nested_knn import NestedKnnPrior
from tg_bench.build import build_methods, build_protocol
from tg_bench.data.zoo import ZooSpec, load_zoo
from tg_bench.errors import UserInputError
from tg_bench.task.inner import inner_tasks
from tg_bench.task.method import HeldOutTarget


def test_the_logit_prior_averages_z_scored_logits(three_dataset_zoo) -> None:
    scores = baseline("logit_prior").score_models(held_out(three_dataset_zoo, "tA"))

    def z(values: dict[str, float]) -> dict[str, float]:
        logits = {m: np.log(a / (1 - a)) for m, a in values.items()}
        mean, std = np.mean(list(logits.values())), np.std(list(logits.values()), ddof=1)
        return {m: (v - mean) / std for m, v in logits.items()}

    on_b = z({"m1": 0.9, "m2": 0.5, "m3": 0.7, "m4": 0.6})
    on_src = z({"m1": 0.2, "m2": 0.6, "m3": 0.4})
    expected = {m: np.mean([on_b[m], *([on_src[m]] if m in on_src else [])]) for m in on_b}
    assert scores.to_dict() == pytest.approx(expected)
    # min-max and logit scales agree on a dataset's order but not on the average over datasets
    zoo_prior = baseline("zoo_prior").score_models(held_out(three_dataset_zoo, "tA"))
    assert not np.allclose(scores.to_numpy(), zoo_prior.to_numpy())


def test_a_nested_knn_prior_with_one_candidate_is_that_knn_prior(three_dataset_zoo) -> None:
    task = held_out(three_dataset_zoo, "tA")
    nested = NestedKnnPrior("nested", ks=[None], taus=[4.0])
    pd.testing.assert_series_equal(nested.score_models(task), KnnPrior("knn", tau=4.0).score_models(task))
    assert nested.chosen == {"tA": (None, 4.0)}


def test_the_nested_knn_prior_picks_the_best_candidate_on_the_inner_targets(metadata_root: Path) -> None:
    """On the published text zoo, the (k, tau) chosen for glue/cola is the one with the highest weighted
    Pearson over the other seven targets, each computed here directly, and the outer target's records are
    never among the inner tasks' data."""
    cfg = config(["experiment=paper_text", "protocol=clean"])
    zoo = load_zoo(ZooSpec.from_config(cfg.zoo), metadata_root)
    task = HeldOutTarget(zoo, "glue/cola", build_protocol(cfg.protocol), 0)
    nested = NestedKnnPrior("nested", ks=[None, 2], taus=[0.0, 4.0, 16.0])
    nested.score_models(task)
    inner = list(inner_tasks(task))
    assert len(inner) == 7 and all((t.task.zoo.records["dataset"] != "glue/cola").all() for t in inner)
    totals = {}
    for candidate in nested.candidates:
        total = 0.0
        for t in inner:
            scores = candidate.score_models(t.task).reindex(t.models)
            scores = scores.fillna(scores.mean())
            total += t.weight * np.corrcoef(scores.to_numpy(), t.accuracy)[0, 1]
        totals[(candidate.k, candidate.tau)] = total
    assert nested.chosen["glue/cola"] == max(totals, key=totals.get)
    assert len(set(np.round(list(totals.values()), 6))) > 1  # the candidates do differ


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("baseline.nested_knn_prior.ks=[]", "ks and taus need at least one candidate"),
        ("baseline.nested_knn_prior.taus=[-1]", "tau must be a finite number"),
        ("baseline.logit_prior.scale=probit", "scale must be one of min_max, logit"),
    ],
)
def test_bad_options_of_the_new_priors_are_user_errors(override: str, message: str) -> None:
    key = override.split(".")[1]
    with pytest.raises(UserInputError, match=message):
        build_methods(config([f"baseline=[{key}]", override]))
