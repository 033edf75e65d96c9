"""The figures (`tg_bench.figures`, `tg-bench figures`) and `tg-bench compare`: each figure draws what its table
says (bar lengths, line heights, intervals, labels), methods look the same everywhere, bad options are one-line
errors, and the same tables give the same files."""

from __future__ import annotations

import colorsys
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgb
from scipy import stats as scipy_stats

from tg_bench.analysis.compare import comparison_table, paper_vs_ours
from tg_bench.analysis.export import write_csv
from tg_bench.analysis.tables import seed_statistics
from tg_bench.commands.compare import main as compare_main
from tg_bench.commands.figures import FigureOptions, best_variant, draw_all, main
from tg_bench.evaluate.scoring import AVERAGE
from tg_bench.figures.accuracies import accuracy_boxes
from tg_bench.figures.bars import average_bars
from tg_bench.figures.distances import distance_heatmap
from tg_bench.figures.efficiency import variant_seconds
from tg_bench.figures.inputs import read_results
from tg_bench.figures.model_ratio import ratio_curves
from tg_bench.figures.scatter import min_max, predicted_vs_actual
from tg_bench.figures.style import method_style, short_label
from tg_bench.figures.top_k import top_k_curves
from tg_bench.figures.wins import target_differences, wins_against_reference

XGB_N2V = "xgb_node2vec_all_normalize_without_transfer"
LR_GAT = "lr_homoGATConv_all_normalize_without_transfer"
METHODS = ("zoo_prior", "LogME", XGB_N2V, LR_GAT)
TARGETS = {"t1": 0.1, "t2": 0.3, "t3": 0.6}


def _tidy(seeds=(0, 1, 2), ratios=(1.0, 0.5), zoos=("image", "text")) -> pd.DataFrame:
    """A small tidy table: every method is a fixed offset from the zoo prior plus seed noise (none for the
    deterministic zoo prior and LogME)."""
    rng = np.random.default_rng(0)
    offset = {"zoo_prior": 0.0, "LogME": -0.4, XGB_N2V: 0.05, LR_GAT: -0.1}
    rows = []
    for zoo in zoos:
        for protocol in ("paper", "clean"):
            for ratio in ratios:
                for seed in seeds:
                    for method in METHODS:
                        for i, (target, weight) in enumerate(TARGETS.items()):
                            base = 0.7 + 0.05 * i + offset[method]
                            noise = 0.0 if method in ("zoo_prior", "LogME") else rng.normal(0, 0.02)
                            for metric, value in (
                                ("pearson", base + noise),
                                *((f"top@{k}", 0.8 + 0.02 * k + noise) for k in (1, 2, 3)),
                                *((f"rel@{k}", 0.9 + 0.03 * k + noise / 2) for k in (1, 2, 3)),
                            ):
                                rows.append((zoo, protocol, ratio, seed, method, target, metric, value, weight))
    columns = ["zoo", "protocol", "ratio", "seed", "method", "target", "metric", "value", "weight"]
    return pd.DataFrame(rows, columns=columns)


def _stats(tidy: pd.DataFrame, metric: str = "pearson") -> pd.DataFrame:
    stats = seed_statistics(tidy[tidy["metric"] == metric])
    # a published value for the paper protocol's averages: ours + 0.01
    published = np.where((stats["protocol"] == "paper") & (stats["target"] == AVERAGE), stats["mean"] + 0.01, np.nan)
    return stats.assign(published=published)


def test_short_labels_colours_and_hatches_are_one_style_everywhere() -> None:
    assert short_label(XGB_N2V) == "TG:XGB:N2V"
    assert short_label("rf_node2vec+_all_normalize_without_transfer") == "TG:RF:N2V+"
    assert short_label("lr_homo_SAGEConv_all_normalize_with_transfer") == "TG:LR:SAGE+T"
    assert short_label("xgb_none_all_normalize_without_transfer_no_similarity") == "TG:XGB:none [no_similarity]"
    assert short_label("zoo_prior") == "zoo prior" and short_label("LogME") == "LogME"
    assert short_label("my_method") == "my_method"
    gat_lr, gat_xgb, n2v_xgb = (
        method_style(LR_GAT),
        method_style("xgb_homoGATConv_all_normalize_without_transfer"),
        method_style(XGB_N2V),
    )
    hue = [round(colorsys.rgb_to_hls(*to_rgb(s.colour))[0], 2) for s in (gat_lr, gat_xgb, n2v_xgb)]
    assert hue[0] == hue[1] != hue[2]  # hue and marker = graph learner
    assert gat_lr.marker == gat_xgb.marker != n2v_xgb.marker
    assert gat_lr.colour != gat_xgb.colour  # ... and a colour of its own per (regressor, learner)
    assert gat_xgb.hatch == n2v_xgb.hatch != gat_lr.hatch  # hatch and line style = regressor
    assert gat_xgb.linestyle == n2v_xgb.linestyle != gat_lr.linestyle
    assert method_style("LogME").colour != method_style("Reg-H-Score").colour
    assert method_style("zoo_prior").kind == "data-agnostic" and method_style("LogME").kind == "estimator"


def test_bars_are_the_seed_means_sorted_by_the_clean_protocol_with_the_published_value_marked() -> None:
    tidy = _tidy()
    stats = _stats(tidy)
    figure = average_bars(stats, "pearson")
    axes = figure.axes
    assert len(axes) == 4  # 2 zoos x 2 protocols
    image_clean = axes[1]
    assert image_clean.get_title().splitlines() == ["image zoo, clean protocol", "3 seeds, 3 targets"]
    widths = [patch.get_width() for patch in image_clean.patches]
    expected = stats[
        (stats["zoo"] == "image")
        & (stats["protocol"] == "clean")
        & (stats["target"] == AVERAGE)
        & (stats["ratio"] == 1.0)
    ]
    expected = expected.sort_values("mean", ascending=False)
    np.testing.assert_allclose(widths, expected["mean"].to_numpy())
    labels = [t.get_text() for t in axes[0].get_yticklabels()]
    assert labels == [short_label(m) for m in expected["method"]]
    # the paper panel marks each published value with a diamond at that value
    diamonds = [line for line in axes[0].lines if line.get_marker() == "D"]
    paper = stats[
        (stats["zoo"] == "image")
        & (stats["protocol"] == "paper")
        & (stats["target"] == AVERAGE)
        & (stats["ratio"] == 1.0)
    ]
    assert sorted(float(d.get_xdata()[0]) for d in diamonds) == pytest.approx(sorted(paper["published"]))
    assert not [line for line in image_clean.lines if line.get_marker() == "D"]
    with pytest.raises(ValueError, match="no weighted-average spearman"):
        average_bars(stats, "spearman")


def test_model_ratio_lines_follow_the_ratio_means_and_the_published_curve_is_dotted() -> None:
    stats = _stats(_tidy())
    figure = ratio_curves(stats, "pearson", methods=[XGB_N2V, "zoo_prior"])
    paper_image = figure.axes[0]
    solid = [line for line in paper_image.lines if not line.get_label().startswith("_")]
    dashed = [line for line in paper_image.lines if line.get_linestyle() == ":"]  # dotted: published
    assert len(solid) == 2 and len(dashed) == 2
    rows = stats[
        (stats["zoo"] == "image")
        & (stats["protocol"] == "paper")
        & (stats["method"] == XGB_N2V)
        & (stats["target"] == AVERAGE)
    ]
    rows = rows.sort_values("ratio")
    xgb_line = next(line for line in solid if line.get_label() == "TG:XGB:N2V")
    np.testing.assert_allclose(xgb_line.get_xdata(), rows["ratio"])
    np.testing.assert_allclose(xgb_line.get_ydata(), rows["mean"])
    np.testing.assert_allclose(
        sorted(np.concatenate([d.get_ydata() for d in dashed])),
        sorted(
            stats[
                (stats["zoo"] == "image")
                & (stats["protocol"] == "paper")
                & stats["method"].isin([XGB_N2V, "zoo_prior"])
                & (stats["target"] == AVERAGE)
            ]["published"]
        ),
    )
    with pytest.raises(ValueError, match="fewer than two ratios"):
        ratio_curves(stats[stats["ratio"] == 1.0], "pearson", [XGB_N2V])


def test_regret_at_k_is_one_minus_the_weighted_rel_at_k() -> None:
    tidy = _tidy(zoos=("image",))
    figure = top_k_curves(tidy, "clean", methods=["LogME"])
    top_panel, regret_panel = figure.axes[:2]
    rel = tidy[(tidy["protocol"] == "clean") & (tidy["method"] == "LogME") & (tidy["ratio"] == 1.0)]
    expected = []
    for k in (1, 2, 3):
        rows = rel[(rel["metric"] == f"rel@{k}") & (rel["seed"] == 0)]
        expected.append(1 - np.average(rows["value"], weights=rows["weight"]))
    np.testing.assert_allclose(regret_panel.lines[0].get_ydata(), expected)
    np.testing.assert_allclose(regret_panel.lines[0].get_xdata(), [1, 2, 3])
    assert top_panel.get_ylabel().startswith("top@k")


def test_seconds_per_variant_and_target_come_from_the_transfergraph_stages() -> None:
    rows = [("image", "clean", 0.5, 0, stage, seconds, 4, "units") for stage, seconds in (
        ("graph", 4.0), ("embedding", 80.0), ("features", 8.0), ("regression", 28.0), ("scoring", 99.0),
        (f"predict:{XGB_N2V}", 1.0), (f"predict:{LR_GAT}", 1.0), ("predict:LogME", 1.0),
    )]  # fmt: skip
    seconds = pd.DataFrame(rows, columns=["zoo", "protocol", "ratio", "seed", "stage", "seconds", "targets", "source"])
    result = variant_seconds(seconds)
    assert result["variants"].tolist() == [2]  # LogME is not a TransferGraph variant
    assert result["seconds"].tolist() == pytest.approx([(4 + 80 + 8 + 28) / 2 / 4])


def test_the_heatmap_clusters_close_datasets_together_and_marks_targets() -> None:
    names = ["a", "b", "c", "d"]
    points = np.array([0.0, 10.0, 0.5, 10.4])  # a~c and b~d
    matrix = pd.DataFrame(np.abs(points[:, None] - points[None, :]), index=names, columns=names)
    figure = distance_heatmap(matrix, "toy", targets=["c"])
    heatmap = next(ax for ax in figure.axes if ax.get_yticklabels() and len(ax.get_yticklabels()) == 4)
    order = [t.get_text() for t in heatmap.get_yticklabels()]
    assert sorted(order) == names
    assert abs(order.index("a") - order.index("c")) == 1 and abs(order.index("b") - order.index("d")) == 1
    bold = [t.get_text() for t in heatmap.get_yticklabels() if t.get_fontweight() == "bold"]
    assert bold == ["c"]


def test_the_scatter_titles_each_method_with_its_pearson_r_on_the_target() -> None:
    rng = np.random.default_rng(1)
    accuracy = rng.uniform(0.5, 0.9, 30)
    scores = {XGB_N2V: accuracy + rng.normal(0, 0.05, 30), "LogME": 100 * rng.normal(size=30)}
    predictions = pd.concat(
        pd.DataFrame({"method": m, "target": "t1", "model": range(30), "score": s, "accuracy": accuracy})
        for m, s in scores.items()
    )
    figure = predicted_vs_actual(predictions, [XGB_N2V, "LogME"], protocol="clean")
    legend = [t.get_text() for t in figure.legends[0].get_texts()]
    assert legend == [short_label(XGB_N2V), "LogME"]
    assert figure.legends[0].get_title().get_text().startswith("clean protocol; 30 models per target")
    title, correlations = figure.axes[0].get_title().splitlines()
    expected = []
    for method in (XGB_N2V, "LogME"):
        rows = predictions[predictions["method"] == method]
        expected.append(f"{scipy_stats.pearsonr(rows['score'], rows['accuracy']).statistic:.2f}")
    assert (title, correlations) == ("t1", f"r: {' / '.join(expected)}")  # in the legend's order
    scaled = [c.get_offsets()[:, 0] for c in figure.axes[0].collections if isinstance(c, PathCollection)]
    assert all(s.min() == 0 and s.max() == 1 for s in scaled)
    assert min_max(pd.Series([2.0, 2.0])).tolist() == [0.5, 0.5]


def test_box_plots_have_one_box_per_target_labelled_with_its_model_count() -> None:
    rows = [("image", t, f"m{i}", 0.5 + 0.01 * i) for t in ("x", "y") for i in range(5 if t == "x" else 3)]
    figure = accuracy_boxes(pd.DataFrame(rows, columns=["zoo", "target", "model", "accuracy"]))
    labels = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    assert labels == ["y (3)", "x (5)"]  # sorted by median accuracy


def test_target_differences_are_seed_paired_with_t_intervals() -> None:
    tidy = _tidy(zoos=("image",))
    chosen = tidy[(tidy["protocol"] == "clean") & (tidy["ratio"] == 1.0) & (tidy["metric"] == "pearson")]
    differences = target_differences(chosen, "zoo_prior")
    logme = differences[differences["method"] == "LogME"]
    assert logme["difference"].tolist() == pytest.approx([-0.4] * 3)
    assert (logme["high"] - logme["low"]).tolist() == pytest.approx([0, 0, 0])  # deterministic: no spread
    xgb = differences[(differences["method"] == XGB_N2V) & (differences["target"] == "t2")].iloc[0]
    values = chosen[(chosen["method"] == XGB_N2V) & (chosen["target"] == "t2")].sort_values("seed")["value"].to_numpy()
    reference = (
        chosen[(chosen["method"] == "zoo_prior") & (chosen["target"] == "t2")].sort_values("seed")["value"].to_numpy()
    )
    paired = values - reference
    interval = scipy_stats.t.interval(0.95, len(paired) - 1, loc=paired.mean(), scale=scipy_stats.sem(paired))
    assert (xgb["low"], xgb["high"]) == pytest.approx(interval)
    figure = wins_against_reference(differences, None, "zoo_prior")
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert labels[0] == "TG:XGB:N2V (3/3)" and labels[-1] == "LogME (0/3)"


def _results(folder: Path) -> Path:
    tidy = _tidy()
    write_csv(folder / "transfergraph" / "tidy.csv.gz", tidy[tidy["ratio"] == 1.0])
    write_csv(folder / "model_ratio" / "tidy.csv.gz", tidy)
    return folder


def test_figures_cli_draws_from_a_results_folder_and_rejects_bad_options(tmp_path, capsys) -> None:
    results = _results(tmp_path / "results")
    out = tmp_path / "figures"
    args = [str(results), f"out={out}", "only=[average,model_ratio,top_k,wins]"]
    assert main([*args, "formats=[png,pdf]"]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{stem}.{fmt}"
        for stem in ("average_pearson", "model_ratio_pearson", "top_k_clean", "wins_pearson_clean")
        for fmt in ("png", "pdf")
    )
    image = matplotlib.image.imread(out / "average_pearson.png")
    assert image.shape[1] > 1000  # 200 dpi at 7.2 in: sharp when set at text width
    first = (out / "average_pearson.pdf").read_bytes()
    assert main([*args, "formats=[pdf]"]) == 0
    assert (out / "average_pearson.pdf").read_bytes() == first  # no timestamp: same tables, same file
    capsys.readouterr()
    bad = tmp_path / "bad"
    for extra, message in (
        (["only=[avrage]"], "only: unknown figure(s) avrage"),
        (["metric=pearsn"], "metric: no pearsn"),
        (["protocl=clean"], "unknown option(s) protocl"),
        (["formats=[gif]"], "formats: unsupported gif"),
    ):
        assert main([str(results), f"out={bad}", *extra]) == 2
        err = capsys.readouterr().err
        assert err.startswith("tg-bench figures: error:") and message in err and "Traceback" not in err
        assert not bad.exists()
    assert main([str(tmp_path / "empty"), f"out={bad}"]) == 2
    assert "run `tg-bench aggregate` first" in capsys.readouterr().err


def test_the_predicted_figure_takes_the_best_clean_variant_by_default(tmp_path) -> None:
    tidy = _tidy(ratios=(1.0,))
    assert best_variant(tidy, "image", "clean") == XGB_N2V
    results = _results(tmp_path / "results")
    run = results / "transfergraph" / "image" / "clean_seed0"
    run.mkdir(parents=True)
    rng = np.random.default_rng(0)
    rows = [(m, t, f"m{i}", rng.normal(), rng.uniform(), 0) for m in METHODS for t in TARGETS for i in range(6)]
    pd.DataFrame(rows, columns=["method", "target", "model", "score", "accuracy", "seed"]).to_csv(
        run / "predictions.csv.gz", index=False
    )
    figures, notes = draw_all(read_results(results), FigureOptions(only=["predicted"]))
    assert list(figures) == ["predicted_image"] and notes == [
        "predicted_text: skipped (no kept predictions.csv under clean)"
    ]
    legend = [t.get_text() for t in figures["predicted_image"].legends[0].get_texts()]
    assert legend == ["TG:XGB:N2V", "LogME", "zoo prior"]


def test_compare_sets_ours_beside_the_published_value_of_the_same_metric() -> None:
    stats = _stats(_tidy(ratios=(1.0,), zoos=("image",)))
    compared = paper_vs_ours(stats)
    assert set(compared["target"]) == {AVERAGE} and compared["difference"].tolist() == pytest.approx([-0.01] * 4)
    table = comparison_table(compared, "average")
    assert table.loc[("LogME", AVERAGE), "ours - published"] == "-0.0100"
    assert table.index.get_level_values("method")[0] == XGB_N2V  # best first


def test_compare_cli_reproduces_the_published_logme_rows_exactly(metadata_root, capsys, tmp_path) -> None:
    """The committed headline runs: LogME's paper-protocol rel@1 equals the published value on every target."""
    results = Path(__file__).parents[1] / "results" / "transfergraph" / "image"
    assert compare_main([str(results), "metric=rel@1", "methods=[LogME]", f"out={tmp_path}"]) == 0
    printed = capsys.readouterr().out
    compared = pd.read_csv(tmp_path / "compare_rel@1.csv")
    assert len(compared) == 9 and compared["difference"].abs().max() < 1e-9
    assert (
        "| LogME | average |" in printed and (tmp_path / "compare_rel@1.tex").read_text().count("\\begin{tabular}") == 2
    )
    assert compare_main([str(results), "metric=rel@1", "methods=[LogMe]"]) == 2
    assert "methods: no LogMe" in capsys.readouterr().err
    info = json.loads(next(results.glob("paper_seed0/run.json")).read_text())
    assert info["config"]["protocol"]["name"] == "paper"


def test_a_study_of_one_protocol_is_drawn_from_its_own_folder(tmp_path) -> None:
    """`studies=[...]` reads other aggregated folders (results/classic10); one protocol gets one column."""
    tidy = _tidy(ratios=(1.0,))
    write_csv(tmp_path / "results" / "mine" / "tidy.csv.gz", tidy[tidy["protocol"] == "clean"])
    out = tmp_path / "figures"
    args = [str(tmp_path / "results"), "studies=[mine]", "only=[average,wins]", f"out={out}", "formats=[png]"]
    assert main(args) == 0
    assert sorted(p.name for p in out.iterdir()) == ["average_pearson.png", "wins_pearson_clean.png"]
    figures, _ = draw_all(read_results(tmp_path / "results", ["mine"]), FigureOptions(only=["average"]))
    titles = [ax.get_title().splitlines()[0] for ax in figures["average_pearson"].axes]
    assert titles == ["image zoo, clean protocol", "text zoo, clean protocol"]
    assert main([str(tmp_path / "results"), f"out={out}"]) == 2  # the default studies are not there
