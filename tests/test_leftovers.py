"""Folders left by killed runs and sweeps (`tg_bench.commands.leftovers`): the next run removes them, and only
them; a sweep's log in a file has no cursor-up codes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tg_bench.commands.leftovers import MARKER, mark, remove_abandoned, unmark


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _marked(folder: Path, pid: int, host: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".hydra").mkdir(exist_ok=True)
    (folder / ".hydra" / "config.yaml").write_text("seed: 0\n")
    (folder / MARKER).write_text(json.dumps({"pid": pid, "host": host or socket.gethostname()}))
    return folder


def test_only_the_folders_of_dead_processes_on_this_host_go(tmp_path: Path) -> None:
    dead = _dead_pid()
    outputs = tmp_path / "outputs"
    killed_run = _marked(outputs / "run" / "text_clean" / "2026-01-01_00-00-00", dead)
    live_run = _marked(outputs / "run" / "text_clean" / "2026-01-01_00-00-01", os.getpid() + 0)
    elsewhere = _marked(outputs / "run" / "image_clean" / "2026-01-01_00-00-02", dead, host="another-node")
    # a killed sweep: one run finished, one killed while it ran, one never began, one crashed on a bug (unmarked,
    # its log kept)
    sweep = _marked(outputs / "run" / "multirun" / "2026-01-01_00-00-03", dead)
    (sweep / "0").mkdir()
    (sweep / "0" / "run.json").write_text("{}")
    _marked(sweep / "1", dead)
    (sweep / "2" / ".hydra").mkdir(parents=True)
    (sweep / "3").mkdir()
    (sweep / "3" / "hydra_app.log").write_text("Traceback ...\n")
    # a killed sweep of which no run finished: it goes whole
    empty_sweep = _marked(outputs / "run" / "multirun" / "2026-01-01_00-00-04", dead)
    _marked(empty_sweep / "0", dead)
    (empty_sweep / "multirun.yaml").write_text("hydra: {}\n")

    removed = remove_abandoned([(outputs, 4)])

    assert sorted(removed) == sorted([killed_run, sweep / "1", sweep / "2", empty_sweep / "0", empty_sweep])
    assert not killed_run.exists() and not empty_sweep.exists()
    assert live_run.exists() and elsewhere.exists()  # ours (alive), another host's (not ours to judge)
    assert (sweep / "0" / "run.json").is_file() and (sweep / "3" / "hydra_app.log").is_file()
    assert not (sweep / MARKER).exists()  # the kept sweep is no longer marked
    assert (outputs / "run" / "text_clean").is_dir()  # the live run's parent stays
    assert remove_abandoned([(outputs, 4)]) == []


def test_a_run_unmarks_only_its_own_folder(tmp_path: Path) -> None:
    mark(tmp_path / "mine")
    assert json.loads((tmp_path / "mine" / MARKER).read_text())["pid"] == os.getpid()
    other = _marked(tmp_path / "other", _dead_pid())
    unmark(tmp_path / "mine")
    unmark(other)
    assert not (tmp_path / "mine" / MARKER).exists() and (other / MARKER).exists()


@pytest.mark.slow
def test_a_sweep_removes_a_killed_sweep_beside_it_and_logs_plain_lines(metadata_root, tmp_path: Path) -> None:
    """A sweep started beside a killed one (as a rerun of the same command does, in a new time-stamped folder)
    removes it, finishes its own runs unmarked, and writes plain progress lines to a redirected stderr."""
    killed = _marked(tmp_path / "multirun" / "killed", _dead_pid())
    _marked(killed / "0", _dead_pid())
    command = [
        sys.executable, "-m", "tg_bench", "run", "-m", "zoo=text", "targets=[glue_cola]", "baseline=[zoo_prior]",
        "seed=0,1", "n_jobs=1", f"hydra.sweep.dir={tmp_path / 'multirun' / 'now'}",
    ]  # fmt: skip
    env = {**os.environ, "TG_BENCH_DATA": str(metadata_root)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "removed 2 folder(s) left by killed runs" in done.stderr and not killed.exists()
    assert "\x1b[A" not in done.stderr  # no nested live bars in a log
    assert "sweep: 1/2 runs finished" in done.stderr and "sweep: 2/2 runs finished" in done.stderr
    assert sorted(p.name for p in (tmp_path / "multirun").iterdir()) == ["now"]
    assert not list((tmp_path / "multirun").rglob(MARKER))
    assert all((tmp_path / "multirun" / "now" / job / "run.json").is_file() for job in ("0", "1"))
