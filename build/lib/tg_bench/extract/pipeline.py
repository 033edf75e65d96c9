"""One call from (model, dataset) to an `Extraction`, through the cache.

Which path runs:

- library: `ModelSpec.library`, or for `"auto"` (`resolve_library`): a local folder whose `config.json` has a
  string `architecture` key (timm's `save_for_hf` / `push_to_hub` layout) is timm, one with `architectures` or
  `model_type` is transformers; a local checkpoint file is timm; a name starting with `hf-hub:` or `timm/`, or a
  timm registry name (`resnet50`, `vit_base_patch16_224.augreg_in21k`), is timm; any other name is a
  transformers hub id. A path that is clearly local (absolute, `./`, `~`) and missing is an error.
- modality: from the dataset's input column (`datasets.Image` -> image, string -> text). Text goes to
  `text.py` (transformers only); images to `vision.py`, timm or transformers per the library.

On a cache hit neither the dataset nor the model is loaded.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Literal

import numpy as np

from tg_bench.errors import ModelLoadError, UserInputError
from tg_bench.extract import cache, data_source, text, vision
from tg_bench.extract.records import DatasetSpec, Extraction, ModelSpec

log = logging.getLogger(__name__)

_VERSIONED = ("torch", "transformers", "timm", "datasets", "numpy")


def resolve_library(model: ModelSpec) -> Literal["transformers", "timm"]:
    """The library that loads `model` (see the module docstring for the `"auto"` rule). A local path that does not
    exist is a UserInputError whatever the library, so it fails before any data is loaded."""
    source = text.model_location(model)
    if model.library != "auto":
        return model.library
    path = Path(source)
    if path.is_dir():
        config_file = path / "config.json"
        try:
            config = json.loads(config_file.read_text()) if config_file.is_file() else None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ModelLoadError(f"model {model.name!r}: unreadable config.json: {error}", path=config_file) from error
        if isinstance(config, dict) and isinstance(config.get("architecture"), str):
            return "timm"
        if isinstance(config, dict) and ("architectures" in config or "model_type" in config):
            return "transformers"
        raise ModelLoadError(
            f"model {model.name!r}: folder has no config.json naming a transformers model (architectures / "
            "model_type) or a timm model (architecture); set library explicitly",
            path=path,
        )
    if path.is_file():
        return "timm"
    if source.startswith(("hf-hub:", "timm/")):
        return "timm"
    if "/" not in source:
        import timm

        if timm.is_model(source):
            return "timm"
    return "transformers"


def extract(
    model: ModelSpec,
    dataset: DatasetSpec,
    *,
    device: str = "auto",
    batch_size: int = 32,
    max_length: int = text.DEFAULT_MAX_LENGTH,
    cache_dir: str | Path | None = None,
    progress: bool = True,
) -> Extraction:
    """Features, labels and source logits of `model` on `dataset`, from `cache_dir` when stored there.

    features (N, D) float32; labels (N,) int64; source_logits (N, C_s) float32 or None (no classification
    head). `max_length` truncates text inputs (in tokens). With `cache_dir=None` nothing is read or written.
    """
    if batch_size < 1:
        raise UserInputError(f"batch_size must be positive, got {batch_size}")
    library = resolve_library(model)
    key = cache.cache_key(model, dataset, library=library, max_length=max_length)
    if cache_dir is not None:
        hit = cache.load_cached(cache_dir, key)
        if hit is not None:
            log.info("extraction of %s on %s from cache", model.name, dataset.name)
            return hit

    split = data_source.load_split(dataset)
    desc = f"{model.name} | {dataset.name}"
    start = time.perf_counter()
    if split.modality == "text" and library != "transformers":
        raise UserInputError(f"model {model.name!r} is a {library} model but dataset {dataset.name!r} is text")
    with _library_progress_bars(progress):
        if split.modality == "text":
            text_model = text.load_text_model(model, device)
            features, logits = text.extract_text(
                text_model, split, batch_size=batch_size, max_length=max_length, progress=progress, desc=desc
            )
        else:
            loader = vision.load_timm_model if library == "timm" else vision.load_hf_vision_model
            vision_model = loader(model, device)
            features, logits = vision.extract_vision(
                vision_model, split, batch_size=batch_size, progress=progress, desc=desc
            )
    seconds = time.perf_counter() - start

    result = Extraction(
        features=np.ascontiguousarray(features, dtype=np.float32),
        labels=split.labels,
        source_logits=None if logits is None else np.ascontiguousarray(logits, dtype=np.float32),
        model=model.name,
        dataset=dataset.name,
        split=dataset.split,
        n_samples=len(split),
        seconds=seconds,
    )
    if cache_dir is not None:
        try:
            cache.store_cached(cache_dir, key, result, meta={"versions": _versions(), "device": str(device)})
        except OSError as error:
            # a full disk should not throw away an extraction that may have taken an hour
            log.warning("could not write the extraction cache in %s: %s", cache_dir, error)
    return result


@contextlib.contextmanager
def _library_progress_bars(enabled: bool) -> Iterator[None]:
    """transformers draws its own bars ("Loading weights") behind a process-wide switch: with `progress=False`
    turn it off for this extraction only, and restore it afterwards."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    if was_enabled and not enabled:
        hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled and not hf_logging.is_progress_bar_enabled():
            hf_logging.enable_progress_bar()


def _versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for package in _VERSIONED:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return versions
