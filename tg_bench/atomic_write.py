"""All-or-nothing text file writes: a reader (or a crashed run) never sees half a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO


def write_atomic(path: Path, write: Callable[[TextIO], object]) -> None:
    """Call `write(handle)` on a temporary file beside `path`, then rename it to `path`.

    The temporary file lives in the destination folder so that `os.replace` is a same-filesystem rename; on
    any error it is removed and `path` is left as it was.
    """
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - delete=False: os.replace takes it over
        "w", dir=path.parent, prefix=f".{path.name}.", delete=False, newline=""
    )
    try:
        with handle:
            write(handle)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
