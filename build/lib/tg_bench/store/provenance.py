"""What a result depends on besides its config: the installed package versions and the data files' checksums."""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import platform
from collections.abc import Iterable, Mapping
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


def _module_source(name: str) -> Path | None:
    """The source file of module `name`, found without importing it (None when it is not a module)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def _importable_prefix(dotted: str) -> str | None:
    """The longest prefix of `dotted` that is a module: `a.b.Class` -> `a.b`."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        if _module_source(".".join(parts[:end])) is not None:
            return ".".join(parts[:end])
    return None


def _without_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            value = first.value if isinstance(first, ast.Expr) else None
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                node.body = node.body[1:] or [ast.Pass()]
    return tree


@functools.cache
def _module_digest(path: Path, modified_ns: int, package: str) -> tuple[str, tuple[str, ...]]:
    """SHA-256 of the module at `path`'s syntax tree without docstrings, and the `package` modules it imports
    (cached per file version: `modified_ns` is its modification time)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.extend([node.module, *(f"{node.module}.{alias.name}" for alias in node.names)])
    digest = hashlib.sha256(ast.dump(_without_docstrings(tree)).encode()).hexdigest()
    return digest, tuple(m for m in imported if m.split(".")[0] == package)


def code_digest(roots: Iterable[str], package: str = "tg_bench") -> str:
    """SHA-256 (hex) of the code behind `roots` (dotted names: modules, or classes and functions in them, such
    as a config's `_target_`s) and of every `package` module they import, transitively.

    Each module counts by its syntax tree with docstrings removed, so editing a comment or a docstring keeps
    the digest while any change to what the code does (or to a module it imports) changes it. Modules outside
    `package` are covered by `package_versions` instead.
    """
    pending = [m for m in (_importable_prefix(root) for root in roots) if m and m.split(".")[0] == package]
    seen: dict[str, str] = {}
    while pending:
        name = pending.pop()
        path = None if name in seen else _module_source(name)
        if path is None:
            continue
        seen[name], imported = _module_digest(path, path.stat().st_mtime_ns, package)
        pending.extend(m for m in imported if m not in seen)
    combined = hashlib.sha256()
    for name in sorted(seen):
        combined.update(f"{name}:{seen[name]}\n".encode())
    return combined.hexdigest()
