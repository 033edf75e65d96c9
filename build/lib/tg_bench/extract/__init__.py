"""Penultimate features and source-class logits of real models (transformers / timm) on `datasets` data.

`extract(ModelSpec, DatasetSpec, cache_dir=...)` returns an `Extraction` (features (N, D) float32, labels (N,)
int64, source_logits (N, C_s) float32 or None), the inputs of the transferability estimators (method.md
section 7). transformers and timm are imported only when a model is actually loaded.
"""

from tg_bench.extract.cache import cache_key, cache_path, load_cached, store_cached
from tg_bench.extract.data_source import LoadedSplit, load_split, subsample_indices
from tg_bench.extract.pipeline import extract, resolve_library
from tg_bench.extract.records import DatasetSpec, Extraction, ModelSpec
from tg_bench.extract.text import DEFAULT_MAX_LENGTH, extract_text, load_text_model, pool_tokens
from tg_bench.extract.vision import extract_vision, load_hf_vision_model, load_timm_model

__all__ = [
    "DEFAULT_MAX_LENGTH",
    "DatasetSpec",
    "Extraction",
    "LoadedSplit",
    "ModelSpec",
    "cache_key",
    "cache_path",
    "extract",
    "extract_text",
    "extract_vision",
    "load_cached",
    "load_hf_vision_model",
    "load_split",
    "load_text_model",
    "load_timm_model",
    "pool_tokens",
    "resolve_library",
    "store_cached",
    "subsample_indices",
]
