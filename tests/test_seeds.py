"""Seed summaries: how far a change moved each method against its seed noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tg_bench.analysis.shift import seed_shift
from tg_bench.errors import UserInputError


def metrics(values: dict[str, list[float]], protocol: str = "paper") -> pd.DataFrame:
    """An `average_rows`-like frame: weighted-average Pearson of each method on seeds 0, 1, 2, ..."""
    rows = [
        {
            "method": method,
            "target": "average",
            "metric": "pearson",
            "value": v,
            "seed": seed,
            "zoo": "image",
            "protocol": protocol,
        }
        for method, series in values.items()
        for seed, v in enumerate(series)
    ]
    return pd.DataFrame(rows)


def test_shift_is_judged_against_the_seed_std_before_the_change():
    before = metrics({"small": [0.70, 0.72, 0.74], "large": [0.70, 0.71, 0.72], "fixed": [0.5] * 3, "jump": [0.4] * 3})
    after = metrics({"small": [0.71, 0.73, 0.73], "large": [0.75, 0.76, 0.74], "fixed": [0.5] * 3, "jump": [0.41] * 3})
    table = seed_shift(before, after).set_index("method")
    assert table.loc["small", "shift"] == pytest.approx(0.0033333, abs=1e-6)
    assert table.loc["small", "before_std"] == pytest.approx(0.02)
    assert bool(table.loc["small", "within_noise"]) and not bool(table.loc["large", "within_noise"])
    assert table.loc["large", "shift_over_std"] == pytest.approx(0.04 / 0.01)
    # paired over seeds: after - before = 0.05, 0.05, 0.02
    assert table.loc["large", "paired_std"] == pytest.approx(np.std([0.05, 0.05, 0.02], ddof=1))
    # a deterministic method (no spread) is within noise only if it did not move at all
    assert bool(table.loc["fixed", "within_noise"]) and table.loc["fixed", "shift_over_std"] == 0.0
    assert not bool(table.loc["jump", "within_noise"]) and np.isinf(table.loc["jump", "shift_over_std"])
    assert set(table["seeds"]) == {3}


def test_only_methods_in_both_are_compared_and_duplicates_refused():
    before = metrics({"a": [0.1, 0.2], "gone": [0.3, 0.3]})
    after = metrics({"a": [0.1, 0.2], "new": [0.9, 0.9]})
    assert list(seed_shift(before, after)["method"]) == ["a"]
    # a seed only one side has is left out of both means
    longer = metrics({"a": [0.1, 0.2, 0.9]})
    row = seed_shift(longer, after).iloc[0]
    assert row["shift"] == 0.0 and row["seeds"] == 2 and bool(row["within_noise"])
    with pytest.raises(UserInputError, match="several runs"):
        seed_shift(pd.concat([before, before]), after)


def test_a_model_ratio_study_is_compared_per_ratio():
    """Several ratios in the frames (the model-ratio study): each ratio's seed mean is its own row, instead of
    an error about runs sharing a (zoo, protocol, method, seed)."""
    before = pd.concat(
        [metrics({"a": [0.5, 0.6, 0.7]}).assign(ratio=0.1), metrics({"a": [0.8, 0.8, 0.8]}).assign(ratio=0.5)]
    )
    after = pd.concat(
        [metrics({"a": [0.5, 0.6, 0.7]}).assign(ratio=0.1), metrics({"a": [0.9, 0.9, 0.9]}).assign(ratio=0.5)]
    )
    table = seed_shift(before, after).set_index("ratio")
    assert table.loc[0.1, "shift"] == 0.0 and bool(table.loc[0.1, "within_noise"])
    assert table.loc[0.5, "shift"] == pytest.approx(0.1) and not bool(table.loc[0.5, "within_noise"])
    assert "ratio" not in seed_shift(before[before["ratio"] == 0.1], after[after["ratio"] == 0.1])


def test_a_single_seed_study_borrows_the_spread_it_is_given():
    """One seed has no std of its own: a shift is judged by the `spread` given for the same (zoo, protocol,
    method) (another study's seeds), and only where the runs have a single seed."""
    before = metrics({"small": [0.70], "large": [0.70], "unknown": [0.5]})
    after = metrics({"small": [0.71], "large": [0.75], "unknown": [0.6]})
    spread = pd.Series({("image", "paper", "small"): 0.02, ("image", "paper", "large"): 0.02})
    table = seed_shift(before, after, spread=spread).set_index("method")
    assert bool(table.loc["small", "within_noise"]) and not bool(table.loc["large", "within_noise"])
    assert table.loc["large", "shift_over_std"] == pytest.approx(0.05 / 0.02)
    assert list(table["std_source"]) == ["reference", "reference", "before"]
    assert not bool(table.loc["unknown", "within_noise"])  # no spread anywhere: any move is outside
    # with several seeds the runs' own std is kept
    several = seed_shift(metrics({"small": [0.70, 0.74]}), metrics({"small": [0.75, 0.79]}), spread=spread)
    assert several.iloc[0]["std_source"] == "before" and not bool(several.iloc[0]["within_noise"])
