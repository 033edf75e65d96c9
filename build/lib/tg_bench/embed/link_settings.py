"""The settings of a GNN link-prediction fit, declared once: `LinkSettings`, checked when it is built.

`tg_bench/conf/embedder/{sage,gat}.yaml` build it under `settings:` (the protocol-dependent switches by interpolation
from `tg_bench/conf/protocol`), so a bad value fails when the config is built, before the first target's graph is.

Training is full-batch: the zoo graphs have ~250 nodes, so `steps_per_epoch` full-graph steps per epoch (20 in
`tg_bench/conf/embedder`, at lr 0.005 there where the authors' mini-batches used 1e-3: fewer, larger steps) stand in
for the authors' neighbour sampling ([20, 10], `LinkNeighborLoader`), which only matters for zoos of 10^4+
models and needs `pyg-lib`, not installed here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from numbers import Integral, Real
from typing import ClassVar, get_args

import torch

from tg_bench.embed.constraints import Constraint, InstanceOf, Interval, Options, validate_constraints
from tg_bench.embed.fitting import FIT_DTYPES
from tg_bench.errors import UserInputError
from tg_bench.task.protocol import Negatives

_AT_LEAST_ONE = (Interval(Integral, 1),)
_POSITIVE = (Interval(Real, 0, closed="neither"),)
_BOOL = (InstanceOf(bool),)


@dataclass(frozen=True)
class LinkSettings:
    """How a GNN encoder is trained by link prediction and how its embeddings come out.

    epochs: training epochs. steps_per_epoch: full-batch optimiser steps per epoch, each with fresh random
        negatives. One step per epoch gives 50 Adam steps in all, far fewer than the authors' ~60 mini-batches
        of 16 per epoch, and can leave the encoder under-trained (~10 ms a step here).
    lr: Adam's learning rate. neg_sampling_ratio: random negatives per supervision edge, drawn every step.
    negatives: how the known-poor pairs are labelled, "paper" (positives, the authors' quirk) or "clean"
        (negatives); `tg_bench.embed.link_data.POOR_PAIR_LABEL`.
    inductive_datasets: embed datasets without messages from models (`link_data.inductive_dataset_edges`), in
        training and in the final pass; False is the authors' training.
    normalize: scale each embedding row to unit L2 norm (a zero row stays zero), so a regressor on the raw
        coordinates compares directions, which link prediction trains, not norms, which vary with degree.
    neighbour_sampling: mini-batches by `LinkNeighborLoader` instead of full-batch steps (not implemented: a
        user error without pyg-lib, NotImplementedError with it).
    feature_dim: width of the random node features of a graph without `node_features`.
    accelerator: Lightning's accelerator for training ("cpu", "gpu", ...); the final embedding pass is on CPU.
    num_threads: torch intra-op threads during the fit (None: leave as is);
        `tg_bench.embed.fitting.lightning_fit_scope`.
    dtype: "float32" | "float64", what the encoder trains and embeds in (`tg_bench/conf/numerics`). The features and
        the initial weights are drawn in float32 either way and then cast, so both start from the same values.
    progress: Lightning's progress bar (the console only, not the numbers).
    """

    epochs: int
    steps_per_epoch: int
    lr: float
    neg_sampling_ratio: float
    negatives: Negatives
    inductive_datasets: bool
    normalize: bool
    neighbour_sampling: bool
    feature_dim: int
    accelerator: str
    num_threads: int | None
    dtype: str
    progress: bool = False

    #: the values each field accepts (any one of its constraints; None: the value None)
    _parameter_constraints: ClassVar[dict[str, tuple[Constraint, ...]]] = {
        "epochs": _AT_LEAST_ONE,
        "steps_per_epoch": _AT_LEAST_ONE,
        "lr": _POSITIVE,
        "neg_sampling_ratio": _POSITIVE,
        "negatives": (Options(get_args(Negatives)),),
        "inductive_datasets": _BOOL,
        "normalize": _BOOL,
        "neighbour_sampling": _BOOL,
        "feature_dim": _AT_LEAST_ONE,
        "accelerator": (InstanceOf(str),),
        "num_threads": (*_AT_LEAST_ONE, None),
        "dtype": (Options(tuple(FIT_DTYPES)),),
        "progress": _BOOL,
    }

    def __post_init__(self) -> None:
        """ValueError naming the first field outside its constraints; for `neighbour_sampling`, a user error
        saying what to install (or NotImplementedError where it is installed)."""
        validate_constraints(self._parameter_constraints, asdict(self))
        if self.neighbour_sampling:
            _check_neighbour_sampling()

    @property
    def torch_dtype(self) -> torch.dtype:
        """`dtype` as a torch dtype."""
        return FIT_DTYPES[self.dtype]


def neighbour_sampling_available() -> bool:
    """Whether PyG can sample neighbourhoods here (needs `pyg-lib` or `torch-sparse`)."""
    import torch_geometric.typing as pyg_typing

    return bool(getattr(pyg_typing, "WITH_PYG_LIB", False) or getattr(pyg_typing, "WITH_TORCH_SPARSE", False))


def _check_neighbour_sampling() -> None:
    if not neighbour_sampling_available():
        raise UserInputError(
            "neighbour_sampling=True needs PyG's sampling backend: `pip install pyg-lib` (or torch-sparse) "
            "matching your torch version (https://data.pyg.org/whl/). It only matters for zoos of 10^4+ "
            "models; full-batch training (neighbour_sampling=False) is the default and fits ~250-node zoo "
            "graphs in seconds."
        )
    # The backend is importable, but mini-batch training with LinkNeighborLoader is not implemented (it could
    # not be tested in this environment); fail loudly rather than silently train full-batch.
    raise NotImplementedError(
        "neighbour sampling with LinkNeighborLoader (fan-out [20, 10], batch 16) is not implemented yet; "
        "use neighbour_sampling=False (full-batch)"
    )
