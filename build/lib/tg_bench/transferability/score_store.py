"""Finished transferability scores kept in a results store (`tg_bench.store.ResultStore`), one unit per (model,
dataset, estimator), so that scoring a whole zoo resumes where a killed or failed run stopped.

The scores live in a store folder of their own (`paths.score_store_dir`), apart from the evaluation units, so
that `tg-bench aggregate` never mixes the two. A unit's digest covers what decides the score: the extraction's
cache key (model, its local files' fingerprint, dataset, split, sample cap, library, text length), the
estimator's function, options and code, the seed, batch size and device.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import asdict, fields
from typing import Any

import pandas as pd

from tg_bench.extract import DatasetSpec, ModelSpec
from tg_bench.extract.cache import cache_key
from tg_bench.store.key import UnitKey, config_digest
from tg_bench.store.provenance import code_digest
from tg_bench.store.units import ResultStore, StoredUnit
from tg_bench.transferability.estimators import Estimator
from tg_bench.transferability.score_records import ScoreRecord

#: the `protocol` component of a score unit's path: <zoo>/scores/ratio1/seed<s>/<dataset>/<estimator>-<model>-...
SCORES = "scores"


@functools.cache
def _estimator_identity(estimator: Estimator) -> dict[str, Any]:
    """What of `estimator` decides its scores (cached: the code digest walks the estimator's modules)."""
    func, keywords = estimator.fn, {}
    # a config's `_partial_: true` gives partials (Hydra's own subclass among them), possibly nested
    while isinstance(func, functools.partial):
        keywords = {**func.keywords, **keywords}
        func = func.func
    target = f"{func.__module__}.{func.__qualname__}"
    code = code_digest([target])
    return {"metric": estimator.metric, "needs": estimator.needs, "fn": target, "options": keywords, "code": code}


def score_keys(
    zoo: str,
    model: ModelSpec,
    dataset: DatasetSpec,
    estimators: Mapping[str, Estimator],
    *,
    seed: int,
    batch_size: int,
    max_length: int,
    device: str,
) -> dict[str, UnitKey]:
    """The store key of each estimator's score of `model` on `dataset`, by estimator key (the extraction's
    cache key, which fingerprints local files, is computed once for all of them)."""
    shared = {
        "extraction": cache_key(model, dataset, library=model.library, max_length=max_length),
        "seed": seed,
        "batch_size": batch_size,
        "device": device,
    }
    return {
        key: UnitKey(
            zoo=zoo,
            protocol=SCORES,
            model_ratio=1.0,
            seed=seed,
            target=dataset.name,
            label=f"{key}-{model.name}",
            digest=config_digest({**shared, "estimator": _estimator_identity(estimator)}),
        )
        for key, estimator in estimators.items()
    }


def save_score(store: ResultStore, key: UnitKey, record: ScoreRecord) -> None:
    """Keep `record` under `key` (the whole record as the unit's one-row table)."""
    row = pd.DataFrame([asdict(record)])
    seconds = {"extract": record.extract_seconds, "score": record.score_seconds}
    metric_rows = ((record.metric, record.target_dataset, "score", record.score, key.seed),)
    store.save(key, StoredUnit((record.metric,), metric_rows, row, math.nan, seconds))


def load_score(store: ResultStore, key: UnitKey) -> ScoreRecord | None:
    """The record kept under `key`, or None."""
    unit = store.load(key)
    if unit is None or len(unit.predictions) != 1:
        return None
    row = unit.predictions.iloc[0]
    values = {}
    for field in fields(ScoreRecord):
        value = row[field.name]
        values[field.name] = value.item() if hasattr(value, "item") else value
    return ScoreRecord(**values)
