"""`tg-bench` console script: dispatches a subcommand to its entry point.

`run`, `score`, `recommend` and `data-report` are Hydra apps (they take overrides, `-m` sweeps and launchers);
`fetch` takes plain flags and `aggregate` paths and `key=value` options.
"""

from __future__ import annotations

import sys

USAGE = """usage: tg-bench <command> [args]

commands:
  run          evaluate methods leave-one-dataset-out (Hydra overrides, e.g. experiment=paper_baselines_image)
  score        transferability scores of models on a target's data (e.g. zoo=text target=glue_sst2
               baseline=logme,leep models=[bert-base-uncased])
  recommend    rank a zoo's models for a new dataset from its distances to the zoo's datasets (e.g. zoo=image
               dataset.name=my_ds dataset.distances=my_ds_distances.csv top_k=5)
  data-report  data-quality report of a zoo's metadata (e.g. zoo=text)
  aggregate    tables from finished runs: mean ± std over seeds, the paper's values, paired intervals against
               a reference (e.g. results/transfergraph/image metric=pearson reference=zoo_prior)
  figures      the paper's figures from aggregated results (e.g. results out=results/figures), PNG and PDF
  compare      the paper's values beside ours for any metric, per target and averaged (e.g. metric=rel@1)
  verify       re-run finished runs from their run.json and compare their numbers row by row (e.g.
               results/transfergraph/text/clean_seed0 targets=[glue_cola]); exit 0 only when identical
  fetch        download the published TransferGraph metadata into data/ (checksummed)
"""


def _run() -> None:
    from tg_bench.commands.run import main as run_main

    run_main()


def _score() -> None:
    from tg_bench.commands.score import main as score_main

    score_main()


def _recommend() -> None:
    from tg_bench.commands.recommend import main as recommend_main

    recommend_main()


def _data_report() -> None:
    from tg_bench.commands.data_report import report_task
    from tg_bench.commands.hydra_app import launch

    launch("data-report", report_task, writes_outputs=False)


#: the Hydra apps, imported only when called (each pulls in its own stack)
HYDRA_COMMANDS = {"run": _run, "score": _score, "recommend": _recommend, "data-report": _data_report}

#: `score` options that take a list; `key=a,b` is read as `key=[a,b]`
SCORE_LIST_KEYS = ("baseline", "models")


def bracket_list_override(arg: str, key: str) -> str:
    """`key=a,b` -> `key=[a,b]`. `score` is never a sweep, so a comma list of estimators means a list (Hydra would
    otherwise ask for `-m` or brackets)."""
    prefix = f"{key}="
    if arg.startswith(prefix) and "," in arg and not arg[len(prefix) :].startswith("["):
        return f"{prefix}[{arg[len(prefix) :]}]"
    return arg


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command == "fetch":
        from tg_bench.data.fetch import main as fetch_main

        return fetch_main(rest)
    if command == "aggregate":
        from tg_bench.commands.aggregate import main as aggregate_main

        return aggregate_main(rest)
    if command == "figures":
        from tg_bench.commands.figures import main as figures_main

        return figures_main(rest)
    if command == "verify":
        from tg_bench.commands.verify import main as verify_main

        return verify_main(rest)
    if command == "compare":
        from tg_bench.commands.compare import main as compare_main

        return compare_main(rest)
    if command in HYDRA_COMMANDS:
        if command == "score":
            for key in SCORE_LIST_KEYS:
                rest = [bracket_list_override(arg, key) for arg in rest]
        # Hydra parses sys.argv itself: hand it the overrides behind the subcommand.
        sys.argv = [f"tg-bench {command}", *rest]
        HYDRA_COMMANDS[command]()
        return 0
    print(f"tg-bench: unknown command '{command}'\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
