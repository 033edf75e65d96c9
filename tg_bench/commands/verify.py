"""`tg-bench verify PATH... [key=value ...]`: re-run finished runs from their own config and compare their numbers.

For every run folder under PATH (a `run.json` beside `metrics.csv`), the config that `run.json` recorded is run
again (never from or into a results store) into a scratch folder, and its `metrics.csv` and `predictions.csv`
are compared row by row with the folder's, as written (10 significant digits). One line per run says
`identical` or what differs; a table lists, per method, the rows that differ and the largest difference.
Exit code 0 only when every run is identical (within `tolerance`), 1 otherwise, 2 for a user error.

A run recorded before `numerics` existed is re-run as it was made: `numerics=native`, float32 fits. A run
recorded before `GNNEmbedder` existed has its GNN configs put in today's shape, the same values.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hydra.utils import get_class
from omegaconf import DictConfig, OmegaConf

from tg_bench.analysis.export import write_csv, write_text
from tg_bench.catalog import target_names
from tg_bench.commands.run import evaluate_config, published_comparison, summarise
from tg_bench.data.zoo import ZooData
from tg_bench.errors import USER_ERROR_EXIT_CODE, UserInputError
from tg_bench.evaluate.lodo import LodoResult
from tg_bench.evaluate.scoring import AVERAGE, MEAN
from tg_bench.numerics import cpu_report
from tg_bench.options import as_list, option_lines, parse_options
from tg_bench.run_outputs import write_run_outputs
from tg_bench.store.provenance import data_checksum, package_versions

USAGE = """usage: tg-bench verify PATH... [key=value ...]

PATH: run folders (run.json + metrics.csv), or folders holding them (e.g. results/transfergraph/text)
options (key=value):"""

#: the row keys of each compared file, and its compared value columns
COMPARED = {
    "metrics.csv": (["method", "target", "metric", "seed"], ["value"]),
    "predictions.csv": (["method", "target", "model", "seed"], ["score", "accuracy"]),
}

#: what a run recorded before the numerics setting existed was made with
LEGACY_NUMERICS = {"name": "native", "dtype": "float32"}


@dataclass
class VerifyOptions:
    """The options of `tg-bench verify` (each `key=value` on the command line)."""

    #: the largest absolute difference still counted as identical
    tolerance: float = 0.0
    #: only runs of these seeds, e.g. [0] (null: every run)
    seeds: Any = None
    #: only these targets, by key or name, e.g. [glue_cola] (null: each run's own); averages are compared
    #: only when every target of a run is re-run
    targets: Any = None
    #: only these methods, as metrics.csv names them (null: every method of the run)
    methods: Any = None
    #: worker processes per run (-1: every core)
    n_jobs: int = -1
    #: keep the re-runs' folders here (null: a temporary folder, removed afterwards)
    out: Any = None
    #: a progress bar per run
    progress: bool = True
    #: write the re-run's rows of `methods` into each folder that differs (for a method whose code changed):
    #: their values in metrics.csv and predictions.csv replaced row by row, summary.md and comparison.csv
    #: rewritten, the update noted in run.json; every other method's rows stay as they are. Not with `targets`
    update: bool = False


@dataclass
class RunCheck:
    """What re-running one folder gave: rows compared and differing per file, and the differing rows."""

    folder: Path
    compared: dict[str, int] = field(default_factory=dict)
    differing: dict[str, int] = field(default_factory=dict)
    #: file, method, target, detail (metric or model), committed, rerun, difference
    differences: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def identical(self) -> bool:
        return not any(self.differing.values())


def run_folders(paths: list[Path]) -> list[Path]:
    """Every folder with a `run.json` and a `metrics.csv` at or under `paths`, sorted."""
    if not paths:
        raise UserInputError("no PATH given: name run folders or folders holding them (results/transfergraph/text)")
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise UserInputError("no such file or folder", path=path)
        candidates = [path] if (path / "run.json").is_file() else sorted(p.parent for p in path.rglob("run.json"))
        found.extend(folder for folder in candidates if (folder / "metrics.csv").is_file())
    if not found:
        raise UserInputError(f"no run folders (run.json + metrics.csv) under {', '.join(map(str, paths))}")
    return sorted(set(found))


#: the encoder of each GNN embedder class a run recorded before `GNNEmbedder` existed
LEGACY_GNN_ENCODERS = {
    "tg_bench.embed.gnn.SAGEEmbedder": "tg_bench.embed.encoders.SAGEEncoder",
    "tg_bench.embed.gnn.GATEmbedder": "tg_bench.embed.encoders.GATEncoder",
}


def upgrade_gnn_config(node: Mapping[str, Any]) -> dict[str, Any]:
    """A GNN embedder's config as a run recorded it before `GNNEmbedder` existed (`SAGEEmbedder` /
    `GATEmbedder`, every setting at the top level) in today's shape: the encoder's widths under `encoder`, the
    other settings under `settings`, the same values. Any other embedder's config comes back as it is."""
    node = dict(node)
    encoder = LEGACY_GNN_ENCODERS.get(str(node.get("_target_")))
    if encoder is None:
        return node
    del node["_target_"]
    name = node.pop("name")
    widths = {key: node.pop(key) for key in ("hidden_channels", "out_channels")}
    return {
        "_target_": "tg_bench.embed.gnn.GNNEmbedder",
        "name": name,
        "encoder": {"_target_": encoder, "_partial_": True, **widths},
        "settings": {"_target_": "tg_bench.embed.link_settings.LinkSettings", **node},
    }


def rerun_config(recorded: dict, options: VerifyOptions, targets: list[str]) -> DictConfig:
    """The recorded config made runnable here: this machine's data root, no results store, the narrowing of
    `options` (targets); a run from before `numerics` existed gets the native mode it was made with, one from
    before `GNNEmbedder` its GNN configs in today's shape (`upgrade_gnn_config`)."""
    cfg = OmegaConf.create(recorded)
    embedders = (cfg.get("transfergraph") or {}).get("embedders") or {}
    for key in list(embedders):
        if embedders[key].get("_target_") in LEGACY_GNN_ENCODERS:
            embedders[key] = upgrade_gnn_config(OmegaConf.to_container(embedders[key]))
    if cfg.get("numerics") is None:
        cfg.numerics = dict(LEGACY_NUMERICS)
        for node in embedders.values():
            # a GNN's dtype is one of its fit's settings
            for built in (node, node.get("settings")):
                if not isinstance(built, Mapping) or "_target_" not in built or "dtype" in built:
                    continue
                if "dtype" in inspect.signature(get_class(built._target_)).parameters:
                    built.dtype = LEGACY_NUMERICS["dtype"]
    cfg.paths.data_root = None  # $TG_BENCH_DATA, else data/: where the data lives on this machine
    cfg.paths.store_dir = None
    cfg.rerun = True
    cfg.n_jobs = options.n_jobs
    cfg.progress = options.progress
    if options.targets is not None:
        cfg.target = None
        cfg.targets = list(targets)
    return cfg


def _read(path: Path) -> pd.DataFrame | None:
    """A run's CSV, or its .csv.gz (committed predictions are compressed); None when it has neither (results/
    keeps predictions of seed 0 only)."""
    for candidate in (path, path.with_name(path.name + ".gz")):
        if candidate.is_file():
            return pd.read_csv(candidate, keep_default_na=True)
    return None


def row_keys(frame: pd.DataFrame, keys: list[str]) -> pd.MultiIndex:
    """Each row's `keys` and its rank among rows with the same keys: the identity `compare_file` matches rows
    by (the paper protocol has one prediction per fine-tuning record, so a model can appear more than once per
    target)."""
    ranked = frame.assign(row=frame.groupby(keys, sort=False).cumcount())
    return pd.MultiIndex.from_frame(ranked[[*keys, "row"]])


def compare_file(name: str, committed: pd.DataFrame, rerun: pd.DataFrame, tolerance: float) -> tuple[int, pd.DataFrame]:
    """(rows compared, the rows that differ by more than `tolerance` or exist on one side only).

    Both frames hold the same scope already; NaN equals NaN. Rows are matched by key and by their rank among
    rows of the same key (`row_keys`)."""
    keys, values = COMPARED[name]
    frames = [frame[values].set_axis(row_keys(frame, keys)) for frame in (committed, rerun)]
    joined = frames[0].join(frames[1], how="outer", lsuffix="_committed", rsuffix="_rerun")
    rows = []
    for column in values:
        old, new = joined[f"{column}_committed"], joined[f"{column}_rerun"]
        both_nan = old.isna() & new.isna()
        difference = (new - old).abs()
        differs = ~both_nan & (difference.isna() | (difference > tolerance))
        for index in joined.index[differs.to_numpy()]:
            method, target, detail = index[0], index[1], index[2]
            rows.append((name, method, target, f"{column}:{detail}", old[index], new[index], difference[index]))
    table = pd.DataFrame(rows, columns=["file", "method", "target", "detail", "committed", "rerun", "difference"])
    return len(joined), table


def _scope(frame: pd.DataFrame, methods: set[str], targets: set[str], seed: int) -> pd.DataFrame:
    return frame[frame["method"].isin(methods) & frame["target"].isin(targets) & (frame["seed"] == seed)]


def verify_folder(folder: Path, options: VerifyOptions, scratch: Path) -> RunCheck | None:
    """Re-run one folder's config and compare; None when `options` narrow it away (another seed, none of
    the targets)."""
    info = json.loads((folder / "run.json").read_text())
    recorded = info.get("config")
    if not isinstance(recorded, dict):
        raise UserInputError("run.json has no `config` to re-run", path=folder / "run.json")
    seed = int(recorded.get("seed", 0))
    if options.seeds is not None and seed not in {int(s) for s in as_list(options.seeds)}:
        return None
    committed = {name: frame for name in COMPARED if (frame := _read(folder / name)) is not None}
    run_targets = [t for t in dict.fromkeys(committed["metrics.csv"]["target"]) if t not in (AVERAGE, MEAN)]
    targets = run_targets
    if options.targets is not None:
        by_key = target_names()
        wanted = {by_key.get(t, t) for t in as_list(options.targets)}
        targets = [t for t in run_targets if t in wanted]
        if not targets:
            return None
    methods = None if options.methods is None else as_list(options.methods)
    check = RunCheck(folder)
    start = time.perf_counter()
    cfg = rerun_config(recorded, options, targets)
    zoo, result = evaluate_config(cfg, use_store=False, methods=methods)
    out = scratch / folder.name
    write_run_outputs(out, result, OmegaConf.to_container(cfg, resolve=True), zoo, {})
    check.seconds = time.perf_counter() - start
    recorded_data = (info.get("data") or {}).get("sha256", {}).get("combined")
    if recorded_data and recorded_data != data_checksum(zoo.files)["combined"]:
        check.notes.append("the data differs from the run's (sha256)")
    rerun_methods = set(result.metrics["method"])
    if methods is not None:
        rerun_methods &= set(methods)
    scope_targets = set(targets) | ({AVERAGE, MEAN} if targets == run_targets else set())
    tables = []
    if "predictions.csv" not in committed:
        check.notes.append("no predictions.csv here: metrics only")
    for name in committed:
        new = _scope(_read(out / name), rerun_methods, scope_targets, seed)
        old = _scope(committed[name], rerun_methods, scope_targets, seed)
        check.compared[name], table = compare_file(name, old, new, float(options.tolerance))
        check.differing[name] = len(table)
        tables.append(table)
    check.differences = pd.concat(tables, ignore_index=True)
    if options.update and not check.identical:
        update_folder(folder, info, committed, out, rerun_methods, seed, cfg, zoo, result)
        check.notes.append(f"updated: {', '.join(sorted(rerun_methods))}")
    return check


def replaced_values(name: str, committed: pd.DataFrame, rerun: pd.DataFrame, methods: set[str]) -> pd.DataFrame:
    """`committed` (a whole metrics.csv or predictions.csv) with the value columns of `methods`' rows taken from
    `rerun`, matched by `row_keys` as `compare_file` matches them; every other cell as it was. The rows of
    `methods` must be the same on both sides (else re-run the whole folder)."""
    keys, values = COMPARED[name]
    ours = committed["method"].isin(methods)
    old_index, new_index = row_keys(committed[ours], keys), row_keys(rerun[rerun["method"].isin(methods)], keys)
    if len(old_index) != len(new_index) or not old_index.sort_values().equals(new_index.sort_values()):
        raise UserInputError(
            f"{name}: the re-run of {', '.join(sorted(methods))} gives other rows than the folder holds; "
            "re-run the whole folder instead of updating it"
        )
    fresh = rerun[rerun["method"].isin(methods)].set_axis(new_index)[values].reindex(old_index)
    updated = committed.copy()
    for column in values:
        updated.loc[ours, column] = fresh[column].to_numpy()
    return updated


def update_folder(
    folder: Path,
    info: dict,
    committed: dict[str, pd.DataFrame],
    out: Path,
    methods: set[str],
    seed: int,
    cfg: DictConfig,
    zoo: ZooData,
    result: LodoResult,
) -> None:
    """Write the re-run's rows of `methods` (in `out`) into `folder` (`VerifyOptions.update`)."""
    written = {}
    for name, frame in committed.items():
        rerun = _read(out / name)
        written[name] = replaced_values(name, frame, rerun[rerun["seed"] == seed], methods)
    for name, frame in written.items():
        gzipped = folder / f"{name}.gz"
        write_csv(gzipped if gzipped.is_file() else folder / name, frame)
    merged = dataclasses.replace(result, metrics=written["metrics.csv"])
    show = list(cfg.get("show_metrics", ["pearson"]))
    write_text(folder / "summary.md", summarise(cfg, zoo, merged, show, echo=False))
    if (folder / "comparison.csv").is_file():
        write_csv(folder / "comparison.csv", published_comparison(zoo, merged))
    # what changed, when and with what: the rest of run.json still describes the run as it was first made
    info.setdefault("updates", []).append(
        {
            "methods": sorted(methods),
            "date": datetime.now(UTC).strftime("%Y-%m-%d"),
            "versions": package_versions(),
            "cpu": cpu_report()["model"],
            "kernels": result.kernels,
            "unit_seconds": {k: round(v, 4) for k, v in result.unit_seconds.items()},
        }
    )
    write_text(folder / "run.json", json.dumps(info, indent=2, sort_keys=False, default=str))


def _largest(differences: pd.DataFrame) -> tuple[pd.Series, str]:
    """The row with the largest difference (a row missing on one side first) and that difference as text."""
    worst = differences.sort_values("difference", ascending=False, na_position="first").iloc[0]
    return worst, "missing row" if np.isnan(worst["difference"]) else f"{worst['difference']:.3g}"


def summary_line(check: RunCheck) -> str:
    counts = ", ".join(f"{rows} {name.split('.')[0]} rows" for name, rows in check.compared.items())
    notes = "".join(f"; {note}" for note in check.notes)
    if check.identical:
        return f"{check.folder}: identical ({counts}; {check.seconds:.0f} s){notes}"
    worst, largest = _largest(check.differences)
    where = f"{worst['method']} on {worst['target']}, {worst['detail']}"
    differing = ", ".join(f"{check.differing[name]} of {rows} {name}" for name, rows in check.compared.items())
    return f"{check.folder}: DIFFERS in {differing}; largest {largest} ({where}){notes}"


def difference_table(checks: list[RunCheck]) -> str:
    """Markdown: per run, file and method, how many rows differ and the largest difference (and where)."""
    lines = ["| run | file | method | rows differing | largest difference | at |", "|---|---|---|---|---|---|"]
    for check in checks:
        if check.identical:
            continue
        for (file, method), group in check.differences.groupby(["file", "method"], sort=True):
            worst, largest = _largest(group)
            at = f"{worst['target']}, {worst['detail']}: {worst['committed']} -> {worst['rerun']}"
            lines.append(f"| {check.folder} | {file} | {method} | {len(group)} | {largest} | {at} |")
    return "\n".join(lines)


def verify(paths: list[Path], options: VerifyOptions) -> list[RunCheck]:
    """Verify every run folder under `paths`, printing one line per run as it finishes."""
    folders = run_folders(paths)
    cpu = cpu_report()
    print(f"verifying {len(folders)} run folder(s) on {cpu['model']} ({cpu['vendor']}, avx512={cpu['avx512']})")
    checks = []
    with tempfile.TemporaryDirectory(prefix="tg-bench-verify-") as temporary:
        scratch = Path(options.out) if options.out else Path(temporary)
        for folder in folders:
            check = verify_folder(folder, options, scratch / f"{len(checks):03d}")
            if check is None:
                continue
            print(summary_line(check), flush=True)
            checks.append(check)
    if not checks:
        raise UserInputError("nothing to verify: the seeds / targets options leave no run")
    return checks


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print("\n".join([USAGE, *option_lines(VerifyOptions())]))
        return 0 if args else USER_ERROR_EXIT_CODE
    try:
        paths, options, _ = parse_options(args, VerifyOptions)
        if options.update and options.targets is not None:
            raise UserInputError("update=true rewrites whole runs: leave out `targets`")
        checks = verify(paths, options)
    except UserInputError as exc:
        print(f"tg-bench verify: error: {exc}", file=sys.stderr)
        return USER_ERROR_EXIT_CODE
    differing = [check for check in checks if not check.identical]
    if differing:
        print(f"\n{len(differing)} of {len(checks)} run(s) differ:\n")
        print(difference_table(differing))
        return 1
    print(f"all {len(checks)} run(s) identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
