"""All-or-nothing file writes: a reader (or a crashed run) never sees half a file."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any


def _final_mode(path: Path) -> int:
    """Permission bits the finished file gets: those of the file it replaces, else what `open` would give.

    NamedTemporaryFile creates files 0600, so without this every result (and a zoo score file merged in place)
    would end up unreadable to the rest of a group sharing the folder.
    """
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        # the umask can only be read by setting it; set it straight back
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: Path, write: Callable[[IO[Any]], object], *, binary: bool = False) -> None:
    """Call `write(handle)` on a temporary file beside `path`, flush it to disk, then rename it to `path`.

    The temporary file lives in the destination folder so that `os.replace` is a same-filesystem rename; on
    any error, a Ctrl-C included (BaseException), it is removed and `path` is left as it was. An exception
    raised by `write` itself (a failed check of the content, say) therefore also leaves no file. `binary` opens
    the handle in "wb" mode, else text mode with newlines written as given. The file ends up with the mode of
    the file it replaces, or the umask's default for a new file.
    """
    path = Path(path)
    mode = {"mode": "wb"} if binary else {"mode": "w", "newline": ""}
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - delete=False: os.replace takes it over
        dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False, **mode
    )
    try:
        with handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, _final_mode(path))
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
