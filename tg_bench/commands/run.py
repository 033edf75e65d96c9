"""`tg-bench run` (= `python -m tg_bench run`): evaluate the configured methods leave-one-dataset-out."""

from __future__ import annotations

import time
from collections.abc import Collection
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from tg_bench.build import (
    build_methods,
    build_protocol,
    check_inputs_cover,
    config_int,
    config_seed,
    numerics_mode,
    resolve_targets,
)
from tg_bench.data.zoo import ZooData, ZooSpec, load_zoo
from tg_bench.errors import UserInputError
from tg_bench.evaluate.lodo import LodoResult, Resume, evaluate_methods
from tg_bench.evaluate.metrics import metric_names
from tg_bench.evaluate.published import compares_with_published, published_long
from tg_bench.evaluate.summary import (
    CONSOLE_WIDTH,
    console_table,
    metric_table,
    order_by_average,
    print_table,
    to_markdown,
)
from tg_bench.identity import run_identities, without_floors
from tg_bench.run_outputs import write_run_outputs
from tg_bench.store import ResultStore
from tg_bench.store.unit_ids import unit_ids


def evaluate_config(
    cfg: DictConfig, use_store: bool = False, methods: Collection[str] | None = None
) -> tuple[ZooData, LodoResult]:
    """Build the protocol and the methods (every setting checked), load the zoo and evaluate: the run without
    any file output but, with `use_store`, the results store's (`paths.store_dir`; `rerun=true` recomputes).
    The settings read here (protocol, seed, ks, model_ratio, numerics) come back as `result.settings`: the one
    place the rest of a run reads them from.

    methods: evaluate only the method families with one of these names (a family's other variants come
    along: they share its fits); None: all of the config's.
    """
    protocol = build_protocol(cfg.protocol)
    seed = config_seed(cfg)
    families = build_methods(cfg)
    kept = [index for index, family in enumerate(families) if methods is None or set(family.names) & set(methods)]
    if not kept:
        known = ", ".join(name for family in families for name in family.names)
        raise UserInputError(f"methods: none of {', '.join(methods or [])} is a method of this run ({known})")
    zoo = load_zoo(ZooSpec.from_config(cfg.zoo), cfg.paths.get("data_root"), cfg.paths.get("overlay_dir"))
    targets = resolve_targets(cfg, zoo)
    check_inputs_cover([families[i] for i in kept], zoo, targets)
    store_dir = cfg.paths.get("store_dir")
    resume = None
    if use_store and store_dir:
        units = unit_ids(cfg, zoo.files)
        resume = Resume(ResultStore(store_dir), tuple(units[i] for i in kept), rerun=bool(cfg.get("rerun", False)))
    result = evaluate_methods(
        zoo,
        [families[i] for i in kept],
        protocol,
        targets,
        seed=seed,
        ks=list(cfg.ks),
        progress=bool(cfg.progress),
        n_jobs=config_int(cfg, "n_jobs"),
        resume=resume,
        model_ratio=cfg.get("model_ratio", 1.0),
        numerics=numerics_mode(cfg),
    )
    if resume is not None and result.units_loaded:
        print(
            f"store {store_dir}: {result.units_loaded} of {result.units_loaded + result.units_computed} "
            "(target, method) units were finished earlier and are read back, not recomputed (rerun=true recomputes)"
        )
    return zoo, result


def summarise(cfg: DictConfig, zoo: ZooData, result: LodoResult, metrics_to_show: list[str], echo: bool = True) -> str:
    """Print (with `echo`) a per-target table per metric (ours beside the paper's) and return the same as
    Markdown. The run's settings are `result.settings`; `cfg` gives only the task name and `compare_published`."""
    settings = result.settings
    protocol = settings.protocol
    published = None
    if cfg.get("compare_published") and compares_with_published(zoo, protocol):
        published = published_long(zoo, metric_names(settings.ks), settings.model_ratio)
        published = without_floors(published)
    ratio = f" model_ratio={settings.model_ratio:g}" if settings.model_ratio != 1.0 else ""
    parts = [f"# {cfg.task_name}: zoo={zoo.name} protocol={protocol.name}{ratio} seed={settings.seed}", ""]
    if published is not None:
        parts.append("Cells: ours (paper's published value).\n")
    labels = {identity.method: identity.label for identity in run_identities(cfg)}
    for metric in metrics_to_show:
        table = metric_table(result.metrics, metric, published)
        table = table.loc[[m for m in order_by_average(result.metrics, metric) if m in table.index]]
        title = f"{metric}: {zoo.name} zoo, {protocol.name} protocol{ratio} (average = weighted, mean = plain)"
        if echo:
            shown, comparison, key = console_table(result.metrics, metric, labels, published)
            print_table(shown, f"{metric}: {zoo.name} zoo, {protocol.name} protocol{ratio}, seed {settings.seed}",
                        width=CONSOLE_WIDTH)  # fmt: skip
            print(key)
            if comparison is not None and len(comparison):
                what = (
                    "weighted average: ours beside the paper's"
                    if "ours (paper's)" in comparison
                    else ("per target: ours - published")
                )
                print_table(comparison, f"{metric}, {what}", width=CONSOLE_WIDTH)
        parts.append(to_markdown(table, title))
    return "\n".join(parts)


def published_comparison(zoo: ZooData, result: LodoResult) -> pd.DataFrame:
    """`result`'s metrics beside the paper's published values of the same (method, target, metric), floors
    left out: the rows of comparison.csv, with `difference` = ours - published."""
    settings = result.settings
    published = published_long(zoo, metric_names(settings.ks), settings.model_ratio)
    comparison = without_floors(result.metrics.merge(published, on=["method", "target", "metric"], how="inner"))
    return comparison.assign(difference=comparison["value"] - comparison["published"])


def run_task(cfg: DictConfig) -> Path:
    """Hydra task of `tg-bench run`: compose (Hydra), build, evaluate, write."""
    from hydra.core.hydra_config import HydraConfig

    start = time.perf_counter()
    zoo, result = evaluate_config(cfg, use_store=True)
    settings = result.settings
    summary = summarise(cfg, zoo, result, list(cfg.get("show_metrics", ["pearson"])))
    output_dir = Path(HydraConfig.get().runtime.output_dir)
    wall = {"total": time.perf_counter() - start, **result.timer.as_dict()}
    store = {
        "dir": cfg.paths.get("store_dir"),
        "units_loaded": result.units_loaded,
        "units_computed": result.units_computed,
    }
    resolved = OmegaConf.to_container(cfg, resolve=True)
    extra = {}
    if compares_with_published(zoo, settings.protocol):
        extra["comparison.csv"] = published_comparison(zoo, result)
    write_run_outputs(output_dir, result, resolved, zoo, wall, extra, summary, store)
    _log_to_logger(cfg, result, resolved, output_dir)
    print(f"outputs: {output_dir}")
    return output_dir


def _log_to_logger(cfg: DictConfig, result: LodoResult, resolved: dict, output_dir: Path) -> None:
    logger = cfg.get("logger") or {}
    if logger.get("name") != "wandb":
        return
    import wandb

    run = wandb.init(
        project=logger.get("project"),
        entity=logger.get("entity"),
        mode=logger.get("mode", "offline"),
        tags=list(logger.get("tags") or []),
        dir=str(output_dir),
        config=resolved,
        reinit=True,
    )
    averages = result.metrics[result.metrics["target"].isin(["average", "mean"])]
    run.log({f"{r.method}/{r.metric}/{r.target}": r.value for r in averages.itertuples()})
    # every unit's per-target metrics (and the averages) as one table
    run.log({"metrics": wandb.Table(dataframe=result.metrics)})
    run.summary.update({"units_loaded": result.units_loaded, "units_computed": result.units_computed})
    run.finish()


def main() -> None:
    """`tg-bench run` / `python -m tg_bench run`."""
    from tg_bench.commands.hydra_app import launch

    launch("run", run_task)


if __name__ == "__main__":
    main()
