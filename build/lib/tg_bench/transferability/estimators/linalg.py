"""Linear algebra shared by several estimators: per-class sums, exact PCA, PSD pseudo-inverse."""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.sparse
import scipy.sparse.linalg

from tg_bench.errors import UserInputError


def class_indicator(labels: np.ndarray, n_classes: int) -> scipy.sparse.csr_matrix:
    """Sparse one-hot matrix Y^T of shape (C, N): row c has a 1 at each sample of class c."""
    n = labels.shape[0]
    return scipy.sparse.csr_matrix((np.ones(n), (labels, np.arange(n))), shape=(n_classes, n))


def class_sums(values: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Y^T X of shape (C, D) for X of shape (N, D): O(N D), where a dense one-hot product would be O(N D C)."""
    return np.asarray(class_indicator(labels, n_classes) @ values)


def class_means(values: np.ndarray, labels: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-class means (C, D) and counts (C,) (float64); every class is assumed non-empty (labels are 0..C-1)."""
    counts = np.bincount(labels, minlength=n_classes).astype(np.float64)
    return class_sums(values, labels, n_classes) / counts[:, None], counts


def gram(x: np.ndarray) -> np.ndarray:
    """X^T X, symmetrised: numpy dispatches `x.T @ x` to BLAS syrk (half the flops of a general product)."""
    product = x.T @ x
    return (product + product.T) * 0.5


def pca_reduce(features: np.ndarray, n_components: int | float | None) -> np.ndarray:
    """Centred features (N, D) projected on their top principal directions: the scores, shape (N, k), float64.

    `n_components` int: keep that many directions; float in (0, 1): the smallest number whose cumulative
    explained-variance ratio reaches it (scikit-learn's rule); None: centre only, no projection.
    The result is always a projection, also when `n_components >= min(N, D)`: then every direction with non-zero
    variance is kept, so asking for min(N, D) or more components gives the same, full-rank rotation (the score
    does not jump at that boundary). Directions whose variance is at rounding level (eigenvalue of the Gram matrix
    <= max(N, D) * machine epsilon * the largest one; e.g. the N-th direction when N <= D, which centring leaves
    empty) are dropped whatever `n_components` asks for: projected, they are pure rounding noise, which
    per-dimension standardisation (PARC) or variance ratios (GBC) would blow up to full weight. So
    k = min(n_components, numerical rank), at least 1.

    Signs follow `sklearn.utils.extmath.svd_flip(u, vt, u_based_decision=False)`, the rule of scikit-learn's PCA
    since 1.5: in each principal direction (a row of `PCA.components_`, D loadings) the loading largest in absolute
    value is made positive (the first such on a tie). The eigensolver's arbitrary signs would otherwise leak into
    sign-sensitive scores (PARC's per-sample correlations); with the rule the output matches
    `PCA(k, svd_solver="full").fit_transform(features)` up to rounding and is unchanged by a permutation of the
    feature columns. (Negating one feature column can still flip a score column, exactly as in scikit-learn.)
    scikit-learn <= 1.4 decided on the scores instead (u_based_decision=True), so reference numbers produced with
    those releases can differ in sign-sensitive scores.
    The decomposition is an exact eigh of the smaller Gram matrix (D x D or N x N), so there is no randomness.
    """
    x = features - features.mean(axis=0)
    if n_components is None:
        return x
    n, d = x.shape
    if isinstance(n_components, float):
        if not 0.0 < n_components < 1.0:
            raise UserInputError(f"a fractional PCA dimension must be in (0, 1); got {n_components}")
    elif isinstance(n_components, bool) or not isinstance(n_components, int | np.integer) or n_components < 1:
        raise UserInputError(f"PCA dimension must be a positive int or a fraction in (0, 1); got {n_components!r}")
    side = gram(x) if d <= n else gram(x.T)
    m = side.shape[0]
    # Only the top k eigenvectors are used: LAPACK's subset solver (syevr) skips the others. For a variance
    # fraction the eigenvalues alone (much cheaper than eigenvectors) fix k first.
    if isinstance(n_components, float):
        eigenvalues = np.clip(scipy.linalg.eigvalsh(side)[::-1], 0.0, None)
        total = eigenvalues.sum()
        if total <= 0.0:
            raise UserInputError("features are constant (zero variance in every dimension); nothing to project")
        ratio_cumsum = np.cumsum(eigenvalues) / total
        k = min(int(np.searchsorted(ratio_cumsum, n_components, side="right")) + 1, m)
    else:
        k = min(int(n_components), m)
    top_values, top_vectors = scipy.linalg.eigh(side, subset_by_index=[m - k, m - 1])
    top_values = np.clip(top_values[::-1], 0.0, None)
    top_vectors = top_vectors[:, ::-1]
    # Sorted descending, so the numerically non-zero directions are a prefix; top_values[0] is the largest of all.
    rank = int(np.count_nonzero(top_values > max(n, d) * np.finfo(np.float64).eps * top_values[0]))
    k = max(rank, 1)
    top_values, top_vectors = top_values[:k], top_vectors[:, :k]
    if d <= n:
        loadings = top_vectors  # (D, k) principal directions
        scores = x @ top_vectors
    else:
        # N < D: the eigenvectors are the left singular vectors U (N, k); the scores are U * singular values and
        # the directions x^T U / singular value, whose positive scaling does not change a loading's sign.
        loadings = x.T @ top_vectors
        scores = top_vectors * np.sqrt(top_values)
    largest = loadings[np.argmax(np.abs(loadings), axis=0), np.arange(k)]
    return scores * np.where(largest < 0.0, -1.0, 1.0)


def largest_eigenvalue(matrix: np.ndarray) -> float:
    """Largest eigenvalue of a symmetric matrix: Lanczos (ARPACK, fixed start vector) above 256 x 256."""
    m = matrix.shape[0]
    if m <= 256:
        return float(np.linalg.eigvalsh(matrix)[-1])
    start = np.random.default_rng(0).standard_normal(m)  # fixed, so the result is reproducible to the bit
    return float(scipy.sparse.linalg.eigsh(matrix, k=1, which="LA", v0=start, tol=1e-12, return_eigenvectors=False)[0])


def pinv_psd(matrix: np.ndarray, rcond: float | None = None) -> np.ndarray:
    """Pseudo-inverse of a symmetric PSD matrix from its eigendecomposition.

    Eigenvalues below `rcond * max eigenvalue` count as zero; the default `rcond = dim * machine epsilon` is
    numpy's `matrix_rank` tolerance, above the rounding noise of a Gram matrix's null space.
    """
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    if rcond is None:
        rcond = matrix.shape[0] * np.finfo(np.float64).eps
    keep = eigenvalues > rcond * max(eigenvalues.max(), 0.0)
    kept = eigenvectors[:, keep]
    return (kept / eigenvalues[keep]) @ kept.T
