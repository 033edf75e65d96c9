"""No method looks at the held-out target's fine-tuning records under the clean protocol: change only those
records (which models have them: every second model's rows deleted; the rest's accuracies reversed and runtimes
scaled) and every method's scores of the models that remain stay the same.

"The same" is to 1e-12: a regressor predicts all of the target's rows at once, and BLAS sums a row's dot
product in an order that depends on where the row falls in its block, so predicting fewer rows moves a linear
regressor's score in the last bit (1e-16); any reading of the records moves scores by far more (the stacked
prior's z-scores over the target's models moved them by up to 0.17 here before issue 24).
Under the paper protocol the `train_runtime` feature leaks the target's runtimes into TransferGraph, and the
same test sees it move, which shows the check can fail."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from conftest import config

from tg_bench.build import build_methods, build_protocol
from tg_bench.catalog import entry, methods, options
from tg_bench.data.zoo import ZooData, ZooSpec, load_zoo
from tg_bench.task.method import HeldOutTarget

TARGET = "glue/cola"
#: every graph learner and regressor of the config folder, so that a new one is covered without an edit here
EMBEDDERS, PREDICTORS = options("embedder"), options("predictor")
#: the paper's baselines, and every data-agnostic or stacking baseline config beyond them (a new prior is a
#: config file: it is covered without an edit here)
PAPER_SET = set(entry("baseline", "paper_set").baseline)
PRIORS = [
    key
    for key in methods("baseline")
    if key not in PAPER_SET and entry("baseline", key).display.kind in {"data-agnostic", "stacking"}
]
BASELINES = f"baseline=[{','.join(['paper_set', *PRIORS])}]"
#: fast settings: the test is about what the methods read, not how well they learn
FAST = [
    *(f"transfergraph.embedders.{key}.epochs=2" for key in ("node2vec", "node2vec_plus")),
    *(f"transfergraph.embedders.{key}.settings.epochs=2" for key in ("sage", "gat")),
    "transfergraph.predictors.xgb.n_estimators=20",
    "transfergraph.predictors.hgb.max_iter=10",
]


def _perturbed(zoo: ZooData, target: str) -> ZooData:
    """`zoo` with only `target`'s records changed: the rows of every second of its models (sorted) deleted, the
    remaining accuracies reversed in file order, runtimes x 3."""
    records = zoo.records
    dropped = sorted(records.loc[records["dataset"] == target, "model"].unique())[::2]
    records = records[~((records["dataset"] == target) & records["model"].isin(dropped))].copy()
    on_target = records["dataset"] == target
    records.loc[on_target, "accuracy"] = records.loc[on_target, "accuracy"].to_numpy()[::-1]
    records.loc[on_target, "train_runtime"] = records.loc[on_target, "train_runtime"] * 3
    return dataclasses.replace(zoo, records=records)


def _assert_same_on_kept(before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame]) -> None:
    """Each method's rows of the models the perturbation kept are the same to 1e-12 (and there are such rows)."""
    assert before.keys() == after.keys()
    for name, frame in before.items():
        kept = frame[frame["model"].isin(set(after[name]["model"]))].reset_index(drop=True)
        assert 0 < len(kept) < len(frame), name
        pd.testing.assert_frame_equal(kept, after[name].reset_index(drop=True), rtol=0, atol=1e-12, obj=name)


def _scores(cfg, zoo: ZooData) -> dict[str, pd.DataFrame]:
    task = HeldOutTarget(zoo=zoo, target=TARGET, protocol=build_protocol(cfg.protocol), seed=0)
    return {
        name: frame.reset_index(drop=True) for family in build_methods(cfg) for name, frame in family.predictions(task)
    }


@pytest.fixture(scope="module")
def text_zoo(metadata_root) -> ZooData:
    return load_zoo(ZooSpec.from_config(config(["zoo=text"]).zoo), metadata_root)


@pytest.mark.parametrize(
    "embedders, predictors",
    [
        # each graph learner (with the cheapest regressor), then each regressor on a graph embedding: every
        # component is covered without the full cross product, which adds no reading path and triples the time
        (EMBEDDERS, ("lr",)),
        (("node2vec",), PREDICTORS),
    ],
    ids=["every-embedder", "every-predictor"],
)
def test_every_method_ignores_the_targets_records_under_the_clean_protocol(text_zoo, embedders, predictors) -> None:
    cfg = config(
        [
            "experiment=paper_text",
            "protocol=clean",
            BASELINES,
            f"embedder=[{','.join(embedders)}]",
            f"predictor=[{','.join(predictors)}]",
            *(fast for fast in FAST if fast.split(".")[2] in (*embedders, *predictors)),
        ]
    )
    before, after = _scores(cfg, text_zoo), _scores(cfg, _perturbed(text_zoo, TARGET))
    # every embedder x regressor asked for, and the experiment's baselines (the stacked prior's inner tasks must
    # not see the target either, nor may its z-scores be taken over the target's models): each one gave scores
    assert len(before) == len(embedders) * len(predictors) + len(cfg.baseline)
    _assert_same_on_kept(before, after)


def test_the_check_sees_the_paper_protocols_runtime_leak(text_zoo) -> None:
    cfg = config(
        ["experiment=paper_text", "protocol=paper", "embedder=[none]", "predictor=[xgb]", "baseline=[zoo_prior]"]
    )
    before, after = _scores(cfg, text_zoo), _scores(cfg, _perturbed(text_zoo, TARGET))
    leaky = "xgb_none_all_normalize_without_transfer"
    kept = before[leaky][before[leaky]["model"].isin(set(after[leaky]["model"]))].reset_index(drop=True)
    assert len(kept) == len(after[leaky])
    # train_runtime_feature: the target's runtimes reach the regression
    assert (kept["score"] - after[leaky]["score"]).abs().max() > 1e-6
    _assert_same_on_kept({"zoo_prior": before["zoo_prior"]}, {"zoo_prior": after["zoo_prior"]})
