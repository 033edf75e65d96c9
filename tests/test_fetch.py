"""`tg-bench fetch` against a local HTTP server: no internet, real metadata, real failure modes.

The server serves the shared metadata folder (or a tampered copy of it), so the checksums in the shipped
manifest are exercised end to end; the failure tests check the invariant that matters to every later stage:
a file at its final path is always complete and verified, and no temp files are left behind.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import socket
import stat
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from tg_bench.commands import cli
from tg_bench.data.fetch import FetchError, default_base_url, fetch_metadata, load_manifest
from tg_bench.data.zoo import ZooSpec, load_zoo
from tg_bench.errors import UserInputError
from tg_bench.paths import CONFIG_DIR

REPO_ROOT = Path(__file__).resolve().parents[1]
METADATA = Path(os.environ.get("TG_BENCH_DATA") or REPO_ROOT / ".." / "shared" / "transfergraph-metadata")

TAMPERED = "image_classification/records.csv"
#: has an '@' in its name, so the URL quoting is exercised too
TRUNCATED = "image_classification/result_analysis/top@1_correlation.csv"
MISSING = "sequence_classification/model_config_dataset.csv"

Serve = Callable[..., str]


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves a folder without logging: the log would land in the stderr that the CLI tests read."""

    def log_message(self, format: str, *args: object) -> None:
        pass


class TruncatingHandler(QuietHandler):
    """Announces the full length of TRUNCATED plus more, sends half of it, then hangs up."""

    def do_GET(self) -> None:
        if self.path.lstrip("/") != TRUNCATED.replace("@", "%40"):
            super().do_GET()
            return
        body = Path(self.directory, TRUNCATED).read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body) + 1000))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        self.close_connection = True


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy from the environment would swallow requests to 127.0.0.1."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def metadata() -> Path:
    if not METADATA.is_dir():
        pytest.skip(f"published metadata not found at {METADATA} (set TG_BENCH_DATA to a copy of it)")
    return METADATA.resolve()


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Start a threaded HTTP server on a free local port for a folder; returns its base URL."""
    servers: list[tuple[ThreadingHTTPServer, threading.Thread]] = []

    def start(directory: Path, handler: type[SimpleHTTPRequestHandler] = QuietHandler) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def tampered_copy(metadata: Path, tmp_path: Path) -> Path:
    """A copy of the metadata with one byte of TAMPERED flipped: same size, only the checksum catches it."""
    copy = tmp_path / "served"
    shutil.copytree(metadata, copy)
    path = copy / TAMPERED
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    return copy


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_clean(dest: Path) -> None:
    """Every file under `dest` is a manifest file with the right content: no temp files, no partial files."""
    files = load_manifest().files
    for path in dest.rglob("*"):
        if path.is_file():
            rel = path.relative_to(dest).as_posix()
            assert rel in files, f"stray file {rel}"
            assert sha256(path) == files[rel][0], f"unverified file {rel}"


def test_manifest_matches_the_shared_metadata(metadata: Path) -> None:
    manifest = load_manifest()
    assert manifest.commit == "0458aff3ae6832926bed0bac515f243f99a98df0"
    assert default_base_url(manifest) == (
        "https://raw.githubusercontent.com/TransferGraph/transfergraph/"
        "0458aff3ae6832926bed0bac515f243f99a98df0/resources/experiments/"
    )
    on_disk = {p.relative_to(metadata).as_posix() for p in metadata.rglob("*") if p.is_file()} - {"PROVENANCE.md"}
    assert set(manifest.files) == on_disk
    assert issubclass(FetchError, UserInputError)


def test_full_fetch_then_nothing_to_do(metadata: Path, serve: Serve, tmp_path: Path) -> None:
    url = serve(metadata)
    dest = tmp_path / "data"
    manifest = load_manifest()

    umask = os.umask(0o022)
    try:
        downloaded = fetch_metadata(dest, url, show_progress=False)
    finally:
        os.umask(umask)

    assert len(downloaded) == len(manifest.files)
    for rel, (digest, size) in manifest.files.items():
        path = dest / rel
        assert path.stat().st_size == size
        assert sha256(path) == digest
        # data files follow the umask, not the temporary file's 0600
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert_clean(dest)
    assert fetch_metadata(dest, url, show_progress=False) == []
    assert len(fetch_metadata(dest, url, force=True, show_progress=False)) == len(manifest.files)


def test_checksum_mismatch(tampered_copy: Path, serve: Serve, tmp_path: Path) -> None:
    url = serve(tampered_copy)
    dest = tmp_path / "data"

    with pytest.raises(FetchError, match="checksum") as info:
        fetch_metadata(dest, url, show_progress=False)

    assert TAMPERED in str(info.value)
    assert not (dest / TAMPERED).exists()
    assert_clean(dest)
    # files before the failing one (manifest order) were fetched and stay
    first = next(iter(load_manifest().files))
    assert first < TAMPERED and (dest / first).is_file()


def test_connection_dropped_mid_body(metadata: Path, serve: Serve, tmp_path: Path) -> None:
    url = serve(metadata, TruncatingHandler)
    dest = tmp_path / "data"

    with pytest.raises(FetchError, match="connection dropped") as info:
        fetch_metadata(dest, url, show_progress=False)

    assert TRUNCATED in str(info.value)
    assert not (dest / TRUNCATED).exists()
    assert_clean(dest)


def test_http_404_names_the_url(metadata: Path, serve: Serve, tmp_path: Path) -> None:
    served = tmp_path / "served"
    shutil.copytree(metadata, served)
    (served / MISSING).unlink()
    url = serve(served)
    dest = tmp_path / "data"

    with pytest.raises(FetchError, match="HTTP 404") as info:
        fetch_metadata(dest, url, show_progress=False)

    assert f"{url}{MISSING}" in str(info.value)
    assert not (dest / MISSING).exists()
    assert_clean(dest)


def test_unreachable_server(tmp_path: Path) -> None:
    # a port that was free a moment ago and has no listener: the connection is refused at once
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FetchError, match="cannot connect"):
        fetch_metadata(tmp_path / "data" / "metadata", f"http://127.0.0.1:{port}/", show_progress=False, timeout=5)
    # offline, nothing is fetched and nothing is left: not even the empty folders the fetch created
    assert not (tmp_path / "data").exists()
    # a destination that existed before stays, emptied of the folders the failed fetch made
    (tmp_path / "kept").mkdir()
    with pytest.raises(FetchError, match="cannot connect"):
        fetch_metadata(tmp_path / "kept", f"http://127.0.0.1:{port}/", show_progress=False, timeout=5)
    assert (tmp_path / "kept").is_dir() and not any((tmp_path / "kept").iterdir())


def test_an_incomplete_metadata_root_says_to_fetch_again(metadata: Path, tmp_path: Path) -> None:
    """What a failed fetch used to leave: a run then named one missing file without saying how to complete it."""
    root = tmp_path / "partial"
    shutil.copytree(metadata, root)
    missing = next(root.rglob("records.csv"))
    missing.unlink()
    zoo = "text" if "sequence" in str(missing) else "image"
    spec = ZooSpec.from_config(OmegaConf.load(CONFIG_DIR / "zoo" / f"{zoo}.yaml"))
    with pytest.raises(UserInputError, match=r"file not found .*incomplete; `tg-bench fetch` completes it") as info:
        load_zoo(spec, root)
    assert info.value.path == missing


def test_cli(metadata: Path, tampered_copy: Path, serve: Serve, tmp_path: Path, capsys) -> None:
    good, bad = serve(metadata), serve(tampered_copy)

    assert cli.main(["fetch", "--dest", str(tmp_path / "ok"), "--base-url", good, "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    assert_clean(tmp_path / "ok")

    assert cli.main(["fetch", "--dest", str(tmp_path / "ok2"), "--base-url", good]) == 0
    out = capsys.readouterr().out
    assert f"{len(load_manifest().files)} files downloaded" in out
    assert "export TG_BENCH_DATA=" in out

    assert cli.main(["fetch", "--dest", str(tmp_path / "bad"), "--base-url", bad, "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("tg-bench fetch: ") and "checksum mismatch" in err[0] and TAMPERED in err[0]


def test_corrupt_existing_file_is_refetched(metadata: Path, serve: Serve, tmp_path: Path) -> None:
    url = serve(metadata)
    dest = tmp_path / "data"
    fetch_metadata(dest, url, show_progress=False)
    corrupt, truncated = dest / TAMPERED, dest / TRUNCATED
    data = bytearray(corrupt.read_bytes())
    data[0] ^= 0x01
    corrupt.write_bytes(bytes(data))
    truncated.write_bytes(truncated.read_bytes()[:10])

    downloaded = fetch_metadata(dest, url, show_progress=False)

    assert sorted(downloaded) == sorted([corrupt, truncated])
    assert_clean(dest)
    assert sha256(corrupt) == load_manifest().files[TAMPERED][0]


def test_corrupt_existing_file_is_removed_when_refetch_fails(
    metadata: Path, tampered_copy: Path, serve: Serve, tmp_path: Path
) -> None:
    dest = tmp_path / "data"
    fetch_metadata(dest, serve(metadata), show_progress=False)
    (dest / TAMPERED).write_text("not the real data")

    with pytest.raises(FetchError, match="checksum"):
        fetch_metadata(dest, serve(tampered_copy), show_progress=False)

    assert not (dest / TAMPERED).exists()
    assert_clean(dest)
