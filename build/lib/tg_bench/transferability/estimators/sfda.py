"""SFDA: how confidently a regularised Fisher discriminant, re-fitted on self-challenged features, classifies."""

from __future__ import annotations

from typing import Literal

import numpy as np
import scipy.linalg
from scipy.special import softmax

from tg_bench.errors import UserInputError
from tg_bench.transferability.estimators.linalg import class_means, gram, largest_eigenvalue, pinv_psd
from tg_bench.transferability.estimators.validation import check_features_labels

# The paper's regularisation strength: lambda = exp(-a * sigma_max(S_w)) with a = 5, floored as in the authors'
# code so the shrunk within-class scatter stays invertible.
SHRINKAGE_RATE = 5.0
MIN_SHRINKAGE = 1e-10


def _fda_probabilities(
    x: np.ndarray, labels: np.ndarray, n_classes: int, shrinkage: float | None
) -> tuple[np.ndarray, float]:
    """Class posteriors (N, C) of the regularised Fisher discriminant, and the shrinkage used.

    S_w = sum_c pi_c cov_c (biased) is shrunk to (1 - lambda) S_w + lambda tr(S_w)/d I. The authors project on
    the full set of generalised eigenvectors W of (S_b, S_w,lambda), normalised W^T S_w,lambda W = I, and score
    logits x W W^T mu_c - 1/2 mu_c W W^T mu_c + log pi_c; since W W^T = S_w,lambda^-1 this is computed here with
    one Cholesky solve instead of a generalised eigenproblem.
    """
    n, d = x.shape
    means, counts = class_means(x, labels, n_classes)
    within = gram(x - means[labels]) / n
    if shrinkage is None:
        largest = largest_eigenvalue(within)
        shrinkage = max(float(np.exp(-SHRINKAGE_RATE * largest)), MIN_SHRINKAGE)
    shrunk = (1.0 - shrinkage) * within
    shrunk.flat[:: d + 1] += shrinkage * np.trace(within) / d
    try:
        coef = scipy.linalg.cho_solve(scipy.linalg.cho_factor(shrunk), means.T).T  # mu_c S^-1, shape (C, d)
    except np.linalg.LinAlgError:
        coef = means @ pinv_psd(shrunk)
    intercept = -0.5 * np.einsum("ij,ij->i", means, coef) + np.log(counts / n)
    return softmax(x @ coef.T + intercept, axis=1), shrinkage


def sfda(
    features: np.ndarray,
    labels: np.ndarray,
    *,
    self_challenging: bool = True,
    reduction: Literal["prob", "log_prob"] = "prob",
) -> float:
    """SFDA score (Shao, Zhao, Ge, Zhang, Yang, Wang, Shan, Luo 2022, ECCV, "Not All Models Are Equal: Predicting
    Model Transferability in a Self-challenging Fisher Space"); dimensionless, higher is better.

    features: (N, D) float (float64 internally); labels: (N,) target labels, any C >= 2 distinct values.
    Step 1: a Fisher discriminant with the paper's adaptive shrinkage lambda = exp(-5 sigma_max(S_w)) (sigma_max
    computed exactly here; the authors' code approximates it with 3 power iterations) gives p(y | x).
    Step 2 (`self_challenging=True`, the default, the full SFDA): ConfMix. The posteriors are softened by a second
    softmax (as in the authors' code), each x of class c is mixed toward the mean of the other classes' means,
    x' = p_c x + (1 - p_c) mean_{c' != c} mu_c', and the discriminant is re-fitted on x' with the same lambda.
    `self_challenging=False` scores the first discriminant only.
    Score: the mean over samples of the true class's probability (`reduction="prob"`, the authors' code, in
    [0, 1]) or of its log (`reduction="log_prob"`, nats, <= 0).
    """
    if reduction not in ("prob", "log_prob"):
        raise UserInputError(f"reduction must be 'prob' or 'log_prob'; got {reduction!r}")
    f, y, n_classes = check_features_labels(features, labels)
    n = f.shape[0]
    probs, shrinkage = _fda_probabilities(f, y, n_classes, None)
    if self_challenging:
        softened = softmax(probs, axis=1)
        means, _ = class_means(f, y, n_classes)
        others = (means.sum(axis=0) - means) / (n_classes - 1)
        weight = softened[np.arange(n), y][:, None]
        mixed = weight * f + (1.0 - weight) * others[y]
        probs, _ = _fda_probabilities(mixed, y, n_classes, shrinkage)
    true_class = probs[np.arange(n), y]
    if reduction == "log_prob":
        return float(np.log(np.maximum(true_class, np.finfo(np.float64).tiny)).mean())
    return float(true_class.mean())
