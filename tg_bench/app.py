"""Hydra plumbing shared by the `run`, `score` and `data-report` commands.

User errors (`UserInputError`) become one line on stderr and exit code 2, with the run's half-made output
folder removed; anything else keeps its traceback because it is a bug.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from omegaconf import DictConfig

from tg_bench.errors import USER_ERROR_EXIT_CODE, UserInputError
from tg_bench.paths import PROJECT_ROOT

CONFIG_DIR = str(PROJECT_ROOT / "conf")
#: commands that write into a Hydra run folder (removed again on a user error)
COMMANDS_WITH_OUTPUT = ("run", "score")
VERSION_BASE = "1.3"

# data-report prints to the console only: no output folder, no log files
_NO_OUTPUT_OVERRIDES = [
    "hydra.output_subdir=null",
    "hydra/job_logging=disabled",
    "hydra/hydra_logging=disabled",
    "hydra.run.dir=.",
]


def guarded(task: Callable[[DictConfig], object], command: str) -> Callable[[DictConfig], object]:
    """Wrap a Hydra task so that a user error exits 2 with one message and leaves no partial outputs."""

    def wrapper(cfg: DictConfig) -> object:
        from hydra.core.hydra_config import HydraConfig

        output_dir = Path(HydraConfig.get().runtime.output_dir) if HydraConfig.initialized() else None
        try:
            return task(cfg)
        except UserInputError as exc:
            print(f"tg-bench {command}: error: {exc}", file=sys.stderr)
            in_own_folder = output_dir is not None and output_dir.resolve() != Path.cwd().resolve()
            if command in COMMANDS_WITH_OUTPUT and in_own_folder:
                shutil.rmtree(output_dir, ignore_errors=True)
            sys.exit(USER_ERROR_EXIT_CODE)

    wrapper.__name__ = task.__name__
    wrapper.__doc__ = task.__doc__
    return wrapper


def hydra_entry(command: str) -> None:
    import hydra

    config_name = "config"
    if command == "run":
        from tg_bench.run import run_task as task
    elif command == "score":
        from tg_bench.score import score_task as task

        config_name = "score"
    elif command == "data-report":
        from tg_bench.data.report import report_task as task

        sys.argv.extend(_NO_OUTPUT_OVERRIDES)
    else:  # pragma: no cover - cli.py only dispatches the three above
        raise ValueError(command)
    hydra.main(version_base=VERSION_BASE, config_path=CONFIG_DIR, config_name=config_name)(guarded(task, command))()
