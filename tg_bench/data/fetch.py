"""`tg-bench fetch`: download the published TransferGraph metadata, pinned and checksummed.

The project never ships the authors' data; it ships a manifest (`manifest.json`, made by
`scripts/make_manifest.py`) naming each file's SHA-256 and size at a pinned upstream commit. A download only
lands at its final path once it matches, so every result computed from `data/` is computed from exactly the
files the project was developed against, and an interrupted or tampered download can never be mistaken for
the real thing.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import IO

from tqdm.auto import tqdm

from tg_bench import __version__
from tg_bench.atomic_write import write_atomic
from tg_bench.errors import USER_ERROR_EXIT_CODE, UserInputError
from tg_bench.paths import DATA_ENV_VAR, DEFAULT_DATA_DIR

_CHUNK = 1 << 16


class FetchError(UserInputError):
    """A file could not be downloaded or did not match the manifest (network, server, or tampering)."""


@dataclass(frozen=True)
class Manifest:
    """What `fetch` accepts: upstream location and `files[path] = (sha256, bytes)`, relative to `prefix`."""

    repository: str
    commit: str
    prefix: str
    files: Mapping[str, tuple[str, int]]


def load_manifest() -> Manifest:
    """Read the manifest shipped inside the package, so fetching works from an installed wheel too."""
    text = resources.files("tg_bench").joinpath("data", "manifest.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    files: dict[str, tuple[str, int]] = {}
    for rel, entry in sorted(raw["files"].items()):
        # A path escaping the destination would let a bad manifest write anywhere; refuse it outright.
        parts = PurePosixPath(rel).parts
        if not parts or PurePosixPath(rel).is_absolute() or ".." in parts:
            raise ValueError(f"manifest.json: unsafe file path {rel!r}")
        files[rel] = (str(entry["sha256"]).lower(), int(entry["bytes"]))
    return Manifest(
        repository=raw["repository"],
        commit=raw["commit"],
        prefix=raw["prefix"].strip("/"),
        files=MappingProxyType(files),
    )


def default_base_url(manifest: Manifest) -> str:
    """Raw-file URL of the pinned commit: a commit (not a branch) so upstream changes cannot reach us."""
    return f"https://raw.githubusercontent.com/{manifest.repository}/{manifest.commit}/{manifest.prefix}/"


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _is_valid(path: Path, sha256: str, size: int) -> bool:
    """Whether a file already at the destination can be kept; the size check spares hashing obvious misses."""
    try:
        return path.is_file() and path.stat().st_size == size and _sha256_of(path) == sha256
    except OSError:
        return False


def _short(digest: str) -> str:
    return f"{digest[:16]}.."


def _download(
    opener: urllib.request.OpenerDirector,
    rel: str,
    url: str,
    target: Path,
    sha256: str,
    size: int,
    timeout: float,
) -> None:
    """Stream `url` into a temp file beside `target`, verify it, then move it into place atomically.

    `write_atomic` renames the file into place only after the stream passes every check, so readers see either
    no file or the complete verified one, never a partial or tampered write.
    """

    def failure(what: str) -> FetchError:
        return FetchError(f"{rel}: {what} (from {url})")

    def stream_verified(handle: IO[bytes]) -> None:
        digest = hashlib.sha256()
        received = 0
        request = urllib.request.Request(url, headers={"User-Agent": f"tg-bench/{__version__}"})
        with opener.open(request, timeout=timeout) as response:
            announced = response.headers.get("Content-Length")
            while chunk := response.read(_CHUNK):
                received += len(chunk)
                if received > size:
                    raise failure(f"larger than expected: more than {size} bytes")
                digest.update(chunk)
                handle.write(chunk)
        if announced is not None and announced.isdigit() and received < int(announced):
            raise failure(f"connection dropped after {received} of {announced} bytes")
        if received != size:
            raise failure(f"size mismatch: expected {size} bytes, got {received}")
        got = digest.hexdigest()
        if got != sha256:
            raise failure(f"checksum mismatch: expected sha256 {_short(sha256)}, got {_short(got)}")

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FetchError(f"cannot write into the destination folder: {exc}", path=target.parent) from exc
    try:
        write_atomic(target, stream_verified, binary=True)
    except urllib.error.HTTPError as exc:
        raise failure(f"HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise failure(f"cannot connect: {exc.reason}") from exc
    except (OSError, http.client.HTTPException) as exc:
        # timeouts, resets, IncompleteRead, a full disk: write_atomic has already removed the temp file
        raise failure(f"download failed: {type(exc).__name__}: {exc}") from exc


def fetch_metadata(
    dest: Path,
    base_url: str | None = None,
    *,
    force: bool = False,
    timeout: float = 60.0,
    show_progress: bool = True,
) -> list[Path]:
    """Make `dest` hold every manifest file, verified; return the paths that had to be downloaded.

    Files already present with the right checksum are kept (so a re-run after a failure resumes cheaply);
    `force` re-downloads them anyway. A file that fails verification is removed rather than left for the
    loaders to read. The first failure raises `FetchError`; files finished before it stay, verified.
    """
    manifest = load_manifest()
    base = default_base_url(manifest) if base_url is None else base_url
    if not base.endswith("/"):
        base += "/"
    dest = Path(dest).expanduser()
    if dest.exists() and not dest.is_dir():
        raise FetchError("destination exists and is not a folder", path=dest)
    # Built per call (not urlopen's cached global opener) so proxy settings are read from the current env.
    opener = urllib.request.build_opener()
    downloaded: list[Path] = []
    # the outermost folder this call creates: a failure removes whatever it leaves empty below (and with) it
    created = next((p for p in reversed([dest, *dest.parents]) if not p.exists()), None)
    try:
        _fetch_into(dest, base, manifest, opener, force, timeout, show_progress, downloaded)
    except FetchError:
        _remove_empty_folders(created if created is not None else dest, keep_root=created is None)
        raise
    return downloaded


def _remove_empty_folders(root: Path, keep_root: bool) -> None:
    """Every empty folder under `root` (deepest first), and `root` itself unless `keep_root`."""
    if not root.is_dir():
        return
    folders = sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True)
    for folder in [*folders, *([] if keep_root else [root])]:
        # not empty: verified files finished before the failure stay
        with contextlib.suppress(OSError):
            folder.rmdir()


def _fetch_into(
    dest: Path,
    base: str,
    manifest: Manifest,
    opener: urllib.request.OpenerDirector,
    force: bool,
    timeout: float,
    show_progress: bool,
    downloaded: list[Path],
) -> None:
    """The download loop of `fetch_metadata`, appending each downloaded file to `downloaded`."""
    with tqdm(total=len(manifest.files), desc="tg-bench fetch", unit="file", disable=not show_progress) as bar:
        for rel, (sha256, size) in manifest.files.items():
            target = dest.joinpath(*PurePosixPath(rel).parts)
            bar.set_postfix_str(rel, refresh=False)
            if not force and _is_valid(target, sha256, size):
                bar.update(1)
                continue
            if not force and target.exists():
                # Corrupt or stale: it must not outlive a failed re-download and pass as real data.
                try:
                    target.unlink()
                except OSError as exc:
                    raise FetchError(f"cannot remove the corrupt file: {exc}", path=target) from exc
            _download(opener, rel, base + urllib.parse.quote(rel), target, sha256, size, timeout)
            downloaded.append(target)
            bar.update(1)


def main(argv: list[str]) -> int:
    """Entry point of `tg-bench fetch`: user mistakes and network failures become one line and exit code 2."""
    parser = argparse.ArgumentParser(
        prog="tg-bench fetch",
        description="Download the published TransferGraph metadata (pinned commit, SHA-256 checked).",
    )
    parser.add_argument(
        "--dest", type=Path, default=DEFAULT_DATA_DIR, help=f"target folder (default: {DEFAULT_DATA_DIR})"
    )
    parser.add_argument(
        "--base-url",
        default=None,
        help="where the files live, e.g. a mirror (default: the pinned commit on raw.githubusercontent.com)",
    )
    parser.add_argument("--force", action="store_true", help="re-download files that are already present")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    args = parser.parse_args(argv)
    try:
        downloaded = fetch_metadata(args.dest, args.base_url, force=args.force, show_progress=not args.quiet)
    except UserInputError as exc:
        print(f"tg-bench fetch: {exc}", file=sys.stderr)
        return USER_ERROR_EXIT_CODE
    if not args.quiet:
        total = len(load_manifest().files)
        dest = args.dest.expanduser().resolve()
        print(f"{len(downloaded)} files downloaded, {total - len(downloaded)} already present, in {dest}")
        if dest != DEFAULT_DATA_DIR.resolve():
            print(f"to use them: export {DATA_ENV_VAR}={dest}")
    return 0
