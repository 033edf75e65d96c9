"""The paired interval keeps its promise over the benchmark's few, unequally weighted targets: coverage of
the chosen interval at nominal 0.95, checked by simulation with the zoos' own weights (docs/method.md 14);
the exact sign-flip test, Kish's effective sample size and the minimum detectable difference by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import config

from tg_bench.analysis.coverage import benchmark_weights, coverage
from tg_bench.analysis.intervals import (
    CHOSEN,
    INTERVALS,
    kish_n,
    minimum_detectable_difference,
    sign_flip_interval,
    sign_flip_p_value,
    t_test_p_value,
)
from tg_bench.build import build_protocol
from tg_bench.data.zoo import ZooSpec, load_zoo


@pytest.fixture(scope="module")
def weights(metadata_root: Path) -> dict[str, np.ndarray]:
    """Each zoo's target weights under the clean protocol, and both zoos pooled (16 targets)."""
    found = {}
    for zoo_name in ("image", "text"):
        cfg = config([f"experiment=paper_{zoo_name}", "protocol=clean"])
        zoo = load_zoo(ZooSpec.from_config(cfg.zoo), metadata_root)
        found[zoo_name] = benchmark_weights(zoo, build_protocol(cfg.protocol)).to_numpy()
    found["pooled"] = np.concatenate([found["image"], found["text"]])
    return found


def test_the_benchmark_weights_leave_few_effective_targets(weights) -> None:
    assert len(weights["image"]) == len(weights["text"]) == 8
    assert kish_n(weights["image"]) == pytest.approx(4.89, abs=0.01)
    assert kish_n(weights["text"]) == pytest.approx(6.75, abs=0.01)
    assert kish_n(np.ones(8)) == 8


@pytest.mark.parametrize("distribution", ["normal", "heavy-tailed (t, 3 df)"])
@pytest.mark.parametrize("zoo", ["image", "text", "pooled"])
def test_the_chosen_interval_covers_at_least_093_at_nominal_095(weights, zoo: str, distribution: str) -> None:
    held = coverage(INTERVALS[CHOSEN], weights[zoo], distribution, simulations=4000, seed=1)
    assert held >= 0.93, f"{CHOSEN} on {zoo} weights, {distribution}: {held:.3f}"


def test_the_percentile_bootstrap_falls_short_on_the_image_weights(weights) -> None:
    """The check has power: the interval the tables used to report covers far less than its nominal 0.95."""
    held = coverage(INTERVALS["percentile"], weights["image"], "normal", simulations=600, seed=1, resamples=1000)
    assert held < 0.90


def test_the_sign_flip_test_is_exact() -> None:
    # all differences positive: only the observed pattern and its mirror reach |sum|, p = 2 / 2^n
    d, w = np.array([0.1, 0.2, 0.3]), np.array([1.0, 2.0, 3.0])
    assert sign_flip_p_value(d, w) == pytest.approx(2 / 8)
    # one sign against the rest: patterns reaching |0.6 - 0.2 * 3|... counted by hand
    d = np.array([0.1, 0.2, -0.3])
    sums = [abs(a * 0.1 + b * 0.4 + c * -0.9) for a in (1, -1) for b in (1, -1) for c in (1, -1)]
    assert sign_flip_p_value(d, w) == pytest.approx(np.mean(np.array(sums) >= abs(0.1 + 0.4 - 0.9) - 1e-12))
    # the inverted test's interval holds the weighted mean and its ends are where the p-value crosses 0.05
    rng = np.random.default_rng(3)
    d, w = rng.normal(size=8), rng.uniform(0.1, 1.0, 8)
    low, high = sign_flip_interval(d, w)
    assert low < np.dot(d, w) / w.sum() < high
    assert sign_flip_p_value(d, w, low + 1e-6) > 0.05 >= sign_flip_p_value(d, w, low - 1e-6)
    assert sign_flip_p_value(d, w, high - 1e-6) > 0.05 >= sign_flip_p_value(d, w, high + 1e-6)


def test_the_minimum_detectable_difference_has_its_power() -> None:
    """At a true difference of the MDD (computed from the true standard error), the t test rejects in about
    80 % of draws."""
    rng = np.random.default_rng(0)
    w = np.ones(8)
    sigma = 0.03
    mdd = minimum_detectable_difference(w, sigma / np.sqrt(kish_n(w)))
    rejected = np.mean([t_test_p_value(mdd + sigma * rng.standard_normal(8), w) < 0.05 for _ in range(3000)])
    assert 0.74 <= rejected <= 0.86
