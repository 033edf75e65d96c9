"""Hydra plumbing shared by the `run`, `score` and `data-report` commands.

User errors (`UserInputError`) become one line on stderr and exit code 2, with the run's half-made output
folder removed; Ctrl-C likewise becomes one line and exit code 130; anything else keeps its traceback because
it is a bug.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from omegaconf import DictConfig

from tg_bench.catalog import VERSION_BASE, options
from tg_bench.errors import USER_ERROR_EXIT_CODE, UserInputError
from tg_bench.paths import CONFIG_DIR

#: overrides of a command that prints to the console only: no output folder, no log files
NO_OUTPUT_OVERRIDES = (
    "hydra.output_subdir=null",
    "hydra/job_logging=disabled",
    "hydra/hydra_logging=disabled",
    "hydra.run.dir=.",
)


#: the shell's code for a process ended by SIGINT (128 + 2)
INTERRUPTED_EXIT_CODE = 130


def _remove_partial(output_dir: Path | None) -> None:
    """Remove a run's half-made output folder (never the working directory itself)."""
    if output_dir is not None and output_dir.resolve() != Path.cwd().resolve():
        shutil.rmtree(output_dir, ignore_errors=True)


def check_choices(choices: dict[str, str | None]) -> None:
    """Every `group=option` of the config groups names a file that exists: Hydra silently skips a missing
    option of an `optional` group, so `target=cifar10` used to run every target instead."""
    for group, option in choices.items():
        if option is None or group.startswith("hydra"):
            continue
        known = options(group)
        if not known:
            continue
        chosen = option.strip("[]").split(",") if option.startswith("[") else [option]
        missing = [o.strip() for o in chosen if o.strip() and o.strip() not in known]
        if missing:
            raise UserInputError(f"{group}={','.join(missing)}: no such option (choose from {', '.join(known)})")


def guarded(task: Callable[[DictConfig], object], command: str) -> Callable[[DictConfig], object]:
    """Wrap a Hydra task so that a user error exits 2 with one message and leaves no partial outputs."""

    def wrapper(cfg: DictConfig) -> object:
        from hydra.core.hydra_config import HydraConfig

        output_dir = Path(HydraConfig.get().runtime.output_dir) if HydraConfig.initialized() else None
        try:
            if HydraConfig.initialized():
                check_choices(dict(HydraConfig.get().runtime.choices))
            return task(cfg)
        except UserInputError as exc:
            print(f"tg-bench {command}: error: {exc}", file=sys.stderr)
            _remove_partial(output_dir)
            sys.exit(USER_ERROR_EXIT_CODE)
        except KeyboardInterrupt:
            # Ctrl-C: one line instead of the traceback; finished units are already in the results store
            store = cfg.get("paths", {}).get("store_dir") if command == "run" else None
            kept = f"; finished units are kept in {store}, rerun the same command to resume" if store else ""
            print(f"\ntg-bench {command}: interrupted{kept}", file=sys.stderr)
            _remove_partial(output_dir)
            sys.exit(INTERRUPTED_EXIT_CODE)

    wrapper.__name__ = task.__name__
    wrapper.__doc__ = task.__doc__
    return wrapper


def launch(
    command: str, task: Callable[[DictConfig], object], config_name: str = "config", writes_outputs: bool = True
) -> None:
    """Run `task` as the Hydra app `tg-bench <command>` over `sys.argv`'s overrides (`-m` sweeps and launchers
    included). `writes_outputs=False`: no output folder or log files."""
    import hydra

    if not writes_outputs:
        sys.argv.extend(NO_OUTPUT_OVERRIDES)
    app = hydra.main(version_base=VERSION_BASE, config_path=str(CONFIG_DIR), config_name=config_name)
    app(guarded(task, command))()
