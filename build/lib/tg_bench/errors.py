"""The one exception type for mistakes in a user's input (files, names, overrides).

The CLI turns it into one clear message on stderr and exit code 2, without a traceback; anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path

USER_ERROR_EXIT_CODE = 2


class UserInputError(Exception):
    """Bad input from the user: names the file, column or key at fault."""

    def __init__(self, message: str, *, path: str | Path | None = None, column: str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.column = column
        where = []
        if self.path is not None:
            where.append(str(self.path))
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__(f"{': '.join(where)}: {message}" if where else message)


class ModelLoadError(UserInputError):
    """A model that cannot be loaded (missing, unreachable, or with unreadable weights or config): one model's
    problem, so a command scoring many models reports it and goes on with the others."""
