"""`ZooSpec`: where a zoo's files are, in which layout, and what its evaluation targets are (the `zoo` config
group). Kept apart from the readers (`tg_bench.data.layouts`) and the loaded data (`tg_bench.data.zoo`), which
both need it."""

from __future__ import annotations

from dataclasses import dataclass

from tg_bench.paths import ZOO_FOLDERS

#: the authors' layout (transfergraph-metadata's files under the metadata root; `ZooSpec.layout`)
AUTHORS = "authors"
#: the layout of docs/zoo_format.md (`ZooSpec.layout`)
TIDY = "tidy"


@dataclass(frozen=True)
class ZooSpec:
    """Where a zoo's files are and what its evaluation targets are (the `zoo` config group)."""

    name: str
    folder: str
    distance_file: str
    source_dataset_column: str
    targets: tuple[str, ...]
    excluded_datasets: tuple[str, ...] = ()
    broken_accuracy_threshold: float = 0.05
    #: `authors` (transfergraph-metadata's files under the metadata root) or `tidy` (docs/zoo_format.md: a folder
    #: of its own, `path`; a relative path is one of the package's zoos, `tg_bench/zoos/<path>`, else the
    #: working directory's)
    layout: str = AUTHORS
    path: str | None = None

    @classmethod
    def from_config(cls, cfg: object) -> ZooSpec:
        get = cfg.get if hasattr(cfg, "get") else lambda k, d=None: getattr(cfg, k, d)
        return cls(
            name=str(get("name")),
            folder=str(get("folder") or ZOO_FOLDERS.get(str(get("name")), str(get("name")))),
            distance_file=str(get("distance_file")),
            source_dataset_column=str(get("source_dataset_column")),
            targets=tuple(get("targets")),
            excluded_datasets=tuple(get("excluded_datasets", ()) or ()),
            broken_accuracy_threshold=float(get("broken_accuracy_threshold", 0.05)),
            layout=str(get("layout", AUTHORS) or AUTHORS),
            path=None if get("path", None) is None else str(get("path")),
        )
