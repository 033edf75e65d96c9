"""Every figure reads right on tables shaped like ours (8 targets per zoo, different targets in each zoo, about
twenty methods of every kind, seeds, ratios, a distance matrix with class-list names and outlier datasets): no
legend, colourbar or text over the data, every legend entry's colour drawn in the panels it speaks for, one
meaning per colour, entries told apart in greyscale (`tg_bench.figures.checks.layout_problems`), and the
provenance (protocol, seeds, targets) written on each figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from tg_bench.analysis.paired import paired_intervals
from tg_bench.analysis.tables import seed_statistics
from tg_bench.evaluate.scoring import AVERAGE
from tg_bench.figures.accuracies import accuracy_boxes
from tg_bench.figures.bars import average_bars
from tg_bench.figures.checks import layout_problems
from tg_bench.figures.distances import distance_heatmap
from tg_bench.figures.efficiency import efficiency
from tg_bench.figures.model_ratio import ratio_curves
from tg_bench.figures.scatter import predicted_vs_actual
from tg_bench.figures.style import method_style, use_identities, use_paper_style
from tg_bench.figures.top_k import top_k_curves
from tg_bench.figures.wins import target_differences, wins_against_reference
from tg_bench.identity import TRANSFERGRAPH, known_identities

TARGETS = {
    "image": ["caltech101", "cifar100", "dtd", "flowers", "pets", "smallnorb_label_elevation", "stanfordcars", "svhn"],
    "text": ["glue/cola", "glue/sst2", "rotten_tomatoes", "tweet_eval/emotion", "tweet_eval/hate",
             "tweet_eval/irony", "tweet_eval/offensive", "tweet_eval/sentiment"],
}  # fmt: skip
VARIANTS = [
    f"{regressor}_{learner}_all_normalize_without_transfer"
    for regressor in ("lr", "rf", "xgb")
    for learner in ("node2vec", "node2vec+", "homoGATConv", "homo_SAGEConv")
]
BASELINES = ["zoo_prior", "knn_prior", "logit_prior", "nested_knn_prior", "model_size", "source_accuracy",
             "guided_prior", "stacked_prior", "LogME", "Reg-H-Score", "random"]  # fmt: skip
RATIO_METHODS = ["zoo_prior", "knn_prior", "stacked_prior", "LogME", "Reg-H-Score", VARIANTS[0], VARIANTS[8],
                 VARIANTS[10], VARIANTS[11]]  # fmt: skip
SEEDS = (0, 1, 2, 3, 4)


@pytest.fixture(autouse=True)
def paper_style():
    use_paper_style()
    use_identities({})
    yield
    matplotlib.rcdefaults()


def _tidy() -> pd.DataFrame:
    """Weighted per-target rows of both protocols at ratios 1.0 / 0.5 / 0.1: each method a fixed offset from
    the zoo prior (the leaky paper protocol lifts TransferGraph near 0.8, where its curves crowd), plus seed noise
    for the stochastic ones."""
    rng = np.random.default_rng(0)
    methods = [*VARIANTS, *BASELINES]
    offset = {m: rng.uniform(-0.3, 0.05) for m in methods} | {"zoo_prior": 0.0, "random": -0.6}
    rows = []
    for zoo, targets in TARGETS.items():
        for protocol in ("paper", "clean"):
            for ratio in (1.0, 0.5, 0.1):
                for seed in SEEDS:
                    for method in methods:
                        stochastic = method in VARIANTS or method == "random"
                        if protocol == "paper" and stochastic and seed > 0:
                            continue  # the paper protocol's TransferGraph rows: seed 0 only
                        for i, target in enumerate(targets):
                            lift = 0.25 if protocol == "paper" and method in VARIANTS else 0.0
                            base = 0.55 + 0.02 * i + offset[method] + lift - 0.05 * (1 - ratio)
                            noise = rng.normal(0, 0.04) if stochastic else 0.0
                            for metric, value in (
                                ("pearson", base + noise),
                                *((f"top@{k}", 0.7 + 0.03 * k + base / 5 + noise) for k in (1, 3, 5)),
                                *((f"rel@{k}", 0.85 + 0.02 * k + base / 10 + noise / 2) for k in (1, 3, 5)),
                            ):
                                rows.append((zoo, protocol, ratio, seed, method, target, metric, value, 1.0 + i))
    columns = ["zoo", "protocol", "ratio", "seed", "method", "target", "metric", "value", "weight"]
    return pd.DataFrame(rows, columns=columns)


@pytest.fixture(scope="module")
def tidy() -> pd.DataFrame:
    return _tidy()


def _stats(tidy: pd.DataFrame) -> pd.DataFrame:
    stats = seed_statistics(tidy[tidy["metric"] == "pearson"])
    paper = (stats["protocol"] == "paper") & (stats["target"] == AVERAGE)
    return stats.assign(published=np.where(paper, stats["mean"] + 0.02, np.nan))


def _distances() -> pd.DataFrame:
    """30 datasets in three clusters, some named by their class lists, two far from all others."""
    rng = np.random.default_rng(1)
    names = [*TARGETS["image"], *(f"hub_set_{i}" for i in range(12))]
    names += [str(["alpaca", "guanaco", "llama", "vicuna"]), str(["Bacterial_spot", "Healthy"]), "outlier_a",
              "outlier_b", *(f"['class {i}', 'class {i + 1}', 'class {i + 2}']" for i in range(6))]  # fmt: skip
    centres = rng.normal(0, 3, (3, 8))
    points = np.array([centres[i % 3] + rng.normal(0, 1, 8) for i in range(len(names))])
    points[names.index("outlier_a")] += 40
    points[names.index("outlier_b")] -= 40
    values = np.sqrt(((points[:, None] - points[None]) ** 2).sum(-1))
    return pd.DataFrame(values, index=names, columns=names)


def _predictions(zoo: str) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    rows = []
    for target in TARGETS[zoo]:
        accuracy = rng.uniform(0.2, 0.95, 150)
        for method, noise in ((VARIANTS[8], 0.1), ("LogME", 0.3), ("zoo_prior", 0.2)):
            score = accuracy + rng.normal(0, noise, 150)
            rows += [(method, target, f"m{i}", s, a, 0) for i, (s, a) in enumerate(zip(score, accuracy, strict=True))]
    return pd.DataFrame(rows, columns=["method", "target", "model", "score", "accuracy", "seed"])


def _efficiency_inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, published = [], []
    for zoo in TARGETS:
        for protocol in ("paper", "clean"):
            for ratio in (0.1, 0.5, 1.0):
                for seed in SEEDS[:3]:
                    for stage, seconds in (("graph", 10), ("embedding", 300 * ratio), ("features", 20),
                                           ("regression", 90)):  # fmt: skip
                        rows.append((zoo, protocol, ratio, seed, stage, seconds * (1 + 0.05 * seed), 8, "units"))
                    rows += [(zoo, protocol, ratio, seed, f"predict:{v}", 1.0, 8, "units") for v in VARIANTS]
        for ratio in (0.1, 0.5, 1.0):
            published += [(zoo, "LogME", ratio, "t", 9000 * ratio), (zoo, "Reg-H-Score", ratio, "t", 9100 * ratio),
                          (zoo, "TG:XGB:GAT", ratio, "t", 100 + 20 * ratio)]  # fmt: skip
    seconds = pd.DataFrame(rows, columns=["zoo", "protocol", "ratio", "seed", "stage", "seconds", "targets", "source"])
    return seconds, pd.DataFrame(published, columns=["zoo", "method", "ratio", "target", "seconds"])


def _draw(name: str, tidy: pd.DataFrame) -> Figure:
    clean = tidy[(tidy["protocol"] == "clean") & (tidy["ratio"] == 1.0) & (tidy["metric"] == "pearson")]
    if name == "average":
        return average_bars(_stats(tidy), "pearson", reference="zoo_prior")
    if name == "model_ratio":
        return ratio_curves(_stats(tidy), "pearson", RATIO_METHODS)
    if name == "top_k":
        return top_k_curves(tidy, "clean", RATIO_METHODS)
    if name == "wins":
        paired = paired_intervals(clean, "zoo_prior", resamples=200)
        return wins_against_reference(target_differences(clean, "zoo_prior"), paired, "zoo_prior", protocol="clean")
    if name == "distances":
        return distance_heatmap(_distances(), "image", TARGETS["image"])
    if name == "predicted":
        return predicted_vs_actual(_predictions("image"), [VARIANTS[8], "LogME", "zoo_prior"], protocol="clean")
    if name == "efficiency":
        return efficiency(*_efficiency_inputs())
    if name == "accuracies":
        predictions = pd.concat([_predictions(zoo).assign(zoo=zoo) for zoo in TARGETS])
        return accuracy_boxes(predictions.drop_duplicates(["zoo", "target", "model"]), protocol="clean")
    raise AssertionError(name)


FIGURES = ("average", "model_ratio", "top_k", "wins", "distances", "predicted", "efficiency", "accuracies")


@pytest.mark.parametrize("name", FIGURES)
def test_no_figure_hides_its_data_or_mislabels_a_colour(name: str, tidy: pd.DataFrame) -> None:
    assert layout_problems(_draw(name, tidy)) == []


@pytest.mark.parametrize("name", [n for n in FIGURES if n != "distances"])
def test_every_figure_states_its_protocol_seeds_and_targets(name: str, tidy: pd.DataFrame) -> None:
    figure = _draw(name, tidy)
    texts = [t.get_text() for t in figure.findobj(matplotlib.text.Text)]
    words = " ".join(texts)
    assert "protocol" in words
    if name not in ("efficiency", "accuracies"):
        assert "seed" in words
    if name not in ("efficiency",):
        assert "8 targets" in words or "targets: 8" in words or all(t in words for t in TARGETS["image"])


def test_the_checks_see_a_legend_over_the_data_and_a_colour_that_means_two_things() -> None:
    figure = Figure(figsize=(4, 3))
    left, right = figure.subplots(1, 2)
    x = np.linspace(0, 1, 50)
    left.plot(x, x, color="C0", label="alpha")
    right.plot(x, 1 - x, color="C0", label="beta")  # the same colour, another meaning
    left.legend(loc="center")  # over the line
    figure.legend(*left.get_legend_handles_labels(), loc="center")  # over both panels
    problems = layout_problems(figure)
    assert any("covers" in p and "legend" in p for p in problems)
    assert any("figure legend" in p and "overlaps panel" in p for p in problems)
    assert any("draws 'beta' in the colour legend" in p for p in problems)


def test_the_checks_see_greyscale_twins_and_unused_legend_colours() -> None:
    figure = Figure(figsize=(4, 3), layout="constrained")
    ax = figure.subplots()
    ax.plot([0, 1], [0, 1], color=(0.8, 0.2, 0.2), marker="o", label="red")
    ax.plot([0, 1], [1, 0], color=(0.2, 0.45, 0.35), marker="o", label="green")  # about red's grey level
    handles, labels = ax.get_legend_handles_labels()
    handles.append(matplotlib.lines.Line2D([], [], color="orange"))
    figure.legend(handles, [*labels, "not drawn"], loc="outside right")
    problems = layout_problems(figure)
    assert any("'red' and 'green' look alike in greyscale" in p for p in problems)
    assert any("entry 'not drawn' has a colour no panel" in p for p in problems)


def test_each_transfergraph_variant_and_each_method_has_its_own_colour() -> None:
    """A (regressor, graph learner) pair keeps one colour in every figure, and no two of the package's methods
    (the 12 paper variants, the baselines) share one; within a learner, the regressor sets the lightness."""
    known = known_identities()
    paper = [m for m, i in known.items() if i.kind == TRANSFERGRAPH and m in VARIANTS]
    assert len(paper) == 12
    shown = [*paper, *(m for m in known if known[m].kind != TRANSFERGRAPH)]
    colours = {m: method_style(m).colour for m in shown}
    twins = {c: [m for m in shown if colours[m] == c] for c in colours.values()}
    assert {c: ms for c, ms in twins.items() if len(ms) > 1} == {}
    markers = {m: method_style(m).marker for m in shown if known[m].kind not in (TRANSFERGRAPH, "estimator")}
    assert len(set(markers.values())) == len(markers)  # baselines apart in greyscale too
