"""LogME: the maximised Bayesian linear-regression evidence of one-hot labels given the features.

You, Liu, Wang, Long (2021), "LogME: Practical Assessment of Pre-trained Models for Transfer Learning", ICML.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tg_bench.errors import UserInputError
from tg_bench.transferability.estimators.linalg import class_indicator, class_sums, gram
from tg_bench.transferability.estimators.validation import check_features_labels, check_positive_int

# The authors' code stops when alpha/beta moves by less than 1e-3 relative, after at most 11 updates
# ("should converge after at most 10 steps"), and guards both denominators with 1e-5.
DEFAULT_MAX_ITER = 11
DEFAULT_TOL = 1e-3
DEFAULT_EPSILON = 1e-5


@dataclass(frozen=True)
class LogMEEvidence:
    """Per-class result of LogME's evidence maximisation; every array has shape (C,), float64.

    `evidence[c]` is log p(y_c | F, alpha_c, beta_c) / N in nats per sample, at the returned alpha, beta;
    `n_iter[c]` is the number of fixed-point updates class c took.
    """

    evidence: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    n_iter: np.ndarray

    @property
    def score(self) -> float:
        """The LogME score: mean over classes of evidence / N."""
        return float(self.evidence.mean())


@dataclass(frozen=True)
class _Spectrum:
    """What the fixed point needs from F and Y, computed once for all classes.

    sigma (k,): eigenvalues of F^T F on the computed side (k = min(N, D)), rounding noise zeroed.
    x2 (k, C): squared coordinates of each y_c on the matching left singular vectors u_i = F v_i / sqrt(sigma_i).
    outside (C,): ||y_c||^2 - sum_i x2[i, c], the part of y_c no linear function of F can reach.
    """

    sigma: np.ndarray
    x2: np.ndarray
    outside: np.ndarray


def _spectrum(features: np.ndarray, labels: np.ndarray, n_classes: int) -> _Spectrum:
    n, d = features.shape
    counts = np.bincount(labels, minlength=n_classes).astype(np.float64)  # ||y_c||^2 of one-hot columns
    if d <= n:
        sigma, v = np.linalg.eigh(gram(features))
        z = v.T @ class_sums(features, labels, n_classes).T  # V^T F^T Y, shape (D, C)
        z2 = z * z
    else:
        sigma, u = np.linalg.eigh(gram(features.T))  # eigenvalues of F F^T equal the non-zero ones of F^T F
        x = np.asarray(class_indicator(labels, n_classes) @ u).T  # U^T Y, shape (N, C)
        z2 = None
    # Eigenvalues of a rank-deficient Gram matrix come back as +-eps * ||F||^2 instead of 0; treating them as
    # zero keeps log|A| and the coordinates free of that noise (numpy's matrix_rank tolerance, squared scale).
    sigma = np.clip(sigma, 0.0, None)
    null = sigma <= sigma.max() * max(n, d) * np.finfo(np.float64).eps
    sigma[null] = 0.0
    if z2 is not None:
        x2 = np.zeros_like(z2)
        x2[~null] = z2[~null] / sigma[~null, None]
    else:
        x2 = x * x
        x2[null] = 0.0
    outside = np.clip(counts - x2.sum(axis=0), 0.0, None)
    return _Spectrum(sigma=sigma, x2=x2, outside=outside)


def _moments(spectrum: _Spectrum, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """gamma, m^T m and ||y - F m||^2 per class at t = alpha / beta (each shape (C,)).

    With m = beta A^-1 F^T y, A = alpha I + beta F^T F: in the eigenbasis, m_i = sqrt(sigma_i) x_i / (t + sigma_i),
    and the residual along u_i is x_i t / (t + sigma_i).
    """
    sigma = spectrum.sigma[:, None]
    shrink = 1.0 / (t[None, :] + sigma)
    gamma = (sigma * shrink).sum(axis=0)
    m2 = (sigma * spectrum.x2 * shrink**2).sum(axis=0)
    residual2 = (spectrum.x2 * (t[None, :] * shrink) ** 2).sum(axis=0) + spectrum.outside
    return gamma, m2, residual2


def _log_evidence(spectrum: _Spectrum, n: int, d: int, alpha: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """log p(y_c | F, alpha_c, beta_c) for every class, shape (C,), with m and the residual taken at alpha, beta."""
    _, m2, residual2 = _moments(spectrum, alpha / beta)
    k = spectrum.sigma.shape[0]
    # log|A| over all D eigenvalues: the D - k directions outside the computed side have sigma = 0 and each adds
    # log(alpha). Dropping them (as a widely copied implementation does for N < D) biases LogME toward wide F.
    log_det_a = np.log(alpha[None, :] + beta[None, :] * spectrum.sigma[:, None]).sum(axis=0) + (d - k) * np.log(alpha)
    evidence = (
        0.5 * d * np.log(alpha)
        + 0.5 * n * np.log(beta)
        - 0.5 * n * np.log(2.0 * np.pi)
        - 0.5 * beta * residual2
        - 0.5 * alpha * m2
        - 0.5 * log_det_a
    )
    return evidence


def logme_evidence(
    features: np.ndarray,
    labels: np.ndarray,
    *,
    max_iter: int = DEFAULT_MAX_ITER,
    tol: float = DEFAULT_TOL,
    epsilon: float = DEFAULT_EPSILON,
) -> LogMEEvidence:
    """Per-class maximised log evidence, alpha and beta of LogME (You et al. 2021, ICML, "LogME: Practical
    Assessment of Pre-trained Models for Transfer Learning").

    features: (N, D) float, any scale (converted to float64). labels: (N,), any C >= 2 distinct values.
    For each class c, y_c = 1[label == c] (N,) is regressed on F with prior w ~ N(0, alpha^-1 I) and noise
    precision beta; alpha, beta are found by MacKay's fixed point
    gamma = sum_i beta sigma_i / (alpha + beta sigma_i), alpha = gamma / m^T m, beta = (N - gamma) / ||y - F m||^2,
    starting from alpha = beta = 1, stopping when |t_new - t| / t <= tol for t = alpha / beta or after
    `max_iter` updates (the authors' rule). `epsilon` (>= 0) is added to both denominators, as in the authors'
    code. When N < D, y_c can lie in the span of F and the evidence may keep growing as beta -> infinity; there is
    then no finite fixed point, and the iteration stops at `max_iter` (epsilon keeps beta finite).

    The evidence is then evaluated exactly at the returned alpha, beta (m and the residual recomputed there):
    N/2 log beta + D/2 log alpha - N/2 log 2 pi - beta/2 ||y - F m||^2 - alpha/2 m^T m - 1/2 log|A|,
    A = alpha I + beta F^T F (D x D), divided by N. Exact for N < D as well (all D eigenvalues of A enter).

    Cost: one eigh of the smaller Gram matrix (F^T F or F F^T) and one O(N D) class-sum; the iterations run on
    all classes at once on (min(N, D), C) arrays.
    """
    f, y, n_classes = check_features_labels(features, labels)
    max_iter = check_positive_int(max_iter, "max_iter")
    if not (tol >= 0 and epsilon >= 0):
        raise UserInputError(f"tol and epsilon must be non-negative; got tol={tol}, epsilon={epsilon}")
    n, d = f.shape
    spectrum = _spectrum(f, y, n_classes)

    alpha = np.ones(n_classes)
    beta = np.ones(n_classes)
    n_iter = np.zeros(n_classes, dtype=np.int64)
    active = np.ones(n_classes, dtype=bool)
    for _ in range(max_iter):
        t = alpha[active] / beta[active]
        sub = _Spectrum(spectrum.sigma, spectrum.x2[:, active], spectrum.outside[active])
        gamma, m2, residual2 = _moments(sub, t)
        with np.errstate(divide="ignore", invalid="ignore"):
            new_alpha = gamma / (m2 + epsilon)
            new_beta = (n - gamma) / (residual2 + epsilon)
            converged = np.abs(new_alpha / new_beta - t) / t <= tol
        # With epsilon = 0 an exactly interpolated y (possible when N < D) sends beta to infinity: such a class
        # keeps its last finite alpha, beta, where the evidence is already within rounding of its supremum.
        finite = np.isfinite(new_alpha) & np.isfinite(new_beta) & (new_alpha > 0) & (new_beta > 0)
        indices = np.flatnonzero(active)
        alpha[indices[finite]], beta[indices[finite]] = new_alpha[finite], new_beta[finite]
        n_iter[indices[finite]] += 1
        active[indices[converged | ~finite]] = False
        if not active.any():
            break

    evidence = _log_evidence(spectrum, n, d, alpha, beta)
    return LogMEEvidence(evidence=evidence / n, alpha=alpha, beta=beta, n_iter=n_iter)


def logme(
    features: np.ndarray,
    labels: np.ndarray,
    *,
    max_iter: int = DEFAULT_MAX_ITER,
    tol: float = DEFAULT_TOL,
    epsilon: float = DEFAULT_EPSILON,
) -> float:
    """LogME score (You, Liu, Wang, Long 2021, ICML, "LogME: Practical Assessment of Pre-trained Models for
    Transfer Learning"): mean over the C classes of the maximised log evidence / N (nats per sample; higher is
    better).

    features: (N, D) float array (float64 internally); labels: (N,) class labels, any C >= 2 distinct values.
    See `logme_evidence` for the per-class alpha, beta and the exact formula.
    """
    return logme_evidence(features, labels, max_iter=max_iter, tol=tol, epsilon=epsilon).score
