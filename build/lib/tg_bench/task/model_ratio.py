"""The model-ratio study (docs/method.md section 11): a held-out target evaluated on a smaller zoo.

For ratio r < 1 only some of the zoo's models are kept, everywhere (their records on every dataset, their config
rows, their transferability scores); the usual pipeline then runs on that smaller zoo. Which models are kept is
the protocol's `model_subset`:

- `ranked` (the authors' `select_models_with_uniform_distribution`): the target's full fine-tuning records
  sorted by accuracy, the rows at `np.linspace(0, n - 1, int(n * r)).astype(int)`, and their models. The
  subset is chosen with the target's true accuracies, an evenly spread ranking that flatters every correlation.
- `random`: a seeded uniform random subset of `int(n * r)` of the target's candidate models, drawn afresh per
  (seed, target, ratio) and shared by every method of the run, so methods are compared on the same models.
"""

from __future__ import annotations

import zlib
from dataclasses import replace

import numpy as np

from tg_bench.data.zoo import ZooData
from tg_bench.errors import UserInputError
from tg_bench.task.ground_truth import ground_truth
from tg_bench.task.protocol import Protocol


def check_ratio(ratio: float) -> float:
    """`ratio` as a float in (0, 1], else a user error naming `model_ratio`."""
    try:
        value = float(ratio)
    except (TypeError, ValueError):
        raise UserInputError(f"model_ratio: {ratio!r} is not a number in (0, 1]") from None
    if not 0 < value <= 1:
        raise UserInputError(f"model_ratio: {value} is not in (0, 1] (the share of the zoo's models kept)")
    return value


def kept_models(zoo: ZooData, target: str, protocol: Protocol, ratio: float, seed: int) -> frozenset[str]:
    """The models kept for `target` at `ratio` (all of the zoo's at 1)."""
    ratio = check_ratio(ratio)
    if ratio == 1.0:
        return frozenset(zoo.models["model"])
    if protocol.model_subset == "ranked":
        records = zoo.records[(zoo.records["dataset"] == target) & (zoo.records["kind"] == "full")]
        # pandas' default quicksort, as the authors' sort_values, so ties fall where theirs did
        ordered = records.sort_values("accuracy", kind="quicksort")
        count = int(len(ordered) * ratio)
        rows = np.linspace(0, len(ordered) - 1, count).astype(int)
        chosen = set(ordered["model"].iloc[rows])
    else:
        candidates = sorted(ground_truth(zoo, target, protocol)["model"])
        count = int(len(candidates) * ratio)
        rng = np.random.default_rng([seed, zlib.crc32(target.encode()), round(ratio * 10_000)])
        chosen = set(rng.choice(candidates, size=count, replace=False)) if count else set()
    if len(chosen) < 2:
        raise UserInputError(
            f"model_ratio={ratio:g} keeps {len(chosen)} model(s) of target {target!r}; a ranking needs at least 2"
        )
    return frozenset(chosen)


def restrict_models(zoo: ZooData, models: frozenset[str]) -> ZooData:
    """`zoo` with only `models`: their records (every dataset), config rows and transferability scores."""
    return replace(
        zoo,
        records=zoo.records[zoo.records["model"].isin(models)],
        models=zoo.models[zoo.models["model"].isin(models)],
        scores=zoo.scores[zoo.scores["model"].isin(models)],
    )


def zoo_at_ratio(zoo: ZooData, target: str, protocol: Protocol, ratio: float, seed: int) -> ZooData:
    """The zoo `target` is evaluated on at `ratio` (`zoo` itself at 1)."""
    if check_ratio(ratio) == 1.0:
        return zoo
    return restrict_models(zoo, kept_models(zoo, target, protocol, ratio, seed))
