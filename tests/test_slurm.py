"""Sweeps through `hydra/launcher=slurm` on a real single-node SLURM cluster (`scripts/local_slurm.sh`, Debian's
slurm-wlm and munge): the jobs run as SLURM array tasks, a job cancelled with scancel is named and resumed by
the same command, the aggregate equals the same sweep run locally byte for byte, a failing job is reported
with its SLURM id and log, and a missing sbatch, an unknown partition or a sweep sbatch refuses is one line,
exit 2, with no folder left.

Skipped where the packages are not installed or the tests do not run as root, unless
TG_BENCH_REQUIRE_SLURM=1 (CI), which makes that a failure."""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tg_bench.errors import USER_ERROR_EXIT_CODE

PROJECT = Path(__file__).resolve().parents[1]
SCRIPT = PROJECT / "scripts" / "local_slurm.sh"
TOOLS = ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "scancel")
# the estimators and the zoo prior on the two zoos: two runs of a few seconds each (each SLURM job starts a
# Python and reads a zoo: a larger grid would add minutes to the suite and nothing to what is tested)
SWEEP = [
    "experiment=paper_baselines_image,paper_baselines_text", "seed=1", "baseline=[zoo_prior,logme]", "n_jobs=1",
    "progress=false",
]  # fmt: skip
ON_SLURM = [
    "hydra/launcher=slurm", "hydra.launcher.partition=debug", "hydra.launcher.cpus_per_task=1",
    "hydra.launcher.mem_gb=1", "hydra.launcher.array_parallelism=2",
]  # fmt: skip

pytestmark = pytest.mark.slow


def _say(request: pytest.FixtureRequest, line: str) -> None:
    """A line on the terminal even under output capture and xdist: the CI log shows the cluster start and stop."""
    with request.config.pluginmanager.getplugin("capturemanager").global_and_fixture_disabled():
        os.write(2, f"\n[local SLURM] {line}\n".encode())


def _free_port_pair() -> int:
    """A port p with p and p + 1 free (slurmctld, slurmd), away from a cluster already running here."""
    for _ in range(50):
        port = random.randint(20000, 40000)
        try:
            for candidate in (port, port + 1):
                with socket.socket() as probe:
                    probe.bind(("", candidate))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port pair")


@pytest.fixture(scope="module")
def slurm(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A running single-node cluster: the environment (SLURM_CONF, TG_BENCH_DATA) that reaches it; stopped
    afterwards, by the pids it wrote, whatever the tests did."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    reason = None
    if missing:
        reason = f"{', '.join(missing)} not installed (apt-get install -y slurm-wlm munge)"
    elif os.geteuid() != 0:
        reason = "the local cluster's daemons run as root"
    if reason is not None:
        if os.environ.get("TG_BENCH_REQUIRE_SLURM") == "1":
            pytest.fail(f"TG_BENCH_REQUIRE_SLURM=1 but {reason}")
        pytest.skip(reason)
    scratch = tmp_path_factory.mktemp("slurm")
    env = {**os.environ, "TG_BENCH_SLURM_PORT": str(_free_port_pair())}
    started = time.perf_counter()
    done = subprocess.run([str(SCRIPT), "start", str(scratch)], capture_output=True, text=True, env=env, timeout=120)
    try:
        assert done.returncode == 0, done.stdout + done.stderr
        _say(request, f"{done.stdout.strip()} ({time.perf_counter() - started:.1f} s)")
        yield {**env, "SLURM_CONF": str(scratch / "slurm.conf")}
    finally:
        stopped = subprocess.run([str(SCRIPT), "stop", str(scratch)], capture_output=True, text=True, timeout=60)
        _say(request, stopped.stdout.strip() or stopped.stderr.strip())


def _tg_bench(args: list[str], env: dict[str, str], cwd: Path, *more: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tg_bench", *args, *more], capture_output=True, text=True, env=env, cwd=cwd,
        timeout=600,
    )  # fmt: skip


def _completed_jobs(env: dict[str, str]) -> dict[str, str]:
    """SLURM's own record of finished jobs (jobcomp/filetxt): `<array>_<task>` -> JobState."""
    log = Path(env["SLURM_CONF"]).parent / "log" / "jobcomp.log"
    jobs = {}
    for line in log.read_text().splitlines() if log.exists() else []:
        fields = dict(part.split("=", 1) for part in line.split() if "=" in part)
        if fields.get("ArrayJobId"):
            jobs[f"{fields['ArrayJobId']}_{fields['ArrayTaskId']}"] = fields["JobState"]
    return jobs


def _running_task(env: dict[str, str], index: int, timeout_s: float = 120) -> str:
    """The id of the sweep's array task `index` once SLURM runs it."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        listed = subprocess.run(["squeue", "-h", "-o", "%i %T"], capture_output=True, text=True, env=env)
        for line in listed.stdout.splitlines():
            job_id, state = line.split()
            if job_id.endswith(f"_{index}") and state == "RUNNING":
                return job_id
        time.sleep(0.2)
    raise AssertionError(f"array task {index} never ran")


def _aggregate(store: Path, out: Path, env: dict[str, str], cwd: Path) -> dict[str, bytes]:
    done = _tg_bench(["aggregate", str(store), f"out={out}", "metric=[pearson,w-kendall]"], env, cwd)
    assert done.returncode == 0, done.stderr
    # seconds.csv holds measured wall times, which no two runs share; every number of the results is compared
    return {
        str(path.relative_to(out)): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and path.name != "seconds.csv"
    }


def test_a_sweep_runs_as_slurm_jobs_resumes_after_scancel_and_aggregates_like_a_local_one(
    slurm: dict[str, str], metadata_root: Path, tmp_path: Path
) -> None:
    env = {**slurm, "TG_BENCH_DATA": str(metadata_root)}
    command = ["run", "-m", *SWEEP, *ON_SLURM, f"paths.store_dir={tmp_path / 'store'}"]
    first = subprocess.Popen(
        [sys.executable, "-m", "tg_bench", *command, f"hydra.sweep.dir={tmp_path / 'first'}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    cancelled = _running_task(env, index=1)
    subprocess.run(["scancel", cancelled], check=True, env=env)
    _, stderr = first.communicate(timeout=600)
    assert first.returncode == 1, stderr
    report = [line for line in stderr.splitlines() if "SLURM job" in line or line.startswith("  job")]
    assert report[0].endswith("1 of 2 SLURM jobs did not finish (the others' units are in the results store; the "
                              "same command again computes only what is missing):")  # fmt: skip
    assert report[1].startswith(f"  job {cancelled} (") and ": CANCELLED, log " in report[1]
    assert Path(report[1].rsplit(" log ", 1)[1]).is_file()
    array = cancelled.split("_")[0]
    finished = {job: state for job, state in _completed_jobs(env).items() if job.startswith(f"{array}_")}
    assert finished == {f"{array}_0": "COMPLETED", cancelled: "CANCELLED"}
    assert len(list((tmp_path / "first" / ".submitit").glob(f"{array}_*/*_result.pkl"))) == 1

    # the same command again: SLURM runs every run anew, and only the cancelled one computes anything
    again = _tg_bench(command, env, tmp_path, f"hydra.sweep.dir={tmp_path / 'again'}")
    assert again.returncode == 0, again.stderr
    stores = {int(p.parent.name): json.loads(p.read_text())["store"] for p in (tmp_path / "again").glob("*/run.json")}
    assert sorted(stores) == [0, 1]
    assert stores[0]["units_computed"] == 0 and stores[0]["units_loaded"] > 0 and stores[1]["units_computed"] > 0

    local = _tg_bench(["run", "-m", *SWEEP, f"paths.store_dir={tmp_path / 'local_store'}",
                       f"hydra.sweep.dir={tmp_path / 'local'}"], env, tmp_path)  # fmt: skip
    assert local.returncode == 0, local.stderr
    on_slurm = _aggregate(tmp_path / "store", tmp_path / "aggregate_slurm", env, tmp_path)
    here = _aggregate(tmp_path / "local_store", tmp_path / "aggregate_local", env, tmp_path)
    assert on_slurm.keys() == here.keys() and "statistics.csv" in here
    assert [name for name in here if on_slurm[name] != here[name]] == []


def test_a_failing_job_is_named_with_its_slurm_id_and_log_and_the_others_units_are_kept(
    slurm: dict[str, str], metadata_root: Path, tmp_path: Path
) -> None:
    env = {**slurm, "TG_BENCH_DATA": str(metadata_root)}
    done = _tg_bench(
        ["run", "-m", "experiment=paper_baselines_image", "seed=0,oops", "baseline=[zoo_prior]", "n_jobs=1",
         "progress=false", *ON_SLURM, f"paths.store_dir={tmp_path / 'store'}", f"hydra.sweep.dir={tmp_path / 's'}"],
        env, tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("tg-bench run: error: 1 of 2 SLURM jobs did not finish")
    assert len(lines) == 2 and "seed=oops" in lines[1] and ": FAILED, log " in lines[1]
    job_id = lines[1].split()[1]
    log = Path(lines[1].rsplit(" log ", 1)[1])
    assert log.parent.name == job_id and "seed: 'oops' is not an integer" in log.read_text()
    assert len(list((tmp_path / "store").rglob("*.parquet"))) == 8  # seed 0's 8 targets of the zoo prior


def test_without_sbatch_an_unknown_partition_or_a_refused_sweep_is_one_line_exit_2(
    slurm: dict[str, str], metadata_root: Path, tmp_path: Path
) -> None:
    env = {**slurm, "TG_BENCH_DATA": str(metadata_root)}
    args = ["run", "-m", "experiment=paper_baselines_image", "seed=0", "hydra/launcher=slurm",
            f"hydra.sweep.dir={tmp_path / 's'}"]  # fmt: skip
    unknown = _tg_bench(args, env, tmp_path, "hydra.launcher.partition=gpu")
    assert unknown.returncode == USER_ERROR_EXIT_CODE
    assert unknown.stderr.strip() == (
        "tg-bench run: error: hydra.launcher.partition=gpu: no such partition (this cluster has: debug)"
    )
    without = _tg_bench(args, {**env, "PATH": str(Path(sys.executable).parent)}, tmp_path)
    assert without.returncode == USER_ERROR_EXIT_CODE
    assert len(without.stderr.strip().splitlines()) == 1 and "sbatch not found on PATH" in without.stderr
    # more memory than the node has: sbatch refuses the array; more cores (the config's default 4 on this
    # 2-core node, say): SLURM accepts it and would keep it pending for ever, so the launcher cancels it
    for sizes, words in (
        (["hydra.launcher.cpus_per_task=1", "hydra.launcher.mem_gb=100000"], "sbatch refused the sweep ("),
        (["hydra.launcher.cpus_per_task=64"], "SLURM will never start job"),
    ):
        refused = _tg_bench(args, env, tmp_path, "hydra.launcher.partition=debug", *sizes)
        assert refused.returncode == USER_ERROR_EXIT_CODE, refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1 and words in refused.stderr, refused.stderr
        assert not (tmp_path / "s").exists()  # nothing ran: no sweep folder is left
    assert subprocess.run(["squeue", "-h"], capture_output=True, text=True, env=env).stdout == ""
