"""Ground truth and candidate models of both protocols on a small synthetic zoo (see conftest.write_text_zoo)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import baseline, held_out, load_protocol

from tg_bench.data.zoo import load_zoo
from tg_bench.evaluate.scoring import join_predictions
from tg_bench.task.ground_truth import candidate_models, ground_truth, target_weight


@pytest.fixture
def zoo(synthetic_text_zoo):
    root, spec = synthetic_text_zoo
    return load_zoo(spec, root)


def as_dict(frame: pd.DataFrame) -> dict[str, float]:
    return dict(zip(frame["model"], frame["accuracy"], strict=True))


def test_loader_flags_kinds_and_never_reads_hub_token(zoo):
    kinds = zoo.records["kind"].value_counts().to_dict()
    assert kinds == {"full": 8, "lora": 3, "junk": 1}
    assert "hub_token" not in zoo.records.columns
    assert not zoo.records.astype(str).apply(lambda c: c.str.contains("SECRET")).any().any()
    assert set(zoo.scores["metric"]) == {"LOG_ME", "REG_H_SCORE"}


def test_paper_ground_truth_picks_best_over_lora_then_drops_lora(zoo):
    truth = ground_truth(zoo, "tA", load_protocol("paper"))
    # m1's best run is LoRA -> gone; m3's full/LoRA tie resolves to the full row (first in file)
    assert as_dict(truth) == {"m2": 0.75, "m3": 0.60}


def test_clean_ground_truth_drops_lora_first(zoo):
    truth = ground_truth(zoo, "tA", load_protocol("clean"))
    assert as_dict(truth) == {"m1": 0.80, "m2": 0.75, "m3": 0.60}


def test_tie_breaks_on_file_order(tmp_path):
    from conftest import write_text_zoo

    spec = write_text_zoo(
        tmp_path,
        [
            {"model": "m1", "finetuned_dataset": "tA", "eval_accuracy": 0.6, "peft_method": "lora"},
            {"model": "m1", "finetuned_dataset": "tA", "eval_accuracy": 0.6, "peft_method": None},
            {"model": "m2", "finetuned_dataset": "tA", "eval_accuracy": 0.5, "peft_method": None},
            {"model": "m3", "finetuned_dataset": "tA", "eval_accuracy": 0.4, "peft_method": None},
            {"model": "m1", "finetuned_dataset": "tB", "eval_accuracy": 0.5, "peft_method": None},
        ],
    )
    zoo = load_zoo(spec, tmp_path)
    # the LoRA row comes first: the paper protocol picks it and so loses m1
    assert set(ground_truth(zoo, "tA", load_protocol("paper"))["model"]) == {"m2", "m3"}
    assert set(ground_truth(zoo, "tA", load_protocol("clean"))["model"]) == {"m1", "m2", "m3"}


def test_candidates_paper_one_row_per_full_record_clean_one_per_model(zoo):
    paper = candidate_models(zoo, "tA", load_protocol("paper"))["model"].tolist()
    assert paper == ["m1", "m2", "m2", "m3"]
    clean = candidate_models(zoo, "tA", load_protocol("clean"))["model"].tolist()
    assert clean == ["m1", "m2", "m3"]


def test_weight_is_max_minus_mean(zoo):
    truth = ground_truth(zoo, "tA", load_protocol("clean"))
    assert target_weight(truth) == pytest.approx(0.80 - (0.80 + 0.75 + 0.60) / 3)


def test_paper_join_keeps_duplicates_clean_collapses(zoo):
    for name, expected_rows in (("paper", 3), ("clean", 3)):
        protocol = load_protocol(name)
        truth = ground_truth(zoo, "tA", protocol)
        predictions = baseline("logme").predict(held_out(zoo, "tA", name))
        joined = join_predictions(predictions, truth, protocol)
        assert len(joined) == expected_rows
        assert joined["score"].notna().all()
    # paper: m2 has two records -> two rows, m1 is not in the ground truth
    paper = join_predictions(
        baseline("logme").predict(held_out(zoo, "tA", "paper")),
        ground_truth(zoo, "tA", load_protocol("paper")),
        load_protocol("paper"),
    )
    assert paper["model"].tolist() == ["m2", "m2", "m3"]


def test_zoo_prior_uses_only_other_datasets(zoo):
    scores = baseline("zoo_prior").score_models(held_out(zoo, "tA"))
    # on tB (0.9, 0.5, 0.7, 0.6) min-max normalised: m1 1.0, m2 0.0, m3 0.5, m4 0.25
    assert scores.to_dict() == pytest.approx({"m1": 1.0, "m2": 0.0, "m3": 0.5, "m4": 0.25})


def test_random_is_seeded(zoo):
    random = baseline("random")
    a = random.score_models(held_out(zoo, "tA", seed=1))
    b = random.score_models(held_out(zoo, "tA", seed=1))
    c = random.score_models(held_out(zoo, "tA", seed=2))
    d = random.score_models(held_out(zoo, "tB", seed=1))
    assert a.equals(b)
    assert not a.equals(c)
    assert not a.equals(d)
