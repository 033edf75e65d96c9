"""Ground truth per target and the models each method is scored on, under both protocols."""

from __future__ import annotations

import pandas as pd

from tg_bench.data.zoo import ZooData
from tg_bench.errors import UserInputError
from tg_bench.evaluate.protocol import Protocol


def _best_run_per_model(records: pd.DataFrame) -> pd.DataFrame:
    """Each model's highest-accuracy row; ties go to the row that comes first in the file (pandas `idxmax`)."""
    ranked = records.dropna(subset=["accuracy"]).sort_values(["accuracy", "row"], ascending=[False, True])
    return ranked.drop_duplicates("model", keep="first")


def ground_truth(zoo: ZooData, target: str, protocol: Protocol) -> pd.DataFrame:
    """True fine-tuned accuracy per model on `target`.

    Returns a frame with columns `model`, `accuracy` (fraction), one row per model, sorted by model name.
    Paper: best row per model over all runs including LoRA, then LoRA-best models are dropped.
    Clean: LoRA and junk rows are dropped first, then the best full fine-tuning run per model.
    """
    records = zoo.records[zoo.records["dataset"] == target]
    if records.empty:
        raise UserInputError(f"target {target!r} has no fine-tuning records in zoo '{zoo.name}'")
    if protocol.lora_dropped_first:
        best = _best_run_per_model(records[records["kind"] == "full"])
    else:
        best = _best_run_per_model(records[records["kind"] != "junk"])
        best = best[best["kind"] == "full"]
    if best.empty:
        raise UserInputError(f"target {target!r} has no full fine-tuning record with an accuracy")
    return best.sort_values("model")[["model", "accuracy"]].reset_index(drop=True)


def candidate_models(zoo: ZooData, target: str, protocol: Protocol) -> pd.DataFrame:
    """The rows a method must score on `target`, as a frame with one column `model`.

    Paper: one row per full fine-tuning record of the target whose model has a config row and a `model_type`
    (the list the authors' graph methods predicted; re-run models appear twice), in file order.
    Clean: one row per ground-truth model.
    """
    if protocol.one_row_per_model:
        return ground_truth(zoo, target, protocol)[["model"]]
    records = zoo.full_records()
    records = records[records["dataset"] == target]
    typed = set(zoo.models.loc[zoo.models["model_type"].notna(), "model"])
    return records.loc[records["model"].isin(typed), ["model"]].reset_index(drop=True)


def target_weight(truth: pd.DataFrame) -> float:
    """Weight of a target in the weighted average: max - mean of its ground-truth accuracies."""
    return float(truth["accuracy"].max() - truth["accuracy"].mean())
