"""One look for every figure: a palette per kind of method, the rest from each method's own config.

Who a method is (label such as `TG:XGB:GAT` or `zoo prior`, kind, which colour of its kind's palette, hatch,
marker) comes from its config's `display` node (`tg_bench.identity`), gathered by `tg-bench aggregate` into
`methods.csv`; `use_identities` hands them to the figures. The colour of a TransferGraph variant says which
graph learner made the embedding, the hatch which regressor ranked the models, so a variant reads the same in
every figure; baselines are coloured by kind (greys for the data-agnostic ones).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass

import matplotlib as mpl
import pandas as pd
import seaborn as sns

from tg_bench.identity import OTHER, TRANSFERGRAPH, MethodIdentity, from_frame, identity_of, known_identities

_COLOURBLIND = sns.color_palette("colorblind", 10)
#: kind -> its colours; a method's `shade` picks one (one per graph learner for TransferGraph)
PALETTES: dict[str, list] = {
    TRANSFERGRAPH: list(_COLOURBLIND),
    "estimator": [_COLOURBLIND[5], _COLOURBLIND[8], _COLOURBLIND[1]],
    "data-agnostic": ["0.25", "0.45", "0.6", "0.7", "0.35", "0.52"],
    "floor": ["0.85"],
    "stacking": [_COLOURBLIND[6]],
    OTHER: [_COLOURBLIND[6]],
}
#: kind -> marker of its lines, where a method's config gives none
KIND_MARKERS = {"estimator": "D", "stacking": "*"}

_identities: dict[str, MethodIdentity] = {}


@dataclass(frozen=True)
class MethodStyle:
    """How one method is drawn: `label` (short name), `colour` (RGB tuple or grey string), `hatch` (bars),
    `kind` (`transfergraph`, `estimator`, `data-agnostic`, `stacking`, `floor`, `other`), `learner` and
    `regressor` (a TransferGraph variant's), `marker` (lines)."""

    label: str
    colour: tuple[float, float, float] | str
    hatch: str
    kind: str
    learner: str | None = None
    regressor: str | None = None
    marker: str = "o"


def use_identities(identities: pd.DataFrame | Mapping[str, MethodIdentity]) -> None:
    """Draw with these identities (a `methods.csv` table, or identities by method); methods they lack are
    looked up in the package's configs, and unknown ones drawn as `other` under their own name."""
    _identities.clear()
    _identities.update(from_frame(identities) if isinstance(identities, pd.DataFrame) else identities)


def method_style(method: str) -> MethodStyle:
    """The style of `method` (any name: unknown ones get the `other` colour and their own name)."""
    identity = identity_of(method, _identities)
    palette = PALETTES.get(identity.kind, PALETTES[OTHER])
    # a method whose config names no shade still keeps one colour everywhere: chosen from its label
    shade = identity.shade if identity.shade is not None else zlib.crc32(identity.label.encode())
    return MethodStyle(
        label=identity.label,
        colour=palette[shade % len(palette)],
        hatch=identity.hatch,
        kind=identity.kind,
        learner=identity.learner or None,
        regressor=identity.regressor or None,
        marker=identity.marker or KIND_MARKERS.get(identity.kind, "o"),
    )


def style_of_label(label: str) -> MethodStyle:
    """The style of the method shown as `label` (a published table names methods by label, `TG:XGB:GAT`),
    else of a method named `label`."""
    named = {**known_identities(), **_identities}
    matches = sorted(method for method, identity in named.items() if identity.label == label)
    return method_style(matches[0] if matches else label)


def short_label(method: str) -> str:
    """`xgb_homoGATConv_all_normalize_without_transfer` -> `TG:XGB:GAT`, `zoo_prior` -> `zoo prior`."""
    return method_style(method).label


def use_paper_style() -> None:
    """Seaborn's `paper` context with fonts that stay readable when a figure is set at column width (~3.5 in)."""
    sns.set_theme(context="paper", style="whitegrid", font_scale=0.9)
    mpl.rcParams.update({"figure.dpi": 100, "savefig.dpi": 200, "hatch.linewidth": 0.6, "legend.frameon": False})
