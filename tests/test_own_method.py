"""The README's "Your own method" example, run as written there: a `Method` subclass in the user's own module and
a config file naming it, picked up from a search path, scored beside the zoo prior."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

#: the checkout (README, pyproject.toml); the package itself may be installed elsewhere
PROJECT_ROOT = Path(__file__).resolve().parents[1]


SECTION = "### Your own method"


def readme_example() -> tuple[dict[str, str], str]:
    """The section's files (a code block right after "`<path>`:") and its shell command."""
    text = (PROJECT_ROOT / "README.md").read_text()
    section = text[text.index(SECTION) :]
    section = section[: section.index("\n### ", len(SECTION))]
    files = dict(re.findall(r"`([^`\s]+)`:\n\n```\w+\n(.*?)```", section, flags=re.S))
    commands = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    command = commands[0].strip() if commands else None
    assert files and command, "the README section lost its example"
    return files, command


def test_readme_own_method_example_runs_as_written(metadata_root: Path, tmp_path: Path) -> None:
    files, command = readme_example()
    for relative, body in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(body)
    words = shlex.split(command)
    env = {**os.environ, "TG_BENCH_DATA": str(metadata_root)}
    while "=" in words[0] and not words[0].startswith("tg-bench"):  # leading VAR=value assignments
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    assert words[0] == "tg-bench"
    out = tmp_path / "run"
    done = subprocess.run(
        [sys.executable, "-m", "tg_bench", *words[1:], "progress=false", f"hydra.run.dir={out}"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    metrics = pd.read_csv(out / "metrics.csv")
    assert set(metrics["method"]) == {"zoo_prior", "log_size"}
    # the scores are what the class computes: the log parameter count of each candidate model
    predictions = pd.read_csv(out / "predictions.csv")
    ours = predictions[predictions["method"] == "log_size"]
    config = pd.read_csv(metadata_root / "sequence_classification" / "model_config_dataset.csv")
    size = config.set_index("model")["number_of_parameters"].astype(float)
    np.testing.assert_allclose(ours["score"], np.log(ours["model"].map(size)))
    assert metrics[(metrics["method"] == "log_size") & (metrics["target"] == "average")]["value"].notna().all()
