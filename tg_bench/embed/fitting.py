"""The one way embedders run a Lightning fit: a quiet Trainer, and the process-wide state it touches given back.

`pl.Trainer(deterministic=True)` flips torch's global deterministic-algorithm flags, sets
`CUBLAS_WORKSPACE_CONFIG` and `cudnn.benchmark`, and never undoes them; Lightning also logs banners and hints
that are noise for a ~250-node graph fitted once per target. Later code in the same process (the next
embedder, GPU feature extraction, a user's notebook) must not inherit any of that.
"""

from __future__ import annotations

import contextlib
import logging
import os
import warnings
from collections.abc import Iterator

import pytorch_lightning as pl
import torch

_LIGHTNING_LOGGERS = ("pytorch_lightning", "lightning.pytorch", "lightning_fabric", "lightning.fabric", "lightning")

#: Lightning's hints that do not apply to a one-process, tiny-batch fit
_IGNORED_WARNINGS = (
    r".*does not have many workers.*",
    r".*smaller than the logging interval.*",
    r".*does not have a deterministic implementation.*",
    r".*GPU available but not used.*",
    r".*LeafSpec.*",  # Lightning's own, fixed upstream
    r".*but have no `val_dataloader`.*",  # graphs too small for a validation split train without one
    # on a SLURM login or compute node: the fits run in-process on purpose, once per target and seed
    r".*`srun` command is available on your system but is not used.*",
)


@contextlib.contextmanager
def lightning_fit_scope(num_threads: int | None) -> Iterator[None]:
    """Run a fit with Lightning's INFO logs and hints silenced, torch's intra-op threads set to `num_threads`
    (None: left alone), and on exit every global the Trainer changes restored: threads, deterministic
    algorithms (and warn-only), `cudnn.benchmark`, `CUBLAS_WORKSPACE_CONFIG`, logger levels.

    Why a thread cap: on a ~250-node graph every kernel is microseconds long, so OpenMP synchronisation
    dominates; with other processes on the 2 cores, two threads were measured 3-15x slower than one.
    """
    levels = {name: logging.getLogger(name).level for name in _LIGHTNING_LOGGERS}
    threads = torch.get_num_threads()
    deterministic = torch.are_deterministic_algorithms_enabled()
    warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    benchmark = torch.backends.cudnn.benchmark
    cublas = os.environ.get("CUBLAS_WORKSPACE_CONFIG")
    try:
        for name in _LIGHTNING_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
        if num_threads is not None:
            torch.set_num_threads(num_threads)
        with warnings.catch_warnings():
            for message in _IGNORED_WARNINGS:
                warnings.filterwarnings("ignore", message=message)
            yield
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic, warn_only=warn_only)
        torch.backends.cudnn.benchmark = benchmark
        if cublas is None:
            os.environ.pop("CUBLAS_WORKSPACE_CONFIG", None)
        else:
            os.environ["CUBLAS_WORKSPACE_CONFIG"] = cublas


#: the fits' floating-point types by config name (`tg_bench/conf/numerics: dtype`)
FIT_DTYPES: dict[str, torch.dtype] = {"float32": torch.float32, "float64": torch.float64}


def fit_dtype(name: str) -> torch.dtype:
    """The torch dtype of a fit from its config name ("float32" | "float64"); ValueError naming both otherwise.

    float64 is what `numerics=portable` fits in: float32 training carries a CPU's last-bit differences through
    ~1000 optimiser steps, float64 with the pinned kernels of `tg_bench.numerics` gave the same bits on every
    CPU tried (docs/performance.md, "Portable numerics").
    """
    if name not in FIT_DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(FIT_DTYPES)}, got {name!r}")
    return FIT_DTYPES[name]


def quiet_trainer(*, epochs: int, accelerator: str, progress: bool, **trainer_options: object) -> pl.Trainer:
    """A single-device Trainer without logger, checkpoints or model summary; deterministic on CPU.

    CUDA's scatter kernels (GAT's softmax) have no deterministic implementation and would raise, so other
    accelerators only warn. `trainer_options` go to `pl.Trainer` as they are.
    """
    return pl.Trainer(
        max_epochs=epochs,
        accelerator=accelerator,
        devices=1,
        logger=False,
        enable_checkpointing=False,
        enable_model_summary=False,
        enable_progress_bar=progress,
        deterministic=True if accelerator == "cpu" else "warn",
        **trainer_options,
    )
