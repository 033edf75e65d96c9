"""An evaluation protocol as data: every switch that differs between the authors' pipeline and the clean one.

`tg_bench/conf/protocol/{paper,clean}.yaml` hold the values; code reads the fields and never branches on the name, so a
third protocol is one more YAML file. docs/method.md sections 2-6 explain each switch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Literal, get_args

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from tg_bench.errors import UserInputError

NonFinite = Literal["doubled", "clamped"]
UnknownDistance = Literal["zero", "missing"]
CategoryEncoding = Literal["per_split", "zoo"]
Negatives = Literal["paper", "clean"]
ModelSubset = Literal["ranked", "random"]


@dataclass(frozen=True)
class EmbedderSwitches:
    """The protocol's defaults for the graph learners (`tg_bench/conf/embedder/*` read them by interpolation).

    negatives: GNN labels of known-poor pairs: "paper" (the authors' loader turns them into positives) or
        "clean" (negatives). inductive_datasets: GNNs embed datasets without model -> dataset messages.
    normalize: GNN embedding rows scaled to unit length. tied: node2vec's single shared embedding table (the
        authors') instead of separate centre / context tables. init_std: std of node2vec's initial table.
    """

    negatives: Negatives
    inductive_datasets: bool
    normalize: bool
    tied: bool
    init_std: float


@dataclass(frozen=True)
class Protocol:
    """How ground truth, training records, candidate models, features and scores are built.

    name: the label written beside every result (`paper`, `clean`, or a user's own).
    lora_dropped_first: ground truth drops LoRA rows before picking each model's best run (paper: picks over all
        rows, then drops LoRA-best models).
    one_row_per_model: one row per (model, dataset), the best full run, in training records, candidates and
        scoring (paper: one per fine-tuning record, re-runs counted twice).
    typed_models_only: training records only from models with a `model_type` (the authors' regression input).
    broken_datasets_dropped: training records leave out datasets the zoo reports broken (food101).
    train_runtime_feature: the target fine-tune's `train_runtime` is a regressor feature (leakage).
    corrected_dataset_features: the known copy errors of `target_dataset_features.csv` are fixed.
    unknown_distance: a model whose source dataset has no distance row gets 0 ("identical", the authors') or a
        missing value plus an indicator column.
    category_encoding: categorical codes fitted separately on train and test (the authors' bug) or once on the
        zoo's model config.
    non_finite: +-inf / NaN scores become 2*max / 2*min ("doubled", the authors') or max / min / median
        ("clamped").
    published_comparison: the paper's published tables apply, so runs are compared with them.
    model_subset: which models a `model_ratio` < 1 keeps: "ranked" (the authors' evenly spaced picks along the
        target's accuracy ranking) or "random" (a seeded uniform random subset); `tg_bench.task.model_ratio`.
    embedders: the graph learners' protocol defaults.
    """

    name: str
    lora_dropped_first: bool
    one_row_per_model: bool
    typed_models_only: bool
    broken_datasets_dropped: bool
    train_runtime_feature: bool
    corrected_dataset_features: bool
    unknown_distance: UnknownDistance
    category_encoding: CategoryEncoding
    non_finite: NonFinite
    published_comparison: bool
    model_subset: ModelSubset
    embedders: EmbedderSwitches

    def __post_init__(self) -> None:
        for name, allowed in (
            ("unknown_distance", UnknownDistance),
            ("category_encoding", CategoryEncoding),
            ("non_finite", NonFinite),
            ("model_subset", ModelSubset),
        ):
            if getattr(self, name) not in get_args(allowed):
                raise UserInputError(
                    f"protocol.{name}: {getattr(self, name)!r} is not one of {', '.join(get_args(allowed))}"
                )
        if self.embedders.negatives not in get_args(Negatives):
            raise UserInputError(
                f"protocol.embedders.negatives: {self.embedders.negatives!r} is not one of "
                f"{', '.join(get_args(Negatives))}"
            )

    @classmethod
    def from_config(cls, cfg: Mapping) -> Protocol:
        """From a `tg_bench/conf/protocol/*.yaml` mapping; every field must be given, unknown keys are an error."""
        values = dict(cfg)
        switches = dict(values.pop("embedders", None) or {})
        _check_keys("protocol", values, cls, skip={"embedders"})
        _check_keys("protocol.embedders", switches, EmbedderSwitches)
        return cls(**values, embedders=EmbedderSwitches(**switches))


def protocol_from_config(cfg: Mapping) -> Protocol:
    """The protocol of a `tg_bench/conf/protocol/*.yaml` node (a DictConfig is resolved first); a bad or missing
    key is a user error naming it."""
    try:
        values = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else dict(cfg)
    except OmegaConfBaseException as exc:
        raise UserInputError(f"protocol: {' '.join(str(exc).split())}") from None
    try:
        return Protocol.from_config(values)
    except TypeError as exc:
        raise UserInputError(f"protocol: {' '.join(str(exc).split())}") from None


def _check_keys(where: str, values: Mapping, record: type, skip: frozenset[str] | set[str] = frozenset()) -> None:
    known = {f.name for f in fields(record)} - set(skip)
    unknown, missing = set(values) - known, known - set(values)
    if unknown:
        raise UserInputError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))} (known: {', '.join(sorted(known))})"
        )
    if missing:
        raise UserInputError(f"{where}: missing key(s) {', '.join(sorted(missing))}")
