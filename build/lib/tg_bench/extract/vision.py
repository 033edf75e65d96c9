"""Image models through timm or transformers: pre-logits features and, for classifiers, original-head logits.

timm: features are `forward_head(forward_features(x), pre_logits=True)`, the vector the classifier reads (after
the model's own pooling, and its pre-logits layer where it has one); logits are `forward_head(...)` when the
model has a head (`num_classes > 0`). Inputs go through timm's eval transform from the model's data config.

transformers: an `...ForImageClassification` checkpoint loads with `AutoModelForImageClassification`; its
features are the input of its final linear classification layer, captured with a forward pre-hook, so they are
exactly what the head sees (ViT: the layer-normed CLS token; ConvNeXt / ResNet: the pooled map) whatever the
architecture. Other checkpoints load with `AutoModel` and give no logits; their features follow
`ModelSpec.pooling`: `pooler` (the pooler output), `cls` (first token), or `mean` (over tokens, or over the
spatial grid of a convolutional map). Inputs go through the checkpoint's `AutoImageProcessor`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from PIL import Image
from tqdm.auto import tqdm

from tg_bench.errors import ModelLoadError, UserInputError
from tg_bench.extract.data_source import LoadedSplit, to_rgb
from tg_bench.extract.records import ModelSpec, Pooling
from tg_bench.extract.text import classifier_architecture, hf_from_pretrained, model_location, resolve_device

CHECKPOINT_SUFFIXES = (".safetensors", ".pth", ".pt", ".bin", ".pth.tar", ".ckpt")


@dataclass(eq=False)
class VisionModel:
    """A loaded image model in eval mode, float32, on `device`.

    preprocess: list of RGB PIL images -> (B, 3, H, W) float32 tensor.
    head: the final linear classification layer of a transformers classifier (None for timm and for
    transformers models without a head).
    """

    model: torch.nn.Module
    preprocess: Callable[[list[Image.Image]], torch.Tensor]
    library: Literal["timm", "transformers"]
    has_head: bool
    head: torch.nn.Module | None
    pooling: Pooling
    device: torch.device


def timm_source(name: str) -> str:
    """What `timm.create_model` needs for a model name: a hub id (`timm/resnet50.a1_in1k`, any `org/name`) gets
    timm's `hf-hub:` prefix, which timm requires and the model cards leave out; a plain timm name
    (`resnet50.a1_in1k`) or one that already has a source prefix (`hf-hub:`, `local-dir:`) is kept."""
    if "/" in name and ":" not in name:
        return f"hf-hub:{name}"
    return name


def load_timm_model(spec: ModelSpec, device: str | torch.device = "auto") -> VisionModel:
    """A timm model from a `save_for_hf` / `push_to_hub` folder, a checkpoint file, or a timm name / hub id.

    A folder (config.json with `architecture`, plus model.safetensors or pytorch_model.bin) loads through timm's
    `local-dir:` source. A bare checkpoint file needs `spec.architecture`; its head size is read from the
    checkpoint and the weights are loaded strictly (safetensors, else `torch.load(weights_only=True)`), so a
    mismatched head can never be silently replaced by a random one. A name loads timm's pretrained weights
    (downloads unless cached; a hub id such as `timm/resnet50.a1_in1k` through `timm_source`).
    """
    import timm
    import timm.data

    torch_device = resolve_device(device)
    location = model_location(spec)
    path = Path(location)
    try:
        if path.is_dir():
            if not (path / "config.json").is_file():
                raise ModelLoadError("timm model folder has no config.json (timm save_for_hf layout)", path=path)
            model = timm.create_model(f"local-dir:{path}", pretrained=True)
        elif path.is_file():
            model = _timm_from_checkpoint(spec, path)
        else:
            model = timm.create_model(timm_source(location), pretrained=True)
    except UserInputError:
        raise
    except (RuntimeError, ValueError, OSError, KeyError) as error:
        # timm reports an unknown name as RuntimeError, a bad prefix as ValueError, a missing file as OSError
        raise ModelLoadError(f"cannot load timm model {spec.name!r}: {error}", path=location) from error
    model = model.float().to(torch_device).eval().requires_grad_(False)
    transform = timm.data.create_transform(**timm.data.resolve_model_data_config(model), is_training=False)

    def preprocess(images: list[Image.Image]) -> torch.Tensor:
        return torch.stack([transform(image) for image in images])

    return VisionModel(
        model=model,
        preprocess=preprocess,
        library="timm",
        has_head=model.num_classes > 0,
        head=None,
        pooling=spec.pooling,
        device=torch_device,
    )


def _timm_from_checkpoint(spec: ModelSpec, path: Path) -> torch.nn.Module:
    import timm
    import timm.models

    if not spec.architecture:
        raise UserInputError(
            f"model {spec.name!r}: a timm checkpoint file needs `architecture` (the timm model name)", path=path
        )
    if not path.name.endswith(CHECKPOINT_SUFFIXES):
        raise ModelLoadError(f"not a checkpoint file ({', '.join(CHECKPOINT_SUFFIXES)})", path=path)
    model = timm.create_model(spec.architecture, pretrained=False)
    state_dict = timm.models.load_state_dict(str(path), weights_only=True)
    classifier = model.pretrained_cfg.get("classifier")
    if isinstance(classifier, str):
        weight = state_dict.get(f"{classifier}.weight")
        model.reset_classifier(int(weight.shape[0]) if weight is not None else 0)
    try:
        model.load_state_dict(state_dict, strict=True)
    except RuntimeError as error:
        raise ModelLoadError(
            f"checkpoint does not match timm architecture {spec.architecture!r}: {error}", path=path
        ) from error
    return model


def load_hf_vision_model(spec: ModelSpec, device: str | torch.device = "auto") -> VisionModel:
    """An image model through transformers: the classification class when the checkpoint is a classifier."""
    import transformers

    torch_device = resolve_device(device)
    config = hf_from_pretrained(transformers.AutoConfig, spec, "config")
    has_head = classifier_architecture(config, "ForImageClassification") or classifier_architecture(
        config, "ForImageClassificationWithTeacher"
    )
    model_class = transformers.AutoModelForImageClassification if has_head else transformers.AutoModel
    processor = hf_from_pretrained(transformers.AutoImageProcessor, spec, "image processor")
    model = hf_from_pretrained(model_class, spec, "model", config=config)
    model = model.float().to(torch_device).eval().requires_grad_(False)
    head = _classification_layer(model, config.num_labels) if has_head else None
    if has_head and head is None:
        raise ModelLoadError(f"model {spec.name!r}: no linear layer with {config.num_labels} outputs (its head)")

    def preprocess(images: list[Image.Image]) -> torch.Tensor:
        return processor(images=images, return_tensors="pt")["pixel_values"]

    return VisionModel(
        model=model,
        preprocess=preprocess,
        library="transformers",
        has_head=has_head,
        head=head,
        pooling=spec.pooling,
        device=torch_device,
    )


def _classification_layer(model: torch.nn.Module, num_labels: int) -> torch.nn.Module | None:
    """The final `nn.Linear` producing `num_labels` outputs: `classifier` itself where it is one, else the last."""
    classifier = getattr(model, "classifier", None)
    if isinstance(classifier, torch.nn.Linear) and classifier.out_features == num_labels:
        return classifier
    candidates = [m for m in model.modules() if isinstance(m, torch.nn.Linear) and m.out_features == num_labels]
    return candidates[-1] if candidates else None


def _pool_unheaded(output: Any, pooling: Pooling) -> torch.Tensor:
    """(B, D) features of a transformers vision model without a head, per `pooling`."""
    if pooling == "pooler":
        pooler = output.get("pooler_output")
        if pooler is None:
            raise UserInputError("pooling='pooler' but this model has no pooler output; use 'mean' or 'cls'")
        return pooler.reshape(pooler.shape[0], -1)
    hidden = output["last_hidden_state"]
    if hidden.ndim == 4:
        # a convolutional (B, C, H, W) map: there is no token 0, the grid average is the model's own pooling
        return hidden.mean(dim=(2, 3))
    return hidden[:, 0] if pooling == "cls" else hidden.mean(dim=1)


def extract_vision(
    loaded: VisionModel, split: LoadedSplit, *, batch_size: int = 32, progress: bool = True, desc: str = "extract"
) -> tuple[np.ndarray, np.ndarray | None]:
    """Run the model over `split` in order.

    Returns features (N, D) float32 and source logits (N, C_s) float32, or None when the model has no head.
    """
    model = loaded.model
    captured: list[torch.Tensor] = []
    hook = None
    if loaded.head is not None:
        hook = loaded.head.register_forward_pre_hook(lambda _module, inputs: captured.append(inputs[0]))
    features: list[np.ndarray] = []
    logits: list[np.ndarray] = []
    try:
        with torch.no_grad(), tqdm(total=len(split), desc=desc, unit="img", disable=not progress) as bar:
            for (values,) in split.batches(batch_size):
                pixels = loaded.preprocess([to_rgb(v) for v in values]).to(loaded.device, torch.float32)
                batch_logits = None
                if loaded.library == "timm":
                    hidden = model.forward_features(pixels)
                    pooled = model.forward_head(hidden, pre_logits=True)
                    if loaded.has_head:
                        batch_logits = model.forward_head(hidden)
                elif loaded.has_head:
                    captured.clear()
                    batch_logits = model(pixel_values=pixels).logits
                    pooled = captured[-1]
                else:
                    pooled = _pool_unheaded(model(pixel_values=pixels), loaded.pooling)
                features.append(pooled.float().reshape(pooled.shape[0], -1).cpu().numpy())
                if batch_logits is not None:
                    logits.append(batch_logits.float().cpu().numpy())
                bar.update(len(values))
    finally:
        if hook is not None:
            hook.remove()
    return np.concatenate(features).astype(np.float32), (np.concatenate(logits) if loaded.has_head else None)
