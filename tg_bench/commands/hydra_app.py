"""Hydra plumbing shared by the `run`, `score` and `data-report` commands.

User errors (`UserInputError`) become one line on stderr and exit code 2, with the run's half-made output
folder removed; so do Hydra's own errors before the task starts (a bad override, an unknown option of a config
group, a config that does not compose), which Hydra would print over several lines with exit code 1. Ctrl-C
likewise becomes one line and exit code 130; anything else keeps its traceback because it is a bug.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from tg_bench.catalog import VERSION_BASE, options
from tg_bench.commands.leftovers import DEPTH, mark, remove_with_empty_parents, tidy_up, unmark
from tg_bench.commands.slurm_launcher import SweepJobsFailed
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


def _remove_partial(output_dir: Path | None, root: Path | None = None) -> None:
    """Remove a run's half-made output folder and the parents it leaves empty (`outputs/run/text_paper`, ...)
    below `root` (the project's `paths.root_dir`; None: the working directory), never the working directory."""
    if output_dir is None:
        return
    folder, stop = output_dir.resolve(), (root or Path.cwd()).resolve()
    if folder == Path.cwd().resolve():
        return
    remove_with_empty_parents(folder, stop)  # only empty parents: another run's folder beside it stays


def check_choices(choices: dict[str, str | None]) -> None:
    """Every `group=option` of the config groups names a file that exists: Hydra silently skips a missing
    option of an `optional` group, so `target=cifar10` used to run every target instead."""
    for group, option in choices.items():
        if option is None or group.startswith("hydra"):
            continue
        known = options(group)
        if known:
            _refuse_unknown(group, option.strip("[]").split(",") if option.startswith("[") else [option], known)


def _refuse_unknown(group: str, chosen: Sequence[str], known: Sequence[str]) -> None:
    """A user error naming the options of `chosen` that `group` does not have, with its choices."""
    missing = [o.strip() for o in chosen if o.strip() and o.strip() not in known]
    if missing:
        raise UserInputError(f"{group}={','.join(missing)}: no such option (choose from {', '.join(known)})")


def _top_level_keys(config_name: str) -> set[str]:
    """The keys a command's primary config sets itself (`seed`, `targets`, ...), without its defaults list."""
    primary = OmegaConf.load(CONFIG_DIR / f"{config_name}.yaml")
    return {str(key) for key in primary if key not in ("defaults", "hydra")}


def check_overrides(args: Sequence[str], config_name: str = "config") -> None:
    """Catch, before Hydra composes anything, the override mistakes Hydra reports over several lines or not at
    all: an option of a config group that does not exist (with the choices), and an unknown top-level key,
    with or without `+` (Hydra would add `+sede=3` silently and run with the default seed). Keys with a dot
    are left to Hydra and the build stage, which name them."""
    known = _top_level_keys(config_name)
    # a user's own config folders hold options (and experiments) of their own
    search_path = tuple(arg for arg in args if arg.startswith("hydra.searchpath="))
    for arg in args:
        if arg.startswith("-") or "=" not in arg:
            continue
        key, value = arg.split("=", 1)
        name = key.lstrip("+~")
        if "." in name or "/" in name or name.startswith("hydra"):
            continue
        choices = options(name, search_path)
        if choices and "(" not in value:  # a sweep function (glob, choice, range) is Hydra's to expand
            _refuse_unknown(name, value.strip("[]").split(","), choices)
            continue
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known | _groups()), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise UserInputError(f"{key}: no such key in {config_name}.yaml{hint}")


def _groups() -> set[str]:
    """The config groups' names (folders of tg_bench/conf)."""
    return {p.name for p in CONFIG_DIR.iterdir() if p.is_dir() and not p.name.startswith("_")}


def _root(cfg: DictConfig) -> Path | None:
    """The folder a command's outputs live under (`paths.root_dir`), if the config has one."""
    root = cfg.get("paths", {}).get("root_dir") if hasattr(cfg, "get") else None
    return Path(str(root)) if root else None


def _near(cfg: DictConfig, output_dir: Path) -> list[tuple[Path, int]]:
    """Where killed runs' folders are looked for (`leftovers`): the outputs folder (`paths.log_dir`), and beside
    this run's folder (its sweep's siblings for a `-m` job, its own siblings else)."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    log_dir = cfg.get("paths", {}).get("log_dir") if hasattr(cfg, "get") else None
    sweep = HydraConfig.initialized() and HydraConfig.get().mode == RunMode.MULTIRUN
    near = [(output_dir.parent.parent, 2)] if sweep else [(output_dir.parent, 1)]
    return ([(Path(str(log_dir)), DEPTH)] if log_dir else []) + near


def guarded(task: Callable[[DictConfig], object], command: str) -> Callable[[DictConfig], object]:
    """Wrap a Hydra task so that a user error exits 2 with one message and leaves no partial outputs."""

    def wrapper(cfg: DictConfig) -> object:
        from hydra.core.hydra_config import HydraConfig

        output_dir = Path(HydraConfig.get().runtime.output_dir) if HydraConfig.initialized() else None
        if output_dir is not None and output_dir.resolve() == Path.cwd().resolve():
            output_dir = None  # a console-only command: no folder of its own
        try:
            if HydraConfig.initialized():
                check_choices(dict(HydraConfig.get().runtime.choices))
            if output_dir is not None:
                tidy_up(_near(cfg, output_dir), command)
                mark(output_dir)
            result = task(cfg)
            unmark(output_dir)
            return result
        except UserInputError as exc:
            print(f"tg-bench {command}: error: {exc}", file=sys.stderr)
            _remove_partial(output_dir, _root(cfg))
            sys.exit(USER_ERROR_EXIT_CODE)
        except KeyboardInterrupt:
            # Ctrl-C: one line instead of the traceback; finished units are already in the results store
            store = cfg.get("paths", {}).get("store_dir") if command == "run" else None
            kept = f"; finished units are kept in {store}, rerun the same command to resume" if store else ""
            print(f"\ntg-bench {command}: interrupted{kept}", file=sys.stderr)
            _remove_partial(output_dir, _root(cfg))
            sys.exit(INTERRUPTED_EXIT_CODE)
        except BaseException:
            unmark(output_dir)  # a bug: the folder and its log stay for the traceback, not as a killed run's
            raise

    wrapper.__name__ = task.__name__
    wrapper.__doc__ = task.__doc__
    return wrapper


def launch(
    command: str, task: Callable[[DictConfig], object], config_name: str = "config", writes_outputs: bool = True
) -> None:
    """Run `task` as the Hydra app `tg-bench <command>` over `sys.argv`'s overrides (`-m` sweeps and launchers
    included). `writes_outputs=False`: no output folder or log files."""
    import hydra

    try:
        check_overrides(sys.argv[1:], config_name)
    except UserInputError as exc:
        print(f"tg-bench {command}: error: {exc}", file=sys.stderr)
        sys.exit(USER_ERROR_EXIT_CODE)
    if not writes_outputs:
        sys.argv.extend(NO_OUTPUT_OVERRIDES)
    started = []

    def task_started(cfg: DictConfig) -> object:
        started.append(True)
        return guarded(task, command)(cfg)

    task_started.__name__ = task.__name__
    # Hydra raises its errors to us instead of printing them over several lines and exiting 1
    os.environ["HYDRA_FULL_ERROR"] = "1"
    app = hydra.main(version_base=VERSION_BASE, config_path=str(CONFIG_DIR), config_name=config_name)
    try:
        app(task_started)()
    except (HydraException, OmegaConfBaseException) as exc:
        if started:  # raised by the task itself: a bug, with its traceback
            raise
        message = " ".join(str(exc).split()).split(" Config search path")[0]
        print(f"tg-bench {command}: error: {message}", file=sys.stderr)
        sys.exit(USER_ERROR_EXIT_CODE)
    except UserInputError as exc:  # raised before any task runs: a launcher's check (no sbatch, say)
        print(f"tg-bench {command}: error: {exc}", file=sys.stderr)
        sys.exit(USER_ERROR_EXIT_CODE)
    except SweepJobsFailed as exc:  # the jobs' own logs hold the details; the other jobs' units are stored
        print(f"tg-bench {command}: error: {exc}", file=sys.stderr)
        sys.exit(1)
