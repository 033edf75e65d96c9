"""The paper's studies as sweep presets (conf/sweep) and the launchers: each preset composes into the grid it
documents, every job of it builds, and a sweep through submitit resumes from the results store."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from tg_bench.build import build_methods, build_protocol
from tg_bench.hydra_app import VERSION_BASE
from tg_bench.paths import CONFIG_DIR

PRESETS = {
    "headline": {"experiment": 2, "protocol": 2, "seed": 5},
    "model_ratio": {"experiment": 2, "protocol": 2, "model_ratio": 5, "seed": 5},
    "graph_ablation": {"experiment": 2, "graph": 4, "embedder": 1, "protocol": 1, "seed": 5},
}


def _compose(overrides: list[str]):
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base=VERSION_BASE):
        return compose(config_name="config", overrides=overrides, return_hydra_config=True)


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_a_preset_is_the_grid_it_documents_and_every_job_builds(preset: str) -> None:
    cfg = _compose([f"sweep={preset}"])
    params = {
        key: [str(value)] if str(value).startswith("[") else str(value).split(",")
        for key, value in cfg.hydra.sweeper.params.items()
    }
    assert {key: len(values) for key, values in params.items()} == PRESETS[preset]
    folders = set()
    # every job of the grid, with seeds beyond the first skipped (they only change the seed)
    keys = [key for key in params if key != "seed"]
    for combination in itertools.product(*(params[key] for key in keys)):
        overrides = [f"sweep={preset}", "seed=0", *(f"{k}={v}" for k, v in zip(keys, combination, strict=True))]
        job = _compose(overrides)
        build_protocol(job.protocol)
        names = [name for family in build_methods(job) for name in family.names]
        assert len(names) >= 12 + 4, overrides  # the 12 variants and the four baselines
        # the subdir names each job's folder uniquely (resolved as Hydra would for this job)
        subdir = OmegaConf.to_container(job.hydra.sweep, resolve=True)["subdir"]
        folders.add(subdir)
    assert len(folders) == len(list(itertools.product(*(params[key] for key in keys))))


def test_the_slurm_launcher_config_sets_partition_time_memory_and_array_parallelism() -> None:
    launcher = _compose(["hydra/launcher=slurm"]).hydra.launcher
    assert launcher._target_.endswith("SlurmLauncher")
    for key in ("partition", "timeout_min", "mem_gb", "cpus_per_task", "array_parallelism"):
        assert key in launcher
    assert (
        _compose(["hydra/launcher=slurm", "hydra.launcher.array_parallelism=4"]).hydra.launcher.array_parallelism == 4
    )


@pytest.mark.slow
def test_a_submitit_local_sweep_runs_and_its_rerun_reads_every_unit_back(metadata_root, tmp_path) -> None:
    command = [
        sys.executable, "-m", "tg_bench", "run", "-m", "hydra/launcher=submitit_local", "zoo=text",
        "target=glue_cola", "baseline=[zoo_prior,random]", "seed=0,1", "progress=false",
        f"hydra.sweep.dir={tmp_path / 'sweep'}",
    ]  # fmt: skip
    env = {**os.environ, "TG_BENCH_DATA": str(metadata_root)}
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr[-3000:]
    runs = sorted((tmp_path / "sweep").glob("*/run.json"))
    assert len(runs) == 2
    metrics = {run.parent.name: (run.parent / "metrics.csv").read_bytes() for run in runs}
    assert [json.loads(run.read_text())["store"]["units_computed"] for run in runs] == [2, 2]
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert [json.loads(run.read_text())["store"]["units_loaded"] for run in runs] == [2, 2]
    assert {run.parent.name: (run.parent / "metrics.csv").read_bytes() for run in runs} == metrics
    assert [Path(p).name for p in sorted(os.listdir(tmp_path / "sweep")) if p.isdigit()] == ["0", "1"]


def test_the_sweep_bar_counts_the_grid_of_command_line_and_preset() -> None:
    from tg_bench.sweep_progress import sweep_size

    params = dict(_compose(["sweep=headline"]).hydra.sweeper.params)
    assert sweep_size([], params) == 20
    assert sweep_size(["seed=0,1", "zoo=text"], params) == 8  # the command line's seed list replaces 0-4
    assert sweep_size(["model_ratio=range(0.1,1.0,0.2)"], None) == 5
    assert sweep_size(["seed=3"], None) == 1
