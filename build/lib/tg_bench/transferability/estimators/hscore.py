"""H-score and its Ledoit-Wolf regularised variant: class-mean spread measured in the features' own metric."""

from __future__ import annotations

import numpy as np
import scipy.linalg
from sklearn.covariance import LedoitWolf

from tg_bench.transferability.estimators.linalg import class_means, class_sums, gram, pinv_psd
from tg_bench.transferability.estimators.validation import check_features_labels


def hscore(features: np.ndarray, labels: np.ndarray, *, rcond: float | None = None) -> float:
    """H-score (Bao, Li, Huang, Zhang, Zheng, Zamir, Guibas 2019, ICIP, "An Information-Theoretic Approach to
    Transferability in Task Transfer Learning"): tr(cov(F)^+ cov(E[F | y])), dimensionless, >= 0, higher is
    better.

    features: (N, D) float (float64 internally, centred); labels: (N,) target labels, any C >= 2 distinct values.
    Both covariances are unbiased (divide by N - 1, as in the authors' code, so the factor cancels).
    cov(F)^+ is the pseudo-inverse; eigenvalues below `rcond` times the largest are treated as zero
    (default max(N, D) * machine epsilon, numpy's matrix_rank tolerance; the authors' code uses numpy's pinv
    with rcond=1e-15, which agrees whenever cov(F) is not numerically rank-deficient).

    Computed on the smaller side: with G = F^T F and class sums s_c = F^T 1_c, the score is
    sum_c s_c^T G^+ s_c / N_c; when N < D, s_c^T G^+ s_c = ||U_r^T 1_c||^2 with U_r the left singular vectors of
    F for its non-zero singular values, so only the N x N eigendecomposition of F F^T is needed.
    """
    f, y, n_classes = check_features_labels(features, labels)
    n, d = f.shape
    centred = f - f.mean(axis=0)
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    eigenvalues, eigenvectors = np.linalg.eigh(gram(centred) if d <= n else gram(centred.T))
    if rcond is None:
        rcond = max(n, d) * np.finfo(np.float64).eps
    keep = eigenvalues > rcond * max(eigenvalues.max(), 0.0)
    if d <= n:
        projected = class_sums(centred, y, n_classes) @ eigenvectors[:, keep]  # s_c in the eigenbasis of G
        quadratic = (projected**2 / eigenvalues[keep]).sum(axis=1)
    else:
        projected = class_sums(eigenvectors[:, keep], y, n_classes)  # U_r^T 1_c
        quadratic = (projected**2).sum(axis=1)
    return float((quadratic / counts).sum())


def reg_hscore(features: np.ndarray, labels: np.ndarray, *, rcond: float | None = None) -> float:
    """Regularised H-score (Ibrahim, Ponomareva, Mazumder 2022, ECML PKDD, "Newer is not always better:
    Rethinking transferability metrics, their peculiarities, stability and performance"):
    tr(cov_LW(F)^+ (1 - s) cov(E[F | y])), dimensionless, >= 0, higher is better.

    features: (N, D) float (float64 internally, centred); labels: (N,) target labels, any C >= 2 distinct values.
    cov_LW is scikit-learn's LedoitWolf estimate of the (centred) feature covariance (biased, divides by N) with
    its shrinkage s; the class-mean covariance uses the per-sample conditional means g(x) = E[F | y(x)]
    (unbiased, N - 1). Both choices and the (1 - s) factor follow the authors' released code, which produced the
    published TransferGraph `REG_H_SCORE` rows. cov_LW is positive definite whenever s > 0 and is then inverted
    by Cholesky; `rcond` applies to the pseudo-inverse used when it is singular (s = 0).
    """
    f, y, n_classes = check_features_labels(features, labels)
    centred = f - f.mean(axis=0)
    # store_precision=False: the estimator would otherwise invert the D x D matrix once more (pinvh) for nothing.
    estimator = LedoitWolf(assume_centered=False, store_precision=False).fit(centred)
    means, counts = class_means(centred, y, n_classes)
    try:
        solved = scipy.linalg.cho_solve(scipy.linalg.cho_factor(estimator.covariance_), means.T)  # S^-1 mu_c
    except np.linalg.LinAlgError:
        solved = pinv_psd(estimator.covariance_, rcond) @ means.T
    # tr(S^-1 cov(g)) with cov(g) = sum_c N_c mu_c mu_c^T / (N - 1).
    trace = (counts * np.einsum("cd,dc->c", means, solved)).sum() / (centred.shape[0] - 1)
    return float((1.0 - estimator.shrinkage_) * trace)
