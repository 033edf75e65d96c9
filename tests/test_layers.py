"""Imports run one way, down the data flow, without cycles: the import-linter contracts of pyproject.toml."""

from __future__ import annotations

import logging
from pathlib import Path

from importlinter.cli import lint_imports

#: the checkout (README, pyproject.toml); the package itself may be installed elsewhere
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept(monkeypatch) -> None:
    monkeypatch.chdir(PROJECT_ROOT)
    # import-linter configures logging with disable_existing_loggers=True, which would silence every logger
    # already created (tg_bench's included) for the tests that run after this one
    loggers = [logger for logger in logging.root.manager.loggerDict.values() if isinstance(logger, logging.Logger)]
    enabled = [logger for logger in loggers if not logger.disabled]
    root_level, root_handlers = logging.root.level, list(logging.root.handlers)
    try:
        assert lint_imports(config_filename=str(PROJECT_ROOT / "pyproject.toml"), no_cache=True) == 0
    finally:
        for logger in enabled:
            logger.disabled = False
        logging.root.setLevel(root_level)
        logging.root.handlers[:] = root_handlers
