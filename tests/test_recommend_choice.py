"""Which method `tg-bench recommend` ranks with: the best clean-protocol method of a results table among those
that can run on what the user gave, or the one the user named; the probe's default zoo datasets."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import config, published_root

from tg_bench.catalog import target_hub_entries
from tg_bench.commands.recommend import method_candidates
from tg_bench.errors import UserInputError
from tg_bench.recommend.choice import choose, metrics_read

COLUMNS = ["zoo", "protocol", "ratio", "method", "metric", "target", "mean"]


def _statistics(tmp_path: Path, rows: list[tuple]) -> Path:
    path = tmp_path / "statistics.csv"
    pd.DataFrame(rows, columns=COLUMNS).to_csv(path, index=False)
    return path


def _candidates(*overrides: str) -> list:
    return method_candidates(config(["zoo=text", *overrides], name="recommend"))


def test_the_candidates_know_which_scores_of_the_new_dataset_they_read() -> None:
    candidates = {c.name: c for c in _candidates()}
    assert candidates["knn_prior"].needs == frozenset() and candidates["zoo_prior"].needs == frozenset()
    for name in ("guided_prior", "stacked_prior", "LogME"):
        assert candidates[name].needs == {"LOG_ME"}
    graph = candidates["lr_node2vec_all_normalize_without_transfer"]
    assert graph.key == "node2vec" and graph.needs == frozenset()
    assert "xgb_node2vec_all_normalize_without_transfer" in candidates
    with_scores = {c.name: c for c in _candidates("graph=with_transferability", "baseline=[]")}
    assert with_scores["lr_node2vec_all_normalize_with_transfer"].needs == {"LOG_ME"}
    assert metrics_read({"a": [{"estimator": {"metric": "NCE"}}]}) == {"NCE"}


def test_best_is_the_top_clean_result_of_the_zoo_that_can_run(tmp_path: Path) -> None:
    statistics = _statistics(
        tmp_path,
        [
            ("text", "clean", 1, "guided_prior", "pearson", "average", 0.9),
            ("text", "clean", 1, "zoo_prior", "pearson", "average", 0.7),
            ("text", "clean", 1, "knn_prior", "pearson", "average", 0.8),
            # rows that must not count: another zoo, protocol, ratio, metric or target, a method not selected
            ("image", "clean", 1, "zoo_prior", "pearson", "average", 0.99),
            ("text", "paper", 1, "zoo_prior", "pearson", "average", 0.99),
            ("text", "clean", 0.5, "zoo_prior", "pearson", "average", 0.99),
            ("text", "clean", 1, "zoo_prior", "rel@1", "average", 0.99),
            ("text", "clean", 1, "zoo_prior", "pearson", "glue/cola", 0.99),
            ("text", "clean", 1, "my_method", "pearson", "average", 0.99),
        ],
    )
    candidates = _candidates()
    chosen, why = choose(candidates, "best", set(), statistics, "text")
    assert chosen.name == "knn_prior"
    assert "weighted-average Pearson 0.8000" in why and "guided_prior (LOG_ME scores" in why
    chosen, _ = choose(candidates, "best", {"LOG_ME"}, statistics, "text")
    assert chosen.name == "guided_prior"
    # named: by result name or config key; a method that reads missing scores is refused
    assert choose(candidates, "zoo_prior", set(), statistics, "text")[0].name == "zoo_prior"
    assert choose(candidates, "node2vec", set(), statistics, "text")[0].key == "node2vec"
    with pytest.raises(UserInputError, match="method=stacked_prior reads LOG_ME scores"):
        choose(candidates, "stacked_prior", set(), statistics, "text")
    with pytest.raises(UserInputError, match="method=knn: not among the selected methods"):
        choose(candidates, "knn", set(), statistics, "text")
    with pytest.raises(UserInputError, match="no results to choose the best method from"):
        choose(candidates, "best", set(), tmp_path / "missing.csv", "text")
    with pytest.raises(UserInputError, match="none of the selected methods"):
        choose(candidates, "best", set(), statistics, "image2")


def test_the_probe_embeds_the_zoos_targets_by_default() -> None:
    """Without probe.datasets the probe embeds each evaluation target from its hub entry; every name is a dataset
    of the zoo's distance matrix, so its distance lands in the right row."""
    from tg_bench.data.zoo import ZooSpec, load_zoo

    root = published_root()
    for zoo_name in ("image", "text"):
        entries = target_hub_entries(zoo_name)
        spec = ZooSpec.from_config(config([f"zoo={zoo_name}"], name="recommend").zoo)
        assert set(entries) == set(spec.targets)
        for entry in entries.values():
            assert entry["path"] and entry["input_columns"] and entry["split"]
        if root is not None:
            assert set(entries) <= set(load_zoo(spec, root).distances.index)


def test_the_probe_is_the_zoos_unless_named() -> None:
    from tg_bench.commands.recommend import probe_model

    assert probe_model(config(["zoo=image"], name="recommend")) == "google/vit-base-patch16-224"
    assert probe_model(config(["zoo=text"], name="recommend")) == "EleutherAI/gpt-neo-125m"
    assert probe_model(config(["zoo=text", "probe.model=/models/mine"], name="recommend")) == "/models/mine"
    with pytest.raises(UserInputError, match="no probe model for zoo 'text'"):
        probe_model(config(["zoo=text", "probe.models=null"], name="recommend"))
