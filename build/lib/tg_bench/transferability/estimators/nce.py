"""NCE: negative conditional entropy of the target labels given the source head's hard predictions."""

from __future__ import annotations

import numpy as np

from tg_bench.transferability.estimators.validation import check_labels, check_source_labels


def nce(source_labels: np.ndarray, labels: np.ndarray) -> float:
    """NCE score (Tran, Nguyen, Hassner 2019, ICCV, "Transferability and Hardness of Supervised Classification
    Tasks"): -H(Y | Z) in nats, <= 0, higher is better.

    source_labels: (N,) source-class ids z_i (argmax of the pre-trained head; any values, compared for equality).
    labels: (N,) target labels, any C >= 2 distinct values.
    From the empirical joint P(y, z) = #{i: y_i = y, z_i = z} / N:
    H(Y | Z) = -sum_{y, z} P(y, z) log(P(y, z) / P(z)), natural log, 0 log 0 = 0.
    """
    raw = np.asarray(source_labels)
    # check_source_labels rejects a non-1-D array before it compares lengths, so the placeholder is never used.
    z, n_source = check_source_labels(raw, raw.shape[0] if raw.ndim == 1 else 0)
    y, n_classes = check_labels(labels, z.shape[0])
    counts = np.bincount(z * n_classes + y, minlength=n_source * n_classes).reshape(n_source, n_classes)
    joint = counts / z.shape[0]
    marginal = joint.sum(axis=1, keepdims=True)
    nonzero = joint > 0.0
    conditional_entropy = -(joint[nonzero] * np.log((joint / np.where(marginal > 0, marginal, 1.0))[nonzero])).sum()
    return float(-conditional_entropy)
