"""Checked reading of the metadata CSV files.

Every defect in a user's file becomes one `UserInputError` that names the file and the column, so that the CLI can
print it without a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from tg_bench.errors import UserInputError

#: columns that are never read, logged or copied (the text records carry a Hugging Face token column)
FORBIDDEN_COLUMNS = frozenset({"hub_token"})


def read_table(
    path: Path,
    required: Iterable[str],
    numeric: Iterable[str] = (),
    *,
    index_col: int | None = None,
) -> pd.DataFrame:
    """Read a CSV, check that `required` columns exist and that `numeric` columns parse as numbers.

    Empty cells in numeric columns are allowed (NaN); any other non-number is an error naming the column and row.
    """
    path = Path(path)
    if not path.is_file():
        raise UserInputError("file not found", path=path)
    if path.stat().st_size == 0:
        raise UserInputError("file is empty", path=path)
    try:
        frame = pd.read_csv(path, usecols=lambda c: c not in FORBIDDEN_COLUMNS, index_col=index_col)
    except pd.errors.EmptyDataError as exc:
        raise UserInputError("file is empty", path=path) from exc
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise UserInputError(f"not a readable CSV file ({str(exc).splitlines()[0]})", path=path) from exc
    if frame.empty:
        raise UserInputError("file has a header but no rows", path=path)
    for column in required:
        if column not in frame.columns:
            raise UserInputError(
                f"missing required column (found: {', '.join(map(str, frame.columns))})",
                path=path,
                column=column,
            )
    for column in numeric:
        frame[column] = to_numeric_column(frame[column], path=path, column=column)
    return frame


def to_numeric_column(values: pd.Series, *, path: Path, column: str) -> pd.Series:
    """Parse a column as float; blank cells become NaN, anything else that is not a number is an error."""
    parsed = pd.to_numeric(values, errors="coerce")
    bad = parsed.isna() & values.notna() & (values.astype(str).str.strip() != "")
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise UserInputError(
            f"non-numeric value {values.iloc[row]!r} in data row {row + 1} ({int(bad.sum())} such rows)",
            path=path,
            column=column,
        )
    return parsed.astype(float)


def rename_checked(frame: pd.DataFrame, mapping: Mapping[str, str]) -> pd.DataFrame:
    """Keep and rename the columns of `mapping` (source name -> our name)."""
    return frame[list(mapping)].rename(columns=dict(mapping))
