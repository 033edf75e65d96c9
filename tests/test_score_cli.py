"""`tg-bench score` end to end on CPU: tiny local models and datasets, rows written, read back by the metadata layer.

A randomly initialised Hugging Face text classifier (with a head: LogME, LEEP and NCE) and a headless encoder
(LogME only; LEEP / NCE are skipped with a warning) are scored on a tiny local text dataset, the rows merged into
a synthetic zoo and read back through `load_zoo`; a tiny timm model is scored on a tiny local image dataset.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import softmax
from tiny_hub import (
    SENTENCES,
    TEXT_LABELS,
    go_offline,
    save_image_dataset,
    save_text_classifier,
    save_text_dataset,
    save_text_encoder,
    save_timm_model,
)

from tg_bench.commands.cli import bracket_list_override
from tg_bench.data.zoo import ZooSpec, load_scores, load_zoo
from tg_bench.errors import USER_ERROR_EXIT_CODE, UserInputError
from tg_bench.extract import DatasetSpec, ModelSpec, extract
from tg_bench.transferability.estimators import leep, logme, nce
from tg_bench.transferability.pipeline import score_table
from tg_bench.transferability.score_records import ScoreRecord

OFFLINE = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def run_score(args: list[str], data_root: Path, workdir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, **OFFLINE, "TG_BENCH_DATA": str(data_root), "TG_BENCH_ROOT": str(workdir)}
    return subprocess.run(
        [sys.executable, "-m", "tg_bench", "score", *args], capture_output=True, text=True, env=env, timeout=300
    )


@pytest.fixture(scope="module")
def local_hub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """models/org/{classifier,encoder,timm_resnet} and data/{tA_text,images} under one folder."""
    root = tmp_path_factory.mktemp("hub")
    for name in ("org/classifier", "org/encoder", "org/timm_resnet", "data/tA_text", "data/images"):
        (root / name).mkdir(parents=True)
    save_text_classifier(root / "org/classifier")
    save_text_encoder(root / "org/encoder")
    save_timm_model(root / "org/timm_resnet")
    save_text_dataset(root / "data/tA_text", SENTENCES, TEXT_LABELS, as_dict=True)
    save_image_dataset(root / "data/images")
    return root


def test_comma_lists_are_lists_for_score() -> None:
    assert bracket_list_override("baseline=logme,leep", "baseline") == "baseline=[logme,leep]"
    assert bracket_list_override("baseline=[logme,leep]", "baseline") == "baseline=[logme,leep]"
    assert bracket_list_override("baseline=logme", "baseline") == "baseline=logme"
    assert bracket_list_override("models=a,b", "baseline") == "models=a,b"


@pytest.mark.slow
def test_score_text_models_merge_into_zoo_and_read_back(
    local_hub: Path, synthetic_text_zoo: tuple[Path, ZooSpec], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, spec = synthetic_text_zoo
    out = tmp_path / "out"
    args = [
        "zoo=text",
        "baseline=logme,leep,nce",
        "models=org/classifier,org/encoder",
        f"model_root={local_hub}",
        "dataset.name=tA",
        f"dataset.path={local_hub / 'data/tA_text'}",
        "dataset.input_columns=[text]",
        "extract.device=cpu",
        f"extract.cache_dir={tmp_path / 'cache'}",
        "update_zoo=true",
        "progress=false",
        f"hydra.run.dir={out}",
    ]
    published = (root / spec.folder / "transferability_score_records.csv").read_bytes()
    result = run_score(args, root, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "without a classification head" in result.stderr + result.stdout

    rows = pd.read_csv(out / "transferability_score_records.csv", index_col=0)
    got = {(r.model, r.metric) for r in rows.itertuples()}
    assert got == {
        ("org/classifier", "TransferabilityMethod.LOG_ME"),
        ("org/classifier", "TransferabilityMethod.LEEP"),
        ("org/classifier", "TransferabilityMethod.NCE"),
        ("org/encoder", "TransferabilityMethod.LOG_ME"),
    }
    assert (rows["target_dataset"] == "tA").all()
    assert (rows["n_samples"] == len(SENTENCES)).all()
    assert (rows["runtime"] >= rows["score_seconds"]).all()

    # the same numbers as the library functions on the same extraction
    go_offline(monkeypatch)
    extraction = extract(
        ModelSpec(name="org/classifier", path_or_id=str(local_hub / "org/classifier")),
        DatasetSpec(name="tA", path_or_id=str(local_hub / "data/tA_text")),
        device="cpu",
        progress=False,
    )
    probs = softmax(extraction.source_logits.astype(np.float64), axis=1)
    by_metric = rows[rows["model"] == "org/classifier"].set_index("metric")["score"]
    np.testing.assert_allclose(
        by_metric["TransferabilityMethod.LOG_ME"], logme(extraction.features, extraction.labels), rtol=1e-6
    )
    np.testing.assert_allclose(by_metric["TransferabilityMethod.LEEP"], leep(probs, extraction.labels), rtol=1e-6)
    np.testing.assert_allclose(
        by_metric["TransferabilityMethod.NCE"], nce(probs.argmax(axis=1), extraction.labels), rtol=1e-6
    )

    # written to the overlay (paths.overlay_dir, by default <root_dir>/zoo_overlay), never into the published
    # file, and read back by the metadata layer beside the published rows
    assert (root / spec.folder / "transferability_score_records.csv").read_bytes() == published
    overlay = tmp_path / "zoo_overlay"
    assert "org/" not in "".join(load_zoo(spec, root).scores["model"])
    zoo = load_zoo(spec, root, overlay)
    new = zoo.scores[zoo.scores["model"].str.startswith("org/")]
    assert set(new["metric"]) == {"LOG_ME", "LEEP", "NCE"}
    assert set(zoo.scores.loc[zoo.scores["model"] == "m1", "metric"]) == {"LOG_ME", "REG_H_SCORE"}
    assert zoo.files["scores_overlay"] == overlay / spec.folder / "transferability_score_records.csv"

    # a second run hits the extraction cache and replaces its own rows instead of appending
    again = run_score(args, root, tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    assert len(load_zoo(spec, root, overlay).scores) == len(zoo.scores)
    assert (root / spec.folder / "transferability_score_records.csv").read_bytes() == published


@pytest.mark.slow
def test_score_timm_model_on_images(local_hub: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_score(
        [
            "zoo=image",
            "baseline=logme,leep,hscore",
            f"models=[{local_hub / 'org/timm_resnet'}]",
            "dataset.name=tiny_images",
            f"dataset.path={local_hub / 'data/images'}",
            "dataset.input_columns=[image]",
            "extract.device=cpu",
            "extract.cache_dir=null",
            "progress=false",
            f"hydra.run.dir={out}",
        ],
        tmp_path,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = pd.read_csv(out / "transferability_score_records.csv", index_col=0)
    assert sorted(rows["metric"]) == [
        "TransferabilityMethod.H_SCORE",
        "TransferabilityMethod.LEEP",
        "TransferabilityMethod.LOG_ME",
    ]
    assert (rows["task_type"] == "TaskType.IMAGE_CLASSIFICATION").all()
    assert np.isfinite(rows["score"]).all()
    # the metadata layer reads the file as it reads the published one
    scores = load_scores(out / "transferability_score_records.csv")
    assert sorted(scores["metric"]) == ["H_SCORE", "LEEP", "LOG_ME"]
    assert set(scores["target"]) == {"tiny_images"}
    assert set(scores["model"]) == {str(local_hub / "org/timm_resnet")}


@pytest.mark.parametrize(
    ("override", "message", "code"),
    [
        ("baseline=zoo_prior", "not computed from model outputs", USER_ERROR_EXIT_CODE),
        ("baseline=logmee", "baseline=logmee: no such option (choose from", USER_ERROR_EXIT_CODE),
        ("dataset.input_columns=null", "dataset.input_columns", USER_ERROR_EXIT_CODE),
        ("models=[]", "models", USER_ERROR_EXIT_CODE),
        ("model_root=/no/such/folder", "model_root", USER_ERROR_EXIT_CODE),
        ("dataset.label_column=stars", "stars", USER_ERROR_EXIT_CODE),
    ],
)
def test_bad_score_input_is_one_message_and_no_output(
    override: str, message: str, code: int, local_hub: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    args = [
        "zoo=text",
        "models=[org/classifier]",
        f"model_root={local_hub}",
        "dataset.name=tA",
        f"dataset.path={local_hub / 'data/tA_text'}",
        "dataset.input_columns=[text]",
        "extract.device=cpu",
        "extract.cache_dir=null",
        "progress=false",
        f"hydra.run.dir={out}",
        override,
    ]
    result = run_score(args, tmp_path, tmp_path)
    assert result.returncode == code, result.stderr[-2000:]
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_a_model_that_cannot_be_loaded_is_reported_and_the_others_are_scored(
    local_hub: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """One model folder is gone, one has a config but no weights: both are listed with the reason, the good
    model is scored; with only unloadable models nothing is scored and the error says why."""
    import logging
    import shutil

    from conftest import baseline

    from tg_bench.transferability.pipeline import ExtractSettings, score_models

    go_offline(monkeypatch)
    broken = tmp_path / "org/broken"
    broken.mkdir(parents=True)
    shutil.copy(local_hub / "org/classifier/config.json", broken / "config.json")
    good = ModelSpec(name="org/classifier", path_or_id=str(local_hub / "org/classifier"))
    gone = ModelSpec(name="org/gone", path_or_id=str(tmp_path / "org/gone"))
    weightless = ModelSpec(name="org/broken", path_or_id=str(broken))
    dataset = DatasetSpec(name="tA", path_or_id=str(local_hub / "data/tA_text"))
    estimators = {"logme": baseline("logme").estimator}
    settings = ExtractSettings(device="cpu")
    with caplog.at_level(logging.WARNING):
        scored = score_models([gone, good, weightless], dataset, estimators, zoo_folder="nlp", settings=settings)
    assert [r.model for r in scored.records] == ["org/classifier"]
    assert list(scored.unloadable) == ["org/gone", "org/broken"]
    assert "path does not exist" in scored.unloadable["org/gone"]
    assert "cannot load the model of model 'org/broken'" in scored.unloadable["org/broken"]
    assert "2 of 3 model(s) could not be loaded: org/gone, org/broken" in caplog.text
    with pytest.raises(UserInputError, match=r"none of the 2 model\(s\) could be loaded"):
        score_models([gone, weightless], dataset, estimators, zoo_folder="nlp", settings=settings)


def test_overlay_scores_replace_published_rows_of_the_same_key() -> None:
    from tg_bench.data.zoo import scores_with_overlay

    published = pd.DataFrame(
        {"metric": ["LOG_ME", "LOG_ME", "LOG_ME", "LEEP"], "model": ["a", "a", "b", "a"], "target": ["t"] * 4,
         "score": [1.0, 1.5, 2.0, 3.0]}
    )  # fmt: skip
    overlay = pd.DataFrame(
        {"metric": ["LOG_ME", "NCE"], "model": ["a", "a"], "target": ["t", "t"], "score": [9.0, 4.0]}
    )
    merged = scores_with_overlay(published, overlay)
    assert merged.values.tolist() == [
        ["LOG_ME", "b", "t", 2.0], ["LEEP", "a", "t", 3.0], ["LOG_ME", "a", "t", 9.0], ["NCE", "a", "t", 4.0]
    ]  # fmt: skip


@pytest.mark.slow
def test_score_zoo_script_scores_every_model_on_every_target_and_resumes(
    synthetic_text_zoo: tuple[Path, ZooSpec], tmp_path: Path
) -> None:
    """`scripts/score_zoo.sh` on a tiny local zoo (models m1-m4 as local folders, targets tA and tB as local
    datasets): LogME, LEEP and NCE for every (model, target); a model that cannot be loaded (m4, no folder yet)
    is reported and the rest scored; run again, every score is read back from the score store with the same
    bytes; once m4 is there, only its scores are computed; the overlay then holds all 24 rows."""
    root, spec = synthetic_text_zoo
    models, data = tmp_path / "models", tmp_path / "data"
    for i, model in enumerate(("m1", "m2", "m3")):
        save_text_classifier(models / model, seed=i)
    for target, sentences in {"tA": SENTENCES, "tB": SENTENCES[::-1]}.items():
        save_text_dataset(data / target, sentences, TEXT_LABELS)
    script = Path(__file__).resolve().parents[1] / "scripts" / "score_zoo.sh"
    env = {
        **os.environ, **OFFLINE, "TG_BENCH_DATA": str(root), "TG_BENCH_ROOT": str(tmp_path),
        "TG_BENCH": str(Path(sys.executable).parent / "tg-bench"),
    }  # fmt: skip

    def score_zoo(out: str) -> subprocess.CompletedProcess:
        args = [
            "text", "zoo.targets=[tA,tB]", "zoo.excluded_datasets=[]", f"model_root={models}", f"dataset_root={data}",
            "dataset.input_columns=[text]", "extract.device=cpu", f"extract.cache_dir={tmp_path / 'cache'}",
            "progress=false", f"hydra.run.dir={tmp_path / out}",
        ]  # fmt: skip
        done = subprocess.run(["bash", str(script), *args], capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        return done

    first = score_zoo("first")
    rows = pd.read_csv(tmp_path / "first" / "transferability_score_records.csv", index_col=0)
    assert len(rows) == 18 and set(rows["target_dataset"]) == {"tA", "tB"} and set(rows["model"]) == {"m1", "m2", "m3"}
    assert set(rows["metric"]) == {f"TransferabilityMethod.{m}" for m in ("LOG_ME", "LEEP", "NCE")}
    # m4 fails on tA and is not tried again on tB
    assert "1 of 4 model(s) could not be loaded and were skipped" in first.stdout and "\n  m4: " in first.stdout
    assert "tA: 9 scores, 1 model(s) not loaded\ntB: 9 scores\n" in first.stdout
    assert "0 of 18 scores were finished earlier" in first.stdout

    again = score_zoo("again")
    assert "18 of 18 scores were finished earlier and are read back" in again.stdout
    first_bytes = (tmp_path / "first" / "transferability_score_records.csv").read_bytes()
    assert (tmp_path / "again" / "transferability_score_records.csv").read_bytes() == first_bytes

    save_text_classifier(models / "m4", seed=3)
    last = score_zoo("last")
    assert "18 of 24 scores were finished earlier" in last.stdout and "could not be loaded" not in last.stdout
    overlay = load_zoo(spec, root, tmp_path / "zoo_overlay").scores
    added = overlay[overlay["metric"].isin(["LEEP", "NCE"])]
    assert len(added) == 16 and set(added["target"]) == {"tA", "tB"}
    assert len(overlay[(overlay["metric"] == "LOG_ME") & overlay["model"].isin(["m1", "m2", "m3", "m4"])]) >= 8


def test_a_score_key_follows_what_decides_the_score(local_hub: Path, tmp_path: Path) -> None:
    """Equal inputs, equal key; a different sample cap, estimator option, seed or local model file, a new key."""
    import dataclasses

    from conftest import baseline

    from tg_bench.transferability.score_store import score_keys

    model = ModelSpec(name="org/classifier", path_or_id=str(local_hub / "org/classifier"))
    dataset = DatasetSpec(name="tA", path_or_id=str(local_hub / "data/tA_text"))
    logme_estimator = baseline("logme").estimator
    settings = {"seed": 0, "batch_size": 32, "max_length": 128, "device": "cpu"}

    def key(**changes: object) -> str:
        m, d = changes.pop("model", model), changes.pop("dataset", dataset)
        e = changes.pop("estimator", logme_estimator)
        return score_keys("text", m, d, {"logme": e}, **{**settings, **changes})["logme"].digest

    assert key() == key()
    assert key(dataset=dataclasses.replace(dataset, max_samples=5)) != key()
    assert key(seed=1) != key()
    import functools

    other_option = dataclasses.replace(logme_estimator, fn=functools.partial(logme_estimator.fn, max_iter=3))
    assert key(estimator=other_option) != key()
    copy = tmp_path / "classifier"
    save_text_classifier(copy, seed=0)
    before = key(model=ModelSpec(name="org/classifier", path_or_id=str(copy)))
    save_text_classifier(copy, seed=1)
    assert key(model=ModelSpec(name="org/classifier", path_or_id=str(copy))) != before


def test_the_console_table_shows_every_score_with_four_decimals() -> None:
    """An H-score of 2.0 printed as "2" beside "0.5130" (`.4g`); every cell now has the same form."""
    fields = {"target_dataset": "d", "dataset_path": "d", "dataset_name": "d", "task_type": "image"}
    sizes = {"batch_size": 8, "extract_seconds": 0.0, "score_seconds": 0.0, "n_samples": 10}
    cells = (("a", "H_SCORE", 2.0), ("b", "H_SCORE", 0.513), ("a", "NCE", -1.25e-5), ("b", "NCE", 0.0))
    records = [ScoreRecord(model=m, metric=metric, score=v, **fields, **sizes) for m, metric, v in cells]
    table = score_table(records)
    assert table.loc["a", "H_SCORE"] == "2.0000" and table.loc["b", "H_SCORE"] == "0.5130"
    assert table.loc["a", "NCE"] == "-1.2500e-05" and table.loc["b", "NCE"] == "0.0000"
    assert list(table.index) == ["a", "b"]  # best first by the first estimator
