"""The data-agnostic baselines of docs/method.md section 13 (`model_size`, `source_accuracy`, `knn_prior`):
each computed by hand on a small zoo, options checked at the boundary, and the published zoos' clean-protocol
values of method.md reproduced."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import baseline, config, held_out

from tg_bench.baselines.knn_prior import KnnPrior
from tg_bench.build import build_methods
from tg_bench.commands.run import evaluate_config
from tg_bench.errors import UserInputError


def test_model_size_and_source_accuracy_read_the_model_config(three_dataset_zoo) -> None:
    task = held_out(three_dataset_zoo, "tA")
    size = baseline("model_size").score_models(task)
    assert size.to_dict() == pytest.approx(
        {"m1": np.log(1e8), "m2": np.log(1e8), "m3": np.log(1.2e8), "m4": np.log(1.2e8)}
    )
    source = baseline("source_accuracy").score_models(task)
    assert source["m1"] == 0.9 and np.isnan(source["m2"]) and source["m4"] == 0.8


def test_the_knn_prior_weights_the_nearest_datasets(three_dataset_zoo) -> None:
    task = held_out(three_dataset_zoo, "tA")
    nearest = KnnPrior("knn", k=1, weighting="uniform").score_models(task)
    assert nearest.to_dict() == pytest.approx({"m1": 1.0, "m2": 0.0, "m3": 0.5, "m4": 0.25})  # tB alone
    everything = KnnPrior("knn", k=None, weighting="uniform").score_models(task)
    zoo_prior = baseline("zoo_prior").score_models(task)
    pd.testing.assert_series_equal(everything.sort_index(), zoo_prior.sort_index(), check_names=False)
    weighted = KnnPrior("knn", weighting="exponential", tau=4.0).score_models(task)
    w_b, w_src = np.exp(-4 * 1 / 2), np.exp(-4 * 2 / 2)  # distances 1 and 2; tA's largest is 2
    assert weighted["m2"] == pytest.approx((0 * w_b + 1 * w_src) / (w_b + w_src))
    assert weighted["m4"] == pytest.approx(0.25)  # its only record elsewhere is on tB
    # the configured baseline is the exponential one with tau 4 over every dataset
    pd.testing.assert_series_equal(baseline("knn_prior").score_models(task), weighted)


def test_a_target_without_distances_falls_back_to_the_zoo_prior_with_a_warning(three_dataset_zoo) -> None:
    import dataclasses

    zoo = dataclasses.replace(three_dataset_zoo, distances=three_dataset_zoo.distances.drop(index="tA", columns="tA"))
    with pytest.warns(UserWarning, match="no distance to any training dataset"):
        scores = KnnPrior("knn").score_models(held_out(zoo, "tA"))
    pd.testing.assert_series_equal(
        scores.sort_index(), baseline("zoo_prior").score_models(held_out(zoo, "tA")).sort_index(), check_names=False
    )


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("baseline.knn_prior.k=0", "k must be a positive integer"),
        ("baseline.knn_prior.weighting=gaussian", "weighting must be one of uniform, exponential"),
        ("baseline.knn_prior.tau=-1", "tau must be a finite number"),
    ],
)
def test_bad_knn_options_are_user_errors_naming_the_option(override, message) -> None:
    with pytest.raises(UserInputError, match=message):
        build_methods(config(["baseline=[knn_prior]", override]))


def test_the_published_zoos_reproduce_the_values_of_method_md(metadata_root) -> None:
    """docs/method.md 13, clean protocol, weighted-average Pearson: log(parameter count) 0.580 / 0.259,
    model-card accuracy -0.077 / -0.063, similarity-weighted zoo prior (tau 4) 0.827 / 0.799."""
    expected = {
        "image": {"model_size": 0.580, "source_accuracy": -0.077, "knn_prior": 0.827},
        "text": {"model_size": 0.259, "source_accuracy": -0.063, "knn_prior": 0.799},
    }
    for zoo, values in expected.items():
        cfg = config(
            [f"zoo={zoo}", "protocol=clean", "baseline=[model_size,source_accuracy,knn_prior]", "progress=false"]
        )
        _, result = evaluate_config(cfg)
        metrics = result.metrics
        average = metrics[(metrics["target"] == "average") & (metrics["metric"] == "pearson")].set_index("method")[
            "value"
        ]
        for method, value in values.items():
            assert average[method] == pytest.approx(value, abs=6e-4), (zoo, method)
