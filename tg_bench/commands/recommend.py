"""`tg-bench recommend`: the top-k models of a zoo for a new dataset, printed, and every model's rank as CSV."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from tg_bench.atomic_write import write_atomic
from tg_bench.build import build_methods, build_protocol, config_seed, estimators_of
from tg_bench.catalog import entry, options, target_hub_entries
from tg_bench.data.zoo import ZooData, ZooSpec, load_zoo
from tg_bench.errors import UserInputError
from tg_bench.evaluate.summary import print_table
from tg_bench.extract import DatasetSpec, ModelSpec
from tg_bench.predict.transfergraph import TransferGraph
from tg_bench.recommend.choice import Candidate, choose, metrics_read
from tg_bench.recommend.new_dataset import NewDataset, read_distances, read_scores, with_new_dataset
from tg_bench.recommend.probe import ProbeDistances, calibrate, probe_distances
from tg_bench.recommend.ranking import recommend
from tg_bench.store.unit_ids import method_configs
from tg_bench.transferability.pipeline import ExtractSettings, score_models

RANKING_FILE = "recommendations.csv"
#: the distances the probe measured, reusable as `dataset.distances` next time
DISTANCES_FILE = "distances.csv"


def _dataset_spec(name: str, entry: Mapping, defaults: Mapping, max_samples: int | None, seed: int) -> DatasetSpec:
    """A dataset for the probe: `entry`'s fields over `defaults`' (the new dataset's columns)."""
    merged = {**{k: defaults.get(k) for k in ("config", "split", "input_columns", "label_column")}, **entry}
    hint = " (a save_to_disk folder or hub id as path; its columns as dataset.input_columns)"
    return DatasetSpec.from_fields(name, merged, max_samples=max_samples, seed=seed, hint=hint)


def probe_model(cfg: DictConfig) -> str:
    """`probe.model`, else the zoo's probe in `probe.models` (the authors')."""
    if cfg.probe.get("model"):
        return str(cfg.probe.model)
    by_zoo = cfg.probe.get("models") or {}
    if str(cfg.zoo.name) not in by_zoo:
        raise UserInputError(f"no probe model for zoo '{cfg.zoo.name}': give probe.model=<model>")
    return str(by_zoo[str(cfg.zoo.name)])


def measured_distances(cfg: DictConfig) -> ProbeDistances:
    """The new dataset's distances to `probe.datasets` (and theirs to one another), measured with the probe
    model (`probe_model`, `probe_distances`)."""
    defaults = OmegaConf.to_container(cfg.dataset, resolve=True)
    cap = None if cfg.probe.get("max_samples") is None else int(cfg.probe.max_samples)
    new = _dataset_spec(str(cfg.dataset.name), defaults, defaults, cap, 0)
    given = cfg.probe.get("datasets")
    entries = target_hub_entries(str(cfg.zoo.name)) if given is None else OmegaConf.to_container(given, resolve=True)
    if not isinstance(entries, dict):
        raise UserInputError("probe.datasets must map zoo dataset names to {path: ...}")
    zoo_datasets = {
        str(key): _dataset_spec(str(key), value if isinstance(value, dict) else {"path": value}, defaults, cap, 0)
        for key, value in entries.items()
    }
    model = probe_model(cfg)
    probe = ModelSpec(name=model, path_or_id=model, pooling=str(cfg.extract.pooling))
    settings = ExtractSettings.from_config(cfg.extract)
    return probe_distances(probe, new, zoo_datasets, settings, progress=bool(cfg.progress))


def verified_scores(
    cfg: DictConfig, models: list[str], zoo_folder: str
) -> tuple[str, dict[str, float], dict[str, str]]:
    """Scores of `models` on the new dataset with the `verify` estimator: (column name, model -> score, models
    that could not be loaded -> why)."""
    key = str(cfg.verify)
    if key not in options("baseline"):
        raise UserInputError(f"verify={key}: no such baseline (choose from {', '.join(options('baseline'))})")
    estimator = estimators_of({key: entry("baseline", key)})[key]
    defaults = OmegaConf.to_container(cfg.dataset, resolve=True)
    cap = None if defaults.get("max_samples") is None else int(defaults["max_samples"])
    dataset = _dataset_spec(str(cfg.dataset.name), defaults, defaults, cap, 0)
    root = Path(cfg.model_root) if cfg.get("model_root") else None
    specs = [ModelSpec.local_or_named(m, root, pooling=str(cfg.extract.pooling)) for m in models]
    settings = ExtractSettings.from_config(cfg.extract)
    scored = score_models(
        specs, dataset, {key: estimator}, zoo_folder=zoo_folder, settings=settings, progress=bool(cfg.progress)
    )
    values = {record.model: record.score for record in scored.records}
    return f"verify {key}", values, scored.unloadable


def method_candidates(cfg: DictConfig) -> list[Candidate]:
    """Every method the config selects (`baseline`, and TransferGraph's `embedder` x `predictor`), built, with
    the transferability metrics each reads on the ranked dataset."""
    candidates = []
    for family, (label, node) in zip(build_methods(cfg), method_configs(cfg), strict=True):
        needs = metrics_read(node)
        key = label.rsplit("-", 1)[-1] if isinstance(family, TransferGraph) else label
        candidates += [Candidate(name, key, family, needs) for name in family.names]
    return candidates


def _number(node: Mapping, key: str) -> float | None:
    value = node.get(key)
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise UserInputError(f"dataset.{key}: {value!r} is not a number") from None


def placed_dataset(
    cfg: DictConfig, zoo: ZooData, scores: tuple[tuple[str, str, float], ...]
) -> tuple[NewDataset, str, ProbeDistances | None]:
    """The new dataset placed among the zoo's: its distances from `dataset.distances`, or measured by the probe
    and (`probe.calibrate`) scaled onto the zoo's matrix. Returns the dataset, where its distances came from
    (for error messages) and what the probe measured (None without a probe)."""
    probed = None
    if cfg.dataset.get("distances"):
        where, distances = str(cfg.dataset.distances), read_distances(cfg.dataset.distances)
        # checked against the zoo now, before a method is chosen or anything runs
        with_new_dataset(zoo, NewDataset(str(cfg.dataset.name), distances, scores, None, None), where)
    else:
        where, probed = "probe.datasets", measured_distances(cfg)
        distances = dict(probed.measured)
        calibration = calibrate(probed.pairwise, zoo.distances) if cfg.probe.get("calibrate") else None
        if calibration is not None:
            distances = {key: value * calibration.factor for key, value in distances.items()}
            print(
                f"probe distances x {calibration.factor:.6g}: the factor that maps the probe's distances between "
                f"{calibration.pairs} pair(s) of zoo datasets onto the zoo's matrix "
                f"(Pearson {calibration.correlation:.3f})"
            )
        elif cfg.probe.get("calibrate"):
            print(
                "probe distances not calibrated (no pair of probed zoo datasets in the zoo's matrix): on the probe's "
                "own scale, which the priors do not mind but TransferGraph does"
            )
    size, n_classes = _number(cfg.dataset, "size"), _number(cfg.dataset, "n_classes")
    return NewDataset(str(cfg.dataset.name), distances, scores, size, n_classes), where, probed


def recommend_task(cfg: DictConfig) -> None:
    """Hydra task of `tg-bench recommend`."""
    from hydra.core.hydra_config import HydraConfig

    if not cfg.dataset.get("name"):
        raise UserInputError("dataset.name is not set: give dataset.name=<name> dataset.distances=<csv>")
    top_k = cfg.get("top_k")
    if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1:
        raise UserInputError(f"top_k must be a positive integer, not {top_k!r}")
    seeds = [config_seed({"seeds": seed}, "seeds") for seed in cfg.seeds]
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    name = str(cfg.dataset.name)
    zoo = load_zoo(ZooSpec.from_config(cfg.zoo), cfg.paths.get("data_root"), cfg.paths.get("overlay_dir"))
    if not cfg.dataset.get("distances") and not cfg.dataset.get("path"):
        raise UserInputError(
            "give dataset.distances=<csv>, or the data (dataset.path=<folder or hub id>) for the probe to measure them"
        )
    scores = read_scores(name, cfg.dataset.scores) if cfg.dataset.get("scores") else ()
    given = placed_dataset(cfg, zoo, scores) if cfg.dataset.get("distances") else None
    # chosen before the probe runs, so that a method that cannot run fails before any extraction
    chosen, why = choose(
        method_candidates(cfg),
        str(cfg.method),
        {metric for metric, _, _ in scores},
        cfg.results,
        zoo.name,
        str(cfg.protocol.name),
    )
    print(why)
    new, where, probed = given or placed_dataset(cfg, zoo, scores)
    protocol = build_protocol(cfg.protocol)
    if not chosen.family.stochastic and len(seeds) > 1:
        # every seed would give the same ranking: one is enough, and a std of 0 says nothing
        print(f"{chosen.name} is deterministic: one seed ({seeds[0]}) instead of {len(seeds)}")
        seeds = seeds[:1]
    ranking = recommend(zoo, new, chosen.family, protocol, seeds, int(cfg.nearest), where=where, name=chosen.name)
    if probed is not None:
        frame = pd.DataFrame(
            {
                "dataset": list(new.distances),
                "distance": list(new.distances.values()),
                "probe_distance": [probed.measured[key] for key in new.distances],
            }
        )
        write_atomic(run_dir / DISTANCES_FILE, lambda handle: frame.to_csv(handle, index=False, float_format="%.8g"))
    unloadable: dict[str, str] = {}
    if cfg.get("verify"):
        column, values, unloadable = verified_scores(cfg, list(ranking["model"].head(top_k)), zoo.spec.folder)
        ranking[column] = ranking["model"].map(values)
    output = run_dir / RANKING_FILE
    write_atomic(output, lambda handle: ranking.to_csv(handle, index=False, float_format="%.6g"))
    shown = ranking.head(top_k).set_index("rank")
    spread = f"mean ± std over seeds {seeds}" if len(seeds) > 1 else f"seed {seeds[0]}"
    if len(seeds) == 1:
        shown = shown.drop(columns="score_std")
    else:
        shown["score_std"] = shown["score_std"].map(lambda v: f"{v:.4f}")
    shown["score"] = shown["score"].map(lambda v: f"{v:.4f}")
    # the description on its own line: a table title wraps to the table's width
    print(
        f"{new.name}: top {top_k} of {len(ranking)} models of zoo '{zoo.name}' by {chosen.name} "
        f"({spread}; records: normalised accuracy on the nearest datasets)"
    )
    print_table(shown, "", index_name="rank")
    if len(seeds) > 1:
        print(seed_spread_note(ranking.head(top_k)))
    for model, why in unloadable.items():
        print(f"verify: {model} could not be loaded: {why}")
    print(f"every model's rank -> {output}")


def seed_spread_note(top: pd.DataFrame) -> str:
    """How the seeds' spread of the top rows' scores compares with the gaps between consecutive ranks: a
    ranking whose gaps are smaller than its seed std does not order those models reliably."""
    std = float(top["score_std"].mean())
    gaps = (-top["score"].diff()).dropna()
    gap = float(gaps.median()) if len(gaps) else float("nan")
    if len(gaps) and std > gap:
        return (
            f"note: the seeds' std of a score (mean {std:.4f}) exceeds the median gap between consecutive ranks "
            f"({gap:.4f}): ranks this close are not told apart; more seeds narrow the mean, not the spread"
        )
    return f"seeds' std of a score: mean {std:.4f}; median gap between consecutive ranks: {gap:.4f}"


def main() -> None:
    """`tg-bench recommend`."""
    from tg_bench.commands.hydra_app import launch

    launch("recommend", recommend_task, config_name="recommend")
