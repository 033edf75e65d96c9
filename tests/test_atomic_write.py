"""`write_atomic`: the file appears whole or not at all, with the permissions a plain `open` would give it."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tg_bench.atomic_write import write_atomic


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_follows_the_umask(tmp_path: Path, umask_022: None) -> None:
    # the temporary file is created 0600; a result file must not stay unreadable to the group
    path = tmp_path / "metrics.csv"
    write_atomic(path, lambda handle: handle.write("a,b\n1,2\n"))
    assert path.read_text() == "a,b\n1,2\n"
    assert _mode(path) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.csv"]


def test_replacing_keeps_the_existing_mode(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("old\n")
    path.chmod(0o640)
    write_atomic(path, lambda handle: handle.write("new\n"))
    assert path.read_text() == "new\n"
    assert _mode(path) == 0o640


def test_binary_content_is_written_as_given(tmp_path: Path) -> None:
    path = tmp_path / "blob.bin"
    payload = bytes(range(256)) * 3
    write_atomic(path, lambda handle: handle.write(payload), binary=True)
    assert path.read_bytes() == payload


def test_text_newlines_are_not_translated(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    write_atomic(path, lambda handle: handle.write("a\r\nb\n"))
    assert path.read_bytes() == b"a\r\nb\n"


@pytest.mark.parametrize("error", [ValueError("bad content"), KeyboardInterrupt()])
def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, error: BaseException) -> None:
    path = tmp_path / "summary.md"
    path.write_text("previous run\n")

    def write_then_fail(handle) -> None:
        handle.write("half of the new")
        raise error

    with pytest.raises(type(error)):
        write_atomic(path, write_then_fail)
    assert path.read_text() == "previous run\n"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.md"]


def test_a_failed_first_write_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "new.csv"
    with pytest.raises(RuntimeError):
        write_atomic(path, lambda handle: (_ for _ in ()).throw(RuntimeError("stop")))
    assert list(tmp_path.iterdir()) == []
