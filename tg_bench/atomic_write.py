"""All-or-nothing file writes: a reader (or a crashed run) never sees half a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any


def write_atomic(path: Path, write: Callable[[IO[Any]], object], *, binary: bool = False) -> None:
    """Call `write(handle)` on a temporary file beside `path`, flush it to disk, then rename it to `path`.

    The temporary file lives in the destination folder so that `os.replace` is a same-filesystem rename; on
    any error, a Ctrl-C included (BaseException), it is removed and `path` is left as it was. `binary` opens
    the handle in "wb" mode, else text mode with newlines written as given.
    """
    mode = {"mode": "wb"} if binary else {"mode": "w", "newline": ""}
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - delete=False: os.replace takes it over
        dir=path.parent, prefix=f".{path.name}.", delete=False, **mode
    )
    try:
        with handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
