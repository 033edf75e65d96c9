"""Text models through transformers: penultimate features and, for classifiers, their original-head logits.

A checkpoint whose config names a `...ForSequenceClassification` architecture is loaded with
`AutoModelForSequenceClassification`, so its source logits come from the head it was trained with (LEEP and NCE
need them before any head is replaced, method.md section 7); any other checkpoint loads with `AutoModel` and
gives no logits. Features are pooled from the base model's last hidden states: `mean` over non-padding tokens
(attention-mask weighted, so padding never changes a sentence's features), `cls` (the first non-padding token),
or `pooler` (the model's pooler output, e.g. BERT's tanh layer in front of its classifier).

Every transformers loader here gets `trust_remote_code=False` and `token=False`: no option can switch on
remote code, and no stored credential is sent. The helpers at the top are shared with `vision.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from tg_bench.errors import ModelLoadError, UserInputError
from tg_bench.extract.data_source import LoadedSplit, looks_like_path
from tg_bench.extract.records import ModelSpec, Pooling

#: passed to every transformers `from_pretrained`; nothing else sets these
HF_SAFETY_KWARGS: dict[str, Any] = {"trust_remote_code": False, "token": False}
DEFAULT_MAX_LENGTH = 128
# tokenizers without a real limit report a huge sentinel as model_max_length
_NO_LIMIT = 1_000_000


def resolve_device(device: str | torch.device) -> torch.device:
    """`"auto"` -> cuda when available, else cpu; `"cpu"`, `"cuda"`, `"cuda:1"` as given (cuda must exist)."""
    if isinstance(device, torch.device):
        return device
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except RuntimeError as error:
        raise UserInputError(f"unknown device {device!r}; use auto, cpu or cuda") from error
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise UserInputError(f"device {device!r} requested but CUDA is not available")
    return resolved


def model_location(spec: ModelSpec) -> str:
    """The local folder/file (expanded) or hub id to load; UserInputError for a local path that does not exist."""
    path = Path(spec.path_or_id).expanduser()
    if path.exists():
        return str(path)
    if looks_like_path(spec.path_or_id):
        raise ModelLoadError(f"model {spec.name!r}: path does not exist", path=path)
    return spec.path_or_id


def hf_from_pretrained(loader: Any, spec: ModelSpec, what: str, **kwargs: Any) -> Any:
    """`loader.from_pretrained(location, trust_remote_code=False, token=False, **kwargs)`, errors as UserInputError.

    Weights are read from safetensors when the local folder has them; otherwise transformers prefers a hub
    repo's safetensors file and falls back to `torch.load(weights_only=True)`.
    """
    location = model_location(spec)
    if what == "model":
        local = Path(location)
        has_safetensors = local.is_dir() and any(local.glob("*.safetensors"))
        kwargs.setdefault("use_safetensors", True if has_safetensors else None)
    try:
        return loader.from_pretrained(location, **kwargs, **HF_SAFETY_KWARGS)
    except (OSError, ValueError, KeyError) as error:
        # OSError covers a missing repo, no network and a folder without weights; ValueError an unknown model type
        raise ModelLoadError(f"cannot load the {what} of model {spec.name!r}: {error}", path=location) from error


def classifier_architecture(config: Any, suffix: str) -> bool:
    """Whether the checkpoint was saved from a classifier (its `architectures` entry ends with `suffix`).

    `id2label` alone says nothing: every config has one (LABEL_0, LABEL_1) by default.
    """
    return any(str(name).endswith(suffix) for name in (getattr(config, "architectures", None) or []))


@dataclass(eq=False)
class TextModel:
    """A loaded text model in eval mode, float32, on `device`."""

    model: torch.nn.Module
    tokenizer: Any
    has_head: bool
    pooling: Pooling
    device: torch.device


def load_text_model(spec: ModelSpec, device: str | torch.device = "auto") -> TextModel:
    """Load tokenizer and model; the sequence-classification class when the checkpoint is a classifier."""
    import transformers

    torch_device = resolve_device(device)
    config = hf_from_pretrained(transformers.AutoConfig, spec, "config")
    has_head = classifier_architecture(config, "ForSequenceClassification")
    model_class = transformers.AutoModelForSequenceClassification if has_head else transformers.AutoModel
    tokenizer = hf_from_pretrained(transformers.AutoTokenizer, spec, "tokenizer")
    model = hf_from_pretrained(model_class, spec, "model", config=config)
    if tokenizer.pad_token is None:
        # decoder-only tokenizers (GPT-2 style) have no pad token; batching needs one, masking makes it harmless
        if tokenizer.eos_token is None:
            raise ModelLoadError(f"model {spec.name!r}: tokenizer has neither a pad nor an eos token")
        tokenizer.pad_token = tokenizer.eos_token
    if getattr(model.config, "pad_token_id", None) is None:
        # classifiers that pool the last non-pad token look this up
        model.config.pad_token_id = tokenizer.pad_token_id
    # float32 everywhere: transformers 5 keeps a checkpoint's stored dtype, and fp16 features vary by device
    model = model.float().to(torch_device).eval().requires_grad_(False)
    return TextModel(model=model, tokenizer=tokenizer, has_head=has_head, pooling=spec.pooling, device=torch_device)


def pool_tokens(
    hidden: torch.Tensor, attention_mask: torch.Tensor, pooling: Pooling, pooler_output: torch.Tensor | None
) -> torch.Tensor:
    """(B, H) float32 sentence vectors from (B, T, H) hidden states and the (B, T) attention mask."""
    hidden = hidden.float()
    if pooling == "mean":
        mask = attention_mask.to(hidden.dtype).unsqueeze(-1)
        return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
    if pooling == "cls":
        # the first real token, which is not position 0 under left padding
        first = attention_mask.long().argmax(dim=1)
        return hidden[torch.arange(hidden.shape[0], device=hidden.device), first]
    if pooler_output is None:
        raise UserInputError("pooling='pooler' but this model has no pooler output; use pooling 'mean' or 'cls'")
    return pooler_output.float().reshape(pooler_output.shape[0], -1)


def _hidden_and_pooler(output: Any) -> tuple[torch.Tensor, torch.Tensor | None]:
    """(last hidden state, pooler output or None) from a base model's output (ModelOutput or tuple)."""
    if isinstance(output, tuple) and not hasattr(output, "keys"):
        pooler = output[1] if len(output) > 1 and isinstance(output[1], torch.Tensor) and output[1].ndim == 2 else None
        return output[0], pooler
    return output["last_hidden_state"], output.get("pooler_output")


def extract_text(
    loaded: TextModel,
    split: LoadedSplit,
    *,
    batch_size: int = 32,
    max_length: int = DEFAULT_MAX_LENGTH,
    progress: bool = True,
    desc: str = "extract",
) -> tuple[np.ndarray, np.ndarray | None]:
    """Run the model over `split` in order.

    Returns features (N, D) float32 and source logits (N, C_s) float32, or None when the model has no head.
    Texts longer than `max_length` tokens (or the tokenizer's own limit) are truncated.
    """
    model, tokenizer = loaded.model, loaded.tokenizer
    limit = tokenizer.model_max_length
    max_len = min(max_length, limit) if isinstance(limit, int) and limit < _NO_LIMIT else max_length
    base = getattr(model, "base_model", model)
    captured: list[Any] = []
    hook = None
    if loaded.has_head and base is not model:
        # one forward pass gives both: the head's logits and, through the hook, the base model's hidden states
        hook = base.register_forward_hook(lambda _module, _inputs, output: captured.append(output))
    features: list[np.ndarray] = []
    logits: list[np.ndarray] = []
    try:
        with torch.no_grad(), tqdm(total=len(split), desc=desc, unit="ex", disable=not progress) as bar:
            for columns in split.batches(batch_size):
                texts = [_as_text(v) for v in columns[0]]
                pairs = [_as_text(v) for v in columns[1]] if len(columns) > 1 else None
                encoded = tokenizer(
                    texts,
                    pairs,
                    padding=True,
                    truncation=True,
                    max_length=max_len,
                    return_attention_mask=True,
                    return_tensors="pt",
                ).to(loaded.device)
                captured.clear()
                if loaded.has_head and hook is None:
                    output = model(**encoded, output_hidden_states=True)
                    hidden, pooler = output.hidden_states[-1], None
                elif loaded.has_head:
                    output = model(**encoded)
                    hidden, pooler = _hidden_and_pooler(captured[-1])
                else:
                    output = model(**encoded)
                    hidden, pooler = _hidden_and_pooler(output)
                pooled = pool_tokens(hidden, encoded["attention_mask"], loaded.pooling, pooler)
                features.append(pooled.cpu().numpy().astype(np.float32))
                if loaded.has_head:
                    logits.append(output.logits.float().cpu().numpy())
                bar.update(len(texts))
    finally:
        if hook is not None:
            hook.remove()
    return np.concatenate(features), (np.concatenate(logits).astype(np.float32) if loaded.has_head else None)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise UserInputError(f"text input column holds a {type(value).__name__} value, not a string")
    return value
