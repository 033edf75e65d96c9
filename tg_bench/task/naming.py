"""The names TransferGraph variants carry in output tables (the authors' spelling), apart from the method
itself so that tables and figures can name a variant without building it (no torch)."""

from __future__ import annotations

#: graph presets whose method names are the paper's (no suffix)
PAPER_GRAPHS = ("paper", "with_transferability")


def variant_name(predictor_key: str, embedder_name: str, with_transfer: bool, graph_name: str) -> str:
    """`xgb_homoGATConv_all_normalize_without_transfer` (+ `_<graph>` for a graph preset of one's own)."""
    transfer = "with" if with_transfer else "without"
    name = f"{predictor_key}_{embedder_name}_all_normalize_{transfer}_transfer"
    return name if graph_name in PAPER_GRAPHS else f"{name}_{graph_name}"
