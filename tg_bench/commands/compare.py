"""`tg-bench compare [PATH...] metric=<m> [methods=...]`: a zoo's published values (the paper's tables, a tidy
zoo's `published/`) beside ours (mean ± std over seeds, difference), per target and averaged, as Markdown and
LaTeX."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tg_bench.analysis.compare import comparison_table, paper_vs_ours
from tg_bench.analysis.export import to_latex, write_csv, write_text
from tg_bench.analysis.tables import seed_statistics, with_published
from tg_bench.analysis.tidy import collect
from tg_bench.errors import USER_ERROR_EXIT_CODE, UserInputError
from tg_bench.evaluate.summary import to_markdown
from tg_bench.options import as_list, option_lines, parse_options

USAGE = """usage: tg-bench compare [PATH...] [key=value ...]

PATH: run folders or results stores (default: results/transfergraph)
options (key=value):"""


@dataclass
class CompareOptions:
    """The options of `tg-bench compare`."""

    #: the metric (any the paper published a table of: pearson, kendall, w-kendall, top@k, rel@k, p@k, ...)
    metric: str = "pearson"
    #: methods to show (null: every method with a published value)
    methods: Any = None
    #: output folder (`compare_<metric>.md|.tex|.csv`); null: print only
    out: Any = None
    #: metadata root for the published values (null: $TG_BENCH_DATA, else data/)
    data_root: Any = None
    #: the runs' protocol to compare (null: paper where the runs have it, else the one protocol they have; the
    #: paper's tables compare with paper-protocol runs only, a tidy zoo's `published/` with any)
    protocol: Any = None


def compare(paths: list[Path], options: CompareOptions) -> tuple[str, str, Any]:
    """Markdown, LaTeX and the long table of published against ours for `options.metric`."""
    tidy, _ = collect(paths)
    if options.metric not in set(tidy["metric"]):
        raise UserInputError(
            f"metric: no {options.metric} in the results (available: {', '.join(sorted(set(tidy['metric'])))})"
        )
    tidy = tidy[tidy["metric"] == options.metric]
    protocol = options.protocol or _default_protocol(sorted(set(tidy["protocol"])))
    tidy = tidy[tidy["protocol"] == protocol]
    if tidy.empty:
        raise UserInputError(f"protocol: no {protocol}-protocol runs in the results")
    methods = as_list(options.methods)
    if methods:
        unknown = sorted(set(methods) - set(tidy["method"]))
        if unknown:
            raise UserInputError(
                f"methods: no {', '.join(unknown)} in the results ({', '.join(sorted(set(tidy['method'])))})"
            )
        tidy = tidy[tidy["method"].isin(methods)]
    compared = paper_vs_ours(with_published(seed_statistics(tidy), options.data_root))
    if compared.empty:
        raise UserInputError(
            f"no published {options.metric} values for these methods and targets under the {protocol} protocol "
            "(the paper's tables compare with paper-protocol runs only)"
        )
    md, tex = [], []
    for (zoo, ratio), group in compared.groupby(["zoo", "ratio"], sort=True):
        title = f"{options.metric}, {zoo} zoo" + (f", model ratio {ratio:g}" if ratio != 1.0 else "")
        title += f", {protocol} protocol: published, ours (mean ± std over seeds), ours - published"
        for part, caption in (("average", "weighted average over targets"), ("per-target", "per target")):
            table = comparison_table(group, part)
            if len(table):
                md.append(to_markdown(table.reset_index(level="target"), f"{title}; {caption}"))
                tex.append(to_latex(table, f"{title}; {caption}"))
    return "\n".join(md), "\n".join(tex), compared


def _default_protocol(protocols: list[str]) -> str:
    """`paper` where the runs have it (the paper's tables compare with it only), else their one protocol."""
    if "paper" in protocols or not protocols:
        return "paper"
    if len(protocols) > 1:
        raise UserInputError(f"protocol: the runs hold {', '.join(protocols)}; choose one with protocol=<name>")
    return protocols[0]


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in {"-h", "--help"}:
        print("\n".join([USAGE, *option_lines(CompareOptions())]))
        return 0
    try:
        paths, options, _ = parse_options(args, CompareOptions)
        markdown, latex, compared = compare(paths or [Path("results/transfergraph")], options)
        if options.out is not None:
            out = Path(options.out)
            write_text(out / f"compare_{options.metric}.md", markdown)
            write_text(out / f"compare_{options.metric}.tex", latex)
            write_csv(out / f"compare_{options.metric}.csv", compared)
    except UserInputError as exc:
        print(f"tg-bench compare: error: {exc}", file=sys.stderr)
        return USER_ERROR_EXIT_CODE
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
