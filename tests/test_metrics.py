"""Each metric of method.md section 2 against small cases computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import load_protocol

from tg_bench.evaluate import metrics as m
from tg_bench.evaluate.averages import weighted_average
from tg_bench.evaluate.scoring import add_averages, replace_non_finite

ACC = np.array([0.9, 0.5, 0.7, 0.6])
# score ranks models: index 2 best, then 1, then 0, then 3
SCORE = np.array([2.0, 3.0, 4.0, 1.0])


def test_pearson_hand_computed():
    # x = (1,2,3), y = (1,3,2): r = 0.5
    assert m.pearson(np.array([1.0, 2.0, 3.0]), np.array([1.0, 3.0, 2.0])) == pytest.approx(0.5)
    assert m.pearson(ACC, ACC * 3 + 1) == pytest.approx(1.0)
    assert math.isnan(m.pearson(ACC, np.ones(4)))


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("name", m.CORRELATIONS)
def test_correlations_are_nan_without_warnings_when_a_side_is_constant(name: str) -> None:
    # a metadata-only regressor on identical rows predicts one value: undefined, and no scipy warning per target
    correlation = m.CORRELATION_FUNCTIONS[name]
    assert math.isnan(correlation(ACC, np.ones(4)))
    assert math.isnan(correlation(np.full(4, 0.5), SCORE))
    assert not math.isnan(correlation(ACC, SCORE))


def test_spearman_and_kendall_hand_computed():
    # ranks of ACC: (4,1,3,2); ranks of SCORE: (2,3,4,1); d = (2,-2,-1,1), sum d^2 = 10, rho = 1 - 6*10/(4*15) = 0
    assert m.spearman(ACC, SCORE) == pytest.approx(0.0)
    # pairs (i<j): (0,1) acc + score - disc; (0,2) + - disc; (0,3) + + conc; (1,2) - - conc; (1,3) - + disc;
    # (2,3) + + conc -> 3 concordant, 3 discordant -> tau = 0
    assert m.kendall(ACC, SCORE) == pytest.approx(0.0)
    assert m.kendall(ACC, ACC) == pytest.approx(1.0)
    assert m.kendall(ACC, -ACC) == pytest.approx(-1.0)


def test_weighted_kendall_is_scipy_default_and_rewards_top_agreement():
    assert m.weighted_kendall(ACC, ACC) == pytest.approx(1.0)
    # getting the top right matters more than the bottom under hyperbolic weights
    acc = np.array([4.0, 3.0, 2.0, 1.0])
    top_right = np.array([4.0, 3.0, 1.0, 2.0])
    bottom_right = np.array([3.0, 4.0, 2.0, 1.0])
    assert m.weighted_kendall(acc, top_right) > m.weighted_kendall(acc, bottom_right)


def test_top_k_family_hand_computed():
    # top-1 by score = index 2 (acc 0.7); top-2 = {2, 1} -> 0.7; top-3 = {2,1,0} -> 0.9
    assert m.top_k(ACC, SCORE, 1) == pytest.approx(0.7)
    assert m.top_k(ACC, SCORE, 2) == pytest.approx(0.7)
    assert m.top_k(ACC, SCORE, 3) == pytest.approx(0.9)
    assert m.rel_k(ACC, SCORE, 1) == pytest.approx(0.7 / 0.9)
    assert m.rel_k(ACC, SCORE, 3) == pytest.approx(1.0)
    # percentileofscore(kind='rank') of 0.7 in (0.9,0.5,0.7,0.6) = 75
    assert m.p_k(ACC, SCORE, 1) == pytest.approx(75.0)
    assert m.p_k(ACC, SCORE, 3) == pytest.approx(100.0)
    mean = ACC.mean()  # 0.675
    assert m.rrel_k(ACC, SCORE, 1) == pytest.approx((0.7 - mean) / (0.9 - mean))
    assert m.rrel_k(ACC, SCORE, 3) == pytest.approx(1.0)
    # a top pick worse than the mean is clamped at 0
    assert m.rrel_k(ACC, -SCORE, 1) == 0.0


def test_compute_metrics_names_in_order():
    values = m.compute_metrics(ACC, SCORE, ks=(1, 2))
    assert list(values) == m.metric_names((1, 2))
    assert list(values)[:4] == ["pearson", "spearman", "kendall", "w-kendall"]
    assert "rrel@2" in values


def test_metrics_reject_misaligned_input():
    with pytest.raises(ValueError):
        m.pearson(ACC, SCORE[:3])
    with pytest.raises(ValueError):
        m.top_k(ACC[:1], SCORE[:1], 1)


def test_non_finite_replacement_under_both_protocols():
    score = pd.Series([1.0, 3.0, np.inf, -np.inf, np.nan, 2.0])
    paper = replace_non_finite(score, load_protocol("paper")).tolist()
    assert paper == [1.0, 3.0, 6.0, 2.0, 2.0, 2.0]
    clean = replace_non_finite(score, load_protocol("clean")).tolist()
    assert clean == [1.0, 3.0, 3.0, 1.0, 2.0, 2.0]


def test_weighted_and_plain_average():
    frame = pd.DataFrame(
        {
            "method": ["a", "a"],
            "target": ["t1", "t2"],
            "metric": ["pearson", "pearson"],
            "value": [0.2, 0.8],
            "seed": [0, 0],
        }
    )
    out = add_averages(frame, pd.Series({"t1": 3.0, "t2": 1.0})).set_index("target")["value"]
    assert out["average"] == pytest.approx((0.2 * 3 + 0.8 * 1) / 4)
    assert out["mean"] == pytest.approx(0.5)


def test_one_weighted_average_with_one_nan_rule() -> None:
    assert weighted_average([0.2, 0.8], [3.0, 1.0]) == (0.2 * 3 + 0.8) / 4
    assert weighted_average([0.2, 0.8]) == 0.5  # no weights: the plain mean
    # exact sums: a reduction that adds in order would lose the 1.0 between the two large terms
    assert weighted_average([1e16, 1.0, -1e16], [1.0, 1.0, 1.0]) == 1.0 / 3
    # NaN in any value or weight, no values, or weights summing to 0: NaN (the caller drops or keeps it)
    for values, weights in [([0.2, np.nan], [1.0, 1.0]), ([0.2, 0.8], [1.0, np.nan]), ([], []), ([0.2], [0.0])]:
        assert math.isnan(weighted_average(values, weights))
    assert math.isnan(weighted_average([np.nan, 0.5]))
    assert math.isnan(weighted_average([np.inf, -np.inf], [1.0, 1.0]))  # IEEE, where fsum would raise
    with pytest.raises(ValueError, match="shape"):
        weighted_average([0.2, 0.8], [1.0])


def test_average_rows_are_dropped_where_a_target_is_missing_or_nan() -> None:
    frame = pd.DataFrame(
        {
            "method": ["a", "a", "b", "c", "c"],
            "target": ["t1", "t2", "t1", "t1", "t2"],
            "metric": ["pearson"] * 5,
            "value": [0.2, 0.8, 0.5, 0.1, np.nan],
            "seed": [0] * 5,
        }
    )
    out = add_averages(frame, pd.Series({"t1": 3.0, "t2": 1.0}))
    averaged = out[out["target"].isin(["average", "mean"])]
    assert sorted(averaged["method"]) == ["a", "a"]  # b misses t2, c is NaN there
    assert len(out) == len(frame) + 2
