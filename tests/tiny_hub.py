"""Tiny Hugging Face / timm models and `datasets` folders built locally, and an offline hub, for tests.

Nothing here downloads: tokenizers are built from a word list, models are randomly initialised and saved with
`save_pretrained` / timm's `save_for_hf`, datasets are written with `save_to_disk`.
"""

from __future__ import annotations

import socket
from pathlib import Path

import datasets
import numpy as np
import pytest
import torch
from PIL import Image

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "a", "cat", "dog", "sat", "on", "mat", "good", "bad", "movie"]
SENTENCES = [
    "the cat sat",
    "a dog sat on the mat",
    "good movie",
    "bad movie",
    "the dog",
    "a cat sat on a mat good",
    "the movie sat on the dog the cat the mat",
    "bad",
    "good good good",
    "a mat",
    "the bad dog sat on the good cat",
    "movie",
]
TEXT_LABELS = [i % 3 for i in range(len(SENTENCES))]
N_IMAGES = 8


def go_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hub offline (env and the already-imported constants) and no socket connections at all."""
    import huggingface_hub.constants as hub_constants

    for variable in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.setenv(variable, "1")
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", True)
    if hasattr(datasets.config, "HF_HUB_OFFLINE"):
        monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a test tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def tokenizer():
    """A word-level BERT-style fast tokenizer over `VOCAB`."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(VOCAB)}, unk_token="[UNK]"))
    backend.normalizer = normalizers.Lowercase()
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    backend.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]"
    )


def bert_config(**extra):
    """A 1-layer, 16-wide BERT config over `VOCAB`."""
    from transformers import BertConfig

    return BertConfig(
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        vocab_size=len(VOCAB),
        max_position_embeddings=64,
        **extra,
    )


def save_text_classifier(folder: Path, *, num_labels: int = 3, seed: int = 0) -> Path:
    """A random `BertForSequenceClassification` (hidden 16) and its tokenizer, saved with safetensors."""
    from transformers import BertForSequenceClassification

    torch.manual_seed(seed)
    BertForSequenceClassification(bert_config(num_labels=num_labels)).save_pretrained(folder)
    tokenizer().save_pretrained(folder)
    return folder


def save_text_encoder(folder: Path, *, seed: int = 1) -> Path:
    """A random headless `BertModel` (hidden 16) and its tokenizer."""
    from transformers import BertModel

    torch.manual_seed(seed)
    BertModel(bert_config()).save_pretrained(folder)
    tokenizer().save_pretrained(folder)
    return folder


def save_text_dataset(folder: Path, sentences: list[str], labels: list, *, as_dict: bool = False) -> Path:
    """`text` / `label` columns; a `DatasetDict` with a `train` split when `as_dict`."""
    table = datasets.Dataset.from_dict({"text": sentences, "label": labels})
    (datasets.DatasetDict({"train": table}) if as_dict else table).save_to_disk(str(folder))
    return folder


def images(n: int, seed: int = 0) -> list[Image.Image]:
    """`n` random 32 x 32 RGB images."""
    rng = np.random.default_rng(seed)
    return [Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)) for _ in range(n)]


def save_image_dataset(folder: Path, n: int = N_IMAGES, n_classes: int = 5) -> Path:
    """`image` (datasets Image feature) / `label` columns, labels cycling through `n_classes`."""
    table = datasets.Dataset.from_dict({"image": images(n), "label": [i % n_classes for i in range(n)]})
    table.cast_column("image", datasets.Image()).save_to_disk(str(folder))
    return folder


def save_timm_model(folder: Path, *, num_classes: int = 5, seed: int = 2) -> torch.nn.Module:
    """timm's `test_resnet` with a `num_classes` head, saved as a hub-style folder; returns the model."""
    import timm
    from timm.models import save_for_hf

    torch.manual_seed(seed)
    model = timm.create_model("test_resnet", pretrained=False, num_classes=num_classes).eval()
    save_for_hf(model, str(folder), safe_serialization=True)
    return model


def save_vit_classifier(folder: Path, *, num_labels: int = 4, seed: int = 3) -> Path:
    """A random 1-layer `ViTForImageClassification` on 32 x 32 images and its image processor."""
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

    torch.manual_seed(seed)
    config = ViTConfig(
        image_size=32,
        patch_size=8,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        num_labels=num_labels,
    )
    ViTForImageClassification(config).save_pretrained(folder)
    ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(folder)
    return folder
