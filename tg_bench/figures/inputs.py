"""What the figures are drawn from: the aggregated tables under a results folder, and the zoo metadata.

A results folder is laid out as `tg-bench aggregate` and the sweep presets leave it (README "Results"):
`transfergraph/` (headline runs, `tidy.csv.gz`), `model_ratio/` (`tidy.csv.gz`, `seconds.csv`), and
per-run `predictions.csv[.gz]` under `transfergraph/<zoo>/<protocol>_seed<s>/`. Every figure function takes
plain frames, so tests and the notebook can call them on tables of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tg_bench.analysis.seconds import SECONDS_COLUMNS
from tg_bench.analysis.tidy import TIDY_KEY
from tg_bench.catalog import entry
from tg_bench.data.zoo import ZooData, ZooSpec, load_zoo
from tg_bench.errors import UserInputError
from tg_bench.identity import METHODS_FILE, read_identities, to_frame
from tg_bench.task.ground_truth import ground_truth
from tg_bench.task.protocol import protocol_from_config

#: the studies whose tidy tables make up the figures' main table, in reading order
STUDIES = ("transfergraph", "model_ratio")


@dataclass(frozen=True)
class FigureInputs:
    """tidy: every aggregated run of `STUDIES` (columns of `tg_bench.analysis.tidy.TIDY_COLUMNS`).
    seconds: stage seconds per run (`tg_bench.analysis.seconds.SECONDS_COLUMNS`), empty if none were kept.
    predictions: `zoo`, `protocol`, `method`, `target`, `model`, `score`, `accuracy`, `seed` of the runs that
    kept their predictions (seed 0 of the headline sweep), empty if none did.
    methods: each method's identity (`tg_bench.identity.COLUMNS`: label, kind, drawing hints) from the
    studies' `methods.csv`; empty if none was written (the figures then read the package's configs).
    """

    tidy: pd.DataFrame
    seconds: pd.DataFrame
    predictions: pd.DataFrame
    methods: pd.DataFrame


def read_results(results: Path, studies: Sequence[str] = STUDIES) -> FigureInputs:
    """The aggregated tables of `studies` (folders of `results`, e.g. `classic10`); a user error if it holds
    none."""
    results = Path(results)
    tidy_files = [results / study / "tidy.csv.gz" for study in studies if (results / study / "tidy.csv.gz").is_file()]
    if not tidy_files:
        raise UserInputError(
            f"no aggregated tables ({', '.join(f'{s}/tidy.csv.gz' for s in studies)}); run `tg-bench aggregate` first",
            path=results,
        )
    tidy = pd.concat([pd.read_csv(path) for path in tidy_files], ignore_index=True)
    tidy = tidy.drop_duplicates(TIDY_KEY).reset_index(drop=True)
    seconds_files = [results / s / "seconds.csv" for s in studies if (results / s / "seconds.csv").is_file()]
    seconds = (
        pd.concat([pd.read_csv(p) for p in seconds_files], ignore_index=True).drop_duplicates(SECONDS_COLUMNS[:5])
        if seconds_files
        else pd.DataFrame(columns=SECONDS_COLUMNS)
    )
    identities: dict = {}
    for study in studies:
        for method, identity in read_identities(results / study / METHODS_FILE).items():
            identities.setdefault(method, identity)
    # the kept predictions are the headline runs' (`<zoo>/<protocol>_seed<s>/` under transfergraph/)
    predictions = read_predictions(results / "transfergraph" if "transfergraph" in studies else None)
    return FigureInputs(tidy, seconds, predictions, to_frame(identities.values()))


def read_predictions(folder: Path | None) -> pd.DataFrame:
    """Every `<zoo>/<protocol>_seed<s>/predictions.csv[.gz]` under `folder` (None: none), tagged with zoo and
    protocol."""
    frames = []
    found = [] if folder is None else [*folder.glob("*/*/predictions.csv"), *folder.glob("*/*/predictions.csv.gz")]
    for path in sorted(found):
        protocol = path.parent.name.split("_seed")[0]
        frames.append(pd.read_csv(path).assign(zoo=path.parent.parent.name, protocol=protocol))
    columns = ["zoo", "protocol", "method", "target", "model", "score", "accuracy", "seed"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


def load_named_zoo(zoo: str, data_root: str | Path | None = None) -> ZooData:
    """The zoo of the zoo config `zoo`, read from the metadata root."""
    return load_zoo(ZooSpec.from_config(entry("zoo", zoo)), data_root)


def accuracies(zoo: ZooData, protocol: str = "clean") -> pd.DataFrame:
    """Fine-tuned accuracy of every model on every evaluation target of `zoo` under `protocol`'s ground truth:
    columns `zoo`, `target`, `model`, `accuracy` (fraction), one row per (target, model)."""
    rule = protocol_from_config(entry("protocol", protocol))
    frames = [ground_truth(zoo, target, rule).assign(zoo=zoo.name, target=target) for target in zoo.targets]
    return pd.concat(frames, ignore_index=True)[["zoo", "target", "model", "accuracy"]]
