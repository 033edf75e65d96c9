"""tg-bench as a wheel: it carries every config, and an installed copy runs from any directory.

The package finds its configs through itself (`tg_bench/conf`), not through the checkout, so a non-editable
install works; these tests build the wheel from this checkout and run the installed copy (no network: the
build uses the current environment's setuptools, the install adds no dependencies).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONFIG_FILES = sorted(p.relative_to(PROJECT_ROOT).as_posix() for p in (PROJECT_ROOT / "tg_bench" / "conf").rglob("*"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # built from a copy of what the wheel is made of: setuptools leaves a build/ folder beside the sources,
    # which must not land in the checkout (nor a stale one in the wheel)
    source = tmp_path_factory.mktemp("source")
    shutil.copy(PROJECT_ROOT / "pyproject.toml", source)
    shutil.copy(PROJECT_ROOT / "README.md", source)
    shutil.copytree(PROJECT_ROOT / "tg_bench", source / "tg_bench", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation", "-q", "-w", out],
        check=True,
        cwd=out,
    )
    (built,) = out.glob("tg_bench-*.whl")
    return built


def test_wheel_holds_every_config(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    files = [f for f in CONFIG_FILES if (PROJECT_ROOT / f).is_file()]
    assert len(files) > 50
    assert [f for f in files if f not in names] == []
    assert "tg_bench/data/manifest.json" in names


def test_installed_wheel_runs_from_another_directory(wheel: Path, tmp_path: Path, metadata_root: Path) -> None:
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", site, wheel], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # the installed copy, not this checkout's editable one, is imported
    env = {**os.environ, "PYTHONPATH": str(site), "TG_BENCH_DATA": str(metadata_root)}
    env.pop("TG_BENCH_STORE", None)
    where = subprocess.run(
        [sys.executable, "-c", "import tg_bench.paths as p; print(p.CONFIG_DIR)"],
        env=env,
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()) == site / "tg_bench" / "conf"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "tg_bench",
            "run",
            "experiment=paper_baselines_image",
            "targets=[dtd,pets]",
            "progress=false",
            "hydra.run.dir=out",
        ],
        env=env,
        cwd=elsewhere,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    ours = pd.read_csv(elsewhere / "out" / "metrics.csv")
    committed = pd.read_csv(PROJECT_ROOT / "results" / "baselines" / "image_paper" / "metrics.csv")
    per_target = ours[ours["target"].isin(["dtd", "pets"])]
    expected = committed[committed["target"].isin(["dtd", "pets"])]
    merged = per_target.merge(expected, on=["method", "target", "metric", "seed"], suffixes=("", "_committed"))
    assert len(merged) == len(expected) > 0
    assert (merged["value"].astype(str) == merged["value_committed"].astype(str)).all()
    # the results store and outputs land under the working directory, not inside the installed package
    assert (elsewhere / "outputs").is_dir()
    assert not (site / "outputs").exists()


def test_an_experiment_of_ones_own_from_the_search_path(tmp_path: Path, metadata_root: Path) -> None:
    """A user's config folder beside the package's: its experiment is a valid choice (the check that every
    `group=option` exists reads the search path too) and composes with the package's groups."""
    folder = tmp_path / "my_conf" / "experiment"
    folder.mkdir(parents=True)
    (folder / "mine.yaml").write_text(
        "# @package _global_\ndefaults:\n  - override /baseline: [zoo_prior, random]\ntask_name: mine\n"
    )
    env = {**os.environ, "TG_BENCH_DATA": str(metadata_root)}
    common = [sys.executable, "-m", "tg_bench", "run", "targets=[dtd]", "progress=false", "n_jobs=1"]
    run = subprocess.run(
        [*common, f"hydra.searchpath=[file://{tmp_path / 'my_conf'}]", "experiment=mine", "hydra.run.dir=out"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert set(pd.read_csv(tmp_path / "out" / "metrics.csv")["method"]) == {"zoo_prior", "random"}
    # without the search path there is no such experiment
    unknown = subprocess.run([*common, "experiment=mine"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert unknown.returncode == 2 and "experiment=mine: no such option" in unknown.stderr
