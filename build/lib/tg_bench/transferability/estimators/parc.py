"""PARC: rank agreement between the features' and the labels' pairwise dissimilarity matrices."""

from __future__ import annotations

import numpy as np
import scipy.stats

from tg_bench.transferability.estimators.linalg import pca_reduce
from tg_bench.transferability.estimators.validation import check_features_labels, check_positive_int


def _dissimilarity(rows: np.ndarray) -> np.ndarray:
    """1 - Pearson correlation between every pair of rows (np.corrcoef semantics): shape (n, n)."""
    return 1.0 - np.corrcoef(rows)


def parc(
    features: np.ndarray,
    labels: np.ndarray,
    *,
    pca_dim: int | None = 32,
    max_samples: int | None = 5000,
    seed: int = 0,
) -> float:
    """PARC score (Bolya, Mittapalli, Hoffman 2021, NeurIPS, "Scalable Diverse Model Selection for Accessible
    Transfer Learning"): 100 x Spearman correlation, in [-100, 100], higher is better.

    features: (N, D) float (float64 internally); labels: (N,) target labels, any C >= 2 distinct values.
    When N > `max_samples` a seeded uniform subsample of that many rows is used (the matrices below are
    n x n; None keeps every row). Features are reduced to `pca_dim` principal components (default 32, the
    usual setting with the authors' code; None skips; exact PCA, see `linalg.pca_reduce`: scikit-learn's sign
    convention, and `pca_dim >= min(n, D)` keeps every non-degenerate component rather than the raw features)
    and standardised per dimension (the authors' StandardScaler); one-hot labels are used as they are.
    The score depends on the components' signs (the per-sample correlations centre each row over its
    dimensions), which is why the sign convention is fixed; negating all features leaves it unchanged.
    For each, the dissimilarity matrix is 1 - the Pearson correlation between samples (rows); the score is the
    Spearman rank correlation between the strict upper triangles of the two matrices, times 100.
    """
    f, y, n_classes = check_features_labels(features, labels)
    if max_samples is not None and f.shape[0] > check_positive_int(max_samples, "max_samples"):
        keep = np.sort(np.random.default_rng(seed).choice(f.shape[0], size=max_samples, replace=False))
        f, y = f[keep], y[keep]
    x = pca_reduce(f, pca_dim)
    std = x.std(axis=0)
    # A dimension that is constant over the subsample carries no correlation; dividing it by 1 leaves it 0.
    x = x / np.where(std > 0, std, 1.0)
    one_hot = np.zeros((y.shape[0], n_classes))
    one_hot[np.arange(y.shape[0]), y] = 1.0
    upper = np.triu_indices(y.shape[0], k=1)
    feature_side = _dissimilarity(x)[upper]
    label_side = _dissimilarity(one_hot)[upper]
    return float(100.0 * scipy.stats.spearmanr(feature_side, label_side)[0])
