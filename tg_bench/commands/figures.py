"""`tg-bench figures [RESULTS=results] [out=results/figures] ...`: the paper's figures (and a win/loss chart)
from the aggregated tables of a results folder and the zoo metadata, as PNG and PDF."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from tg_bench.analysis.paired import paired_intervals
from tg_bench.analysis.tables import seed_statistics, with_published
from tg_bench.atomic_write import write_atomic
from tg_bench.errors import USER_ERROR_EXIT_CODE, UserInputError
from tg_bench.evaluate.published import read_published_runtime
from tg_bench.evaluate.scoring import AVERAGE
from tg_bench.figures.accuracies import accuracy_boxes
from tg_bench.figures.bars import average_bars
from tg_bench.figures.checks import layout_problems
from tg_bench.figures.distances import distance_heatmap
from tg_bench.figures.efficiency import efficiency
from tg_bench.figures.inputs import STUDIES, FigureInputs, accuracies, load_named_zoo, read_results
from tg_bench.figures.model_ratio import ratio_curves
from tg_bench.figures.scatter import predicted_vs_actual
from tg_bench.figures.style import method_style, use_identities, use_paper_style
from tg_bench.figures.top_k import top_k_curves
from tg_bench.figures.wins import target_differences, wins_against_reference
from tg_bench.identity import TRANSFERGRAPH
from tg_bench.options import as_list, option_lines, parse_options

USAGE = """usage: tg-bench figures [RESULTS] [key=value ...]

RESULTS: a results folder holding aggregated studies (transfergraph/, model_ratio/; default: results)
options (key=value):"""

FIGURES = ("average", "model_ratio", "top_k", "efficiency", "distances", "predicted", "accuracies", "wins")


@dataclass
class FigureOptions:
    """The options of `tg-bench figures`."""

    #: output folder
    out: str = "results/figures"
    #: the correlation of the bar, model-ratio and win/loss figures
    metric: str = "pearson"
    #: protocol of the top@k, predicted-vs-actual and win/loss figures
    protocol: str = "clean"
    #: the method of the predicted-vs-actual figure (null: the best TransferGraph variant under `protocol`)
    method: Any = None
    #: the method every other is compared with in the win/loss figure (and marked in the bar figure)
    reference: str = "zoo_prior"
    #: the methods of the model-ratio and top@k figures: the reference, the estimators, a variant of each learner
    ratio_methods: Any = field(
        default_factory=lambda: [
            "zoo_prior",
            "knn_prior",
            "stacked_prior",
            "LogME",
            "Reg-H-Score",
            "lr_node2vec_all_normalize_without_transfer",
            "xgb_node2vec_all_normalize_without_transfer",
            "xgb_homoGATConv_all_normalize_without_transfer",
            "xgb_homo_SAGEConv_all_normalize_without_transfer",
        ]
    )
    #: drawn beside the chosen method in the predicted-vs-actual figure (with the reference)
    companion: str = "LogME"
    #: which figures to draw (any of FIGURES)
    only: Any = field(default_factory=lambda: list(FIGURES))
    #: file formats
    formats: Any = field(default_factory=lambda: ["png", "pdf"])
    #: metadata root (null: $TG_BENCH_DATA, else data/)
    data_root: Any = None
    #: the aggregated studies (folders of RESULTS) drawn from, e.g. [classic10]
    studies: Any = field(default_factory=lambda: list(STUDIES))


def best_variant(tidy: pd.DataFrame, zoo: str, protocol: str, metric: str = "pearson") -> str:
    """The TransferGraph variant with the highest seed-mean weighted-average `metric` on `zoo` under `protocol`
    at the whole zoo (ratio 1)."""
    rows = tidy[(tidy["zoo"] == zoo) & (tidy["protocol"] == protocol) & (tidy["ratio"] == 1.0)]
    rows = rows[rows["method"].map(lambda m: method_style(m).kind == TRANSFERGRAPH).astype(bool)]
    stats = seed_statistics(rows[rows["metric"] == metric])
    stats = stats[stats["target"] == AVERAGE]
    if stats.empty:
        raise UserInputError(f"no TransferGraph variant with {metric} results on the {zoo} zoo under {protocol}")
    return str(stats.sort_values("mean", ascending=False)["method"].iloc[0])


def draw_all(inputs: FigureInputs, options: FigureOptions) -> tuple[dict[str, Figure], list[str]]:
    """Every figure named in `options.only` that the inputs allow: file stem -> figure, and notes on the
    figures skipped and why."""
    wanted = as_list(options.only)
    unknown = sorted(set(wanted) - set(FIGURES))
    if unknown:
        raise UserInputError(f"only: unknown figure(s) {', '.join(unknown)} (choose from {', '.join(FIGURES)})")
    tidy, metric = inputs.tidy, options.metric
    if metric not in set(tidy["metric"]):
        raise UserInputError(
            f"metric: no {metric} in the results (available: {', '.join(sorted(set(tidy['metric'])))})"
        )
    if options.protocol not in set(tidy["protocol"]):
        raise UserInputError(f"protocol: no {options.protocol} runs in the results")
    zoos = sorted(tidy["zoo"].unique())
    figures: dict[str, Figure] = {}
    notes: list[str] = []

    def attempt(name: str, stem: str, draw: Callable[[], Figure]) -> None:
        if name not in wanted:
            return
        try:
            figures[stem] = draw()
        except ValueError as exc:  # the inputs lack what this figure needs
            notes.append(f"{stem}: skipped ({exc})")

    stats = with_published(seed_statistics(tidy[tidy["metric"] == metric]), options.data_root)
    attempt("average", f"average_{metric}", lambda: average_bars(stats, metric, reference=options.reference))
    ratio_methods = as_list(options.ratio_methods)
    attempt("model_ratio", f"model_ratio_{metric}", lambda: ratio_curves(stats, metric, ratio_methods))
    attempt("top_k", f"top_k_{options.protocol}", lambda: top_k_curves(tidy, options.protocol, ratio_methods))
    needs_data = {"efficiency", "distances", "accuracies"} & set(wanted)
    zoo_data = {zoo: load_named_zoo(zoo, options.data_root) for zoo in zoos} if needs_data else {}
    if "efficiency" in wanted:
        published = [
            frame.assign(zoo=zoo)
            for zoo, data in zoo_data.items()
            if (frame := read_published_runtime(Path(data.root) / data.spec.folder)) is not None
        ]
        runtime = pd.concat(published, ignore_index=True) if published else pd.DataFrame(columns=["zoo", "ratio"])
        attempt("efficiency", "efficiency", lambda: efficiency(inputs.seconds, runtime))
    for zoo, data in zoo_data.items():
        attempt(
            "distances",
            f"distances_{zoo}",
            lambda data=data, zoo=zoo: distance_heatmap(data.distances, zoo, data.targets),
        )
    if zoo_data:
        frames = [accuracies(data, options.protocol) for data in zoo_data.values()]
        attempt(
            "accuracies",
            "accuracies",
            lambda: accuracy_boxes(pd.concat(frames, ignore_index=True), options.protocol),
        )
    for zoo in zoos:
        if "predicted" not in wanted:
            break
        rows = inputs.predictions[
            (inputs.predictions["zoo"] == zoo) & (inputs.predictions["protocol"] == options.protocol)
        ]
        if rows.empty:
            notes.append(f"predicted_{zoo}: skipped (no kept predictions.csv under {options.protocol})")
            continue
        seed = int(rows["seed"].min())
        chosen = options.method or best_variant(tidy, zoo, options.protocol, metric)
        methods = list(dict.fromkeys([chosen, options.companion, options.reference]))
        attempt(
            "predicted",
            f"predicted_{zoo}",
            lambda rows=rows, seed=seed, methods=methods: predicted_vs_actual(
                rows[rows["seed"] == seed], methods, protocol=options.protocol
            ),
        )
    chosen_rows = tidy[(tidy["protocol"] == options.protocol) & (tidy["ratio"] == 1.0) & (tidy["metric"] == metric)]
    if "wins" in wanted and options.reference not in set(chosen_rows["method"]):
        notes.append(f"wins: skipped (no {options.reference} in the results)")
    elif "wins" in wanted:
        paired = paired_intervals(chosen_rows, options.reference, resamples=2000)
        differences = target_differences(chosen_rows, options.reference)
        attempt(
            "wins",
            f"wins_{metric}_{options.protocol}",
            lambda: wins_against_reference(differences, paired, options.reference, metric, options.protocol),
        )
    return figures, notes


def save(figures: dict[str, Figure], out: Path, formats: list[str]) -> list[Path]:
    """Each figure as `<out>/<stem>.<format>`, written whole (no half-written file on an error). PDFs carry no
    creation date, so the same tables give the same files."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, figure in figures.items():
        # settle the constrained layout once, then freeze it: otherwise each savefig re-runs the layout from the
        # previous draw's state, and a PDF written after a PNG differs from one written alone
        figure.draw_without_rendering()
        figure.set_layout_engine("none")
        for fmt in formats:
            path = out / f"{stem}.{fmt}"
            metadata = {"CreationDate": None} if fmt == "pdf" else None
            write_atomic(
                path,
                lambda h, f=figure, m=metadata, fmt=fmt: f.savefig(h, format=fmt, bbox_inches="tight", metadata=m),
                binary=True,
            )
            written.append(path)
        plt.close(figure)  # seaborn's clustermap registers its figure with pyplot
    return written


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in {"-h", "--help"}:
        print("\n".join([USAGE, *option_lines(FigureOptions()), f"figures: {', '.join(FIGURES)}"]))
        return 0
    try:
        paths, options, _ = parse_options(args, FigureOptions)
        if len(paths) > 1:
            raise UserInputError(f"one RESULTS folder, not {len(paths)}: {' '.join(map(str, paths))}")
        formats = as_list(options.formats)
        if bad := sorted(set(formats) - {"png", "pdf", "svg"}):
            raise UserInputError(f"formats: unsupported {', '.join(bad)} (png, pdf, svg)")
        use_paper_style()
        inputs = read_results(paths[0] if paths else Path("results"), as_list(options.studies))
        use_identities(inputs.methods)
        figures, notes = draw_all(inputs, options)
        # what a reader would trip over (text over data, a legend that mislabels a colour): said, not fatal
        notes += [f"{stem}: {problem}" for stem, figure in figures.items() for problem in layout_problems(figure)]
        written = save(figures, Path(options.out), formats)
    except UserInputError as exc:
        print(f"tg-bench figures: error: {exc}", file=sys.stderr)
        return USER_ERROR_EXIT_CODE
    for note in notes:
        print(f"note: {note}")
    print(f"wrote {len(written)} files ({len(figures)} figures) to {options.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
