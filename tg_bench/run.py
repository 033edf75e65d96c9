"""`tg-bench run` (= `python -m tg_bench.run`): evaluate the configured methods leave-one-dataset-out."""

from __future__ import annotations

import time
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from tg_bench.data.zoo import ZooData, ZooSpec, load_zoo
from tg_bench.errors import UserInputError
from tg_bench.evaluate.lodo import LodoResult, evaluate_methods
from tg_bench.evaluate.metrics import metric_names
from tg_bench.evaluate.protocol import Protocol
from tg_bench.evaluate.published import published_long
from tg_bench.evaluate.summary import metric_table, order_by_average, print_table, to_markdown
from tg_bench.methods import build_methods
from tg_bench.run_outputs import write_run_outputs

#: the published `random` row is the expected value of a random pick, not a seeded random ranking like ours
NOT_COMPARABLE_WITH_PAPER = frozenset({"random"})


def resolve_targets(cfg: DictConfig, zoo: ZooData) -> list[str]:
    target_cfg = cfg.get("target")
    if target_cfg:
        if target_cfg.get("zoo") != zoo.name:
            raise UserInputError(
                f"target={target_cfg.name} belongs to the {target_cfg.get('zoo')} zoo, but zoo={zoo.name}; "
                f"add zoo={target_cfg.get('zoo')}"
            )
        return [str(target_cfg.name)]
    requested = cfg.get("targets")
    targets = list(zoo.targets) if requested is None else [str(t) for t in requested]
    if not targets:
        raise UserInputError("targets: empty list; give at least one target, or leave it null for all")
    unknown = [t for t in targets if t not in zoo.targets]
    if unknown:
        raise UserInputError(
            f"targets: unknown target(s) {', '.join(unknown)} for zoo '{zoo.name}' "
            f"(choose from {', '.join(zoo.targets)})"
        )
    return targets


def evaluate_config(cfg: DictConfig) -> tuple[ZooData, LodoResult]:
    """Load the zoo, build the methods and evaluate them: the run without any file output."""
    zoo = load_zoo(ZooSpec.from_config(cfg.zoo), cfg.paths.get("data_root"))
    protocol = Protocol(str(cfg.protocol.name))
    targets = resolve_targets(cfg, zoo)
    methods = build_methods(cfg.get("baseline"), cfg.get("transfergraph"))
    result = evaluate_methods(
        zoo, methods, protocol, targets, seed=int(cfg.seed), ks=list(cfg.ks), progress=bool(cfg.progress)
    )
    return zoo, result


def summarise(cfg: DictConfig, zoo: ZooData, result: LodoResult, metrics_to_show: list[str]) -> str:
    """Print a per-target table per metric (ours beside the paper's) and return the same as Markdown."""
    published = None
    if cfg.get("compare_published") and cfg.protocol.name == "paper":
        published = published_long(zoo, metric_names(cfg.ks))
        published = published[~published["method"].isin(NOT_COMPARABLE_WITH_PAPER)]
    parts = [f"# {cfg.task_name}: zoo={zoo.name} protocol={cfg.protocol.name} seed={cfg.seed}", ""]
    if published is not None:
        parts.append("Cells: ours (paper's published value).\n")
    for metric in metrics_to_show:
        table = metric_table(result.metrics, metric, published)
        table = table.loc[[m for m in order_by_average(result.metrics, metric) if m in table.index]]
        title = f"{metric}: {zoo.name} zoo, {cfg.protocol.name} protocol (average = weighted, mean = plain)"
        print_table(table, title)
        parts.append(to_markdown(table, title))
    return "\n".join(parts)


def run_task(cfg: DictConfig) -> Path:
    from hydra.core.hydra_config import HydraConfig

    start = time.perf_counter()
    zoo, result = evaluate_config(cfg)
    summary = summarise(cfg, zoo, result, list(cfg.get("show_metrics", ["pearson"])))
    output_dir = Path(HydraConfig.get().runtime.output_dir)
    wall = {"total": time.perf_counter() - start, **result.timer.as_dict()}
    resolved = OmegaConf.to_container(cfg, resolve=True)
    extra = {}
    if cfg.protocol.name == "paper":
        published = published_long(zoo, metric_names(cfg.ks))
        comparison = result.metrics.merge(published, on=["method", "target", "metric"], how="inner")
        comparison = comparison[~comparison["method"].isin(NOT_COMPARABLE_WITH_PAPER)]
        extra["comparison.csv"] = comparison.assign(difference=comparison["value"] - comparison["published"])
    write_run_outputs(output_dir, result, resolved, zoo, wall, extra, summary)
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
    run.log({"metrics": wandb.Table(dataframe=result.metrics)})
    run.finish()


if __name__ == "__main__":
    from tg_bench.app import hydra_entry

    hydra_entry("run")
