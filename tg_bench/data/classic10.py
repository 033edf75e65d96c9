"""The classic 10-CNN model-selection benchmark (the LogME paper's) as zoo files, built from its published tables.

`tg_bench/zoos/classic10/source.md` holds the tables verbatim (provenance in its header). `build_classic10`
writes beside it, in the tidy zoo files' layout:
- `models.csv`: model (torchvision's name), label (the table's), architecture, source_dataset (imagenet),
  source_accuracy (ImageNet-1K top-1, fraction), n_parameters, weights (the torchvision weights whose metadata
  gave the last two: `IMAGENET1K_V1`, the weights of the benchmark's time);
- `datasets.csv`: dataset, label (the table's), n_classes (the official class count);
- `records.csv`: model, dataset, accuracy (the table's fine-tuned accuracy / 100);
- `scores.csv`: model, dataset, metric (H_SCORE, LEEP, LOG_ME, NCE), score (as printed);
- `published/pearson.csv`, `published/w-kendall.csv`: one row per estimator (its tg-bench method name: H-Score,
  LEEP, LogME, NCE), one column per dataset.

The model metadata comes from `MODEL_METADATA` (a copy of torchvision's `IMAGENET1K_V1` weight metadata, checked
against torchvision by `tests/test_classic10.py` where it is installed), so building needs no download.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tg_bench.atomic_write import write_atomic
from tg_bench.catalog import estimator_methods
from tg_bench.errors import UserInputError

#: the table's model name -> (torchvision name, architecture, ImageNet-1K top-1 %, parameters) of IMAGENET1K_V1
MODEL_METADATA: dict[str, tuple[str, str, float, int]] = {
    "GoogleNet": ("googlenet", "GoogLeNet", 69.778, 6624904),
    "Inception V3": ("inception_v3", "Inception3", 77.294, 27161264),
    "ResNet50": ("resnet50", "ResNet", 76.13, 25557032),
    "ResNet101": ("resnet101", "ResNet", 77.374, 44549160),
    "ResNet152": ("resnet152", "ResNet", 78.312, 60192808),
    "DenseNet121": ("densenet121", "DenseNet", 74.434, 7978856),
    "DenseNet169": ("densenet169", "DenseNet", 75.6, 14149480),
    "Densenet201": ("densenet201", "DenseNet", 76.896, 20013928),
    "MobileNet V2": ("mobilenet_v2", "MobileNetV2", 71.878, 3504872),
    "MNasNet": ("mnasnet1_0", "MNASNet", 73.456, 4383312),
}
#: the table's dataset name -> (our name, number of classes)
DATASETS: dict[str, tuple[str, int]] = {
    "Aircraft": ("aircraft", 100),
    "Caltech101": ("caltech101", 101),
    "CIFAR10": ("cifar10", 10),
    "CIFAR100": ("cifar100", 100),
    "DTD": ("dtd", 47),
    "OxfordIIITPets": ("pets", 37),
    "StanfordCars": ("stanfordcars", 196),
    "SUN397": ("sun397", 397),
}
#: the table's estimator column -> its TransferabilityMethod member (scores.csv `metric`)
ESTIMATORS = {"HScore": "H_SCORE", "LEEP": "LEEP", "LogME": "LOG_ME", "NCE": "NCE"}
#: the table's correlation rows -> our metric names
CORRELATION_ROWS = {"Pearson Corr": "pearson", "Weighted Tau": "w-kendall"}
ACCURACY_COLUMN = "Finetuned Acc"
_TITLE = re.compile(r"^#### Model Ranking Benchmark on (\S+)\s*$")


@dataclass(frozen=True)
class BenchmarkTable:
    """One dataset's published table: `rows` (the table's model and correlation rows, by name) of printed
    cells, in the column order of `columns` (after the name column)."""

    dataset: str
    columns: tuple[str, ...]
    rows: dict[str, tuple[str, ...]]


def parse_tables(text: str, path: Path | None = None) -> list[BenchmarkTable]:
    """The `#### Model Ranking Benchmark on <dataset>` Markdown tables of `text`, in order."""
    tables: list[BenchmarkTable] = []
    dataset, lines = None, []
    for line in [*text.splitlines(), "#### (end)"]:
        if line.startswith("#### "):
            if dataset is not None:
                tables.append(_table(dataset, lines, path))
            title = _TITLE.match(line)
            dataset, lines = (title.group(1) if title else None), []
        elif dataset is not None and line.startswith("|") and not line.startswith("|--"):
            lines.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    if not tables:
        raise UserInputError("no '#### Model Ranking Benchmark on <dataset>' table", path=path)
    return tables


def _table(dataset: str, lines: list[list[str]], path: Path | None) -> BenchmarkTable:
    header, *body = lines
    columns = tuple(header[1:])
    if ACCURACY_COLUMN not in columns or not set(ESTIMATORS) <= set(columns):
        raise UserInputError(
            f"{dataset}: columns {', '.join(columns)} lack {ACCURACY_COLUMN} or an estimator", path=path
        )
    return BenchmarkTable(dataset, columns, {row[0]: tuple(row[1:]) for row in body})


def zoo_frames(tables: list[BenchmarkTable]) -> dict[str, pd.DataFrame]:
    """The zoo files' tables (module docstring), by file name."""
    models = pd.DataFrame(
        [
            (name, label, architecture, "imagenet", round(top1 / 100, 10), parameters, "IMAGENET1K_V1")
            for label, (name, architecture, top1, parameters) in MODEL_METADATA.items()
        ],
        columns=["model", "label", "architecture", "source_dataset", "source_accuracy", "n_parameters", "weights"],
    )
    datasets = pd.DataFrame(
        [(name, label, classes) for label, (name, classes) in DATASETS.items()],
        columns=["dataset", "label", "n_classes"],
    )
    records, scores, published = [], [], {metric: {} for metric in CORRELATION_ROWS.values()}
    method_names = estimator_methods()
    for table in tables:
        if table.dataset not in DATASETS:
            raise UserInputError(f"unknown dataset {table.dataset!r} (known: {', '.join(DATASETS)})")
        dataset = DATASETS[table.dataset][0]
        column = {name: i for i, name in enumerate(table.columns)}
        for label, (model, *_rest) in MODEL_METADATA.items():
            cells = table.rows.get(label)
            if cells is None:
                raise UserInputError(f"{table.dataset}: no row for model {label!r}")
            # a printed percent over 100 is not exact in binary: rounded back to the digits it was printed with
            records.append((model, dataset, round(float(cells[column[ACCURACY_COLUMN]]) / 100, 10)))
            scores += [(model, dataset, metric, float(cells[column[e]])) for e, metric in ESTIMATORS.items()]
        for row, metric in CORRELATION_ROWS.items():
            cells = table.rows[row]
            for estimator, member in ESTIMATORS.items():
                # published tables are keyed by tg-bench method name (docs/zoo_format.md): LOG_ME's is LogME
                method = method_names[member]
                published[metric].setdefault(method, {})[dataset] = float(cells[column[estimator]])
    frames = {
        "models.csv": models,
        "datasets.csv": datasets,
        "records.csv": pd.DataFrame(records, columns=["model", "dataset", "accuracy"]),
        "scores.csv": pd.DataFrame(scores, columns=["model", "dataset", "metric", "score"]),
    }
    for metric, rows in published.items():
        frame = pd.DataFrame.from_dict(rows, orient="index")
        frames[f"published/{metric}.csv"] = frame.rename_axis("method").reset_index()
    return frames


def build_classic10(source: Path, out: Path) -> list[Path]:
    """Write the zoo files of `source` (the verbatim tables) into `out`; the paths written."""
    frames = zoo_frames(parse_tables(Path(source).read_text(), Path(source)))
    written = []
    for name, frame in frames.items():
        path = Path(out) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, lambda handle, f=frame: f.to_csv(handle, index=False, lineterminator="\n"))
        written.append(path)
    return written
