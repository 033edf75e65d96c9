"""`tg-bench recommend`: a new dataset placed among a zoo's datasets by its distances is ranked by a method
like a held-out target, with the evidence per model; bad input is one clear error; and the recommend path,
evaluated leave-one-dataset-out, agrees with `tg-bench run`'s rel@1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import baseline, config, load_protocol

from tg_bench.baselines.knn_prior import KnnPrior
from tg_bench.build import build_methods
from tg_bench.commands.recommend import seed_spread_note
from tg_bench.commands.run import evaluate_config
from tg_bench.data.zoo import ZooData, ZooSpec, load_zoo
from tg_bench.errors import USER_ERROR_EXIT_CODE, UserInputError
from tg_bench.recommend.evaluation import leave_one_dataset_out
from tg_bench.recommend.new_dataset import NewDataset, read_distances
from tg_bench.recommend.ranking import recommend


def test_a_new_dataset_is_ranked_from_its_nearest_datasets_records(three_dataset_zoo: ZooData) -> None:
    """Nearest to tB (normalised 1, 0, .5, .25 for m1-m4): the 1-NN prior ranks as tB did; the evidence
    column shows each model's records on the nearest datasets, `-` where it has none."""
    new = NewDataset("mine", {"tB": 1.0, "src": 2.0}, (("LOG_ME", "m2", 5.0), ("LOG_ME", "m1", 3.0)))
    nearest_only = KnnPrior("knn", k=1, weighting="uniform")
    ranking = recommend(three_dataset_zoo, new, nearest_only, load_protocol("clean"), seeds=[0, 1], nearest=2)
    assert ranking["model"].tolist() == ["m1", "m3", "m4", "m2"]
    assert ranking["rank"].tolist() == [1, 2, 3, 4]
    assert ranking["score"].tolist() == pytest.approx([1.0, 0.5, 0.25, 0.0])
    assert (ranking["score_std"] == 0).all()
    assert ranking.set_index("model").at["m4", "nearest_records"] == "tB=0.25; src=-"
    estimated = ranking.set_index("model")["LOG_ME"]
    assert estimated[["m1", "m2"]].tolist() == [3.0, 5.0] and estimated[["m3", "m4"]].isna().all()
    logme = recommend(three_dataset_zoo, new, baseline("logme"), load_protocol("clean"))
    assert logme["model"].tolist()[:2] == ["m2", "m1"]  # the new dataset's own scores, the others unscored last


def test_bad_new_datasets_are_user_errors(three_dataset_zoo: ZooData, tmp_path: Path) -> None:
    clean = load_protocol("clean")
    with pytest.raises(UserInputError, match="'tB' is a dataset of zoo 'text' with fine-tuning records"):
        recommend(three_dataset_zoo, NewDataset("tB", {"tA": 1.0}), baseline("zoo_prior"), clean)
    distances = tmp_path / "distances.csv"
    distances.write_text("dataset,distance\ntB,1.0\nmnist,2.0\n")
    new = NewDataset("mine", read_distances(distances))
    with pytest.raises(UserInputError, match=r"distances.csv: column 'dataset': dataset\(s\) not in zoo 'text'"):
        recommend(three_dataset_zoo, new, baseline("zoo_prior"), clean, where=str(distances))
    distances.write_text("dataset,distance\ntB,1.0\ntB,2.0\n")
    with pytest.raises(UserInputError, match="listed twice: tB"):
        read_distances(distances)
    distances.write_text("dataset,distance\ntB,far\n")
    with pytest.raises(UserInputError, match="distance"):
        read_distances(distances)
    graph = build_methods(config(["zoo=text", "embedder=[node2vec]", "predictor=[lr,xgb]", "baseline=[]"]))[0]
    with pytest.raises(UserInputError, match="choose one of the family's methods: lr_node2vec"):
        recommend(three_dataset_zoo, NewDataset("mine", {"tB": 1.0}), graph, clean)
    with pytest.raises(UserInputError, match=r"dataset\.size must be a number >= 1"):
        NewDataset("mine", {"tB": 1.0}, size=0.0)


def test_transfergraph_ranks_a_new_dataset_as_it_predicts_a_held_out_target(metadata_root) -> None:
    """dtd with its records removed and its published distances, size and class count given as a new dataset's:
    without node embeddings the regression predicts exactly what `tg-bench run` predicts for dtd held out; with
    node2vec the new dataset joins the graph as a node without accuracy edges (the node order differs from
    the run's, so the seeds' embeddings differ) and the ranking still follows the run's closely."""
    import numpy as np

    from tg_bench.recommend.evaluation import as_new_dataset
    from tg_bench.task.method import HeldOutTarget

    zoo = load_zoo(ZooSpec.from_config(config(["zoo=image"]).zoo), metadata_root)
    clean = load_protocol("clean")
    reduced, new = as_new_dataset(zoo, "dtd")
    assert new.size == 1880 and new.n_classes == 47
    for embedder, seeds in (("none", [0]), ("node2vec", [0, 1])):
        family = build_methods(config(["zoo=image", "protocol=clean", f"embedder=[{embedder}]", "predictor=[lr]"]))[0]
        name = family.names[0]
        run = dict(family.predictions(HeldOutTarget(zoo, "dtd", clean, 0)))[name].set_index("model")["score"]
        ranking = recommend(reduced, new, family, clean, seeds, name=name).set_index("model")
        assert set(ranking.index) == set(run.index) and ranking["score"].notna().all()
        if embedder == "none":
            assert ranking["score"].to_dict() == pytest.approx(run.to_dict(), abs=1e-9)
        else:
            assert (ranking["score_std"] > 0).any()
            assert np.corrcoef(ranking["score"].reindex(run.index), run)[0, 1] > 0.8


def _recommend_cli(args: list[str], root: Path, workdir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TG_BENCH_DATA": str(root), "TG_BENCH_ROOT": str(workdir)}
    overrides = ["zoo=text", "zoo.targets=[tA,tB]", "zoo.excluded_datasets=[]", "progress=false", *args]
    return subprocess.run(
        [sys.executable, "-m", "tg_bench", "recommend", *overrides],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_the_cli_prints_the_top_k_and_writes_every_models_rank(synthetic_text_zoo, tmp_path: Path) -> None:
    root, _ = synthetic_text_zoo
    distances = tmp_path / "mine.csv"
    distances.write_text("dataset,distance\ntA,1.0\ntB,2.0\n")
    out = tmp_path / "out"
    # the method: the best clean-protocol text result that needs no scores of the new dataset
    statistics = tmp_path / "statistics.csv"
    pd.DataFrame(
        [("text", "clean", 1, m, "pearson", "average", v) for m, v in [("stacked_prior", 0.9), ("knn_prior", 0.8)]],
        columns=["zoo", "protocol", "ratio", "method", "metric", "target", "mean"],
    ).to_csv(statistics, index=False)
    args = ["dataset.name=mine", f"dataset.distances={distances}", f"results={statistics}", "top_k=2"]
    args.append(f"hydra.run.dir={out}")
    done = _recommend_cli(args, root, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "method: knn_prior, the best clean-protocol method of zoo 'text'" in done.stdout
    assert "stacked_prior (LOG_ME scores of the dataset" in done.stdout
    assert "mine: top 2 of 4 models of zoo 'text' by knn_prior" in done.stdout and "seed 0" in done.stdout
    # a deterministic method: one seed, no column of zero spreads
    assert "knn_prior is deterministic: one seed (0) instead of 5" in done.stdout and "score_std" not in done.stdout
    ranking = pd.read_csv(out / "recommendations.csv")
    assert ranking["rank"].tolist() == [1, 2, 3, 4] and set(ranking["model"]) == {"m1", "m2", "m3", "m4"}
    assert ranking["score"].is_monotonic_decreasing
    # a typo in the file is one line on stderr, exit 2, no ranking written
    distances.write_text("dataset,distance\ntA,1.0\ntBx,2.0\n")
    bad = _recommend_cli([*args[:-1], f"hydra.run.dir={tmp_path / 'bad'}"], root, tmp_path)
    assert bad.returncode == USER_ERROR_EXIT_CODE
    assert "not in zoo 'text''s distance matrix: tBx (did you mean tB?)" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "bad" / "recommendations.csv").exists()
    # checked before a method is chosen: nothing about the choice is printed first, and no zoo-wide list
    assert "method:" not in bad.stdout and len(bad.stderr.strip().splitlines()) == 1 and len(bad.stderr) < 400


def test_leave_one_dataset_out_through_the_recommend_path_matches_the_benchmark(metadata_root) -> None:
    """Each text target, its records removed and its published distances and scores taken as a user's, is
    ranked by `recommend`; rel@1 averaged over targets equals `tg-bench run`'s clean-protocol rel@1."""
    zoo = load_zoo(ZooSpec.from_config(config(["zoo=text"]).zoo), metadata_root)
    methods = {key: baseline(key) for key in ("zoo_prior", "knn_prior")}
    ours = leave_one_dataset_out(zoo, methods, load_protocol("clean"), progress=False)
    ours = ours[(ours["target"] == "average") & (ours["metric"] == "rel@1")].set_index("method")["value"]
    _, result = evaluate_config(config(["zoo=text", "protocol=clean", "baseline=[zoo_prior,knn_prior]"]))
    metrics = result.metrics
    run = metrics[(metrics["target"] == "average") & (metrics["metric"] == "rel@1")].set_index("method")["value"]
    assert ours.to_dict() == pytest.approx(run.to_dict(), abs=1e-12)


def test_the_probe_places_a_local_dataset_and_the_cli_ranks_the_zoo_for_it(synthetic_text_zoo, tmp_path: Path) -> None:
    """End to end on CPU, no hub: a tiny local encoder embeds a locally built dataset and the zoo's datasets
    (tA, tB, saved locally); the distances it measures are Euclidean between mean features, are written for
    reuse, and place the new dataset for the k-NN prior; a second run reads the extractions from the cache;
    `verify=logme` scores the top candidates on the dataset itself and reports the one it cannot load."""
    import time

    import numpy as np
    from tiny_hub import SENTENCES, TEXT_LABELS, save_text_classifier, save_text_dataset, save_text_encoder

    from tg_bench.extract import DatasetSpec, ModelSpec, extract
    from tg_bench.transferability.estimators import logme

    root, _ = synthetic_text_zoo
    probe = save_text_encoder(tmp_path / "probe")
    folders = {}
    for name, sentences in {
        "tA": SENTENCES,
        "tB": [f"{s} twice over" for s in SENTENCES],
        "mine": [s + " again" for s in SENTENCES],
    }.items():
        folders[name] = save_text_dataset(tmp_path / "data" / name, sentences, TEXT_LABELS)
    out = tmp_path / "out"
    args = [
        "dataset.name=mine", f"dataset.path={folders['mine']}", "dataset.input_columns=[text]",
        f"probe.model={probe}", f"probe.datasets={{tA: {folders['tA']}, tB: {folders['tB']}}}", "method=knn_prior",
        "extract.device=cpu", f"extract.cache_dir={tmp_path / 'cache'}", "top_k=3", f"hydra.run.dir={out}",
    ]  # fmt: skip
    offline = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    os.environ.update(offline)
    try:
        done = _recommend_cli(args, root, tmp_path)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "mine: top 3 of 4 models of zoo 'text' by knn_prior" in done.stdout
        written = pd.read_csv(out / "distances.csv").set_index("dataset")
        measured = written["probe_distance"]
        embeddings = {
            name: extract(
                ModelSpec(name="probe", path_or_id=str(probe)),
                DatasetSpec(name=name, path_or_id=str(folder), max_samples=1000),
                device="cpu",
                cache_dir=tmp_path / "cache",
                progress=False,
            )
            .features.astype(np.float64)
            .mean(axis=0)
            for name, folder in folders.items()
        }
        for name in ("tA", "tB"):
            expected = np.linalg.norm(embeddings["mine"] - embeddings[name])
            assert measured[name] == pytest.approx(expected, rel=1e-6)
        # calibrated: the zoo's matrix has tA - tB at 1.0, the probe measured them this far apart
        factor = 1.0 / np.linalg.norm(embeddings["tA"] - embeddings["tB"])
        assert written["distance"].to_dict() == pytest.approx((measured * factor).to_dict(), rel=1e-6)
        assert f"probe distances x {factor:.6g}" in done.stdout
        start = time.perf_counter()
        again = _recommend_cli([*args[:-1], f"hydra.run.dir={tmp_path / 'again'}"], root, tmp_path)
        print(f"recommend with cached extractions: {time.perf_counter() - start:.1f} s")
        assert again.returncode == 0, again.stderr[-3000:]
        assert (tmp_path / "again" / "recommendations.csv").read_bytes() == (out / "recommendations.csv").read_bytes()
        # verify=logme scores the top 3 on the dataset's own data; m4 has no local copy and is reported
        models = tmp_path / "models"
        for i, model in enumerate(("m1", "m2", "m3")):
            save_text_classifier(models / model, seed=10 + i)
        verified = tmp_path / "verified"
        checked = _recommend_cli(
            [*args[:-1], "verify=logme", f"model_root={models}", "top_k=4", f"hydra.run.dir={verified}"], root, tmp_path
        )
        assert checked.returncode == 0, checked.stderr[-3000:]
        ranking = pd.read_csv(verified / "recommendations.csv").set_index("model")
        assert "verify: m4 could not be loaded" in checked.stdout
        assert ranking["verify logme"].notna().sum() == 3 and pd.isna(ranking.at["m4", "verify logme"])
        m1 = extract(
            ModelSpec(name="m1", path_or_id=str(models / "m1")),
            DatasetSpec(name="mine", path_or_id=str(folders["mine"])),
            device="cpu",
            cache_dir=tmp_path / "cache",
            progress=False,
        )
        assert ranking.at["m1", "verify logme"] == pytest.approx(logme(m1.features, m1.labels), rel=1e-5)
    finally:
        for key in offline:
            os.environ.pop(key, None)


def test_calibration_maps_the_probes_scale_onto_the_zoos_matrix() -> None:
    """A probe whose distances are the published ones times 7 (plus nothing): the factor is 1/7 exactly and the
    fit is perfect; pairs outside the matrix or NaN are ignored; no usable pair, no calibration."""
    from tg_bench.recommend.probe import calibrate

    names = ["a", "b", "c", "d"]
    published = pd.DataFrame(
        [[0, 1, 2, 3], [1, 0, 1.5, 2.5], [2, 1.5, 0, 4], [3, 2.5, 4, 0]], index=names, columns=names, dtype=float
    )
    pairwise = {(a, b): 7 * published.at[a, b] for i, a in enumerate(names) for b in names[i + 1 :]}
    pairwise[("a", "unknown")] = 100.0
    calibration = calibrate(pairwise, published)
    assert calibration.factor == pytest.approx(1 / 7) and calibration.pairs == 6
    assert calibration.correlation == pytest.approx(1.0)
    assert calibrate({("a", "unknown"): 1.0}, published) is None
    assert calibrate({}, published) is None


def test_the_seed_spread_note_says_when_ranks_are_closer_than_the_seeds_spread() -> None:
    top = pd.DataFrame({"score": [0.9, 0.85, 0.84, 0.80], "score_std": [0.16, 0.15, 0.17, 0.16]})
    assert seed_spread_note(top).startswith("note: the seeds' std of a score (mean 0.1600) exceeds the median gap")
    steady = top.assign(score_std=0.001)
    assert seed_spread_note(steady) == (
        "seeds' std of a score: mean 0.0010; median gap between consecutive ranks: 0.0400"
    )


def test_the_readme_example_distances_run_as_written(metadata_root, tmp_path: Path) -> None:
    """README, "Recommending models for a new dataset": the shipped example CSV ranks the text zoo's models."""
    example = Path(__file__).parents[1] / "examples" / "my_reviews_distances.csv"
    out = tmp_path / "out"
    env = {**os.environ, "TG_BENCH_DATA": str(metadata_root)}
    done = subprocess.run(
        [sys.executable, "-m", "tg_bench", "recommend", "zoo=text", "dataset.name=my_reviews",
         f"dataset.distances={example}", "method=knn_prior", "progress=false", f"hydra.run.dir={out}"],
        capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    ranking = pd.read_csv(out / "recommendations.csv")
    assert ranking["rank"].tolist() == list(range(1, len(ranking) + 1)) and len(ranking) > 100
    assert "my_reviews: top 5" in done.stdout and "rotten_tomatoes=" in ranking["nearest_records"].iloc[0]
