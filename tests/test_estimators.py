"""Transferability estimators against values derived by hand or from each paper's definition.

Reference values are computed here with the naive dense formulas (D x D slogdet, explicit inverses, scipy's
spearmanr), never by calling the estimator twice.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable

import numpy as np
import pytest
import scipy.stats
from sklearn.decomposition import PCA

from tg_bench.errors import UserInputError
from tg_bench.transferability.estimators import (
    Estimator,
    gbc,
    hscore,
    leep,
    logme,
    logme_evidence,
    nce,
    nleep,
    parc,
    reg_hscore,
    score,
    sfda,
    transrate,
)
from tg_bench.transferability.estimators.linalg import pca_reduce
from tg_bench.transferability.estimators.registry import Needs

# The package re-exports the function `leep` under the submodule's name, so the module is looked up explicitly.
leep_module = importlib.import_module("tg_bench.transferability.estimators.leep")


def separable_and_noise(n: int = 300, d: int = 20, c: int = 3, seed: int = 0) -> tuple[np.ndarray, ...]:
    """Features whose class means are far apart (linearly separable), pure noise, and the labels."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % c
    means = rng.normal(size=(c, d)) * 4.0
    separable = means[labels] + rng.normal(size=(n, d))
    noise = rng.normal(size=(n, d))
    return separable, noise, labels


# ----------------------------------------------------------------------------------------------------------- LogME


def dense_log_evidence(f: np.ndarray, y: np.ndarray, alpha: float, beta: float) -> float:
    """log p(y | F, alpha, beta) / N from the D x D formulas of Bayesian linear regression."""
    n, d = f.shape
    a = alpha * np.eye(d) + beta * f.T @ f
    m = beta * np.linalg.solve(a, f.T @ y)
    _, log_det_a = np.linalg.slogdet(a)
    residual = y - f @ m
    value = (
        n / 2 * math.log(beta)
        + d / 2 * math.log(alpha)
        - n / 2 * math.log(2 * math.pi)
        - beta / 2 * residual @ residual
        - alpha / 2 * m @ m
        - 0.5 * log_det_a
    )
    return value / n


def dense_fixed_point(f: np.ndarray, y: np.ndarray, alpha: float, beta: float) -> tuple[float, float]:
    """One MacKay update (alpha, beta) -> (gamma / m^T m, (N - gamma) / ||y - F m||^2), dense."""
    n, d = f.shape
    a_inv = np.linalg.inv(alpha * np.eye(d) + beta * f.T @ f)
    m = beta * a_inv @ f.T @ y
    gamma = d - alpha * np.trace(a_inv)
    residual = y - f @ m
    return gamma / (m @ m), (n - gamma) / (residual @ residual)


@pytest.mark.parametrize(("n", "d"), [(60, 8), (12, 30)], ids=["N>D", "N<D"])
def test_logme_equals_dense_marginal_likelihood(n: int, d: int) -> None:
    rng = np.random.default_rng(1)
    labels = np.arange(n) % 3
    f = rng.normal(size=(3, d))[labels] + rng.normal(size=(n, d))
    result = logme_evidence(f, labels)
    expected = [dense_log_evidence(f, (labels == c).astype(float), result.alpha[c], result.beta[c]) for c in range(3)]
    np.testing.assert_allclose(result.evidence, expected, rtol=1e-9, atol=1e-12)
    assert logme(f, labels) == pytest.approx(np.mean(expected), rel=1e-9)


@pytest.mark.parametrize(("n", "d"), [(60, 8), (20, 30)], ids=["N>D", "N<D"])
def test_logme_alpha_beta_are_a_fixed_point_and_maximise_the_evidence(n: int, d: int) -> None:
    rng = np.random.default_rng(2)
    labels = np.arange(n) % 2
    f = rng.normal(size=(2, d))[labels] + rng.normal(size=(n, d))
    result = logme_evidence(f, labels, max_iter=2000, tol=1e-13, epsilon=0.0)
    assert (result.n_iter < 2000).all()  # converged (for N < D a finite optimum exists for these data)
    for c in range(2):
        y = (labels == c).astype(float)
        alpha, beta = result.alpha[c], result.beta[c]
        new_alpha, new_beta = dense_fixed_point(f, y, alpha, beta)
        assert new_alpha == pytest.approx(alpha, rel=1e-6)
        assert new_beta == pytest.approx(beta, rel=1e-6)
        best = dense_log_evidence(f, y, alpha, beta)
        for factor_a, factor_b in [(1.05, 1), (0.95, 1), (1, 1.05), (1, 0.95)]:
            assert dense_log_evidence(f, y, alpha * factor_a, beta * factor_b) < best


def test_logme_keeps_the_zero_eigenvalues_when_n_below_d() -> None:
    """The widely copied version sums log(alpha + beta sigma_i) over the N non-zero sigma_i only."""
    rng = np.random.default_rng(3)
    n, d = 10, 40
    labels = np.arange(n) % 2
    f = rng.normal(size=(n, d))
    result = logme_evidence(f, labels)
    alpha, beta = result.alpha[0], result.beta[0]
    y = (labels == 0).astype(float)
    sigma = np.linalg.svd(f, compute_uv=False) ** 2  # N values: the D - N zero eigenvalues are missing
    correct_log_det = np.linalg.slogdet(alpha * np.eye(d) + beta * f.T @ f)[1]
    forgotten_log_det = np.log(alpha + beta * sigma).sum()
    assert correct_log_det - forgotten_log_det == pytest.approx((d - n) * math.log(alpha), rel=1e-9)
    buggy = dense_log_evidence(f, y, alpha, beta) + 0.5 * (correct_log_det - forgotten_log_det) / n
    assert abs(buggy - result.evidence[0]) > 1.0  # not a rounding difference: (D - N) / 2N * log(alpha)
    assert result.evidence[0] == pytest.approx(dense_log_evidence(f, y, alpha, beta), rel=1e-9)


def test_logme_stays_finite_when_n_below_d_interpolates_exactly() -> None:
    # Without the epsilon guard, beta -> infinity for these data (y_c in the span of F, no finite optimum).
    rng = np.random.default_rng(0)
    labels = np.arange(12) % 2
    f = rng.normal(size=(2, 30))[labels] + rng.normal(size=(12, 30))
    result = logme_evidence(f, labels, max_iter=500, tol=1e-13, epsilon=0.0)
    assert np.isfinite(result.evidence).all() and np.isfinite(result.beta).all()
    assert np.isfinite(logme(f, labels))


def test_logme_prefers_separable_features_to_noise() -> None:
    separable, noise, labels = separable_and_noise()
    assert logme(separable, labels) > logme(noise, labels)


# ------------------------------------------------------------------------------------------------------ LEEP, NCE


HAND_THETA = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.3, 0.7]])
HAND_LABELS = np.array([0, 0, 1, 1])


def test_leep_hand_example() -> None:
    # P(y, z) = [[1.5, 0.5], [0.5, 1.5]] / 4, P(z) = [0.5, 0.5], P(y | z) = [[0.75, 0.25], [0.25, 0.75]];
    # per sample sum_z P(y_i | z) theta_z(x_i) = 0.7, 0.55, 0.65, 0.6.
    expected = np.mean(np.log([0.7, 0.55, 0.65, 0.6]))
    assert leep(HAND_THETA, HAND_LABELS) == pytest.approx(expected, rel=1e-12)


def test_leep_empty_source_class_is_dropped() -> None:
    with_empty = np.insert(HAND_THETA, 1, 0.0, axis=1)
    value = leep(with_empty, HAND_LABELS)
    assert np.isfinite(value)
    assert value == pytest.approx(leep(HAND_THETA, HAND_LABELS), rel=1e-12)


def test_leep_perfect_mapping_reaches_zero() -> None:
    labels = np.array([0, 1, 2, 0, 1, 2])
    theta = np.eye(3)[(labels + 1) % 3]  # source class = a relabelling of the target class
    assert leep(theta, labels) == pytest.approx(0.0, abs=1e-12)
    assert leep(HAND_THETA, HAND_LABELS) < 0.0


def test_nce_hand_example() -> None:
    source = np.array([0, 0, 0, 1, 1, 1])
    labels = np.array([0, 0, 1, 1, 1, 1])
    # z = 0: Y = (2/3, 1/3); z = 1: Y is determined. H(Y | Z) = 1/2 H(2/3, 1/3).
    expected = -0.5 * -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3))
    assert nce(source, labels) == pytest.approx(expected, rel=1e-12)


def test_nce_extremes() -> None:
    labels = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2])
    assert nce(np.array(list("abcabcabcabc")), labels) == pytest.approx(0.0, abs=1e-15)
    independent = np.repeat([0, 1, 2, 3], 3)  # every source class sees each target class once
    assert nce(independent, labels) == pytest.approx(-math.log(3), rel=1e-12)  # -H(Y)


# ------------------------------------------------------------------------------------------------------- H-score


def test_hscore_hand_example_1d() -> None:
    f = np.array([[0.0], [2.0], [4.0], [10.0]])
    labels = np.array([0, 0, 1, 1])
    # centred f = -4, -2, 0, 6: cov(f) = 56/3; class means -3, +3 on 2 samples each: cov(g) = 36/3.
    assert hscore(f, labels) == pytest.approx(12 / (56 / 3), rel=1e-12)
    # One feature: Ledoit-Wolf shrinkage is 0 and its covariance is the biased one (56/4); cov(g) stays /(N-1).
    assert reg_hscore(f, labels) == pytest.approx(12 / 14, rel=1e-12)


def test_hscore_matches_the_trace_formula_and_reg_is_close_for_large_n() -> None:
    rng = np.random.default_rng(4)
    n, d = 20000, 5
    labels = rng.integers(0, 4, n)
    f = rng.normal(size=(4, d))[labels] + rng.normal(size=(n, d)) @ rng.normal(size=(d, d))
    g = np.stack([f[labels == c].mean(axis=0) for c in range(4)])[labels]
    expected = np.trace(np.linalg.inv(np.cov(f, rowvar=False)) @ np.cov(g, rowvar=False))
    plain = hscore(f, labels)
    assert plain == pytest.approx(expected, rel=1e-9)
    assert reg_hscore(f, labels) == pytest.approx(plain, rel=1e-2)


def test_hscore_n_below_d_uses_the_pseudo_inverse() -> None:
    rng = np.random.default_rng(10)
    n, d = 15, 40
    labels = np.arange(n) % 3
    f = rng.normal(size=(3, d))[labels] + rng.normal(size=(n, d))
    g = np.stack([f[labels == c].mean(axis=0) for c in range(3)])[labels]
    pinv = np.linalg.pinv(np.cov(f, rowvar=False), rcond=1e-10, hermitian=True)  # rank N - 1
    expected = np.trace(pinv @ np.cov(g, rowvar=False))
    assert hscore(f, labels) == pytest.approx(expected, rel=1e-8)


# ------------------------------------------------------------------------------------------------------ TransRate


def direct_transrate(f: np.ndarray, labels: np.ndarray, eps: float) -> float:
    def rate(z: np.ndarray) -> float:
        n, d = z.shape
        return 0.5 * np.linalg.slogdet(np.eye(d) + d / (n * eps**2) * z.T @ z)[1]

    z = f / np.linalg.norm(f)
    z = z - z.mean(axis=0)
    n = z.shape[0]
    return rate(z) - sum((labels == c).sum() / n * rate(z[labels == c]) for c in np.unique(labels))


@pytest.mark.parametrize(("n", "d"), [(40, 3), (12, 8)], ids=["classes wider than D", "classes narrower than D"])
def test_transrate_matches_logdet_definition(n: int, d: int) -> None:
    rng = np.random.default_rng(5)
    labels = np.arange(n) % 3
    f = rng.normal(size=(3, d))[labels] + 0.3 * rng.normal(size=(n, d))
    assert transrate(f, labels, eps=0.1) == pytest.approx(direct_transrate(f, labels, 0.1), rel=1e-9)
    assert transrate(f, labels) == pytest.approx(direct_transrate(f, labels, 1e-4), rel=1e-9)


def released_transrate(f: np.ndarray, labels: np.ndarray, eps: float = 1e-4, scale_trace: bool = False) -> float:
    """The authors' released TransRate, written from its formula: coding_rate(Z, eps) = 1/2 logdet(I + 1/(n eps)
    Z^T Z), optional `scale_trace` (Z / sqrt(tr Z Z^T)), centring, and class rates averaged with weight 1/C."""

    def coding_rate(z: np.ndarray) -> float:
        n, d = z.shape
        return 0.5 * np.linalg.slogdet(np.eye(d) + 1 / (n * eps) * z.T @ z)[1]

    z = f / np.sqrt(np.trace(f @ f.T)) if scale_trace else f
    z = z - z.mean(axis=0, keepdims=True)
    k = int(labels.max() + 1)
    return coding_rate(z) - sum(coding_rate(z[labels == c]) for c in range(k)) / k


@pytest.mark.parametrize("scale", [False, True], ids=["centre only", "scale_trace"])
@pytest.mark.parametrize(("n", "d"), [(60, 5), (24, 30)], ids=["classes wider than D", "classes narrower than D"])
def test_transrate_eps_sqrt_d_eps_ref_reproduces_the_released_code(n: int, d: int, scale: bool) -> None:
    rng = np.random.default_rng(11)
    labels = np.arange(n) % 3  # balanced: the released 1/C class weights equal N_c / N
    f = rng.normal(size=(3, d))[labels] + 0.5 * rng.normal(size=(n, d))
    reference = released_transrate(f, labels, eps=1e-4, scale_trace=scale)
    assert transrate(f, labels, eps=math.sqrt(d * 1e-4), scale=scale) == pytest.approx(reference, rel=1e-10)
    # Same eps number, different meaning: our eps=1e-4 is a much finer distortion than theirs.
    assert transrate(f, labels, eps=1e-4, scale=scale) != pytest.approx(reference, rel=1e-6)


# ------------------------------------------------------------------------------------------------------------- GBC


def test_gbc_exact_for_two_1d_gaussians() -> None:
    f = np.array([[-1.0], [1.0], [2.0], [6.0]])
    labels = np.array([0, 0, 1, 1])
    # class 0: mean 0, variance 1; class 1: mean 4, variance 4 (biased).
    # D_B = (mu1 - mu2)^2 / (4 (v1 + v2)) + 1/2 log((v1 + v2) / (2 sqrt(v1 v2))) = 0.8 + 1/2 log(1.25).
    bc = math.exp(-(16 / 20 + 0.5 * math.log(5 / 4)))
    for kind in ("spherical", "diagonal"):
        assert gbc(f, labels, gaussian_type=kind, pca_dim=None) == pytest.approx(-2 * bc, rel=1e-12)


def test_gbc_identical_classes_overlap_fully_and_separated_ones_not() -> None:
    rng = np.random.default_rng(6)
    block = rng.normal(size=(50, 4))
    identical = np.vstack([block, block])
    labels = np.repeat([0, 1], 50)
    assert gbc(identical, labels, pca_dim=None) == pytest.approx(-2.0, rel=1e-12)  # BC = 1 both ways
    separated = np.vstack([block, block + 100.0])
    assert gbc(separated, labels, pca_dim=None) == pytest.approx(0.0, abs=1e-12)
    assert -2.0 < gbc(np.vstack([block, block + 1.0]), labels, pca_dim=None) < 0.0


def test_gbc_spherical_has_d_times_the_released_log_term_and_a_relative_floor() -> None:
    rng = np.random.default_rng(12)
    d = 3
    f = np.vstack([rng.normal(size=(40, d)), 3.0 * rng.normal(size=(40, d)) + 2.0])  # spreads differ ~9x
    labels = np.repeat([0, 1], 40)
    means = np.stack([f[labels == c].mean(axis=0) for c in (0, 1)])
    spherical = np.array([f[labels == c].var(axis=0).mean() for c in (0, 1)])  # mean of biased variances
    average = spherical.mean()
    mean_term = ((means[0] - means[1]) ** 2).sum() / average / 8
    log_term = 0.5 * math.log(average / math.sqrt(spherical[0] * spherical[1]))
    exact = -2 * math.exp(-(mean_term + d * log_term))  # Bhattacharyya distance of N(mu_c, v_c I_d)
    released = -2 * math.exp(-(mean_term + log_term))  # google-research gbc.py: the log term once
    value = gbc(f, labels, pca_dim=None)
    assert value == pytest.approx(exact, rel=1e-12)
    assert abs(value - released) > 0.05
    # The floor is relative: shrinking the features (all variances far below the released absolute 1e-4 floor)
    # leaves both variants unchanged.
    for kind in ("spherical", "diagonal"):
        assert gbc(1e-4 * f, labels, gaussian_type=kind, pca_dim=None) == pytest.approx(
            gbc(f, labels, gaussian_type=kind, pca_dim=None), rel=1e-10
        )


# ------------------------------------------------------------------------------------------------------------ PARC


def test_parc_equals_spearman_of_hand_built_dissimilarities() -> None:
    rng = np.random.default_rng(7)
    f = rng.normal(size=(9, 4))
    labels = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2])
    standardised = (f - f.mean(axis=0)) / f.std(axis=0)
    feature_rdm = 1 - np.corrcoef(standardised)
    one_hot = np.eye(3)[labels]
    label_rdm = 1 - np.corrcoef(one_hot)  # 0 within a class, 1 + 1/(C-1) across
    np.testing.assert_allclose(label_rdm[0, [3, 6]], 0.0, atol=1e-12)
    np.testing.assert_allclose(label_rdm[0, [1, 2]], 1.5, rtol=1e-12)
    upper = np.triu_indices(9, k=1)
    expected = 100 * scipy.stats.spearmanr(feature_rdm[upper], label_rdm[upper])[0]
    assert parc(f, labels, pca_dim=None) == pytest.approx(expected, rel=1e-12)


def test_parc_separable_beats_noise_and_subsample_is_seeded() -> None:
    separable, noise, labels = separable_and_noise(n=400)
    # D = 20 <= pca_dim = 32: all 20 principal components, standardised (~30 here; the raw standardised features,
    # pca_dim=None, give ~79: the 18 pure-noise components get the same weight as the 2 class-mean directions).
    assert parc(separable, labels) > 20 > parc(noise, labels)
    assert parc(separable, labels, max_samples=100, seed=1) == parc(separable, labels, max_samples=100, seed=1)


@pytest.mark.parametrize(("n", "d"), [(80, 10), (15, 40)], ids=["N>D", "N<D"])
def test_pca_reduce_follows_sklearn_sign_convention(n: int, d: int) -> None:
    rng = np.random.default_rng(13)
    f = rng.normal(size=(n, d)) * np.linspace(3.0, 0.5, d) + 5.0  # distinct variances: a well-defined basis
    reduced = pca_reduce(f, 6)
    # The rule itself: in each principal direction (loadings W with reduced = centred f @ W) the entry largest in
    # absolute value is positive.
    loadings = np.linalg.lstsq(f - f.mean(axis=0), reduced, rcond=None)[0]  # (D, 6), min-norm = the directions
    largest = loadings[np.abs(loadings).argmax(axis=0), np.arange(6)]
    assert (largest > 0).all()
    np.testing.assert_allclose(reduced, PCA(6, svd_solver="full").fit_transform(f), atol=1e-9)
    # Reordering the feature columns changes LAPACK's signs but not the result.
    for seed in range(5):
        perm = np.random.default_rng(seed).permutation(d)
        np.testing.assert_allclose(pca_reduce(f[:, perm], 6), reduced, atol=1e-9)


def test_parc_does_not_depend_on_eigensolver_signs() -> None:
    separable, _, labels = separable_and_noise(n=120, d=12)
    base = parc(separable, labels, pca_dim=5)
    # PARC does see component signs: flipping one projected column moves it.
    reduced = pca_reduce(separable, 5)
    assert parc(reduced, labels, pca_dim=None) == pytest.approx(base, abs=1e-12)
    assert abs(parc(reduced * np.array([1.0, -1.0, 1.0, 1.0, 1.0]), labels, pca_dim=None) - base) > 1e-6
    for seed in range(5):
        perm = np.random.default_rng(seed).permutation(12)
        assert parc(separable[:, perm], labels, pca_dim=5) == pytest.approx(base, abs=1e-12)
    assert parc(-separable, labels, pca_dim=5) == pytest.approx(base, abs=1e-12)


@pytest.mark.parametrize(("n", "d"), [(40, 6), (8, 20)], ids=["N>D", "N<D"])
def test_pca_reduce_is_continuous_at_min_n_d(n: int, d: int) -> None:
    rng = np.random.default_rng(14)
    labels = np.arange(n) % 2
    f = rng.normal(size=(2, d))[labels] + rng.normal(size=(n, d)) * np.linspace(2.0, 0.5, d)
    boundary = min(n, d)
    rank = min(n - 1, d)  # centring removes one direction when N <= D
    full = pca_reduce(f, boundary)
    assert full.shape == (n, rank)  # a projection, never the raw features
    np.testing.assert_allclose(full, PCA(rank, svd_solver="full").fit_transform(f), atol=1e-9)
    for k in (boundary + 5, 1000):
        np.testing.assert_array_equal(pca_reduce(f, k), full)
    assert parc(f, labels, pca_dim=boundary) == parc(f, labels, pca_dim=boundary + 5)
    assert gbc(f, labels, gaussian_type="diagonal", pca_dim=boundary) == gbc(
        f, labels, gaussian_type="diagonal", pca_dim=boundary + 5
    )
    if n <= d:  # min(N, D) - 1 components is already the full rank
        np.testing.assert_allclose(pca_reduce(f, boundary - 1), full, atol=1e-9)
        assert parc(f, labels, pca_dim=boundary - 1) == pytest.approx(parc(f, labels, pca_dim=boundary), abs=1e-9)


# ------------------------------------------------------------------------------------------------- SFDA, N-LEEP


def test_sfda_without_confmix_is_the_shrunk_fisher_posterior() -> None:
    rng = np.random.default_rng(8)
    n, d = 90, 4
    labels = np.arange(n) % 3
    f = 0.5 * rng.normal(size=(3, d))[labels] + 0.3 * rng.normal(size=(n, d))
    means = np.stack([f[labels == c].mean(axis=0) for c in range(3)])
    within = sum(np.cov(f[labels == c], rowvar=False, bias=True) for c in range(3)) / 3  # equal priors
    lam = math.exp(-5 * np.linalg.eigvalsh(within).max())
    shrunk = (1 - lam) * within + lam * np.trace(within) / d * np.eye(d)
    inverse = np.linalg.inv(shrunk)
    logits = f @ inverse @ means.T - 0.5 * np.diag(means @ inverse @ means.T) + math.log(1 / 3)
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    true_class = probs[np.arange(n), labels]
    assert sfda(f, labels, self_challenging=False) == pytest.approx(true_class.mean(), rel=1e-9)
    log_score = sfda(f, labels, self_challenging=False, reduction="log_prob")
    assert log_score == pytest.approx(np.log(true_class).mean(), rel=1e-9)


def test_sfda_and_nleep_prefer_separable_features() -> None:
    separable, noise, labels = separable_and_noise()
    assert sfda(separable, labels) > sfda(noise, labels)
    assert 0.0 < sfda(noise, labels) <= 1.0
    assert nleep(separable, labels) > nleep(noise, labels)
    assert nleep(noise, labels, seed=3) == nleep(noise, labels, seed=3)


def test_nleep_defaults_to_five_components_per_class(monkeypatch: pytest.MonkeyPatch) -> None:
    separable, _, labels = separable_and_noise(n=150, d=6)  # C = 3
    requested: list[int] = []
    real = leep_module.GaussianMixture

    def spy(**kwargs: object) -> object:
        requested.append(int(kwargs["n_components"]))  # type: ignore[call-overload]
        return real(**kwargs)

    monkeypatch.setattr(leep_module, "GaussianMixture", spy)
    default = nleep(separable, labels)
    assert requested == [15]
    assert default == nleep(separable, labels, n_components=15)
    assert default != nleep(separable, labels, n_components=3)
    assert nleep(separable, labels, components_per_class=2) == nleep(separable, labels, n_components=6)
    # Fewer samples than 5C: capped at N, the most a mixture can have.
    requested.clear()
    nleep(separable[:12], labels[:12], pca_dim=None)
    assert requested == [12]
    with pytest.raises(UserInputError, match="cannot exceed the number of samples"):
        nleep(separable[:12], labels[:12], n_components=13)


# ------------------------------------------------------------------------------------------ validation, registry


# Every estimator function with the input it reads; which options a run uses is the configs' business
# (tg_bench/conf/baseline/*.yaml, tested in test_configs.py).
FUNCTIONS: dict[str, tuple[Callable[..., float], Needs]] = {
    "logme": (logme, "features"),
    "leep": (leep, "source_probs"),
    "nce": (nce, "source_labels"),
    "hscore": (hscore, "features"),
    "reg_hscore": (reg_hscore, "features"),
    "nleep": (nleep, "features"),
    "transrate": (transrate, "features"),
    "gbc": (gbc, "features"),
    "sfda": (sfda, "features"),
    "parc": (parc, "features"),
}


def as_estimator(name: str) -> Estimator:
    fn, needs = FUNCTIONS[name]
    return Estimator(fn=fn, needs=needs, metric=name.upper(), paper="test")


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_label_remapping_gives_the_same_score(name: str) -> None:
    separable, _, labels = separable_and_noise(n=120, d=6)
    rng = np.random.default_rng(9)
    probs = rng.dirichlet(np.ones(5), size=labels.shape[0])
    arbitrary = np.array([3, 7, 9])[labels]
    strings = np.array(["cat", "dog", "eel"])[labels]
    inputs = {"features": separable, "source_probs": probs}
    estimator = as_estimator(name)
    base = score(estimator, **inputs, labels=labels)
    assert score(estimator, **inputs, labels=arbitrary) == pytest.approx(base, rel=1e-12)
    assert score(estimator, **inputs, labels=strings) == pytest.approx(base, rel=1e-12)


def test_bad_inputs_raise_user_errors_naming_the_problem() -> None:
    separable, _, labels = separable_and_noise(n=30, d=4)
    with_nan = separable.copy()
    with_nan[[2, 5], 1] = np.nan
    with_nan[7, 0] = np.inf
    with pytest.raises(UserInputError, match="NaN or infinite values in 3 of 30 rows"):
        logme(with_nan, labels)
    with pytest.raises(UserInputError, match="2-D array"):
        hscore(separable[:, 0], labels)
    with pytest.raises(UserInputError, match="1-D array"):
        logme(separable, labels[:, None])
    with pytest.raises(UserInputError, match="has 29 entries but there are 30 samples"):
        transrate(separable, labels[:-1])
    with pytest.raises(UserInputError, match="single class"):
        gbc(separable, np.zeros(30))
    with pytest.raises(UserInputError, match="rows must sum to 1"):
        leep(np.ones((4, 2)), HAND_LABELS)
    with pytest.raises(UserInputError, match="negative entries"):
        leep(np.array([[1.5, -0.5]] * 4), HAND_LABELS)


def test_score_dispatches_the_input_each_estimator_needs() -> None:
    with pytest.raises(UserInputError, match="LEEP needs the model's source-class probabilities"):
        score(as_estimator("leep"), features=np.ones((4, 2)), labels=HAND_LABELS)
    with pytest.raises(UserInputError, match="LOGME needs the model's penultimate features"):
        score(as_estimator("logme"), source_probs=HAND_THETA, labels=HAND_LABELS)
    nce_score = score(as_estimator("nce"), source_probs=HAND_THETA, labels=HAND_LABELS)
    assert nce_score == nce(np.array([0, 0, 1, 1]), HAND_LABELS)
    assert score(as_estimator("leep"), source_probs=HAND_THETA, labels=HAND_LABELS) == leep(HAND_THETA, HAND_LABELS)
    assert as_estimator("nleep").seeded and as_estimator("parc").seeded and not as_estimator("logme").seeded
