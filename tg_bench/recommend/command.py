"""`tg-bench recommend`: the top-k models of a zoo for a new dataset, printed, and every model's rank as CSV."""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

from tg_bench.atomic_write import write_atomic
from tg_bench.build import build_baselines, build_protocol
from tg_bench.data.zoo import ZooSpec, load_zoo
from tg_bench.errors import UserInputError
from tg_bench.evaluate.summary import print_table
from tg_bench.recommend.new_dataset import read_new_dataset
from tg_bench.recommend.ranking import recommend

RANKING_FILE = "recommendations.csv"


def recommend_task(cfg: DictConfig) -> None:
    """Hydra task of `tg-bench recommend`."""
    from hydra.core.hydra_config import HydraConfig

    for key in ("name", "distances"):
        if not cfg.dataset.get(key):
            raise UserInputError(f"dataset.{key} is not set: give dataset.name=<name> dataset.distances=<csv>")
    top_k = cfg.get("top_k")
    if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1:
        raise UserInputError(f"top_k must be a positive integer, not {top_k!r}")
    methods = build_baselines(cfg.get("baseline"))
    if len(methods) != 1:
        raise UserInputError(
            f"baseline: choose exactly one method to rank with (e.g. baseline=[knn_prior]), not {len(methods)}"
        )
    seeds = [int(seed) for seed in cfg.seeds]
    new = read_new_dataset(str(cfg.dataset.name), cfg.dataset.distances, cfg.dataset.get("scores"))
    zoo = load_zoo(ZooSpec.from_config(cfg.zoo), cfg.paths.get("data_root"), cfg.paths.get("overlay_dir"))
    ranking = recommend(
        zoo, new, methods[0], build_protocol(cfg.protocol), seeds, int(cfg.nearest), where=str(cfg.dataset.distances)
    )
    output = Path(HydraConfig.get().runtime.output_dir) / RANKING_FILE
    write_atomic(output, lambda handle: ranking.to_csv(handle, index=False, float_format="%.6g"))
    shown = ranking.head(top_k).set_index("rank")
    shown["score"] = shown["score"].map(lambda v: f"{v:.4f}")
    shown["score_std"] = shown["score_std"].map(lambda v: f"{v:.4f}")
    print_table(
        shown,
        f"{new.name}: top {top_k} of {len(ranking)} models of zoo '{zoo.name}' by {methods[0].names[0]} "
        f"(mean ± std over seeds {seeds}; records: normalised accuracy on the nearest datasets)",
        index_name="rank",
    )
    print(f"every model's rank -> {output}")


def main() -> None:
    """`tg-bench recommend`."""
    from tg_bench.hydra_app import launch

    launch("recommend", recommend_task, config_name="recommend")
