"""Random scores: the floor every method should clear."""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from tg_bench.task.method import HeldOutTarget, Method


class RandomScore(Method):
    """Uniform random score per model, seeded by the run's seed and the target's name."""

    stochastic = True

    def __init__(self, name: str) -> None:
        self.name = name

    def score_models(self, task: HeldOutTarget) -> pd.Series:
        models = sorted(task.zoo.models["model"].dropna())
        # crc32, not hash(): Python salts str hashes per process, which would break repeatability.
        rng = np.random.default_rng([task.seed, zlib.crc32(task.target.encode())])
        return pd.Series(rng.random(len(models)), index=models)
