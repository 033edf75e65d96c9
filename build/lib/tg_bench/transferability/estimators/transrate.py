"""TransRate: how much the coding rate of the features drops once the target labels are known."""

from __future__ import annotations

import numpy as np

from tg_bench.errors import UserInputError
from tg_bench.transferability.estimators.linalg import gram
from tg_bench.transferability.estimators.validation import check_features_labels


def coding_rate(z: np.ndarray, eps: float) -> float:
    """R(Z, eps) = 1/2 logdet(I + d / (n eps^2) Z^T Z) in nats, for Z of shape (n, d) (float64).

    Evaluated on the smaller side: logdet(I_d + c Z^T Z) = logdet(I_n + c Z Z^T) (Sylvester), by Cholesky.
    """
    n, d = z.shape
    scale = d / (n * eps**2)
    small = gram(z) if d <= n else gram(z.T)
    small *= scale
    small.flat[:: small.shape[0] + 1] += 1.0
    cholesky = np.linalg.cholesky(small)
    return float(np.log(np.diagonal(cholesky)).sum())  # 1/2 logdet = sum log diag(L)


def transrate(features: np.ndarray, labels: np.ndarray, *, eps: float = 1e-4, scale: bool = True) -> float:
    """TransRate (Huang, Huang, Rong, Yang, Wei 2022, ICML, "Frustratingly Easy Transferability Estimation"):
    R(Z, eps) - sum_c (N_c / N) R(Z_c, eps), in nats, higher is better.

    features: (N, D) float (float64 internally); labels: (N,) target labels, any C >= 2 distinct values.
    R(Z, eps) = 1/2 logdet(I + D / (N eps^2) Z^T Z) is the paper's coding rate (MCR^2 form); Z_c are the rows of
    class c (N_c of them, using N_c in their own scale factor), weighted by N_c / N as in the paper's
    R(Z, eps | Y).

    Normalisation: with `scale=True` (default) the whole matrix is first divided by its Frobenius norm
    (tr(Z Z^T) = 1, the authors' `scale_trace`) so the score does not depend on the features' units, then
    centred on the global mean (class subsets are not re-centred). Note that the authors' simplest released
    snippet differs from the paper's formula: it uses 1 / (N eps) instead of D / (N eps^2) and averages the class
    rates with weight 1 / C; this function follows the paper.

    `eps` against the released code's: there `coding_rate(Z, eps=1e-4)` is 1/2 logdet(I + 1/(n eps_ref) Z^T Z)
    (no factor d, eps_ref not squared), here 1/2 logdet(I + d/(n eps^2) Z^T Z). The two are equal for every Z
    (n rows, d = D columns) when d / eps^2 = 1 / eps_ref, i.e.

        eps = sqrt(D * eps_ref),    eps_ref = eps^2 / D.

    Their default eps_ref = 1e-4 is therefore eps = 0.01 * sqrt(D) here (0.32 for D = 1024, 0.45 for D = 2048);
    our default eps = 1e-4 is eps_ref = 1e-8 / D there, a much finer distortion (log-determinant terms larger by
    about 1/2 log(1e4 D) per well-spread direction). Since D is fixed within one call (Z and every Z_c have the
    same D columns), that single eps gives each of R(Z) and R(Z_c) exactly the released value; the whole score
    is then identical to the released `transrate(Z, y, eps_ref)` when the classes are balanced (their 1/C
    weights equal N_c/N) and the normalisation matches: `scale=True` is their variant with `scale_trace`
    (divide by sqrt(tr(Z Z^T)), then centre), `scale=False` the variant that only centres.
    """
    if eps <= 0:
        raise UserInputError(f"eps must be positive; got {eps}")
    f, y, n_classes = check_features_labels(features, labels)
    n = f.shape[0]
    if scale:
        norm = np.linalg.norm(f)
        if norm == 0.0:
            raise UserInputError("features are all zero; TransRate is undefined")
        f = f / norm
    z = f - f.mean(axis=0)
    total = coding_rate(z, eps)
    order = np.argsort(y, kind="stable")
    bounds = np.searchsorted(y[order], np.arange(n_classes + 1))
    conditional = 0.0
    for c in range(n_classes):
        rows = z[order[bounds[c] : bounds[c + 1]]]
        conditional += rows.shape[0] / n * coding_rate(rows, eps)
    return float(total - conditional)
