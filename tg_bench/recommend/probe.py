"""Placing a new dataset among a zoo's datasets: embed every dataset with one probe model (the mean of its
penultimate features over a capped sample) and take Euclidean distances between the embeddings.

The published distance matrix was computed this way by the authors (ViT-B/16 for images, GPT-Neo-125m for
text; docs/method.md section 1), but its embedding vectors are not published, so the new dataset's distance to
a zoo dataset can only be measured by embedding that zoo dataset again with the same probe. Those distances
are on the probe run's own scale: equal to the published scale only when the probe, the sample cap and the
pooling match the authors'. The methods that read distances here use each target's row relative to its
largest entry (the k-NN prior's exp(-tau d / d_max)), so a common factor on the new row does not change them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

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


def probe_distances(
    probe: ModelSpec,
    new: DatasetSpec,
    zoo_datasets: Mapping[str, DatasetSpec],
    settings: ExtractSettings,
    progress: bool = False,
) -> dict[str, float]:
    """Euclidean distance between the new dataset's embedding and each zoo dataset's (name -> distance)."""
    if not zoo_datasets:
        raise UserInputError(
            "probe.datasets is empty: name the zoo datasets to embed with the probe (name -> path), or give "
            "dataset.distances"
        )
    mine = dataset_embedding(probe, new, settings, progress)
    return {
        name: float(np.linalg.norm(mine - dataset_embedding(probe, spec, settings, progress)))
        for name, spec in zoo_datasets.items()
    }
