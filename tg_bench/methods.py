"""Builds the run's methods from the config: baselines and TransferGraph variants."""

from __future__ import annotations

from collections.abc import Mapping

from tg_bench.errors import UserInputError
from tg_bench.method import Method
from tg_bench.transferability.published_scores import PublishedScore
from tg_bench.transferability.random_scores import RandomScore
from tg_bench.transferability.zoo_prior import ZooPrior

BASELINE_KINDS = ("published_score", "zoo_prior", "random")


def build_baseline(key: str, cfg: Mapping) -> Method:
    kind = cfg.get("kind")
    if kind == "published_score":
        return PublishedScore(metric=str(cfg.get("metric")), name=str(cfg.get("name", cfg.get("metric"))))
    if kind == "zoo_prior":
        return ZooPrior()
    if kind == "random":
        return RandomScore()
    raise UserInputError(f"baseline.{key}.kind: unknown kind {kind!r} (choose one of {', '.join(BASELINE_KINDS)})")


def build_methods(baselines: Mapping | None, transfergraph: Mapping | None) -> list[Method]:
    """Methods in output order: TransferGraph variants first, then baselines."""
    methods: list[Method] = []
    if transfergraph:
        from tg_bench.predict.transfergraph import build_variants

        methods.extend(build_variants(transfergraph))
    for key, cfg in (baselines or {}).items():
        methods.append(build_baseline(key, cfg))
    names = [m.name for m in methods]
    duplicated = {n for n in names if names.count(n) > 1}
    if duplicated:
        raise UserInputError(f"two methods share the name(s) {', '.join(sorted(duplicated))}")
    if not methods:
        raise UserInputError("no methods to run: select a baseline (baseline=[logme,...]) or an experiment")
    return methods
