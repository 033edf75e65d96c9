"""Regenerate `tg_bench/data/manifest.json` from a local copy of the published metadata.

The manifest pins what `tg-bench fetch` accepts: a download only lands if it is byte-for-byte the file the
project was developed against, so a moved upstream branch or a tampered mirror cannot change results silently.
Run it only when deliberately re-pinning to another upstream commit (and update COMMIT below to match).

usage: python scripts/make_manifest.py [METADATA_ROOT]   (default: $TG_BENCH_DATA)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

REPOSITORY = "TransferGraph/transfergraph"
COMMIT = "0458aff3ae6832926bed0bac515f243f99a98df0"
PREFIX = "resources/experiments"
#: files in the local copy that are ours, not the authors'
EXCLUDE = {"PROVENANCE.md"}
MANIFEST_PATH = Path(__file__).resolve().parents[1] / "tg_bench" / "data" / "manifest.json"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def build_manifest(root: Path) -> dict:
    """Describe every data file under `root` by its POSIX relative path, SHA-256 and size."""
    files = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel in EXCLUDE:
            continue
        files[rel] = {"sha256": sha256_of(path), "bytes": path.stat().st_size}
    return {
        "repository": REPOSITORY,
        "commit": COMMIT,
        "prefix": PREFIX,
        "files": dict(sorted(files.items())),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default=os.environ.get("TG_BENCH_DATA"), help="metadata root")
    parser.add_argument("--output", type=Path, default=MANIFEST_PATH, help="where to write the manifest")
    args = parser.parse_args(argv)
    if not args.root:
        parser.error("give the metadata root or set TG_BENCH_DATA")
    root = Path(args.root).expanduser()
    if not root.is_dir():
        parser.error(f"not a folder: {root}")
    manifest = build_manifest(root)
    if not manifest["files"]:
        parser.error(f"no files under {root}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.output} ({len(manifest['files'])} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
