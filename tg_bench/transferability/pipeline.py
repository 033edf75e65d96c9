"""Scoring models on a dataset: for each model, extract its outputs (`tg_bench.extract`, cached on disk), run
every selected estimator, and return one `ScoreRecord` per (model, estimator) in the published layout."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import softmax

from tg_bench.errors import ModelLoadError, UserInputError
from tg_bench.extract import DatasetSpec, Extraction, ModelSpec, extract
from tg_bench.extract.hub import bounded_hub_retries
from tg_bench.store.key import UnitKey
from tg_bench.store.units import ResultStore
from tg_bench.transferability.estimators import Estimator, score
from tg_bench.transferability.score_records import ScoreRecord, task_type
from tg_bench.transferability.score_store import load_score, save_score, score_keys

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExtractSettings:
    """How outputs are extracted: device (cpu | cuda | auto), batch size, text length, cache. (Pooling is a
    property of each `ModelSpec`.)"""

    device: str = "auto"
    batch_size: int = 32
    max_length: int = 128
    cache_dir: Path | None = None
    #: retries of a failed hub request (`tg_bench.extract.hub`); 0 fails at once
    hub_retries: int = 5

    @classmethod
    def from_config(cls, extract: Mapping) -> ExtractSettings:
        """From a command's `extract` config node (`device`, `batch_size`, `max_length`, `cache_dir`)."""
        return cls(
            device=str(extract["device"]),
            batch_size=int(extract["batch_size"]),
            max_length=int(extract["max_length"]),
            cache_dir=Path(extract["cache_dir"]) if extract.get("cache_dir") else None,
            hub_retries=extract.get("hub_retries", cls.hub_retries),
        )

    def score_keys(
        self, zoo: str, model: ModelSpec, dataset: DatasetSpec, estimators: Mapping[str, Estimator], seed: int
    ) -> dict[str, UnitKey]:
        """The score store's keys of `estimators`' scores of `model` on `dataset` extracted with these settings."""
        return score_keys(
            zoo,
            model,
            dataset,
            estimators,
            seed=seed,
            batch_size=self.batch_size,
            max_length=self.max_length,
            device=self.device,
        )

    def extract(self, model: ModelSpec, dataset: DatasetSpec, progress: bool = True) -> Extraction:
        """`tg_bench.extract.extract` of `model` on `dataset` with these settings."""
        with bounded_hub_retries(self.hub_retries):
            return extract(
                model,
                dataset,
                device=self.device,
                batch_size=self.batch_size,
                max_length=self.max_length,
                cache_dir=self.cache_dir,
                progress=progress,
            )


@dataclass(frozen=True)
class ScoredModels:
    """What `score_models` produced: one record per (model, estimator) computed, and the models that could not
    be loaded (name -> why), which were skipped."""

    records: list[ScoreRecord]
    unloadable: dict[str, str]
    #: how many (model, estimator) scores were read back from the store, not computed
    reused: int = 0


def score_extraction(
    extraction: Extraction, estimators: Mapping[str, Estimator], seed: int
) -> tuple[dict[str, float], dict[str, float], list[str]]:
    """Run `estimators` on one model's outputs: (scores, seconds per estimator, estimators skipped because the
    model lacks what they need, e.g. LEEP without a classification head)."""
    probs = None if extraction.source_logits is None else softmax(extraction.source_logits.astype(np.float64), axis=1)
    scores, seconds, skipped = {}, {}, []
    for name, estimator in estimators.items():
        if estimator.needs_head and probs is None:
            skipped.append(name)
            continue
        start = time.perf_counter()
        scores[name] = score(
            estimator, features=extraction.features, source_probs=probs, labels=extraction.labels, seed=seed
        )
        seconds[name] = time.perf_counter() - start
    return scores, seconds, skipped


def score_models(
    models: Sequence[ModelSpec],
    dataset: DatasetSpec,
    estimators: Mapping[str, Estimator],
    *,
    zoo_folder: str,
    settings: ExtractSettings,
    seed: int = 0,
    progress: bool = True,
    store: ResultStore | None = None,
    zoo: str = "",
    rerun: bool = False,
) -> ScoredModels:
    """Score every model on `dataset` with every estimator; one `ScoreRecord` per (model, estimator) computed.

    A model that cannot be loaded (`ModelLoadError`) is logged, skipped and listed in `unloadable`; the other
    models are scored. With a `store` (`score_store`), each score is kept as it is computed and a score kept
    earlier under the same key is read back instead (`rerun` recomputes); a model whose every score is kept is
    not even loaded. UserInputError when nothing was scored.
    """
    from tqdm.auto import tqdm

    records: list[ScoreRecord] = []
    skipped: dict[str, list[str]] = {}
    unloadable: dict[str, str] = {}
    reused = 0
    for model in tqdm(models, desc=f"score {dataset.name}", unit="model", disable=not progress):
        keys = settings.score_keys(zoo, model, dataset, estimators, seed) if store is not None else {}
        kept = {} if rerun else {name: load_score(store, key) for name, key in keys.items()}
        kept = {name: record for name, record in kept.items() if record is not None}
        records += kept.values()
        reused += len(kept)
        todo = {name: estimator for name, estimator in estimators.items() if name not in kept}
        if not todo:
            continue
        try:
            extraction = settings.extract(model, dataset, progress)
        except ModelLoadError as error:
            # one model's problem (gone from the hub, no network, broken weights): score the others
            unloadable[model.name] = str(error)
            log.warning("skipped %s: %s", model.name, error)
            continue
        scores, seconds, missing = score_extraction(extraction, todo, seed)
        for name in missing:
            skipped.setdefault(name, []).append(model.name)
        for name, value in scores.items():
            record = ScoreRecord(
                model=model.name,
                target_dataset=dataset.name,
                metric=estimators[name].metric,
                score=float(value),
                dataset_path=str(dataset.path_or_id),
                dataset_name=str(dataset.config or dataset.name),
                task_type=task_type(zoo_folder),
                batch_size=settings.batch_size,
                extract_seconds=float(extraction.seconds),
                score_seconds=seconds[name],
                n_samples=int(extraction.n_samples),
            )
            records.append(record)
            if store is not None:
                save_score(store, keys[name], record)
    for name, names in skipped.items():
        log.warning("%s skipped for %d model(s) without a classification head: %s", name, len(names), ", ".join(names))
    if unloadable:
        log.warning("%d of %d model(s) could not be loaded: %s", len(unloadable), len(models), ", ".join(unloadable))
    if not records and len(unloadable) == len(models):
        first = next(iter(unloadable.values()))
        raise UserInputError(f"no scores computed: none of the {len(models)} model(s) could be loaded ({first})")
    if not records:
        raise UserInputError(
            f"no scores computed: {', '.join(estimators)} need a classification head, and none of the models has one"
        )
    return ScoredModels(records, unloadable, reused)


def score_table(records: Sequence[ScoreRecord]) -> pd.DataFrame:
    """(models, estimators) table of scores, best first by the first estimator; cells formatted for printing."""
    frame = pd.DataFrame([(r.model, r.metric, r.score) for r in records], columns=["model", "metric", "score"])
    metrics = list(dict.fromkeys(frame["metric"]))
    table = frame.pivot_table(index="model", columns="metric", values="score", aggfunc="mean")[metrics]
    table = table.sort_values(metrics[0], ascending=False)
    return table.map(score_cell)


def score_cell(value: float) -> str:
    """A score as the console shows it: four decimals in every column alike (`.4g` printed an H-score of 2.0
    as "2" beside "0.513"), scientific notation outside 1e-3..1e5."""
    if pd.isna(value):
        return ""
    if value == 0 or 1e-3 <= abs(value) < 1e5:
        return f"{value:.4f}"
    return f"{value:.4e}"
