"""One look for every figure: a palette per kind of method, the rest from each method's own config.

Who a method is (label such as `TG:XGB:GAT` or `zoo prior`, kind, which colour of its kind's palette, hatch,
marker) comes from its config's `display` node (`tg_bench.identity`), gathered by `tg-bench aggregate` into
`methods.csv`; `use_identities` hands them to the figures. A TransferGraph variant takes its hue and marker from
its graph learner and its tone (lightness, line style) and hatch from its regressor, so each (regressor,
learner) pair has a colour of its own, a variant reads the same in every figure, and lines stay apart in
greyscale (marker and line style). Every baseline has a colour and a marker of its own.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.colors import to_rgb

from tg_bench.identity import OTHER, TRANSFERGRAPH, MethodIdentity, from_frame, identity_of, known_identities

_COLOURBLIND = sns.color_palette("colorblind", 10)
#: kind -> its colours; a method's `shade` picks one (for TransferGraph: the hue of a graph learner)
PALETTES: dict[str, list] = {
    TRANSFERGRAPH: ["#0173b2", "#029e73", "#7b3294", "#de8f05", "#56b4e9", "#a6761d"],
    "estimator": [
        "#d55e00",
        "#a50f15",
        "#fb6a4a",
        "#e6550d",
        "#fdae6b",
        "#f16913",
        "#7f2704",
        "#fc9272",
        "#cb181d",
        "#67000d",
    ],
    "data-agnostic": ["0.1", "#8c564b", "0.45", "0.72", "#a6a11e", "#c49c94"],
    "floor": ["0.85"],
    "stacking": ["#e7298a", "#cc78bc", "#f7b6d2"],
    OTHER: ["#17becf"],
}
#: a regressor's tone -> (how far its colour is mixed towards black (< 0) or white (> 0), its line style)
TONES = ((-0.3, "-"), (0.0, "-."), (0.45, "--"), (-0.55, ":"))
#: kind -> marker of its lines, where a method's config gives none
KIND_MARKERS = {"estimator": "D", "stacking": "*"}

_identities: dict[str, MethodIdentity] = {}


@dataclass(frozen=True)
class MethodStyle:
    """How one method is drawn: `label` (short name), `colour` (RGB tuple or grey string), `hatch` (bars),
    `kind` (`transfergraph`, `estimator`, `data-agnostic`, `stacking`, `floor`, `other`), `learner` and
    `regressor` (a TransferGraph variant's), `marker` and `linestyle` (lines)."""

    label: str
    colour: tuple[float, float, float] | str
    hatch: str
    kind: str
    learner: str | None = None
    regressor: str | None = None
    marker: str = "o"
    linestyle: str = "-"


def use_identities(identities: pd.DataFrame | Mapping[str, MethodIdentity]) -> None:
    """Draw with these identities (a `methods.csv` table, or identities by method); methods they lack are
    looked up in the package's configs, and unknown ones drawn as `other` under their own name."""
    _identities.clear()
    _identities.update(from_frame(identities) if isinstance(identities, pd.DataFrame) else identities)


def _pick(index: int | None, label: str, size: int) -> int:
    # a method whose config names no shade (tone) still keeps one everywhere: chosen from its label
    return (index if index is not None else zlib.crc32(label.encode())) % size


def _toned(colour: str | tuple, mix: float) -> tuple[float, float, float]:
    rgb = np.array(to_rgb(colour))
    towards = np.ones(3) if mix > 0 else np.zeros(3)
    return tuple(float(round(c, 4)) for c in rgb + abs(mix) * (towards - rgb))


def method_style(method: str) -> MethodStyle:
    """The style of `method` (any name: unknown ones get the `other` colour and their own name).

    Label and kind come from the results' identities; how a method of the package is drawn (shade, tone,
    hatch, marker) from the package's configs, so figures of older results follow the current look."""
    identity = identity_of(method, _identities)
    hints = known_identities().get(method, identity)
    palette = PALETTES.get(identity.kind, PALETTES[OTHER])
    colour = palette[_pick(hints.shade, identity.label, len(palette))]
    linestyle = "-"
    if identity.kind == TRANSFERGRAPH:
        colour = palette[_pick(hints.shade, hints.learner or identity.label, len(palette))]
        mix, linestyle = TONES[_pick(hints.tone, hints.regressor or identity.label, len(TONES))]
        colour = _toned(colour, mix)
    return MethodStyle(
        label=identity.label,
        colour=colour,
        hatch=hints.hatch,
        kind=identity.kind,
        learner=identity.learner or None,
        regressor=identity.regressor or None,
        marker=hints.marker or KIND_MARKERS.get(identity.kind, "o"),
        linestyle=linestyle,
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
