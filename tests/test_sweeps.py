"""The paper's studies as sweep presets (tg_bench/conf/sweep) and the launchers: each preset composes into the grid it
documents, every job of it builds, and a sweep through submitit resumes from the results store."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from tg_bench.build import build_methods, build_protocol
from tg_bench.catalog import compose_config

PRESETS = {
    "headline": {"experiment": 2, "protocol": 2, "seed": 5},
    "model_ratio": {"experiment": 2, "protocol": 2, "model_ratio": 5, "seed": 5},
    "graph_ablation": {"experiment": 2, "graph": 4, "embedder": 1, "protocol": 1, "seed": 5},
}


def _compose(overrides: list[str]):
    return compose_config(overrides, return_hydra_config=True)


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
    from tg_bench.commands.sweep_progress import sweep_size

    params = dict(_compose(["sweep=headline"]).hydra.sweeper.params)
    assert sweep_size([], params) == 20
    assert sweep_size(["seed=0,1", "zoo=text"], params) == 8  # the command line's seed list replaces 0-4
    assert sweep_size(["model_ratio=range(0.1,1.0,0.2)"], None) == 5
    assert sweep_size(["seed=3"], None) == 1


def _sweep(args: list[str], store: Path, sweep_dir: Path, metadata_root: Path, **popen) -> subprocess.Popen:
    env = {**os.environ, "TG_BENCH_DATA": str(metadata_root), "TG_BENCH_STORE": str(store)}
    command = [sys.executable, "-m", "tg_bench", "run", "-m", *args, f"hydra.sweep.dir={sweep_dir}"]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


#: a small two-seed sweep with a TransferGraph variant (slow enough to kill part-way) and two baselines
SMALL_SWEEP = [
    "zoo=text", "targets=[glue_cola,glue_sst2]", "embedder=[node2vec]", "predictor=[lr]",
    "baseline=[zoo_prior,random]", "seed=0,1", "n_jobs=2", "progress=false",
    "transfergraph.embedders.node2vec.epochs=5", "hydra.sweep.subdir=seed${seed}",
]  # fmt: skip


@pytest.mark.slow
def test_a_sigkilled_sweep_resumes_and_aggregates_byte_identically(metadata_root, tmp_path) -> None:
    """Kill a sweep and its workers part-way (SIGKILL: no clean-up runs), rerun it (in a folder of its own, as
    the default time-stamped folders do): only the missing units are computed, the killed sweep's folder is
    removed (nothing but the store is left of it), and the aggregated tables equal those of a sweep that was
    never interrupted."""
    import signal
    import time

    from tg_bench.commands.aggregate import AggregateOptions, aggregate

    store = tmp_path / "store"
    process = _sweep(SMALL_SWEEP, store, tmp_path / "killed", metadata_root, start_new_session=True)
    deadline = time.monotonic() + 300
    while not list(store.rglob("transfergraph-*.parquet")) and time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1][-2000:]
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
    finished = len(list(store.rglob("[!.]*.parquet")))
    assert 1 <= finished < 16
    assert (tmp_path / "killed").is_dir()  # SIGKILL: the sweep could not clean up
    resumed = _sweep(SMALL_SWEEP, store, tmp_path / "resumed", metadata_root)
    stdout, stderr = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, stderr[-3000:]
    assert "left by killed runs" in stderr and sorted(os.listdir(tmp_path)) == ["resumed", "store"]
    assert all((tmp_path / "resumed" / f"seed{seed}" / "run.json").is_file() for seed in (0, 1))
    loaded = [int(line.split(": ")[1].split(" of ")[0]) for line in stdout.splitlines() if "finished earlier" in line]
    assert sum(loaded) == finished
    whole = _sweep(SMALL_SWEEP, tmp_path / "store_whole", tmp_path / "whole", metadata_root)
    assert whole.wait(timeout=600) == 0
    tables = {}
    for name in ("resumed", "whole"):
        out = tmp_path / f"tables_{name}"
        aggregate([tmp_path / name], AggregateOptions(out=str(out), resamples=500))
        # seconds.csv holds wall times, which no two runs share
        files = [p for p in sorted(out.rglob("*")) if p.is_file() and p.name != "seconds.csv"]
        tables[name] = {str(p.relative_to(out)): p.read_bytes() for p in files}
    assert tables["resumed"] == tables["whole"] and len(tables["whole"]) >= 7


@pytest.mark.slow
def test_two_sweeps_writing_to_one_store_at_once_lose_nothing(metadata_root, tmp_path) -> None:
    """Two joblib-launched sweeps (2 workers each) share one store and overlap on seed 1."""
    common = [
        "zoo=text", "targets=[glue_cola,glue_sst2]", "baseline=[zoo_prior,random,logme]", "n_jobs=1",
        "progress=false", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2", "hydra.sweep.subdir=seed${seed}",
    ]  # fmt: skip
    store = tmp_path / "store"
    first = _sweep([*common, "seed=0,1"], store, tmp_path / "a", metadata_root)
    second = _sweep([*common, "seed=1,2"], store, tmp_path / "b", metadata_root)
    for process in (first, second):
        _, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr[-3000:]
    units = sorted(p.relative_to(store) for p in store.rglob("*.parquet"))
    assert len(units) == 3 * 2 * 3 and not [p for p in units if p.name.startswith(".")]
    in_turn = [arg for arg in common if "launcher" not in arg]
    check = _sweep([*in_turn, "seed=0,1,2"], store, tmp_path / "check", metadata_root)
    stdout, stderr = check.communicate(timeout=600)
    assert check.returncode == 0, stderr[-3000:]
    assert stdout.count("6 of 6 (target, method) units were finished earlier") == 3
    for seed in (0, 1, 2):
        made = tmp_path / ("a" if seed < 2 else "b") / f"seed{seed}" / "metrics.csv"
        assert (tmp_path / "check" / f"seed{seed}" / "metrics.csv").read_bytes() == made.read_bytes()
