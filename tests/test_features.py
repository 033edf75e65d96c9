"""Feature columns of the regressor under both protocols, and the regressors themselves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import load_protocol, predictor

from tg_bench.data.zoo import load_zoo
from tg_bench.features.table import feature_tables
from tg_bench.graph.build import GraphConfig, build_graph
from tg_bench.predict.regressors import make_regressor


@pytest.fixture
def zoo(synthetic_text_zoo):
    root, spec = synthetic_text_zoo
    return load_zoo(spec, root)


def test_paper_columns_include_runtime_and_zero_filled_distance(zoo):
    tables = feature_tables(zoo, "tA", load_protocol("paper"))
    assert "train_runtime" in tables.train.columns and "distance_missing" not in tables.train.columns
    assert list(tables.train.columns) == list(tables.test.columns)
    # paper test rows = the target's full records: m1, m2 (twice, a re-run), m3
    assert tables.test_models == ["m1", "m2", "m2", "m3"]
    assert tables.test["train_runtime"].notna().all()
    assert tables.train["distance"].notna().all()


def test_clean_columns_drop_runtime_and_mark_missing_distance(zoo):
    tables = feature_tables(zoo, "tA", load_protocol("clean"))
    assert "train_runtime" not in tables.train.columns
    assert "distance_missing" in tables.train.columns
    assert tables.test_models == ["m1", "m2", "m3"]
    # m3's source is tB; distance(tB, tB) = 0 is known, so only unknown pairs are NaN
    assert set(tables.train["distance_missing"]) <= {0.0, 1.0}


def test_category_codes_agree_only_under_clean(zoo):
    paper = feature_tables(zoo, "tA", load_protocol("paper"))
    clean = feature_tables(zoo, "tA", load_protocol("clean"))
    # the model_type of m3 is roberta; train has bert+roberta, test (m1, m2, m3) too here, so compare the
    # source_dataset column, whose category sets differ between train (src, tB) and test
    codes = {name: dict(zip(t.test_models, t.test["source_dataset"], strict=True)) for name, t in (("clean", clean),)}
    categories = sorted(zoo.models["source_dataset"].unique())
    assert codes["clean"]["m3"] == categories.index("tB")
    assert paper.train["model_type"].isin([0.0, 1.0]).all()


def test_embeddings_become_columns(zoo):
    graph = build_graph(zoo, "tA", load_protocol("clean"), GraphConfig(), directed=True)
    embeddings = np.arange(graph.num_nodes * 3, dtype=np.float32).reshape(graph.num_nodes, 3)
    tables = feature_tables(zoo, "tA", load_protocol("clean"), embeddings, graph)
    assert {"m0", "m2", "d0", "d2"} <= set(tables.test.columns)
    row = tables.test_models.index("m2")
    np.testing.assert_array_equal(tables.test.loc[row, ["m0", "m1", "m2"]].to_numpy(), embeddings[graph.index_of("m2")])
    np.testing.assert_array_equal(tables.test.loc[row, ["d0", "d1", "d2"]].to_numpy(), embeddings[graph.index_of("tA")])


@pytest.mark.parametrize("kind", ["lr", "rf", "xgb"])
def test_regressors_fit_signal_and_handle_nan(kind):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 4))
    y = x[:, 0] * 2 + rng.normal(scale=0.1, size=200)
    x[::7, 3] = np.nan
    params = {"rf": {"n_estimators": 50, "max_depth": 5}, "xgb": {"n_estimators": 50, "max_depth": 3}}.get(kind, {})
    factory = predictor(kind, **params)
    model = make_regressor(factory, seed=0).fit(x[:150], y[:150])
    prediction = model.predict(x[150:])
    assert np.corrcoef(prediction, y[150:])[0, 1] > 0.9
    again = make_regressor(factory, seed=0).fit(x[:150], y[:150]).predict(x[150:])
    np.testing.assert_array_equal(prediction, again)


@pytest.mark.parametrize("kind", ["lr", "rf", "xgb"])
def test_a_stored_score_does_not_depend_on_how_many_rows_are_predicted(kind):
    """Each test row alone gets the score it gets among all of them. lr predicted in float32 before, and its
    scores moved by up to 1.5e-4 with the batch: with parameter counts (~1e8) beside unit-scale embeddings and a
    held-out target outside the training span, the raw scores sit far from [0, 1], where float32 is coarse."""
    from tg_bench.features.table import FeatureTables
    from tg_bench.predict.transfergraph import TransferGraph

    rng = np.random.default_rng(3)
    columns = ["parameters", *(f"m{i}" for i in range(16))]

    def table(n: int, shift: float) -> pd.DataFrame:
        frame = pd.DataFrame(rng.normal(shift, 1.0, size=(n, 17)), columns=columns)
        frame["parameters"] = rng.integers(10**6, 10**9, size=n).astype(float)
        return frame

    train, test = table(300, 0.0), table(40, 25.0)  # the target lies far outside the training span
    y = train["m0"].to_numpy() * 0.3 + train["parameters"].to_numpy() * 1e-10 + rng.normal(0, 0.05, 300)
    tables = FeatureTables(train=train, y=y, test=test, test_models=[f"model{i}" for i in range(40)])
    params = {"rf": {"n_estimators": 20}, "xgb": {"n_estimators": 20}}.get(kind, {})
    family = TransferGraph("paper", GraphConfig(), {}, {kind: predictor(kind, **params)})
    together = family.regress(tables, family.predictors[kind], seed=0)
    if kind == "lr":
        assert together["score"].abs().max() > 5  # extrapolated far outside [0, 1], as on dtd
    for row in range(40):
        alone = FeatureTables(train=train, y=y, test=test.iloc[[row]], test_models=[tables.test_models[row]])
        score = family.regress(alone, family.predictors[kind], seed=0)["score"].iloc[0]
        assert score == pytest.approx(together["score"].iloc[row], rel=1e-12, abs=1e-12)
