"""tg_bench.extract on tiny models and datasets built in a temporary folder; nothing is downloaded.

Every test runs with the hub switched offline and sockets refused, so a loader that tried the network would fail.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import datasets
import numpy as np
import pytest
import torch
from tiny_hub import (
    N_IMAGES,
    SENTENCES,
    TEXT_LABELS,
    go_offline,
    images,
    save_image_dataset,
    save_text_classifier,
    save_text_dataset,
    save_text_encoder,
    save_timm_model,
    save_vit_classifier,
)

from tg_bench.errors import UserInputError
from tg_bench.extract import (
    DatasetSpec,
    ModelSpec,
    cache_key,
    cache_path,
    extract,
    load_split,
    resolve_library,
    subsample_indices,
)
from tg_bench.extract import data_source as data_source_module
from tg_bench.extract import text as text_module
from tg_bench.extract import vision as vision_module

RUN = {"device": "cpu", "progress": False}


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    go_offline(monkeypatch)


# --------------------------------------------------------------------------- builders


@pytest.fixture(scope="module")
def text_classifier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = save_text_classifier(tmp_path_factory.mktemp("bert_cls"))
    assert (folder / "model.safetensors").is_file()
    return folder


@pytest.fixture(scope="module")
def text_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_text_encoder(tmp_path_factory.mktemp("bert_base"))


@pytest.fixture(scope="module")
def text_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_text_dataset(tmp_path_factory.mktemp("text_ds"), SENTENCES, TEXT_LABELS, as_dict=True)


@pytest.fixture(scope="module")
def image_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_image_dataset(tmp_path_factory.mktemp("image_ds"))


@pytest.fixture(scope="module")
def timm_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[torch.nn.Module, Path]:
    folder = tmp_path_factory.mktemp("timm_model")
    return save_timm_model(folder), folder


@pytest.fixture(scope="module")
def vit_classifier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_vit_classifier(tmp_path_factory.mktemp("vit_cls"))


def _text_spec(path: Path, **kwargs) -> DatasetSpec:
    return DatasetSpec(name="tiny_text", path_or_id=str(path), **kwargs)


def _image_spec(path: Path, **kwargs) -> DatasetSpec:
    return DatasetSpec(name="tiny_images", path_or_id=str(path), input_columns=("image",), **kwargs)


# --------------------------------------------------------------------------- text


def test_text_classifier_features_and_original_head_logits(text_classifier: Path, text_data: Path) -> None:
    from transformers import AutoTokenizer, BertForSequenceClassification

    result = extract(ModelSpec("bert", str(text_classifier)), _text_spec(text_data), batch_size=5, **RUN)

    assert result.features.shape == (len(SENTENCES), 16) and result.features.dtype == np.float32
    assert result.source_logits is not None
    assert result.source_logits.shape == (len(SENTENCES), 3) and result.source_logits.dtype == np.float32
    assert result.labels.dtype == np.int64 and result.labels.tolist() == TEXT_LABELS
    assert (result.model, result.dataset, result.split, result.n_samples) == ("bert", "tiny_text", "train", 12)

    tokenizer = AutoTokenizer.from_pretrained(text_classifier)
    model = BertForSequenceClassification.from_pretrained(text_classifier).eval()
    encoded = tokenizer(SENTENCES, padding=True, truncation=True, max_length=128, return_tensors="pt")
    with torch.no_grad():
        expected_logits = model(**encoded).logits.numpy()
        hidden = model.bert(**encoded).last_hidden_state
    mask = encoded["attention_mask"].unsqueeze(-1).float()
    expected_mean = ((hidden * mask).sum(1) / mask.sum(1)).numpy()
    np.testing.assert_allclose(result.source_logits, expected_logits, atol=1e-5)
    np.testing.assert_allclose(result.features, expected_mean, atol=1e-5)


def test_mean_pooling_ignores_padding(text_classifier: Path, tmp_path: Path) -> None:
    sentence = "the cat sat"
    with_long = save_text_dataset(tmp_path / "long", [sentence, SENTENCES[6]], [0, 1])
    with_short = save_text_dataset(tmp_path / "short", [sentence, "a"], [0, 1])
    spec = ModelSpec("bert", str(text_classifier))
    long_features = extract(spec, _text_spec(with_long), batch_size=2, **RUN).features
    short_features = extract(spec, _text_spec(with_short), batch_size=2, **RUN).features
    alone = extract(spec, _text_spec(with_short), batch_size=1, **RUN).features
    np.testing.assert_allclose(long_features[0], short_features[0], atol=1e-5)
    np.testing.assert_allclose(long_features[0], alone[0], atol=1e-5)


def test_cls_and_pooler_pooling(text_classifier: Path, text_data: Path) -> None:
    from transformers import AutoTokenizer, BertForSequenceClassification

    data = _text_spec(text_data)
    mean = extract(ModelSpec("bert", str(text_classifier)), data, **RUN)
    cls = extract(ModelSpec("bert", str(text_classifier), pooling="cls"), data, **RUN)
    pooler = extract(ModelSpec("bert", str(text_classifier), pooling="pooler"), data, **RUN)
    assert not np.allclose(mean.features, cls.features, atol=1e-4)
    # the head reads the same whatever the pooling: logits do not depend on it
    np.testing.assert_allclose(mean.source_logits, cls.source_logits, atol=1e-6)

    tokenizer = AutoTokenizer.from_pretrained(text_classifier)
    model = BertForSequenceClassification.from_pretrained(text_classifier).eval()
    encoded = tokenizer(SENTENCES, padding=True, return_tensors="pt")
    with torch.no_grad():
        output = model.bert(**encoded)
        # BERT's classifier reads the pooler output: it is the exact penultimate layer
        np.testing.assert_allclose(
            model.classifier(torch.from_numpy(pooler.features)).numpy(), pooler.source_logits, atol=1e-5
        )
    np.testing.assert_allclose(cls.features, output.last_hidden_state[:, 0].numpy(), atol=1e-5)
    np.testing.assert_allclose(pooler.features, output.pooler_output.numpy(), atol=1e-5)


def test_encoder_without_head_gives_no_logits(text_encoder: Path, text_data: Path) -> None:
    result = extract(ModelSpec("bert_base", str(text_encoder)), _text_spec(text_data), **RUN)
    assert result.source_logits is None
    assert result.features.shape == (len(SENTENCES), 16)


def test_sentence_pairs(text_classifier: Path, tmp_path: Path) -> None:
    folder = tmp_path / "pairs"
    datasets.Dataset.from_dict({"a": ["the cat", "good"], "b": ["sat", "bad movie"], "label": [0, 1]}).save_to_disk(
        str(folder)
    )
    spec = DatasetSpec("pairs", str(folder), input_columns=("a", "b"))
    result = extract(ModelSpec("bert", str(text_classifier)), spec, **RUN)
    assert result.features.shape == (2, 16)


# --------------------------------------------------------------------------- data loading


def test_subsampling_is_deterministic_per_seed(text_data: Path, text_classifier: Path) -> None:
    first = load_split(_text_spec(text_data, max_samples=5, seed=7))
    again = load_split(_text_spec(text_data, max_samples=5, seed=7))
    other = load_split(_text_spec(text_data, max_samples=5, seed=8))
    assert len(first) == 5
    np.testing.assert_array_equal(first.indices, again.indices)
    assert not np.array_equal(first.indices, other.indices)
    assert np.all(np.diff(first.indices) > 0)
    assert first.labels.tolist() == [TEXT_LABELS[i] for i in first.indices]
    assert first.rows["text"] == [SENTENCES[i] for i in first.indices]
    np.testing.assert_array_equal(subsample_indices(5, 10, 0), np.arange(5))

    # the subsample's features are the full run's rows (mean pooling is batch independent)
    model = ModelSpec("bert", str(text_classifier))
    full = extract(model, _text_spec(text_data), **RUN)
    part = extract(model, _text_spec(text_data, max_samples=5, seed=7), **RUN)
    np.testing.assert_allclose(part.features, full.features[first.indices], atol=1e-5)


def test_string_labels_become_class_indices(tmp_path: Path) -> None:
    folder = save_text_dataset(tmp_path / "strings", ["a", "b", "c", "d"], ["pos", "neg", "pos", "neutral"])
    split = load_split(_text_spec(folder))
    assert split.labels.dtype == np.int64
    assert split.labels.tolist() == [2, 0, 2, 1]
    assert split.label_names == ("neg", "neutral", "pos")


def test_class_label_feature_keeps_its_indices(tmp_path: Path) -> None:
    folder = tmp_path / "classlabel"
    table = datasets.Dataset.from_dict({"text": ["a", "b"], "label": [1, 0]})
    table.cast_column("label", datasets.ClassLabel(names=["neg", "pos"])).save_to_disk(str(folder))
    split = load_split(_text_spec(folder))
    assert split.labels.tolist() == [1, 0] and split.label_names == ("neg", "pos")


@pytest.mark.parametrize(
    ("overrides", "column"), [({"label_column": "fine_label"}, "fine_label"), ({"input_columns": ("img",)}, "img")]
)
def test_unknown_column_names_it_and_lists_the_others(text_data: Path, overrides: dict, column: str) -> None:
    with pytest.raises(UserInputError, match=column) as caught:
        load_split(_text_spec(text_data, **overrides))
    assert caught.value.column == column
    assert "available: text, label" in str(caught.value)


def test_dataset_errors(text_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UserInputError, match="no split 'validation'; available: train"):
        load_split(_text_spec(text_data, split="validation"))
    empty = save_text_dataset(tmp_path / "empty", [], [])
    with pytest.raises(UserInputError, match="empty"):
        load_split(_text_spec(empty))
    # an empty split that did load (e.g. a hub split) is refused by the row check
    with monkeypatch.context() as patch:
        patch.setattr(
            data_source_module, "_load_table", lambda _spec: datasets.Dataset.from_dict({"text": [], "label": []})
        )
        with pytest.raises(UserInputError, match="is empty"):
            load_split(_text_spec(text_data))
    with pytest.raises(UserInputError, match="does not exist"):
        load_split(_text_spec(tmp_path / "nowhere"))
    (tmp_path / "not_a_dataset").mkdir()
    with pytest.raises(UserInputError, match="save_to_disk"):
        load_split(_text_spec(tmp_path / "not_a_dataset"))
    unlabelled = save_text_dataset(tmp_path / "unlabelled", ["a", "b"], [-1, -1])
    with pytest.raises(UserInputError, match="negative"):
        load_split(_text_spec(unlabelled))


# --------------------------------------------------------------------------- vision


def test_timm_folder_gives_pre_logits_and_logits(timm_model, image_data: Path) -> None:
    import timm.data

    model, folder = timm_model
    spec = ModelSpec("resnet", str(folder))
    assert resolve_library(spec) == "timm"
    result = extract(spec, _image_spec(image_data), batch_size=3, **RUN)

    transform = timm.data.create_transform(**timm.data.resolve_model_data_config(model), is_training=False)
    pixels = torch.stack([transform(image.convert("RGB")) for image in images(N_IMAGES)])
    with torch.no_grad():
        pre_logits = model.forward_head(model.forward_features(pixels), pre_logits=True).numpy()
        logits = model(pixels).numpy()
    assert result.features.shape == (N_IMAGES, model.num_features) and result.features.dtype == np.float32
    np.testing.assert_allclose(result.features, pre_logits, atol=1e-5)
    assert result.source_logits is not None
    np.testing.assert_allclose(result.source_logits, logits, atol=1e-5)
    assert result.labels.tolist() == [i % 5 for i in range(N_IMAGES)]


def test_timm_checkpoint_file_and_raw_image_bytes(timm_model, image_data: Path, tmp_path: Path) -> None:
    _, folder = timm_model
    reference = extract(ModelSpec("resnet", str(folder)), _image_spec(image_data), **RUN)

    raw = tmp_path / "raw_images"
    datasets.load_from_disk(str(image_data)).cast_column("image", datasets.Image(decode=False)).save_to_disk(str(raw))
    file_spec = ModelSpec("resnet_file", str(folder / "model.safetensors"), architecture="test_resnet")
    result = extract(file_spec, _image_spec(raw), **RUN)
    np.testing.assert_allclose(result.features, reference.features, atol=1e-6)
    np.testing.assert_allclose(result.source_logits, reference.source_logits, atol=1e-6)

    with pytest.raises(UserInputError, match="architecture"):
        extract(ModelSpec("resnet_file", str(folder / "model.safetensors")), _image_spec(image_data), **RUN)
    wrong = ModelSpec("wrong", str(folder / "model.safetensors"), architecture="test_vit")
    with pytest.raises(UserInputError, match="does not match"):
        extract(wrong, _image_spec(image_data), **RUN)


def test_hf_vision_classifier(vit_classifier: Path, image_data: Path) -> None:
    from transformers import ViTForImageClassification, ViTImageProcessor

    result = extract(ModelSpec("vit", str(vit_classifier)), _image_spec(image_data), batch_size=3, **RUN)
    model = ViTForImageClassification.from_pretrained(vit_classifier).eval()
    pixels = ViTImageProcessor.from_pretrained(vit_classifier)(images=images(N_IMAGES), return_tensors="pt")
    with torch.no_grad():
        logits = model(**pixels).logits.numpy()
        cls_token = model.vit(**pixels).last_hidden_state[:, 0].numpy()
        from_features = model.classifier(torch.from_numpy(result.features)).numpy()
    assert result.features.shape == (N_IMAGES, 16) and result.features.dtype == np.float32
    assert result.source_logits is not None and result.source_logits.shape == (N_IMAGES, 4)
    np.testing.assert_allclose(result.source_logits, logits, atol=1e-5)
    # the features are what the head reads
    np.testing.assert_allclose(from_features, logits, atol=1e-5)
    np.testing.assert_allclose(result.features, cls_token, atol=1e-5)


def test_hf_vision_model_without_head(image_data: Path, tmp_path: Path) -> None:
    from transformers import ViTConfig, ViTImageProcessor, ViTModel

    folder = tmp_path / "vit_base"
    config = ViTConfig(
        image_size=32, patch_size=8, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32
    )
    model = ViTModel(config).eval()
    model.save_pretrained(folder)
    ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(folder)
    result = extract(ModelSpec("vit_base", str(folder), pooling="pooler"), _image_spec(image_data), **RUN)
    pixels = ViTImageProcessor.from_pretrained(folder)(images=images(N_IMAGES), return_tensors="pt")
    with torch.no_grad():
        expected = model(**pixels).pooler_output.numpy()
    assert result.source_logits is None
    np.testing.assert_allclose(result.features, expected, atol=1e-5)


# --------------------------------------------------------------------------- cache


def _refuse_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("loaded on a cache hit")

    monkeypatch.setattr(text_module, "load_text_model", refuse)
    monkeypatch.setattr(vision_module, "load_timm_model", refuse)
    monkeypatch.setattr(data_source_module, "load_split", refuse)


def test_cache_hit_skips_loading(text_classifier: Path, text_data: Path, tmp_path: Path, monkeypatch) -> None:
    cache_dir = tmp_path / "cache"
    model, data = ModelSpec("bert", str(text_classifier)), _text_spec(text_data, max_samples=6)
    first = extract(model, data, cache_dir=cache_dir, **RUN)
    assert len(list(cache_dir.glob("*.npz"))) == 1

    with monkeypatch.context() as patch:
        _refuse_loading(patch)
        second = extract(model, data, cache_dir=cache_dir, **RUN)
    np.testing.assert_array_equal(second.features, first.features)
    np.testing.assert_array_equal(second.labels, first.labels)
    np.testing.assert_array_equal(second.source_logits, first.source_logits)
    assert (second.model, second.dataset, second.split, second.n_samples) == ("bert", "tiny_text", "train", 6)
    assert second.seconds == pytest.approx(first.seconds)

    extract(model, _text_spec(text_data, max_samples=7), cache_dir=cache_dir, **RUN)
    extract(ModelSpec("bert", str(text_classifier), pooling="cls"), data, cache_dir=cache_dir, **RUN)
    # nothing beside the three entries: no leftover temporary (hidden ".*.part") files
    assert sorted(p.suffix for p in cache_dir.iterdir()) == [".npz"] * 3


def test_cache_without_logits_and_key_contents(timm_model, image_data: Path, tmp_path: Path, monkeypatch) -> None:
    _, folder = timm_model
    model, data = ModelSpec("resnet", str(folder)), _image_spec(image_data)
    key = cache_key(model, data, library="timm", max_length=128)
    assert key["max_length"] is None and key["model"]["files"] and key["dataset"]["files"]
    assert cache_key(ModelSpec("resnet", "resnet18"), data, library="timm", max_length=128)["model"]["files"] is None
    first = extract(model, data, cache_dir=tmp_path, **RUN)
    with monkeypatch.context() as patch:
        _refuse_loading(patch)
        second = extract(model, data, cache_dir=tmp_path, **RUN)
    np.testing.assert_array_equal(second.features, first.features)
    with np.load(cache_path(tmp_path, key), allow_pickle=False) as stored:
        assert json.loads(str(stored["key"])) == key
        assert "torch" in json.loads(str(stored["meta"]))["versions"]


def test_corrupted_cache_file_is_recomputed(text_classifier: Path, text_data: Path, tmp_path: Path) -> None:
    model, data = ModelSpec("bert", str(text_classifier)), _text_spec(text_data, max_samples=4)
    first = extract(model, data, cache_dir=tmp_path, **RUN)
    (stored,) = tmp_path.glob("*.npz")
    stored.write_bytes(stored.read_bytes()[:100])
    again = extract(model, data, cache_dir=tmp_path, **RUN)
    np.testing.assert_allclose(again.features, first.features, atol=1e-6)
    with np.load(stored, allow_pickle=False) as reread:
        np.testing.assert_array_equal(reread["features"], again.features)


class _Interrupted(BaseException):
    pass


def test_interrupted_cache_write_leaves_no_file(
    text_classifier: Path, text_data: Path, tmp_path: Path, monkeypatch
) -> None:
    def broken_savez(file, **_arrays):
        file.write(b"PK\x03\x04 half a zip")
        raise _Interrupted

    monkeypatch.setattr(np, "savez", broken_savez)
    model, data = ModelSpec("bert", str(text_classifier)), _text_spec(text_data, max_samples=3)
    with pytest.raises(_Interrupted):
        extract(model, data, cache_dir=tmp_path, **RUN)
    assert list(tmp_path.iterdir()) == []

    def full_disk(file, **_arrays):
        file.write(b"PK")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", full_disk)
    result = extract(model, data, cache_dir=tmp_path, **RUN)
    assert result.features.shape == (3, 16)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- model errors and safety


def test_missing_model_path_is_a_user_error(text_data: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no_such_model"
    for library in ("auto", "transformers", "timm"):
        with pytest.raises(UserInputError, match="no_such_model") as caught:
            extract(ModelSpec("gone", str(missing), library=library), _text_spec(text_data), **RUN)
        assert "does not exist" in str(caught.value)


def test_folder_without_weights_is_a_user_error(text_classifier: Path, text_data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "config_only"
    folder.mkdir()
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        shutil.copy(text_classifier / name, folder / name)
    with pytest.raises(UserInputError, match="cannot load the model") as caught:
        extract(ModelSpec("no_weights", str(folder)), _text_spec(text_data), **RUN)
    assert isinstance(caught.value.__cause__, OSError)
    (tmp_path / "no_config").mkdir()
    with pytest.raises(UserInputError, match=r"config\.json"):
        resolve_library(ModelSpec("x", str(tmp_path / "no_config")))


def test_library_detection(text_classifier: Path, timm_model, vit_classifier: Path) -> None:
    assert resolve_library(ModelSpec("a", str(text_classifier))) == "transformers"
    assert resolve_library(ModelSpec("b", str(timm_model[1]))) == "timm"
    assert resolve_library(ModelSpec("c", str(vit_classifier))) == "transformers"
    assert resolve_library(ModelSpec("d", "resnet18.a1_in1k")) == "timm"
    assert resolve_library(ModelSpec("e", "hf-hub:timm/resnet18.a1_in1k")) == "timm"
    assert resolve_library(ModelSpec("f", "bert-base-uncased")) == "transformers"
    assert resolve_library(ModelSpec("g", "google/vit-base-patch16-224")) == "transformers"


def test_timm_model_on_text_is_refused(timm_model, text_data: Path) -> None:
    with pytest.raises(UserInputError, match="text"):
        extract(ModelSpec("resnet", str(timm_model[1])), _text_spec(text_data), **RUN)


def test_loaders_never_trust_remote_code_nor_send_a_token(
    text_classifier: Path, vit_classifier: Path, text_data: Path, image_data: Path, tmp_path: Path, monkeypatch
) -> None:
    import transformers

    calls: list[tuple[str, dict]] = []
    for name in (
        "AutoConfig",
        "AutoTokenizer",
        "AutoModel",
        "AutoModelForSequenceClassification",
        "AutoImageProcessor",
        "AutoModelForImageClassification",
    ):
        loader = getattr(transformers, name)
        original = loader.from_pretrained

        def spy(*args, _name=name, _original=original, **kwargs):
            calls.append((_name, kwargs))
            return _original(*args, **kwargs)

        monkeypatch.setattr(loader, "from_pretrained", spy)

    # a config that asks for remote code: with trust_remote_code=False the built-in class loads instead
    remote = tmp_path / "remote_code"
    shutil.copytree(text_classifier, remote)
    config = json.loads((remote / "config.json").read_text())
    config["auto_map"] = {"AutoModelForSequenceClassification": "evil.EvilModel", "AutoConfig": "evil.EvilConfig"}
    (remote / "config.json").write_text(json.dumps(config))
    sentinel = tmp_path / "remote_code_ran"
    (remote / "evil.py").write_text(f"open({str(sentinel)!r}, 'w').close()\n")

    extract(ModelSpec("bert", str(remote)), _text_spec(text_data), **RUN)
    extract(ModelSpec("vit", str(vit_classifier)), _image_spec(image_data), **RUN)
    assert not sentinel.exists()
    assert {name for name, _ in calls} >= {
        "AutoConfig",
        "AutoTokenizer",
        "AutoModelForSequenceClassification",
        "AutoImageProcessor",
        "AutoModelForImageClassification",
    }
    for name, kwargs in calls:
        assert kwargs.get("trust_remote_code") is False, name
        assert kwargs.get("token") is False, name


def test_specs_validate_their_options() -> None:
    with pytest.raises(UserInputError, match="pooling"):
        ModelSpec("m", "x", pooling="max")  # type: ignore[arg-type]
    with pytest.raises(UserInputError, match="library"):
        ModelSpec("m", "x", library="keras")  # type: ignore[arg-type]
    with pytest.raises(UserInputError, match="max_samples"):
        DatasetSpec("d", "x", max_samples=0)
    assert DatasetSpec("d", "x", input_columns=["a", "b"]).input_columns == ("a", "b")  # type: ignore[arg-type]
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_quiet_extraction_silences_transformers_bars_only_while_it_runs(
    text_classifier: Path, text_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transformers.utils import logging as hf_logging

    seen = []
    load = text_module.load_text_model

    def spy(*args, **kwargs):
        seen.append(hf_logging.is_progress_bar_enabled())
        return load(*args, **kwargs)

    monkeypatch.setattr(text_module, "load_text_model", spy)
    hf_logging.enable_progress_bar()
    extract(ModelSpec(name="bert", path_or_id=str(text_classifier)), _text_spec(text_data), **RUN)
    assert seen == [False]
    assert hf_logging.is_progress_bar_enabled()
    extract(ModelSpec(name="bert", path_or_id=str(text_classifier)), _text_spec(text_data), device="cpu", progress=True)
    assert seen == [False, True]


def test_a_timm_hub_id_gets_the_prefix_timm_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    """`timm/resnet50.a1_in1k` (the README's example, as model cards write it) reaches timm as
    `hf-hub:timm/resnet50.a1_in1k`; plain timm names and prefixed sources are kept."""
    import timm

    from tg_bench.errors import ModelLoadError
    from tg_bench.extract.vision import load_timm_model, timm_source

    assert timm_source("timm/resnet50.a1_in1k") == "hf-hub:timm/resnet50.a1_in1k"
    assert timm_source("resnet50.a1_in1k") == "resnet50.a1_in1k"
    assert timm_source("hf-hub:timm/vit_base") == "hf-hub:timm/vit_base"
    asked = []

    def offline(name: str, **kwargs: object) -> None:
        asked.append(name)
        raise OSError("no network here")

    monkeypatch.setattr(timm, "create_model", offline)
    with pytest.raises(ModelLoadError, match=r"cannot load timm model 'timm/resnet50\.a1_in1k': no network"):
        load_timm_model(ModelSpec(name="timm/resnet50.a1_in1k", path_or_id="timm/resnet50.a1_in1k"), device="cpu")
    assert asked == ["hf-hub:timm/resnet50.a1_in1k"]
