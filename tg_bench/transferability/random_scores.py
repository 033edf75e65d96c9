"""Random scores: the floor every method should clear."""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from tg_bench.data.zoo import ZooData
from tg_bench.evaluate.protocol import Protocol
from tg_bench.method import Method


class RandomScore(Method):
    """Uniform random score per model, seeded by the run's seed and the target's name."""

    name = "random"

    def score_models(self, zoo: ZooData, target: str, protocol: Protocol, seed: int) -> pd.Series:
        models = sorted(zoo.models["model"].dropna())
        # crc32, not hash(): Python salts str hashes per process, which would break repeatability.
        rng = np.random.default_rng([seed, zlib.crc32(target.encode())])
        return pd.Series(rng.random(len(models)), index=models)
