"""Agreement between predicted scores and true accuracies (docs/method.md section 2).

Rank metrics come from scipy. The top-k family picks the k highest-scored models with `np.argsort`'s default
sort, as the authors' code does, so that ties among duplicated prediction rows resolve the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import stats

DEFAULT_KS = (1, 2, 3, 4, 5)
CORRELATIONS = ("pearson", "spearman", "kendall", "w-kendall")
TOP_K_FAMILIES = ("top", "rel", "p", "rrel")


def _check(accuracy: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    accuracy = np.asarray(accuracy, dtype=float)
    score = np.asarray(score, dtype=float)
    if accuracy.shape != score.shape or accuracy.ndim != 1:
        raise ValueError(f"accuracy and score must be 1-d of equal length, got {accuracy.shape} and {score.shape}")
    if len(accuracy) < 2:
        raise ValueError("need at least two models to compare a ranking")
    return accuracy, score


def _correlation(statistic: Callable, accuracy: np.ndarray, score: np.ndarray) -> float:
    """`statistic(accuracy, score)[0]` from scipy, or NaN when either side is constant (a metadata-only regressor
    on identical rows, say): the correlation is undefined there, and scipy would warn on every such target."""
    accuracy, score = _check(accuracy, score)
    if np.ptp(score) == 0 or np.ptp(accuracy) == 0:
        return float("nan")
    return float(statistic(accuracy, score)[0])


def pearson(accuracy: np.ndarray, score: np.ndarray) -> float:
    """Pearson r; NaN when either side is constant."""
    return _correlation(stats.pearsonr, accuracy, score)


def spearman(accuracy: np.ndarray, score: np.ndarray) -> float:
    """Spearman rho; NaN when either side is constant."""
    return _correlation(stats.spearmanr, accuracy, score)


def kendall(accuracy: np.ndarray, score: np.ndarray) -> float:
    """Kendall tau-b; NaN when either side is constant."""
    return _correlation(stats.kendalltau, accuracy, score)


def weighted_kendall(accuracy: np.ndarray, score: np.ndarray) -> float:
    """Weighted tau with scipy's defaults (hyperbolic weights, ranking by the larger of the two); NaN when either
    side is constant."""
    return _correlation(stats.weightedtau, accuracy, score)


def best_of_top_k(accuracy: np.ndarray, score: np.ndarray, k: int) -> float:
    """b_k: the best true accuracy among the k highest-scored models."""
    accuracy, score = _check(accuracy, score)
    top = np.argsort(score)[-k:]
    return float(np.max(accuracy[top]))


def top_k(accuracy: np.ndarray, score: np.ndarray, k: int) -> float:
    return best_of_top_k(accuracy, score, k)


def rel_k(accuracy: np.ndarray, score: np.ndarray, k: int) -> float:
    """b_k / max accuracy."""
    return best_of_top_k(accuracy, score, k) / float(np.max(accuracy))


def p_k(accuracy: np.ndarray, score: np.ndarray, k: int) -> float:
    """Percentile rank (0..100) of b_k among all accuracies."""
    return float(stats.percentileofscore(np.asarray(accuracy, dtype=float), best_of_top_k(accuracy, score, k)))


def rrel_k(accuracy: np.ndarray, score: np.ndarray, k: int) -> float:
    """max(0, (b_k - mean) / (max - mean)): how much of the gap from a random pick to the best the ranking closes."""
    accuracy = np.asarray(accuracy, dtype=float)
    gap = float(np.max(accuracy) - np.mean(accuracy))
    if gap == 0:
        return float("nan")
    return max(0.0, (best_of_top_k(accuracy, score, k) - float(np.mean(accuracy))) / gap)


CORRELATION_FUNCTIONS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "pearson": pearson,
    "spearman": spearman,
    "kendall": kendall,
    "w-kendall": weighted_kendall,
}
TOP_K_FUNCTIONS: dict[str, Callable[[np.ndarray, np.ndarray, int], float]] = {
    "top": top_k,
    "rel": rel_k,
    "p": p_k,
    "rrel": rrel_k,
}


def metric_names(ks: Sequence[int] = DEFAULT_KS) -> list[str]:
    """All metric names in output order: the correlations, then `top@1`, ..., `rrel@5`."""
    return [*CORRELATIONS, *(f"{family}@{k}" for family in TOP_K_FAMILIES for k in ks)]


def compute_metrics(accuracy: np.ndarray, score: np.ndarray, ks: Sequence[int] = DEFAULT_KS) -> dict[str, float]:
    """Every metric of method.md for one target. `accuracy`, `score`: shape (n_rows,), aligned."""
    values = {name: fn(accuracy, score) for name, fn in CORRELATION_FUNCTIONS.items()}
    for family, fn in TOP_K_FUNCTIONS.items():
        for k in ks:
            values[f"{family}@{k}"] = fn(accuracy, score, k)
    return values
