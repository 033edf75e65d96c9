"""`hydra/launcher=slurm`: submitit's SLURM launcher, with the scheduler checked before anything is submitted
and every job of the sweep waited for, the failed ones reported by SLURM job id and log path.

submitit's own launcher returns at the first job that fails, leaving the user without the ids of the others;
a sweep over a results store should instead let every job finish (each writes its units to the store), then
say which runs are missing and where their logs are, so that the same command again computes only those.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hydra.core.singleton import Singleton
from hydra.core.utils import JobReturn, filter_overrides
from hydra_plugins.hydra_submitit_launcher.config import BaseQueueConf
from hydra_plugins.hydra_submitit_launcher.submitit_launcher import SlurmLauncher as SubmititSlurmLauncher
from omegaconf import OmegaConf

from tg_bench.commands.leftovers import MARKER, remove_with_empty_parents
from tg_bench.errors import UserInputError


@dataclass(frozen=True)
class FailedJob:
    """One job of a sweep that did not return: its SLURM `job_id` (`<array>_<index>`), the SLURM `state`
    (FAILED, CANCELLED, TIMEOUT, ...), the run's `overrides` and its `log` (the job's stderr file)."""

    job_id: str
    state: str
    overrides: tuple[str, ...]
    log: Path


class SweepJobsFailed(Exception):
    """Some jobs of a SLURM sweep did not finish; the others' units are in the results store."""

    def __init__(self, failed: Sequence[FailedJob], total: int) -> None:
        self.failed = tuple(failed)
        lines = [
            f"{len(failed)} of {total} SLURM jobs did not finish (the others' units are in the results store; "
            "the same command again computes only what is missing):"
        ]
        lines += [f"  job {f.job_id} ({' '.join(f.overrides)}): {f.state}, log {f.log}" for f in failed]
        super().__init__("\n".join(lines))


def check_scheduler(partition: str | None) -> None:
    """A user error unless `sbatch` is on the PATH, the cluster answers and `partition` (None: the cluster's
    default) exists."""
    if shutil.which("sbatch") is None:
        raise UserInputError(
            "hydra/launcher=slurm: sbatch not found on PATH (submit from a machine of the cluster; "
            "scripts/local_slurm.sh starts a one-node cluster to try it, docs/cluster.md)"
        )
    done = subprocess.run(["sinfo", "-h", "-o", "%R"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise UserInputError(f"hydra/launcher=slurm: sinfo failed, is the cluster up? ({last})")
    if partition is None:
        return
    known = sorted(set(done.stdout.split()))
    if partition not in known:
        raise UserInputError(
            f"hydra.launcher.partition={partition}: no such partition (this cluster has: {', '.join(known)})"
        )


class SlurmLauncher(SubmititSlurmLauncher):
    """submitit's SLURM launcher (the same parameters, `tg_bench/conf/hydra/launcher/slurm.yaml`) that checks
    the scheduler first and waits for every job, raising `SweepJobsFailed` for those that did not return."""

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        import submitit
        from submitit.core.utils import FailedJobError, UncompletedJobError

        assert self.config is not None
        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        try:
            check_scheduler(self.params.get("partition"))
        except UserInputError:
            _discard(sweep_dir, self.config)
            raise
        # the folder and the resubmission count go to the executor, the rest per job: submitit's own keys
        # (timeout_min, mem_gb, ...) as they are, the SLURM-specific ones prefixed
        at_start = {"submitit_folder", "max_num_timeout"}
        executor = submitit.AutoExecutor(
            cluster=self._EXECUTOR,
            folder=self.params["submitit_folder"],
            **{f"{self._EXECUTOR}_max_num_timeout": self.params["max_num_timeout"]},
        )
        shared = set(OmegaConf.structured(BaseQueueConf).keys())
        executor.update_parameters(
            **{
                key if key in shared else f"{self._EXECUTOR}_{key}": value
                for key, value in self.params.items()
                if key not in at_start
            }
        )
        sweep_dir.mkdir(parents=True, exist_ok=True)
        numbers = range(initial_job_idx, initial_job_idx + len(job_overrides))
        arguments = [
            (list(overrides), "hydra.sweep.dir", number, f"job_id_for_{number}", Singleton.get_state())
            for number, overrides in zip(numbers, job_overrides, strict=True)
        ]
        try:
            # submitit prints sbatch's refusal before raising it; it is the last line of ours instead
            with contextlib.redirect_stderr(io.StringIO()):
                jobs = executor.map_array(self, *zip(*arguments, strict=True))
        except FailedJobError as exc:  # sbatch refused the array (resources no node has, a bad account, ...)
            _discard(sweep_dir, self.config)
            lines = [line for line in str(exc).splitlines() if line.strip()]
            raise UserInputError(
                f"hydra/launcher=slurm: sbatch refused the sweep ({lines[-1] if lines else exc})"
            ) from None
        try:
            wait_for_jobs([str(job.job_id) for job in jobs])
        except UserInputError:  # cancelled before any ran
            _discard(sweep_dir, self.config)
            raise
        returns: list[JobReturn] = []
        failed: list[FailedJob] = []
        for job, overrides in zip(jobs, job_overrides, strict=True):
            try:
                if not _has_result(job):  # no result file: asking submitit would wait for one forever
                    raise UncompletedJobError(f"job {job.job_id} left no result")
                returns.append(job.results()[0])
            except (FailedJobError, UncompletedJobError):
                failed.append(
                    FailedJob(
                        job_id=str(job.job_id),
                        state=job_state(str(job.job_id)),
                        overrides=tuple(filter_overrides(list(overrides))),
                        log=Path(job.paths.stderr),
                    )
                )
        if failed:
            raise SweepJobsFailed(failed, len(jobs))
        return returns


def _discard(sweep_dir: Path, config: Any) -> None:
    """Remove the folder of a sweep nothing was submitted from, when it holds only what Hydra, the running mark
    and submitit put there before submitting, and its parents left empty up to `paths.root_dir`."""
    expected = {"multirun.yaml", MARKER, ".submitit"}
    if not sweep_dir.is_dir() or not {path.name for path in sweep_dir.iterdir()} <= expected:
        return
    root = Path(str(config.get("paths", {}).get("root_dir") or ".")).resolve()
    remove_with_empty_parents(sweep_dir.resolve(), root)


#: reasons SLURM gives for a pending job that no wait will start (the request exceeds what the partition or
#: its nodes have, or the account or QOS is not allowed there)
NEVER_STARTS = frozenset(
    {"PartitionConfig", "BadConstraints", "PartitionNodeLimit", "PartitionTimeLimit", "InvalidAccount", "InvalidQOS"}
)


def wait_for_jobs(job_ids: Sequence[str], first_poll_s: float = 1.0, longest_poll_s: float = 15.0) -> None:
    """Return once `squeue` lists none of `job_ids` (`<array>_<index>`) as pending or running, polling at
    growing intervals. squeue answers on every cluster; submitit's own wait asks `sacct`, which needs the
    accounting database (a small cluster may run without one) and would wait forever for a cancelled job.
    Jobs pending for a reason no wait resolves (`NEVER_STARTS`: more cores or memory than a node has, say) are
    cancelled and reported as a user error naming the reason."""
    arrays = sorted({job_id.split("_")[0] for job_id in job_ids})
    poll = first_poll_s
    while True:
        done = subprocess.run(
            ["squeue", "-h", "-o", "%i %T %r", "-j", ",".join(arrays)], capture_output=True, text=True, check=False
        )
        # an id SLURM has already forgotten is an error; that job is not waiting either
        if (done.returncode == 0 and not done.stdout.strip()) or "Invalid job id" in done.stderr:
            return
        stuck = [line.split() for line in done.stdout.splitlines() if line.split()[-1] in NEVER_STARTS]
        if stuck:
            subprocess.run(["scancel", *arrays], capture_output=True, check=False)
            job_id, _, reason = stuck[0]
            raise UserInputError(
                f"hydra/launcher=slurm: SLURM will never start job {job_id} ({reason}: it asks for more than the "
                "partition's nodes give; see hydra.launcher.cpus_per_task, mem_gb, timeout_min); the sweep was "
                "cancelled"
            )
        time.sleep(poll)
        poll = min(poll * 1.5, longest_poll_s)


def job_state(job_id: str) -> str:
    """The SLURM state of a finished job (`scontrol`, which remembers jobs for MinJobAge, else `sacct`), or
    UNKNOWN when neither knows it any more."""
    for command, pattern in (
        (["scontrol", "show", "job", "-o", job_id], r"JobState=(\S+)"),
        (["sacct", "-n", "-X", "-P", "-o", "State", "-j", job_id], r"^(\S+)"),
    ):
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        found = re.search(pattern, done.stdout) if done.returncode == 0 else None
        if found:
            return found.group(1)
    return "UNKNOWN"


def _has_result(job: Any, grace_s: float = 5.0) -> bool:
    """Whether the job wrote its result file; a shared filesystem may show it a little after the job ends."""
    deadline = time.monotonic() + grace_s
    while not Path(job.paths.result_pickle).exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True
