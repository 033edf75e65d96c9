"""LEEP and N-LEEP: how well the source head's (or a GMM's) soft assignments predict the target labels."""

from __future__ import annotations

import numpy as np
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from tg_bench.errors import UserInputError
from tg_bench.transferability.estimators.linalg import class_sums, pca_reduce
from tg_bench.transferability.estimators.validation import (
    check_features_labels,
    check_labels,
    check_positive_int,
    check_source_probs,
)

LEEP_BLOCK_ROWS = 4096


def _leep_from_probs(theta: np.ndarray, labels: np.ndarray, n_classes: int) -> float:
    """LEEP of validated probabilities theta (N, C_s) and labels 0..C-1 (N,)."""
    n = theta.shape[0]
    joint = class_sums(theta, labels, n_classes) / n  # P(y, z), shape (C, C_s)
    marginal = joint.sum(axis=0)  # P(z)
    # A source class that no sample puts mass on has P(z) = 0 and theta_z(x) = 0 everywhere: it contributes
    # nothing to any sample's sum, so its column is dropped rather than divided by zero.
    used = marginal > 0.0
    conditional = joint[:, used] / marginal[used]  # P(y | z)
    # Only y = y_i is needed per sample: gathering the row P(y_i | .) costs N C_s, against N C_s C for the full
    # theta @ P(y|z)^T; rows go in blocks so the gathered (block, C_s) array stays small.
    theta_used = theta if used.all() else theta[:, used]  # boolean indexing would copy (N, C_s) regardless
    expected = np.empty(n)
    for start in range(0, n, LEEP_BLOCK_ROWS):
        rows = slice(start, min(start + LEEP_BLOCK_ROWS, n))
        expected[rows] = np.einsum("ij,ij->i", theta_used[rows], conditional[labels[rows]])
    # The sum is >= theta_z(x_i)^2 / (N P(z)) > 0 in exact arithmetic; the floor only guards underflow.
    return float(np.log(np.maximum(expected, np.finfo(np.float64).tiny)).mean())


def leep(source_probs: np.ndarray, labels: np.ndarray) -> float:
    """LEEP score (Nguyen, Hassner, Seeger, Archambeau 2020, ICML, "LEEP: A New Measure to Evaluate
    Transferability of Learned Representations"); nats per sample, <= 0, higher is better.

    source_probs: (N, C_s) float, theta_z(x_i) = the pre-trained head's softmax probability of source class z
    (non-negative, rows summing to 1 up to 1e-3, renormalised; float64 internally). labels: (N,) target labels,
    any C >= 2 distinct values.
    Empirical joint P(y, z) = 1/N sum_i theta_z(x_i) 1[y_i = y], P(y | z) = P(y, z) / P(z);
    score = 1/N sum_i log sum_z P(y_i | z) theta_z(x_i). Source classes with P(z) = 0 are dropped (they add 0).
    """
    theta = check_source_probs(source_probs)
    y, n_classes = check_labels(labels, theta.shape[0])
    return _leep_from_probs(theta, y, n_classes)


def nleep(
    features: np.ndarray,
    labels: np.ndarray,
    *,
    n_components: int | None = None,
    components_per_class: int = 5,
    pca_dim: int | float | None = 0.8,
    seed: int = 0,
    covariance_type: str = "full",
    max_iter: int = 100,
) -> float:
    """N-LEEP score (Li, Jia, Sang, Zhu, Green, Wang, Gong 2021, CVPR, "Ranking Neural Checkpoints"); nats per sample,
    <= 0, higher is better.

    features: (N, D) float (float64 internally); labels: (N,) target labels, any C >= 2 distinct values.
    The features are reduced by PCA (`pca_dim` float: keep that fraction of the variance, 0.8 as in the paper;
    int: that many dimensions; None: no reduction), a scikit-learn GaussianMixture (seeded with `seed`) is fitted,
    and its posterior responsibilities replace the source-head probabilities theta in LEEP. Cost grows with
    N * n_components * dim^2 per EM step (full covariances); subsample large N before calling.

    Number of mixture components: `n_components` when given (at most N: a mixture cannot have more components
    than samples). Otherwise `components_per_class` * C, i.e. 5C by default: the paper sets the number of
    Gaussian components to 5 times the number of target classes, and the public implementations (e.g. the SFDA
    authors' `NLEEP(X, y, component_ratio=5)`) do the same; with only C components the clusters are coarser and
    the score systematically differs from published N-LEEP values. The default is capped at N, the most
    scikit-learn's GaussianMixture accepts, so small targets (fewer than 5 samples per class on average) still get
    a score rather than an error; such a mixture is close to one component per sample and the score is then
    near its maximum 0 and of little use.
    """
    f, y, n_classes = check_features_labels(features, labels)
    n = f.shape[0]
    if n_components is None:
        k = min(check_positive_int(components_per_class, "components_per_class") * n_classes, n)
    else:
        k = check_positive_int(n_components, "n_components")
        if k > n:
            raise UserInputError(f"n_components ({k}) cannot exceed the number of samples ({n})")
    reduced = pca_reduce(f, pca_dim)
    mixture = GaussianMixture(
        n_components=k, covariance_type=covariance_type, max_iter=max_iter, random_state=seed, reg_covar=1e-6
    )
    # EM works on many small (n, dim) x (dim, dim) products; threaded BLAS spends more time synchronising than
    # computing on them (50x slower on a loaded 2-core machine), so the fit runs single-threaded.
    with threadpool_limits(limits=1, user_api="blas"):
        responsibilities = mixture.fit(reduced).predict_proba(reduced)
    return _leep_from_probs(responsibilities, y, n_classes)
