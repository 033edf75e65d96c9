"""Ground truth per target and the models each method is scored on, under a protocol."""

from __future__ import annotations

import pandas as pd

from tg_bench.data.zoo import ZooData, best_runs
from tg_bench.errors import UserInputError
from tg_bench.task.protocol import Protocol


def paper_target_records(zoo: ZooData, target: str) -> pd.DataFrame:
    """The target's full fine-tuning records of models with a `model_type`, in file order: the rows the
    authors' graph methods predicted (re-run models appear twice)."""
    records = zoo.full_records()
    records = records[(records["dataset"] == target) & records["model"].isin(zoo.typed_models())]
    return records.reset_index(drop=True)


def ground_truth(zoo: ZooData, target: str, protocol: Protocol) -> pd.DataFrame:
    """True fine-tuned accuracy per model on `target`.

    Returns a frame with columns `model`, `accuracy` (fraction), one row per model, sorted by model name.
    `protocol.lora_dropped_first`: LoRA and junk rows are dropped first, then the best full run per model;
    otherwise (the paper) the best row per model over all runs including LoRA, then LoRA-best models dropped.
    """
    records = zoo.records[zoo.records["dataset"] == target]
    if records.empty:
        raise UserInputError(f"target {target!r} has no fine-tuning records in zoo '{zoo.name}'")
    if protocol.lora_dropped_first:
        best = best_runs(records[records["kind"] == "full"], by=["model"])
    else:
        best = best_runs(records[records["kind"] != "junk"], by=["model"])
        best = best[best["kind"] == "full"]
    if best.empty:
        raise UserInputError(f"target {target!r} has no full fine-tuning record with an accuracy")
    return best.sort_values("model")[["model", "accuracy"]].reset_index(drop=True)


def candidate_models(zoo: ZooData, target: str, protocol: Protocol) -> pd.DataFrame:
    """The rows a method must score on `target`, as a frame with one column `model`.

    `protocol.one_row_per_model`: one row per ground-truth model. Otherwise (the paper) one row per full
    fine-tuning record of the target whose model has a config row and a `model_type` (the list the authors'
    graph methods predicted; re-run models appear twice), in file order.
    """
    if protocol.one_row_per_model:
        return ground_truth(zoo, target, protocol)[["model"]]
    return paper_target_records(zoo, target)[["model"]]


def target_weight(truth: pd.DataFrame) -> float:
    """Weight of a target in the weighted average: max - mean of its ground-truth accuracies."""
    return float(truth["accuracy"].max() - truth["accuracy"].mean())
