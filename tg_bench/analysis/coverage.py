"""How often an interval for a weighted mean of paired differences covers the truth (docs/method.md 14).

The simulation behind the choice of `tg_bench.analysis.intervals.CHOSEN`: per-target differences with true
mean 0 are drawn for the benchmark's own target weights, each interval is computed at a nominal confidence,
and its coverage is the share of draws whose interval holds 0. Every interval is location- and
scale-equivariant, so the spread of the draws does not matter, only their shape (`DISTRIBUTIONS`) and the
weights.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from tg_bench.data.zoo import ZooData
from tg_bench.task.ground_truth import ground_truth, target_weight
from tg_bench.task.protocol import Protocol

#: shapes of per-target differences, each with mean 0: name -> (rng, n) -> (n,)
DISTRIBUTIONS: dict[str, Callable[[np.random.Generator, int], np.ndarray]] = {
    "normal": lambda rng, n: rng.standard_normal(n),
    "heavy-tailed (t, 3 df)": lambda rng, n: rng.standard_t(3, n),
    "skewed (exponential - 1)": lambda rng, n: rng.exponential(size=n) - 1.0,
}


def coverage(
    interval: Callable[..., tuple[float, float]],
    weights: np.ndarray,
    distribution: str,
    simulations: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
    resamples: int = 10_000,
) -> float:
    """Share of `simulations` draws (from `seed`) whose `interval(d, weights, confidence, resamples)` holds
    the true difference 0; d has one value per weight, drawn from `DISTRIBUTIONS[distribution]` (`resamples`:
    a bootstrap's draws per interval)."""
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"distribution {distribution!r}: choose from {', '.join(DISTRIBUTIONS)}")
    weights = np.asarray(weights, dtype=float)
    rng = np.random.default_rng(seed)
    draw = DISTRIBUTIONS[distribution]
    held = 0
    for _ in range(simulations):
        low, high = interval(draw(rng, len(weights)), weights, confidence, resamples)
        held += low <= 0.0 <= high
    return held / simulations


def benchmark_weights(zoo: ZooData, protocol: Protocol, targets: Sequence[str] | None = None) -> pd.Series:
    """The weight of each of `targets` (None: `zoo`'s evaluation targets) in the benchmark's weighted average
    (max - mean of its ground-truth accuracies, `tg_bench.task.ground_truth.target_weight`), by target."""
    chosen = zoo.targets if targets is None else targets
    return pd.Series({target: target_weight(ground_truth(zoo, target, protocol)) for target in chosen})


def coverage_table(
    weights: dict[str, np.ndarray],
    intervals: dict[str, Callable[..., tuple[float, float]]],
    simulations: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
    resamples: int = 10_000,
) -> pd.DataFrame:
    """Coverage of each interval (rows) for each weight set x distribution (columns `weights: distribution`),
    every cell from the same `seed` (the same draws for every interval); the bootstraps draw `resamples`."""
    table = pd.DataFrame(index=list(intervals), dtype=float)
    for set_name, set_weights in weights.items():
        for distribution in DISTRIBUTIONS:
            column = f"{set_name}: {distribution}"
            for name, interval in intervals.items():
                table.loc[name, column] = coverage(
                    interval, set_weights, distribution, simulations, confidence, seed, resamples
                )
    return table
