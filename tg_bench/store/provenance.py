"""What a result depends on besides its config: the installed package versions and the data files' checksums."""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

#: the packages whose versions a run records (and whose change makes a stored unit stale)
VERSIONED_PACKAGES = (
    "tg-bench",
    "torch",
    "torch-geometric",
    "pytorch-lightning",
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "xgboost",
    "hydra-core",
)


def package_versions() -> dict[str, str]:
    """Python's version and each of `VERSIONED_PACKAGES`' ("not installed" when absent)."""
    versions = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def data_checksum(files: Mapping[str, str | Path]) -> dict[str, str]:
    """SHA-256 of each file (by its key in `files`), and `combined`: one over all of them in key order."""
    combined = hashlib.sha256()
    per_file = {}
    for key, path in sorted(files.items()):
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        per_file[key] = digest
        combined.update(digest.encode())
    return {"combined": combined.hexdigest(), **per_file}
