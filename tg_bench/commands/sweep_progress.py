"""A progress bar over a `-m` sweep's runs (a Hydra callback, registered in tg_bench/conf/config.yaml).

Hydra's basic launcher runs the jobs one after another in this process and logs each start; the bar counts
finished runs out of the grid's size, with the last run's overrides beside it. Launchers that run jobs in
other processes (joblib, submitit) report progress their own way, and the bar stays silent there. When stderr
is not a terminal (a log file, a batch job), the bar is one plain line per finished run instead: a live bar
above each run's own bar would fill the log with cursor-up codes (`ESC[A`).
"""

from __future__ import annotations

import math
import sys
from typing import Any

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.experimental.callback import Callback
from omegaconf import DictConfig
from tqdm.auto import tqdm


def sweep_size(task_overrides: list[str], sweeper_params: dict[str, Any] | None) -> int:
    """How many jobs the basic sweeper makes of the command line's overrides and the config's
    `hydra.sweeper.params` (the command line wins for a key given in both)."""
    parser = OverridesParser.create()
    given = {o.get_key_element(): o for o in parser.parse_overrides(task_overrides)}
    for key, value in (sweeper_params or {}).items():
        if key not in given:
            given[key] = parser.parse_overrides([f"{key}={value}"])[0]
    sizes = [len(list(o.sweep_iterator())) for o in given.values() if o.is_sweep_override()]
    return math.prod(sizes)


class SweepProgress(Callback):
    """Counts a sweep's finished runs."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.bar: tqdm | None = None
        self.lines: list[int] | None = None  # [finished, total] where stderr is not a terminal

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        if not self.enabled or "BasicLauncher" not in str(config.hydra.launcher.get("_target_", "")):
            return
        params = config.hydra.sweeper.get("params")
        total = sweep_size(list(config.hydra.overrides.task), dict(params) if params else None)
        if sys.stderr.isatty():
            self.bar = tqdm(total=total, desc="sweep", unit="run", position=0, leave=True)
        else:
            self.lines = [0, total]

    def on_job_end(self, config: DictConfig, job_return: Any, **kwargs: Any) -> None:
        overrides = " ".join(config.hydra.overrides.task)
        if self.bar is not None:
            self.bar.set_postfix_str(overrides, refresh=False)
            self.bar.update()
        elif self.lines is not None:
            self.lines[0] += 1
            print(f"sweep: {self.lines[0]}/{self.lines[1]} runs finished ({overrides})", file=sys.stderr, flush=True)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        self.lines = None
