"""Output folders of runs and sweeps that were killed (SIGKILL, a lost node, a closed laptop) and could not
clean up after themselves: found and removed by the next run on the same machine.

A run marks its output folder with `MARKER` (its process id and host) when its task starts and unmarks it when
it ends (a run that fails on a user error or Ctrl-C removes its whole folder: `hydra_app`); a sweep marks its
sweep folder the same way for as long as it runs (`SweepMarker`, a Hydra callback). A marked folder whose
process is gone on this host is abandoned: a run's folder is removed; a sweep's folder loses the run folders
that never finished (no `run.json`), and goes too when no finished run is left in it. Markers of other hosts
(a shared file system under SLURM) and of live processes are never touched; the finished units of a killed
run are in the results store, not here, so nothing of value is removed.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

#: the file that marks a folder as being written by a live run or sweep
MARKER = ".tg-bench-running"
#: how deep below the outputs folder a marked folder may lie (outputs/<task>/multirun/<time>/<job>)
DEPTH = 4
#: what a finished run leaves in its folder
FINISHED = "run.json"


def mark(folder: Path) -> None:
    """Mark `folder` as written by this process (created if missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname()}))


def unmark(folder: Path | None) -> None:
    """Remove this process's mark from `folder` (nothing if there is none or another process's)."""
    if folder is None:
        return
    marker = folder / MARKER
    try:
        owner = json.loads(marker.read_text())
    except (OSError, ValueError):
        return
    if owner.get("pid") == os.getpid() and owner.get("host") == socket.gethostname():
        marker.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def _abandoned(marker: Path) -> bool:
    """Whether the marker was left by a process of this host that no longer runs."""
    try:
        owner = json.loads(marker.read_text())
        pid, host = int(owner["pid"]), str(owner["host"])
    except (OSError, ValueError, KeyError, TypeError):
        return False  # unreadable: leave it to a person
    return host == socket.gethostname() and pid != os.getpid() and not _alive(pid)


def _markers(root: Path, depth: int) -> list[Path]:
    found: list[Path] = []
    for level in range(1, depth + 1):
        found += root.glob("/".join(["*"] * level) + f"/{MARKER}")
    return found


def remove_with_empty_parents(folder: Path, stop: Path) -> None:
    """Remove `folder`, then its parents left empty, up to (not including) `stop`; nothing above `stop`."""
    shutil.rmtree(folder, ignore_errors=True)
    for parent in folder.parents:
        if parent == stop or stop not in parent.parents:
            break
        try:
            parent.rmdir()
        except OSError:
            break


def _never_started(run: Path) -> bool:
    """A run folder holding nothing but Hydra's `.hydra/` and empty files: killed before its task began."""
    files = [p for p in run.rglob("*") if p.is_file()]
    return all(".hydra" in p.relative_to(run).parts or p.stat().st_size == 0 for p in files)


def _unfinished_and_dead(run: Path) -> bool:
    """A run folder of a killed sweep: not finished, and killed while it ran or before it began (a run that
    failed on a bug unmarked itself and keeps its log)."""
    if (run / FINISHED).is_file():
        return False
    return _abandoned(run / MARKER) if (run / MARKER).exists() else _never_started(run)


def remove_abandoned(roots: Iterable[tuple[Path, int]]) -> list[Path]:
    """Remove the abandoned output folders at most `depth` levels below each `(root, depth)` (as described
    above); the folders removed."""
    removed: list[Path] = []
    for root, depth in roots:
        root = Path(root).resolve()
        if not root.is_dir():
            continue
        # sweeps before their runs: a sweep's unfinished runs go with it, finished ones stay
        for marker in sorted(_markers(root, depth), key=lambda m: len(m.parts)):
            folder = marker.parent
            if not marker.exists() or not _abandoned(marker):
                continue
            for run in [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")]:
                if _unfinished_and_dead(run):
                    shutil.rmtree(run, ignore_errors=True)
                    removed.append(run)
            if any(p.is_dir() and not p.name.startswith(".") for p in folder.iterdir()):
                marker.unlink(missing_ok=True)  # finished runs (or a crashed one's log) stay
            else:
                remove_with_empty_parents(folder, root)
                removed.append(folder)
    return removed


def tidy_up(roots: Iterable[tuple[Path, int]], command: str) -> None:
    """`remove_abandoned`, saying in one line on stderr what went."""
    removed = remove_abandoned(roots)
    if removed:
        shown = ", ".join(str(p) for p in removed[:3]) + (f" and {len(removed) - 3} more" if len(removed) > 3 else "")
        print(f"tg-bench {command}: removed {len(removed)} folder(s) left by killed runs: {shown}", file=sys.stderr)


class SweepMarker(Callback):
    """Marks a `-m` sweep's folder while the sweep runs (see the module docstring)."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        mark(Path(str(config.hydra.sweep.dir)))

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        unmark(Path(str(config.hydra.sweep.dir)))
