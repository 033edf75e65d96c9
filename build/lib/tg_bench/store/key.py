"""What identifies a unit of work: where it ran (zoo, protocol, model ratio, seed, target), which method family,
and a digest of everything else that changes its numbers."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

#: characters kept in a path component; anything else (the `/` of `glue/cola`, say) becomes `_`
_UNSAFE = re.compile(r"[^A-Za-z0-9._+@-]")


def config_digest(parts: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of `parts` as canonical JSON (sorted keys, no whitespace): equal for equal configs
    whatever the key order, different as soon as one value differs."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def path_component(text: str) -> str:
    return _UNSAFE.sub("_", text)


@dataclass(frozen=True)
class UnitKey:
    """One unit of work: a method family (`label`: a baseline key, or `transfergraph-<graph>-<embedder>`) on
    one held-out target of one zoo, under one protocol, seed and model ratio.

    digest: `config_digest` of the family's resolved config, the protocol, the zoo and its data checksums, the
    metrics' cut-offs and the package versions; a changed config is a different unit.
    """

    zoo: str
    protocol: str
    model_ratio: float
    seed: int
    target: str
    label: str
    digest: str

    def relative_path(self) -> PurePath:
        """`<zoo>/<protocol>/ratio<r>/seed<s>/<target>/<label>-<digest[:16]>.parquet`: readable without the
        store's help, unique per key (the digest's 64-bit prefix)."""
        return PurePath(
            path_component(self.zoo),
            path_component(self.protocol),
            f"ratio{self.model_ratio:g}",
            f"seed{self.seed}",
            path_component(self.target),
            f"{path_component(self.label)}-{self.digest[:16]}.parquet",
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "zoo": self.zoo,
            "protocol": self.protocol,
            "model_ratio": self.model_ratio,
            "seed": self.seed,
            "target": self.target,
            "label": self.label,
            "digest": self.digest,
        }
