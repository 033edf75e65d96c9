"""`results/README.md` states findings with numbers: each number must be one the tables it links hold, so the
prose cannot drift from what the README's commands wrote."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

RESULTS = Path(__file__).parents[1] / "results"
NUMBER = re.compile(r"(?<![\w.])[-+]?\d+\.\d{3,4}(?![\d])")
LINK = re.compile(r"\]\(([^)#]+)\)")


def _numbers_in(path: Path) -> set[str]:
    """Every number of a linked table, as written and rounded to 3 and 4 decimals (sign dropped)."""
    if path.suffix in {".csv", ".gz"}:
        frame = pd.read_csv(path)
        values = frame.select_dtypes("number").to_numpy().ravel()
        return {f"{abs(v):.{d}f}" for v in values if v == v for d in (3, 4)}
    found = [n.lstrip("+-") for n in NUMBER.findall(path.read_text())]
    return {*found, *(f"{float(n):.3f}" for n in found)}


def test_every_number_in_results_readme_is_in_a_table_it_links() -> None:
    readme = (RESULTS / "README.md").read_text()
    links = [RESULTS / link for link in LINK.findall(readme) if not link.startswith("http")]
    missing_links = [str(p.relative_to(RESULTS)) for p in links if not p.exists()]
    assert not missing_links, f"results/README.md links missing files: {missing_links}"
    known: set[str] = set()
    for path in links:
        if path.suffix in {".md", ".csv", ".gz"}:
            known |= _numbers_in(path)
    stated = {n.lstrip("+-") for n in NUMBER.findall(readme)}
    assert len(stated) > 20  # the findings carry their numbers
    assert not sorted(stated - known), "numbers in results/README.md found in none of the tables it links"


def test_the_paper_protocol_variants_above_the_zoo_prior_are_the_ones_the_readmes_name() -> None:
    """README and results/README section 2: under the paper protocol four image variants (TG:XGB:GAT,
    TG:XGB:N2V, TG:XGB:N2V+, TG:LR:GAT) lie above the zoo prior, none with an interval above 0, and no text
    variant does; under the clean protocol none does."""
    stats = pd.read_csv(RESULTS / "transfergraph" / "statistics.csv")
    paired = pd.read_csv(RESULTS / "transfergraph" / "paired_zoo_prior.csv")
    stats = stats[(stats["metric"] == "pearson") & (stats["target"] == "average") & (stats["ratio"] == 1)]
    above = {}
    for (zoo, protocol), group in stats.groupby(["zoo", "protocol"]):
        prior = group.loc[group["method"] == "zoo_prior", "mean"].item()
        variants = group[group["method"].str.endswith("_all_normalize_without_transfer")]
        above[zoo, protocol] = {m.split("_all_")[0] for m in variants.loc[variants["mean"] > prior, "method"]}
    assert above["image", "paper"] == {"xgb_homoGATConv", "xgb_node2vec", "xgb_node2vec+", "lr_homoGATConv"}
    assert above["text", "paper"] == above["image", "clean"] == above["text", "clean"] == set()
    named = paired[(paired["metric"] == "pearson") & (paired["ratio"] == 1) & (paired["protocol"] == "paper")]
    named = named[named["method"].str.split("_all_").str[0].isin(above["image", "paper"]) & (named["zoo"] == "image")]
    assert len(named) == 4 and (named["low"] < 0).all()
    readme = (RESULTS / "README.md").read_text() + (RESULTS.parent / "README.md").read_text()
    assert readme.count("four image variants") == 2
