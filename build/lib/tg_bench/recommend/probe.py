"""Placing a new dataset among a zoo's datasets: embed every dataset with one probe model (the mean of its
penultimate features over a capped sample) and take Euclidean distances between the embeddings.

The published distance matrix was computed this way by the authors (ViT-B/16 for images, GPT-Neo-125m for
text; docs/method.md section 1), but its embedding vectors are not published, so the new dataset's distance to
a zoo dataset can only be measured by embedding that zoo dataset again with the same probe. Those distances
are on the probe run's own scale: equal to the published scale only when the probe, the sample cap and the
pooling match the authors'. The priors read each target's row relative to its largest entry (the k-NN prior's
exp(-tau d / d_max)), so a common factor on the new row does not change them; TransferGraph does mind (its
similarity edges are min-max normalised over all pairs, its distance feature divides by a source's largest
distance). So the new row is calibrated (`calibrate`): the probe also measures the zoo datasets' distances to
one another, and the factor that maps those onto the published matrix (least squares through the origin) is
applied to the new row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tg_bench.errors import UserInputError
from tg_bench.extract import DatasetSpec, ModelSpec
from tg_bench.transferability.pipeline import ExtractSettings


def dataset_embedding(
    probe: ModelSpec, dataset: DatasetSpec, settings: ExtractSettings, progress: bool = False
) -> np.ndarray:
    """The dataset's embedding: the mean of `probe`'s penultimate features over `dataset` (its
    `max_samples` cap and seed apply). Shape (D,), float64. Extractions are cached (`settings.cache_dir`)."""
    extraction = settings.extract(probe, dataset, progress)
    return extraction.features.astype(np.float64).mean(axis=0)


@dataclass(frozen=True)
class ProbeDistances:
    """What the probe measured, on its own scale. measured: zoo dataset -> distance to the new dataset;
    pairwise: (zoo dataset, zoo dataset) -> their distance, each unordered pair once."""

    measured: dict[str, float]
    pairwise: dict[tuple[str, str], float]


@dataclass(frozen=True)
class Calibration:
    """published distance ~ factor x probe distance, fitted over `pairs` pairs of zoo datasets; `correlation`:
    Pearson between the two over those pairs (NaN with fewer than 3), how well the probe agrees with the
    authors' embedding up to scale."""

    factor: float
    pairs: int
    correlation: float


def probe_distances(
    probe: ModelSpec,
    new: DatasetSpec,
    zoo_datasets: Mapping[str, DatasetSpec],
    settings: ExtractSettings,
    progress: bool = False,
) -> ProbeDistances:
    """Euclidean distances between the embeddings of the new dataset and of each zoo dataset, and among the zoo
    datasets themselves (for `calibrate`)."""
    if not zoo_datasets:
        raise UserInputError(
            "probe.datasets is empty: name the zoo datasets to embed with the probe (name -> path), or give "
            "dataset.distances"
        )
    mine = dataset_embedding(probe, new, settings, progress)
    theirs = {name: dataset_embedding(probe, spec, settings, progress) for name, spec in zoo_datasets.items()}
    names = list(theirs)
    return ProbeDistances(
        measured={name: float(np.linalg.norm(mine - theirs[name])) for name in names},
        pairwise={
            (a, b): float(np.linalg.norm(theirs[a] - theirs[b])) for i, a in enumerate(names) for b in names[i + 1 :]
        },
    )


def calibrate(pairwise: Mapping[tuple[str, str], float], published: pd.DataFrame) -> Calibration | None:
    """The factor mapping the probe's scale onto `published` (the zoo's (n, n) distance matrix): least squares
    through the origin over the pairs both have, argmin_f sum (p - f m)^2 = (m . p) / (m . m). None when no
    pair is usable (fewer than two zoo datasets probed, or none in the matrix)."""
    known = set(published.index)
    rows = [(m, published.at[a, b]) for (a, b), m in pairwise.items() if a in known and b in known]
    rows = [(m, p) for m, p in rows if np.isfinite(m) and np.isfinite(p)]
    if not rows:
        return None
    measured, target = np.array(rows, dtype=float).T
    if not measured @ measured > 0:
        return None
    correlation = float(np.corrcoef(measured, target)[0, 1]) if len(rows) >= 3 else float("nan")
    return Calibration(float(measured @ target / (measured @ measured)), len(rows), correlation)
