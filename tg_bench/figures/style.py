"""One look for every figure: short method labels, a colour per graph learner, a hatch per regressor.

TransferGraph methods are named like the authors' (`xgb_homoGATConv_all_normalize_without_transfer`); figures
show `TG:XGB:GAT`, the style of the paper's own runtime table. The colour says which graph learner made the
embedding (grey shades for methods without one), the hatch which regressor ranked the models, so a variant
reads the same in every figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import matplotlib as mpl
import seaborn as sns

#: the authors' embedder names inside method names -> short name
LEARNERS = {"node2vec": "N2V", "node2vec+": "N2V+", "homo_SAGEConv": "SAGE", "homoGATConv": "GAT", "none": "none"}
REGRESSORS = {"lr": "LR", "rf": "RF", "xgb": "XGB"}
#: regressor -> matplotlib hatch (bars); lr plain
HATCHES = {"LR": "", "RF": "///", "XGB": "xxx"}
#: regressor -> marker (lines), the hatch's counterpart where there are no bars
MARKERS = {"LR": "o", "RF": "s", "XGB": "^"}
#: labels of baselines whose name is not already short
BASELINE_LABELS = {
    "zoo_prior": "zoo prior",
    "model_size": "model size",
    "source_accuracy": "source accuracy",
    "knn_prior": "k-NN prior",
    "guided_prior": "guided prior",
    "stacked_prior": "stacked prior",
    "random": "random",
}
#: the data-agnostic baselines of docs/method.md ("what any claim must beat"): drawn in greys
DATA_AGNOSTIC = ("zoo_prior", "knn_prior", "model_size", "source_accuracy")
#: the methods built on the priors (docs/method.md 15) -> hatch, so that the two are told apart in one colour
STACKING = {"guided_prior": "", "stacked_prior": "..."}
#: transferability estimators computed from the target's data
ESTIMATORS = ("LogME", "Reg-H-Score", "LEEP", "NCE", "H-Score", "N-LEEP", "TransRate", "GBC", "SFDA", "PARC")

_TG_NAME = re.compile(
    r"^(?P<regressor>lr|rf|xgb)_(?P<learner>.+?)_all_normalize_(?P<transfer>with|without)_transfer(?:_(?P<graph>.+))?$"
)
_PALETTE = sns.color_palette("colorblind", 10)
_COLOURS = {
    "N2V": _PALETTE[0],
    "N2V+": _PALETTE[9],
    "SAGE": _PALETTE[2],
    "GAT": _PALETTE[3],
    "none": _PALETTE[4],
    "estimator": _PALETTE[5],
    "other": _PALETTE[6],
}
_GREYS = {"zoo_prior": "0.25", "knn_prior": "0.45", "model_size": "0.6", "source_accuracy": "0.7", "random": "0.85"}


@dataclass(frozen=True)
class MethodStyle:
    """How one method is drawn: `label` (short name), `colour` (RGB tuple or grey string), `hatch` (bars) and
    `kind`: `transfergraph`, `data-agnostic`, `estimator` or `other`; `marker` (lines)."""

    label: str
    colour: tuple[float, float, float] | str
    hatch: str
    kind: str
    learner: str | None = None
    regressor: str | None = None
    marker: str = "o"


def method_style(method: str) -> MethodStyle:
    """The style of `method` (any name: unknown ones get the `other` colour and their own name)."""
    match = _TG_NAME.match(method)
    if match:
        learner = LEARNERS.get(match["learner"], match["learner"])
        regressor = REGRESSORS[match["regressor"]]
        label = f"TG:{regressor}:{learner}"
        if match["transfer"] == "with":
            label += "+T"
        if match["graph"]:
            label += f" [{match['graph']}]"
        colour = _COLOURS.get(learner, _COLOURS["other"])
        return MethodStyle(label, colour, HATCHES[regressor], "transfergraph", learner, regressor, MARKERS[regressor])
    if method in _GREYS:
        kind = "data-agnostic" if method in DATA_AGNOSTIC else "other"
        return MethodStyle(BASELINE_LABELS.get(method, method), _GREYS[method], "", kind)
    if method in ESTIMATORS:
        colour = {"LogME": _COLOURS["estimator"], "Reg-H-Score": _PALETTE[8]}.get(method, _PALETTE[1])
        return MethodStyle(method, colour, "", "estimator", marker="D")
    if method in STACKING:
        return MethodStyle(BASELINE_LABELS[method], _COLOURS["other"], STACKING[method], "stacking", marker="*")
    return MethodStyle(BASELINE_LABELS.get(method, method), _COLOURS["other"], "", "other")


def short_label(method: str) -> str:
    """`xgb_homoGATConv_all_normalize_without_transfer` -> `TG:XGB:GAT`, `zoo_prior` -> `zoo prior`."""
    return method_style(method).label


def use_paper_style() -> None:
    """Seaborn's `paper` context with fonts that stay readable when a figure is set at column width (~3.5 in)."""
    sns.set_theme(context="paper", style="whitegrid", font_scale=0.9)
    mpl.rcParams.update({"figure.dpi": 100, "savefig.dpi": 200, "hatch.linewidth": 0.6, "legend.frameon": False})
