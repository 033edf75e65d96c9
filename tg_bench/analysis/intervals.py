"""Intervals and tests for the weighted mean of a few paired per-target differences (docs/method.md 14).

A comparison of two methods rests on n per-target differences d (n = 8 targets per zoo in the paper) with
weights w (max - mean accuracy of each target), summarised by the weighted mean m = sum(w d) / sum(w). Few
targets with unequal weights carry less information than n: Kish's effective sample size
n_eff = (sum w)^2 / sum(w^2) is 4.9 for the image zoo's weights and 6.7 for the text zoo's. Every function
takes d and w as 1-d arrays of the same length n >= 2 and is deterministic (the bootstraps and the
randomisation test for n > `EXACT_SIGN_FLIPS` draw from the `seed` they are given).

`INTERVALS` names each candidate interval; `scripts/interval_coverage.py` measures their coverage on the
benchmark's own weights, and `CHOSEN` is the one `tg-bench aggregate` reports (method.md 14 has the table).
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable

import numpy as np
from scipy import stats

#: up to this many targets the sign-flip test enumerates every sign pattern (2^12 = 4,096); above, it draws
#: `SIGN_FLIP_DRAWS` random patterns (the observed one among them, so the p-value stays valid)
EXACT_SIGN_FLIPS = 12
SIGN_FLIP_DRAWS = 4_096


def weighted_mean(values: np.ndarray, weights: np.ndarray, axis: int = -1) -> np.ndarray:
    """Weighted mean along `axis` (scipy's bootstrap calls it on resampled (batch, n) arrays)."""
    return np.sum(values * weights, axis=axis) / np.sum(weights, axis=axis)


def kish_n(weights: np.ndarray) -> float:
    """Kish's effective sample size (sum w)^2 / sum(w^2): n for equal weights, less for unequal ones."""
    weights = np.asarray(weights, dtype=float)
    return float(weights.sum() ** 2 / np.sum(weights**2))


def standard_error(d: np.ndarray, w: np.ndarray) -> float:
    """Standard error of the weighted mean, s / sqrt(n_eff), with s^2 the unbiased weighted variance of d
    (reliability weights: sum w (d - m)^2 / (sum w - sum w^2 / sum w))."""
    d, w = np.asarray(d, dtype=float), np.asarray(w, dtype=float)
    mean = weighted_mean(d, w)
    variance = np.sum(w * (d - mean) ** 2) / (w.sum() - np.sum(w**2) / w.sum())
    return float(np.sqrt(variance / kish_n(w)))


def degrees_of_freedom(w: np.ndarray) -> float:
    """n_eff - 1: the degrees of freedom of the t reference distribution."""
    return kish_n(w) - 1.0


def t_interval(
    d: np.ndarray, w: np.ndarray, confidence: float = 0.95, resamples: int = 0, seed: int = 0
) -> tuple[float, float]:
    """m -/+ t(n_eff - 1) quantile x standard error: a t interval on Kish's effective sample size (no draws:
    `resamples` and `seed` are there only for the candidates' common signature)."""
    mean, se = float(weighted_mean(np.asarray(d, float), np.asarray(w, float))), standard_error(d, w)
    half = stats.t.ppf(0.5 + confidence / 2, degrees_of_freedom(w)) * se
    return mean - half, mean + half


def minimum_detectable_difference(
    w: np.ndarray, se: float, alpha: float = 0.05, power: float = 0.8, df: float | None = None
) -> float:
    """The smallest true difference a two-sided level-`alpha` t test on `df` degrees of freedom (None: n_eff - 1
    of `w`) detects with probability `power`, given the comparison's standard error `se`:
    (t(1 - alpha/2) + t(power)) x se."""
    df = degrees_of_freedom(w) if df is None else df
    return float((stats.t.ppf(1 - alpha / 2, df) + stats.t.ppf(power, df)) * se)


def stratified_error(d: np.ndarray, w: np.ndarray, strata: np.ndarray) -> tuple[float, float]:
    """Standard error and degrees of freedom of the weighted mean over several strata (both zoos' targets, the
    zoo as a stratum): the pooled mean m = sum_s p_s m_s with p_s = W_s / W, the stratum's share of the weight,
    has variance sum_s p_s^2 se_s^2 (`standard_error` within each stratum, so a difference between the zoos'
    means is not counted as noise), on Welch-Satterthwaite's degrees of freedom
    var^2 / sum_s (p_s^2 se_s^2)^2 / (n_eff_s - 1). Every stratum needs at least 2 targets."""
    d, w, strata = np.asarray(d, float), np.asarray(w, float), np.asarray(strata)
    terms, dfs = [], []
    for stratum in dict.fromkeys(strata.tolist()):
        inside = strata == stratum
        if inside.sum() < 2:
            raise ValueError(f"stratum {stratum!r} has {int(inside.sum())} target(s); a standard error needs 2")
        share = w[inside].sum() / w.sum()
        terms.append(share**2 * standard_error(d[inside], w[inside]) ** 2)
        dfs.append(degrees_of_freedom(w[inside]))
    variance = float(np.sum(terms))
    if variance == 0:
        return 0.0, float(np.sum(dfs))
    df = variance**2 / sum(term**2 / df for term, df in zip(terms, dfs, strict=True) if term > 0)
    return float(np.sqrt(variance)), float(df)


def stratified_t_interval(
    d: np.ndarray, w: np.ndarray, strata: np.ndarray, confidence: float = 0.95, resamples: int = 0, seed: int = 0
) -> tuple[float, float]:
    """m -/+ t quantile x standard error with `stratified_error`'s standard error and degrees of freedom (no
    draws: `resamples` and `seed` keep the candidates' signature once `strata` is bound)."""
    mean = float(weighted_mean(np.asarray(d, float), np.asarray(w, float)))
    se, df = stratified_error(d, w, strata)
    half = stats.t.ppf(0.5 + confidence / 2, df) * se if se > 0 else 0.0
    return mean - half, mean + half


def stratified_p_value(d: np.ndarray, w: np.ndarray, strata: np.ndarray) -> float:
    """Two-sided p-value of "the pooled weighted mean difference is 0", the test `stratified_t_interval`
    inverts."""
    mean = float(weighted_mean(np.asarray(d, float), np.asarray(w, float)))
    se, df = stratified_error(d, w, strata)
    if se == 0:
        return 1.0 if mean == 0 else 0.0
    return float(2 * stats.t.sf(abs(mean) / se, df))


def _sign_patterns(n: int, seed: int) -> np.ndarray:
    """(patterns, n) of +-1: every pattern up to `EXACT_SIGN_FLIPS` targets, else random ones from `seed`."""
    if n <= EXACT_SIGN_FLIPS:
        return np.array(list(itertools.product((1.0, -1.0), repeat=n)))
    drawn = np.random.default_rng(seed).choice((1.0, -1.0), size=(SIGN_FLIP_DRAWS - 1, n))
    return np.vstack([np.ones((1, n)), drawn])


class _SignFlips:
    """The weighted sign-flip statistic of d for any null value: sum w s (d - null) = flips @ (w d) - null *
    flips @ w, so the two products are made once and each null costs one pass over the patterns."""

    def __init__(self, d: np.ndarray, w: np.ndarray, seed: int) -> None:
        d, w = np.asarray(d, float), np.asarray(w, float)
        flips = _sign_patterns(len(d), seed)
        self.flipped_dw, self.flipped_w = flips @ (w * d), flips @ w
        self.total_dw, self.total_w = float(np.sum(w * d)), float(w.sum())

    def p_value(self, null: float) -> float:
        observed = abs(self.total_dw - null * self.total_w)
        statistics = np.abs(self.flipped_dw - null * self.flipped_w)
        # a tolerance so that the observed pattern itself counts despite rounding
        return float(np.mean(statistics >= observed * (1 - 1e-12) - 1e-15))


def sign_flip_p_value(d: np.ndarray, w: np.ndarray, null: float = 0.0, seed: int = 0) -> float:
    """Two-sided p-value of the weighted sign-flip (randomisation) test of "the differences are symmetric
    around `null`": the share of sign patterns s whose |sum w s (d - null)| reaches the observed
    |sum w (d - null)|. Exact for up to `EXACT_SIGN_FLIPS` targets (it never falls below 2 / 2^n), a Monte
    Carlo p-value from `seed` above."""
    return _SignFlips(d, w, seed).p_value(null)


def sign_flip_interval(
    d: np.ndarray, w: np.ndarray, confidence: float = 0.95, resamples: int = 0, seed: int = 0
) -> tuple[float, float]:
    """The values `null` the sign-flip test does not reject at 1 - `confidence` (the test inverted), found by
    bisection on each side of the weighted mean within the range of d (`resamples` unused: the sign patterns
    are `_sign_patterns`')."""
    d, w = np.asarray(d, float), np.asarray(w, float)
    alpha, mean = 1 - confidence, float(weighted_mean(d, w))
    test = _SignFlips(d, w, seed)

    def edge(outside: float) -> float:
        inside = mean
        if test.p_value(outside) > alpha:
            return outside
        for _ in range(50):
            middle = (inside + outside) / 2
            inside, outside = (middle, outside) if test.p_value(middle) > alpha else (inside, middle)
        return inside

    spread = float(np.ptp(d)) or 1.0
    return edge(float(d.min()) - spread), edge(float(d.max()) + spread)


def _bootstrap(method: str) -> Callable[..., tuple[float, float]]:
    def interval(
        d: np.ndarray, w: np.ndarray, confidence: float = 0.95, resamples: int = 10_000, seed: int = 0
    ) -> tuple[float, float]:
        d, w = np.asarray(d, float), np.asarray(w, float)
        if np.ptp(d) == 0:
            return float(d[0]), float(d[0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scipy warns on degenerate resamples of few targets
            result = stats.bootstrap(
                (d, w),
                weighted_mean,
                paired=True,
                vectorized=True,
                confidence_level=confidence,
                n_resamples=resamples,
                method=method,
                rng=np.random.default_rng(seed),
            )
        return float(result.confidence_interval.low), float(result.confidence_interval.high)

    interval.__doc__ = f"scipy's {method} bootstrap interval: targets resampled with replacement, each with its weight."
    return interval


percentile_interval = _bootstrap("percentile")
bca_interval = _bootstrap("BCa")


def studentized_interval(
    d: np.ndarray, w: np.ndarray, confidence: float = 0.95, resamples: int = 10_000, seed: int = 0
) -> tuple[float, float]:
    """Bootstrap-t: the quantiles of (m* - m) / se* over resamples, scaled by the observed standard error
    (resamples whose differences are all equal, se* = 0, are left out)."""
    d, w = np.asarray(d, float), np.asarray(w, float)
    n, mean, se = len(d), float(weighted_mean(d, w)), standard_error(d, w)
    if se == 0:
        return mean, mean
    picks = np.random.default_rng(seed).integers(0, n, size=(resamples, n))
    ds, ws = d[picks], w[picks]
    means = weighted_mean(ds, ws)
    sums = ws.sum(axis=1)
    variances = np.sum(ws * (ds - means[:, None]) ** 2, axis=1) / (sums - np.sum(ws**2, axis=1) / sums)
    ses = np.sqrt(variances / (sums**2 / np.sum(ws**2, axis=1)))
    ok = ses > 0
    t_star = (means[ok] - mean) / ses[ok]
    low_q, high_q = np.quantile(t_star, [0.5 + confidence / 2, 0.5 - confidence / 2])
    return mean - low_q * se, mean - high_q * se


def t_test_p_value(d: np.ndarray, w: np.ndarray) -> float:
    """Two-sided p-value of "the weighted mean difference is 0": t = m / standard error on n_eff - 1 degrees
    of freedom (the test `t_interval` inverts: p < 1 - confidence exactly when the interval excludes 0)."""
    d, w = np.asarray(d, float), np.asarray(w, float)
    mean, se = float(weighted_mean(d, w)), standard_error(d, w)
    if se == 0:
        return 1.0 if mean == 0 else 0.0
    return float(2 * stats.t.sf(abs(mean) / se, degrees_of_freedom(w)))


#: the candidate intervals of method.md 14's coverage table, by key (`tg-bench aggregate interval=<key>`):
#: f(d, w, confidence, resamples, seed) -> (low, high); the bootstraps draw `resamples` from `seed`
INTERVALS: dict[str, Callable[..., tuple[float, float]]] = {
    "percentile": percentile_interval,
    "bca": bca_interval,
    "studentized": studentized_interval,
    "t_kish": t_interval,
    "sign_flip": sign_flip_interval,
}

#: how the coverage table and the docs name them
LABELS = {
    "percentile": "percentile bootstrap",
    "bca": "BCa bootstrap",
    "studentized": "studentized bootstrap (bootstrap-t)",
    "t_kish": "t on Kish's n_eff",
    "sign_flip": "weighted sign-flip test inverted",
    "stratified": "t, zoo as stratum (pooled only)",
}

#: what `tg-bench aggregate` reports by default (the coverage table in method.md 14 is why)
CHOSEN = "t_kish"
