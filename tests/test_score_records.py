"""Score rows in the published layout: written, merged into a zoo, read back by the metadata layer."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import baseline, held_out

from tg_bench.data.zoo import ZooSpec, load_zoo, zoo_files
from tg_bench.errors import UserInputError
from tg_bench.transferability.score_records import (
    PUBLISHED_COLUMNS,
    ScoreRecord,
    merge_score_records,
    task_type,
    write_score_records,
)


def _record(model: str, target: str, metric: str, score: float) -> ScoreRecord:
    return ScoreRecord(
        model=model,
        target_dataset=target,
        metric=metric,
        score=score,
        dataset_path="/data/" + target,
        dataset_name=target,
        task_type=task_type("sequence_classification"),
        batch_size=16,
        extract_seconds=1.5,
        score_seconds=0.25,
        n_samples=100,
    )


def test_written_rows_have_the_published_layout(tmp_path: Path) -> None:
    path = write_score_records(tmp_path / "scores.csv", [_record("m1", "tA", "LEEP", -0.5)])
    raw = pd.read_csv(path, index_col=0)
    assert list(raw.columns[: len(PUBLISHED_COLUMNS)]) == list(PUBLISHED_COLUMNS)
    row = raw.iloc[0]
    assert row["metric"] == "TransferabilityMethod.LEEP"
    assert row["task_type"] == "TaskType.SEQUENCE_CLASSIFICATION"
    assert row["runtime"] == pytest.approx(1.75)
    assert row["model_name"] == row["model"] == "m1"
    assert [p.name for p in tmp_path.iterdir()] == ["scores.csv"]  # no temporary file left


def test_merged_scores_are_read_back_and_used_by_the_baseline(synthetic_text_zoo: tuple[Path, ZooSpec]) -> None:
    root, spec = synthetic_text_zoo
    scores_path = zoo_files(spec, root)["scores"]
    before = pd.read_csv(scores_path, index_col=0)
    new = [
        _record("m1", "tA", "LEEP", -0.1),
        _record("m2", "tA", "LEEP", -0.9),
        _record("m3", "tA", "LEEP", -0.5),
        _record("m1", "tA", "LOG_ME", 42.0),  # replaces the published LogME row of (m1, tA)
    ]
    removed, written = merge_score_records(scores_path, new)
    assert (removed, written) == (1, 4)
    after = pd.read_csv(scores_path, index_col=0)
    assert len(after) == len(before) + 3

    zoo = load_zoo(spec, root)
    leep = zoo.scores[zoo.scores["metric"] == "LEEP"].set_index("model")["score"]
    assert leep.to_dict() == {"m1": -0.1, "m2": -0.9, "m3": -0.5}
    logme = zoo.scores[(zoo.scores["metric"] == "LOG_ME") & (zoo.scores["target"] == "tA")].set_index("model")
    assert logme.loc["m1", "score"] == 42.0
    assert logme.loc["m2", "score"] == before.query("model == 'm2' and target_dataset == 'tA'")["score"].iloc[0]

    ranked = baseline("leep").score_models(held_out(zoo, "tA"))
    assert ranked.sort_values(ascending=False).index.tolist() == ["m1", "m3", "m2"]


def test_merge_into_a_missing_or_foreign_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserInputError, match="does not exist"):
        merge_score_records(tmp_path / "absent.csv", [_record("m1", "tA", "LEEP", 0.0)])
    foreign = tmp_path / "foreign.csv"
    pd.DataFrame({"a": [1]}).to_csv(foreign)
    with pytest.raises(UserInputError, match="missing column"):
        merge_score_records(foreign, [_record("m1", "tA", "LEEP", 0.0)])
    assert pd.read_csv(foreign, index_col=0).columns.tolist() == ["a"]


def test_baseline_without_scores_in_the_zoo_says_how_to_compute_them(
    synthetic_text_zoo: tuple[Path, ZooSpec],
) -> None:
    root, spec = synthetic_text_zoo
    zoo = load_zoo(spec, root)
    with pytest.raises(UserInputError, match=r"no scores for metric 'LEEP'.*LOG_ME, REG_H_SCORE.*tg-bench score"):
        baseline("leep").score_models(held_out(zoo, "tA"))
