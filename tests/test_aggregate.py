"""`tg-bench aggregate`: the tidy table from stores and run folders, seed statistics, the published value of the
same metric and target (averages only for a run over all targets), paired bootstrap intervals, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import config
from omegaconf import OmegaConf
from scipy import stats

from tg_bench.analysis.paired import paired_intervals
from tg_bench.analysis.tables import published_values, seed_statistics, target_averages, with_published
from tg_bench.analysis.tidy import TIDY_COLUMNS, collect
from tg_bench.commands.aggregate import AggregateOptions, aggregate, main, parse
from tg_bench.commands.run import evaluate_config
from tg_bench.errors import UserInputError
from tg_bench.run_outputs import write_run_outputs


def _run_folder(folder: Path, overrides: list[str], use_store: bool = False) -> Path:
    cfg = config(overrides)
    zoo, result = evaluate_config(cfg, use_store=use_store)
    # what `tg-bench run` records of its config (paths.output_dir only resolves inside a Hydra app)
    resolved = {key: OmegaConf.to_container(cfg[key], resolve=True) for key in ("zoo", "protocol")}
    write_run_outputs(folder, result, {**resolved, "seed": int(cfg.seed)}, zoo, {"total": 0.0})
    return folder


@pytest.fixture(scope="module")
def pets_only(metadata_root, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pets") / "run"
    return _run_folder(folder, ["zoo=image", "target=pets", "baseline=[logme,reg_h,zoo_prior]", "progress=false"])


def test_a_single_target_is_compared_per_target_and_never_with_the_papers_average(pets_only, tmp_path) -> None:
    """The old summarize_seeds set pets' Reg-H-Score (0.6302, equal to the published pets value) beside the
    paper's 8-target average and reported it as +0.0762 off."""
    tidy, _ = collect([pets_only])
    stats = with_published(seed_statistics(tidy))
    reg_h = stats[(stats["method"] == "Reg-H-Score") & (stats["metric"] == "pearson")].set_index("target")
    published = published_values("image", "pearson").set_index(["method", "target"])["published"]
    assert reg_h.at["pets", "published"] == published[("Reg-H-Score", "pets")]
    assert reg_h.at["pets", "mean"] == pytest.approx(published[("Reg-H-Score", "pets")], abs=1e-9)
    assert not reg_h.at["average", "complete"] and np.isnan(reg_h.at["average", "published"])
    _, summary = aggregate([pets_only], AggregateOptions(out=str(tmp_path / "out")))
    assert "paper (subset of targets)" in summary and "paper - published" not in summary


def test_every_metric_is_compared_with_its_own_published_table(pets_only) -> None:
    """With top@5 the published value comes from top@5_correlation.csv (it used to be the Pearson table)."""
    tidy, _ = collect([pets_only])
    stats = with_published(seed_statistics(tidy[tidy["metric"] == "top@5"]))
    logme = stats[(stats["method"] == "LogME") & (stats["target"] == "pets")].iloc[0]
    top5 = published_values("image", "top@5").set_index(["method", "target"])["published"]
    assert (
        logme["published"]
        == top5[("LogME", "pets")]
        != published_values("image", "pearson").set_index(["method", "target"])["published"][("LogME", "pets")]
    )
    assert logme["mean"] == pytest.approx(logme["published"], abs=1e-9)


def _tidy(values: dict[str, list[float]], weights: list[float], seeds: int = 1) -> pd.DataFrame:
    rows = []
    for method, per_target in values.items():
        for seed in range(seeds):
            for index, (value, weight) in enumerate(zip(per_target, weights, strict=True)):
                rows.append(("image", "clean", 1.0, seed, method, f"t{index}", "pearson", value + seed, weight))
    return pd.DataFrame(rows, columns=TIDY_COLUMNS)


def test_the_paired_interval_is_a_t_interval_on_the_effective_number_of_targets() -> None:
    weights = [0.1, 0.2, 0.3, 0.4]
    reference = [0.5, 0.6, 0.7, 0.8]
    shifted = [v + 0.1 for v in reference]
    mixed = [0.6, 0.5, 0.9, 0.7]  # +0.1, -0.1, +0.2, -0.1
    tidy = _tidy({"zoo_prior": reference, "shifted": shifted, "mixed": mixed}, weights, seeds=2)
    paired = paired_intervals(tidy, "zoo_prior").set_index("method")
    assert paired.at["shifted", "difference"] == pytest.approx(0.1)
    assert paired.at["shifted", "low"] == pytest.approx(0.1) and paired.at["shifted", "high"] == pytest.approx(0.1)
    assert paired.at["shifted", "p_value"] < 1e-12 and paired.at["shifted", "mdd"] < 1e-12
    assert (paired.at["shifted", "won"], paired.at["shifted", "targets"], paired.at["shifted", "seeds"]) == (4, 4, 2)
    d, w = np.array([0.1, -0.1, 0.2, -0.1]), np.array(weights)
    expected = np.dot(d, w) / w.sum()
    assert paired.at["mixed", "difference"] == pytest.approx(expected)
    # by hand: n_eff = (sum w)^2 / sum w^2 = 1 / 0.3; reliability-weighted variance; t on n_eff - 1 df
    n_eff = w.sum() ** 2 / np.sum(w**2)
    variance = np.sum(w * (d - expected) ** 2) / (w.sum() - np.sum(w**2) / w.sum())
    se = np.sqrt(variance / n_eff)
    half = stats.t.ppf(0.975, n_eff - 1) * se
    assert paired.at["mixed", "low"] == pytest.approx(expected - half)
    assert paired.at["mixed", "high"] == pytest.approx(expected + half)
    assert paired.at["mixed", "p_value"] == pytest.approx(2 * stats.t.sf(abs(expected) / se, n_eff - 1))
    quantiles = stats.t.ppf(0.975, n_eff - 1) + stats.t.ppf(0.8, n_eff - 1)
    assert paired.at["mixed", "mdd"] == pytest.approx(quantiles * se)
    assert (paired.at["mixed", "won"], paired.at["mixed", "lost"]) == (2, 2)
    wider = paired_intervals(tidy, "zoo_prior", confidence=0.99).set_index("method")
    assert wider.at["mixed", "low"] < paired.at["mixed", "low"]
    # the other candidates on request; a bootstrap is seeded
    boot = paired_intervals(tidy, "zoo_prior", resamples=2000, interval="percentile").set_index("method")
    again = paired_intervals(tidy, "zoo_prior", resamples=2000, interval="percentile").set_index("method")
    assert again.at["mixed", "low"] == boot.at["mixed", "low"] != paired.at["mixed", "low"]
    assert boot.at["mixed", "low"] >= -0.1 - 1e-12 and boot.at["mixed", "high"] <= 0.2 + 1e-12
    with pytest.raises(UserInputError, match="interval=wide"):
        paired_intervals(tidy, "zoo_prior", interval="wide")


def test_averages_are_weighted_and_know_whether_every_target_is_there() -> None:
    tidy = _tidy({"a": [0.2, 0.4]}, [1.0, 3.0]).assign(target=["cifar100", "dtd"])
    (row,) = target_averages(tidy).itertuples()
    assert row.average == pytest.approx(0.35) and row.mean == pytest.approx(0.3) and not row.complete


def test_a_store_and_the_run_folder_it_made_aggregate_alike(metadata_root, tmp_path, isolated_store) -> None:
    folder = _run_folder(
        tmp_path / "run", ["zoo=text", "targets=[glue_cola,glue_sst2]", "baseline=[logme,zoo_prior,random]",
                           "seed=2", "progress=false"], use_store=True,
    )  # fmt: skip
    from_store, _ = collect([isolated_store])
    from_folder, _ = collect([folder])
    pd.testing.assert_frame_equal(from_store, from_folder, check_dtype=False)


def test_the_same_result_twice_with_different_values_is_an_error(pets_only, tmp_path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    metrics = pd.read_csv(pets_only / "metrics.csv")
    metrics.loc[0, "value"] += 0.5
    metrics.to_csv(copy / "metrics.csv", index=False)
    (copy / "run.json").write_text((pets_only / "run.json").read_text())
    with pytest.raises(Exception, match="found twice with different values"):
        collect([pets_only, copy])


def test_cli_writes_every_table_and_bad_options_are_one_line_errors(pets_only, tmp_path, capsys) -> None:
    out = tmp_path / "agg"
    assert main([str(pets_only), "metric=[pearson,top@1]", f"out={out}", "resamples=200"]) == 0
    # headline.md only on request (the headline runs')
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == [
        "methods.csv", "paired_zoo_prior.csv", "seconds.csv", "statistics.csv", "summary.md", "summary.tex",
        "tables/pearson.md", "tables/pearson.tex", "tables/top@1.md", "tables/top@1.tex", "tidy.csv.gz",
    ]  # fmt: skip
    assert "\\begin{tabular}" in (out / "tables" / "top@1.tex").read_text()
    # methods by their short names, as in the README, the figures and the console (methods.csv keeps both)
    summary = (out / "summary.md").read_text()
    assert "| zoo prior |" in summary and "zoo_prior" not in summary
    assert "| zoo prior |" in (out / "tables" / "pearson.md").read_text()
    statistics = pd.read_csv(out / "statistics.csv")
    assert set(statistics["metric"]) == {"pearson", "top@1"}
    tidy = pd.read_csv(out / "tidy.csv.gz")
    assert len(tidy) == len(collect([pets_only])[0]) and "rel@5" in set(tidy["metric"])
    # every stage's cost, from run.json's unit_seconds: LogME's scoring time among them
    seconds = pd.read_csv(out / "seconds.csv").set_index("stage")
    unit_seconds = json.loads((pets_only / "run.json").read_text())["unit_seconds"]
    assert seconds["seconds"].to_dict() == pytest.approx({k: v for k, v in unit_seconds.items() if k != "ground_truth"})
    assert set(seconds["source"]) == {"units"} and "predict:LogME" in seconds.index
    first = (out / "tidy.csv.gz").read_bytes()
    assert main([str(pets_only), f"out={out}", "resamples=200"]) == 0
    assert (out / "tidy.csv.gz").read_bytes() == first  # the same table gives the same bytes
    capsys.readouterr()
    bad = tmp_path / "bad"
    for args, message in (
        ([str(pets_only), "metrc=pearson", f"out={bad}"], "unknown option(s) metrc"),
        ([str(pets_only), "metric=pearsn", f"out={bad}"], "metric: no pearsn in the results"),
        ([str(pets_only), "reference=nope", f"out={bad}"], "reference=nope: no such method"),
        ([str(pets_only), "resamples=many", f"out={bad}"], "resamples"),
        ([str(tmp_path / "missing"), f"out={bad}"], "no such file or folder"),
        (["metric=pearson"], "no PATH given"),
        # a pets-only run has no TransferGraph variants: no headline table, and nothing written
        ([str(pets_only), "headline=true", f"out={bad}"], "headline=true needs zoo_prior"),
        ([str(pets_only), "headline=true", "reference=LogME", f"out={bad}"], "compares with the zoo prior"),
        # one zoo cannot be pooled
        ([str(pets_only), "pooled=true", f"out={bad}"], "pooled=true needs runs of at least two zoos"),
    ):
        assert main(args) == 2, args
        err = capsys.readouterr().err
        assert err.startswith("tg-bench aggregate: error:") and message in err and "Traceback" not in err
        assert not bad.exists()


def test_pooled_tables_cover_both_zoos_targets(metadata_root, tmp_path) -> None:
    """`pooled=true`: every target of both zoos as one benchmark (zoo `pooled`), beside the per-zoo tables."""
    runs = tmp_path / "runs"
    for zoo, targets in (("image", "[pets,dtd]"), ("text", "[glue_cola,rotten_tomatoes,tweet_eval_irony]")):
        _run_folder(
            runs / zoo, [f"zoo={zoo}", "protocol=clean", f"targets={targets}", "baseline=[zoo_prior,model_size]"]
        )
    out = tmp_path / "agg"
    assert main([str(runs), f"out={out}", "pooled=true"]) == 0
    statistics = pd.read_csv(out / "statistics.csv")
    tidy = pd.read_csv(out / "tidy.csv.gz")
    size = tidy[(tidy["method"] == "model_size") & (tidy["metric"] == "pearson")]
    pooled = statistics[(statistics["zoo"] == "pooled") & (statistics["metric"] == "pearson")]
    average = pooled.set_index(["method", "target"]).loc[("model_size", "average"), "mean"]
    assert average == pytest.approx(np.average(size["value"], weights=size["weight"]), abs=1e-9)
    paired = pd.read_csv(out / "paired_zoo_prior.csv")
    row = paired[(paired["zoo"] == "pooled") & (paired["metric"] == "pearson")].squeeze()
    assert (row["method"], row["targets"]) == ("model_size", 5)
    summary = (out / "summary.md").read_text()
    assert "both zoos pooled (the zoo as a stratum)" in summary and "clean (5 targets)" in summary


def test_without_a_metadata_root_the_missing_published_values_are_said(pets_only, tmp_path, capsys) -> None:
    """A paper-protocol run aggregated where no metadata root is found: the tables are written without the
    published column, and a note says so instead of dropping it silently."""
    out = tmp_path / "agg"
    assert main([str(pets_only), f"out={out}", f"data_root={tmp_path / 'nowhere'}", "resamples=200"]) == 0
    printed = capsys.readouterr().out
    assert "note: the paper's published values are left out of every table" in printed and "nowhere" in printed
    assert pd.read_csv(out / "statistics.csv")["published"].isna().all()


def test_parse_reads_lists_and_scalars() -> None:
    paths, options, given = parse(["a", "b", "metric=[pearson,rel@1]", "confidence=0.9"])
    assert paths == [Path("a"), Path("b")] and options.metric == ["pearson", "rel@1"]
    assert options.confidence == 0.9 and given == {"metric", "confidence"}


def test_run_json_weights_are_what_the_averages_use(pets_only) -> None:
    info = json.loads((pets_only / "run.json").read_text())
    tidy, _ = collect([pets_only])
    assert tidy["weight"].unique().tolist() == [info["target_weights"]["pets"]]


@pytest.mark.slow
def test_the_aggregated_tables_go_to_an_offline_wandb_run(pets_only, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
    out = tmp_path / "agg"
    assert main([str(pets_only), f"out={out}", "resamples=200", "wandb=true"]) == 0
    (table,) = (out / "wandb").glob("offline-run-*/files/media/table/statistics_*.table.json")
    logged = json.loads(table.read_text())
    assert len(logged["data"]) == len(pd.read_csv(out / "statistics.csv"))
    assert list((out / "wandb").glob("offline-run-*/files/media/table/paired_zoo_prior_*.table.json"))
