"""On-disk cache of extractions: one `.npz` file per key, written atomically, read without pickle.

The key (a JSON object, `cache_key`) holds exactly what changes the numbers:

- the model: name, path_or_id, resolved library, pooling, timm architecture, and for a local folder or file a
  fingerprint of its files (relative name, size, mtime), so retraining into the same folder misses the cache;
- the dataset: name, path_or_id, config, split, input and label columns, max_samples, seed, and the same
  fingerprint for a local dataset folder;
- max_length (text truncation; left out for timm, which only reads images);
- the cache format version.

Left out on purpose: device and batch size (they move results only by float rounding), library versions (they
are recorded in the file's `meta` but an upgrade does not invalidate the cache; clear the folder to force it),
and the revision of a hub model or dataset (pin one by downloading it to a local folder).

The file name is `<model>__<dataset>__<split>__<sha256 of the key JSON>.npz`; the key JSON is stored inside the
file too and must match on read, so a hash collision or a foreign file is a miss, never a wrong hit. A file that
cannot be read is logged and recomputed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import zipfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from tg_bench.atomic_write import write_atomic
from tg_bench.extract.records import DatasetSpec, Extraction, ModelSpec

log = logging.getLogger(__name__)

CACHE_FORMAT = 1
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def path_fingerprint(path_or_id: str) -> str | None:
    """sha256 over (relative name, size, mtime_ns) of a local file or a folder's files; None for a hub id."""
    path = Path(path_or_id).expanduser()
    if not path.exists():
        return None
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    digest = hashlib.sha256()
    for file in files:
        stat = file.stat()
        name = file.name if file == path else file.relative_to(path).as_posix()
        digest.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def cache_key(model: ModelSpec, dataset: DatasetSpec, *, library: str, max_length: int | None) -> dict[str, Any]:
    """The JSON-able key of one extraction (see the module docstring for what it holds and why)."""
    model_part = asdict(model) | {"library": library, "files": path_fingerprint(model.path_or_id)}
    dataset_part = asdict(dataset) | {
        "input_columns": list(dataset.input_columns),
        "files": path_fingerprint(dataset.path_or_id),
    }
    return {
        "format": CACHE_FORMAT,
        "model": model_part,
        "dataset": dataset_part,
        "max_length": None if library == "timm" else max_length,
    }


def _key_json(key: dict[str, Any]) -> str:
    return json.dumps(key, sort_keys=True, separators=(",", ":"))


def cache_path(cache_dir: str | Path, key: dict[str, Any]) -> Path:
    """Where `key`'s extraction lives in `cache_dir`."""
    digest = hashlib.sha256(_key_json(key).encode()).hexdigest()
    readable = "__".join(
        _UNSAFE.sub("_", str(part))[:60]
        for part in (key["model"]["name"], key["dataset"]["name"], key["dataset"]["split"])
    )
    return Path(cache_dir) / f"{readable}__{digest}.npz"


def load_cached(cache_dir: str | Path, key: dict[str, Any]) -> Extraction | None:
    """The stored extraction for `key`, or None on a miss or an unreadable file (which is then recomputed)."""
    path = cache_path(cache_dir, key)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            if str(stored["key"]) != _key_json(key):
                log.warning("cache file %s holds another key; recomputing", path)
                return None
            meta = json.loads(str(stored["meta"]))
            logits = stored["source_logits"] if "source_logits" in stored.files else None
            return Extraction(
                features=stored["features"],
                labels=stored["labels"],
                source_logits=logits,
                model=meta["model"],
                dataset=meta["dataset"],
                split=meta["split"],
                n_samples=int(meta["n_samples"]),
                seconds=float(meta["seconds"]),
            )
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, json.JSONDecodeError) as error:
        log.warning("cache file %s is unreadable (%s); recomputing", path, error)
        return None


def store_cached(
    cache_dir: str | Path, key: dict[str, Any], extraction: Extraction, *, meta: dict[str, Any] | None = None
) -> Path:
    """Write `extraction` under `key` atomically (`tg_bench.atomic_write.write_atomic`).

    A failed or interrupted write leaves no file behind, neither the temporary one nor a partial `.npz`.
    """
    path = cache_path(cache_dir, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    full_meta = {
        "model": extraction.model,
        "dataset": extraction.dataset,
        "split": extraction.split,
        "n_samples": extraction.n_samples,
        "seconds": extraction.seconds,
    } | (meta or {})
    arrays: dict[str, np.ndarray] = {
        "features": np.ascontiguousarray(extraction.features, dtype=np.float32),
        "labels": np.ascontiguousarray(extraction.labels, dtype=np.int64),
        "key": np.array(_key_json(key)),
        "meta": np.array(json.dumps(full_meta, sort_keys=True)),
    }
    if extraction.source_logits is not None:
        arrays["source_logits"] = np.ascontiguousarray(extraction.source_logits, dtype=np.float32)
    write_atomic(path, lambda handle: np.savez(handle, **arrays), binary=True)
    return path
