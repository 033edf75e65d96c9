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


def _paired(folder: str, reference: str = "zoo_prior") -> pd.DataFrame:
    paired = pd.read_csv(RESULTS / folder / f"paired_{reference}.csv")
    return paired[paired["ratio"] == 1]


def test_the_readme_headline_table_is_the_aggregated_one() -> None:
    """The README quotes `tg-bench aggregate`'s headline.md verbatim: its numbers are not typed by hand."""
    headline = (RESULTS / "transfergraph" / "headline.md").read_text()
    assert headline.count("\n") == 6
    assert headline in (RESULTS.parent / "README.md").read_text()


def test_no_method_is_distinguishably_above_the_zoo_prior_on_clean_pearson() -> None:
    """Sections 2 and 7, and the README: no clean weighted-average Pearson interval against the zoo prior lies
    above 0; under the paper protocol only the logit prior's on image does; of all the headline comparisons,
    exactly the six named ones do."""
    paired = _paired("transfergraph")
    pearson = paired[(paired["metric"] == "pearson") & (paired["low"] > 0)]
    assert {(r.zoo, r.protocol, r.method) for r in pearson.itertuples()} == {("image", "paper", "logit_prior")}
    above = paired[paired["low"] > 0]
    assert len(paired) == 264
    assert {(r.zoo, r.protocol, r.metric, r.method) for r in above.itertuples()} == {
        ("image", "paper", "pearson", "logit_prior"),
        ("image", "paper", "w-kendall", "logit_prior"),
        ("text", "paper", "w-kendall", "logit_prior"),
        ("text", "clean", "w-kendall", "guided_prior"),
        ("text", "paper", "rel@1", "knn_prior"),
        ("text", "paper", "rel@1", "nested_knn_prior"),
    }
    # "the smallest p-value among the six, the logit prior's paper image Pearson (p 0.005)"
    smallest = above.loc[above["p_value"].idxmin()]
    assert (smallest["method"], smallest["metric"], smallest["zoo"]) == ("logit_prior", "pearson", "image")
    assert round(smallest["p_value"], 3) == 0.005
    readme = (RESULTS / "README.md").read_text()
    assert "Under the clean protocol no method's weighted-average Pearson is\nabove the zoo prior" in readme
    assert "with an interval\nabove 0, on the image zoo" not in readme  # what section 2 said before issue 24


def test_the_new_priors_statements_hold() -> None:
    """Section 7: neither new prior has a clean interval above 0; the nested k-NN prior is below the fixed
    k-NN prior on image; the logit prior wins all 8 image targets under the paper protocol."""
    paired = _paired("transfergraph")
    pearson = paired[paired["metric"] == "pearson"].set_index(["zoo", "protocol", "method"])
    for zoo in ("image", "text"):
        for method in ("logit_prior", "nested_knn_prior"):
            assert pearson.at[(zoo, "clean", method), "low"] < 0
    assert pearson.at[("image", "paper", "logit_prior"), "won"] == 8
    stats = pd.read_csv(RESULTS / "transfergraph" / "statistics.csv")
    mean = stats[(stats["metric"] == "pearson") & (stats["target"] == "average") & (stats["ratio"] == 1)]
    mean = mean.set_index(["zoo", "protocol", "method"])["mean"]
    assert mean[("image", "clean", "nested_knn_prior")] < mean[("image", "clean", "knn_prior")]


def test_the_most_stable_variant_of_each_zoo_and_protocol_is_the_one_named() -> None:
    """Section 3: the smallest seed std of each (zoo, protocol) belongs to a linear regressor, on node2vec (image,
    clean), SAGE (text, clean) and GAT (paper protocol)."""
    stats = pd.read_csv(RESULTS / "transfergraph" / "statistics.csv")
    stats = stats[(stats["metric"] == "pearson") & (stats["target"] == "average") & (stats["ratio"] == 1)]
    variants = stats[stats["method"].str.endswith("_all_normalize_without_transfer")]
    steadiest = {key: group.loc[group["std"].idxmin(), "method"].split("_all_")[0] for key, group in
                 variants.groupby(["zoo", "protocol"])}  # fmt: skip
    assert steadiest == {
        ("image", "clean"): "lr_node2vec",
        ("text", "clean"): "lr_homo_SAGEConv",
        ("image", "paper"): "lr_homoGATConv",
        ("text", "paper"): "lr_homoGATConv",
    }


def test_the_stacking_statements_hold() -> None:
    """Section 7: against the best TransferGraph variant the stacked prior wins 7/8 and 6/8 targets with neither
    interval above 0; no blend or ingredient is distinguishably above the zoo prior; the four named ones are
    above it on both zoos, each by less than its minimum detectable difference."""
    versus = _paired("versus_best_transfergraph", "lr_node2vec_all_normalize_without_transfer")
    stacked = versus[(versus["method"] == "stacked_prior") & (versus["metric"] == "pearson")]
    stacked = stacked[stacked["protocol"] == "clean"].set_index("zoo")
    assert (stacked.at["image", "won"], stacked.at["text", "won"]) == (7, 6)
    assert (stacked["low"] < 0).all()
    ablation = _paired("stacking_ablation")
    ablation = ablation[ablation["metric"] == "pearson"]
    assert not (ablation["low"] > 0).any()
    positive = ablation[ablation["difference"] > 0].groupby("method")["zoo"].nunique()
    both = set(positive[positive == 2].index)
    assert both == {"guided_prior", "guided_prior (power 1)", "stacked_prior", "stack: zoo+knn+LogME"}
    named = ablation[ablation["method"].isin(both)]
    assert (named["difference"] < named["mdd"]).all()
