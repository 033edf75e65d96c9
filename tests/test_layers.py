"""Imports run one way, down the data flow, without cycles: the import-linter contracts of pyproject.toml."""

from __future__ import annotations

from importlinter.cli import lint_imports

from tg_bench.paths import PROJECT_ROOT


def test_import_contracts_are_kept(monkeypatch) -> None:
    monkeypatch.chdir(PROJECT_ROOT)
    assert lint_imports(config_filename=str(PROJECT_ROOT / "pyproject.toml"), no_cache=True) == 0
