"""The task layer: one definition of a held-out target's training records, shared by the graph, the regressor's
table and the zoo prior; and `HeldOutTarget` / `MethodFamily` as the leave-one-dataset-out loop sees them."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pandas as pd
import pytest
from conftest import baseline, held_out, load_protocol, write_text_zoo

from tg_bench.data.zoo import load_zoo
from tg_bench.errors import UserInputError
from tg_bench.evaluate.lodo import TargetFailedError, WorkerDiedError, evaluate_methods
from tg_bench.features.table import feature_tables
from tg_bench.graph import EdgeType
from tg_bench.graph.build import GraphConfig, build_graph
from tg_bench.task.history import training_records
from tg_bench.task.method import HeldOutTarget, MethodFamily

#: tA, the target, with a spread; tB, the only training dataset, with every model equally good
TIED = [
    {"model": m, "finetuned_dataset": "tA", "eval_accuracy": a, "peft_method": None}
    for m, a in (("m1", 0.8), ("m2", 0.7), ("m3", 0.6), ("m4", 0.5))
] + [{"model": m, "finetuned_dataset": "tB", "eval_accuracy": 0.7, "peft_method": None} for m in ("m1", "m2", "m3")]


@pytest.fixture
def tied_zoo(tmp_path: Path):
    return load_zoo(write_text_zoo(tmp_path, records=TIED), tmp_path)


@pytest.mark.parametrize("protocol", ["paper", "clean"])
def test_a_dataset_without_spread_counts_as_best_everywhere(tied_zoo, protocol: str) -> None:
    """Graph, regressor target and zoo prior read the same records and scale a tied dataset alike (1.0); the zoo
    prior used to make it NaN while the graph made it 1.0."""
    history = training_records(tied_zoo, "tA", load_protocol(protocol))
    assert set(history["dataset"]) == {"tB"} and (history["normalised"] == 1.0).all()
    prior = baseline("zoo_prior").score_models(held_out(tied_zoo, "tA", protocol))
    assert prior.to_dict() == {"m1": 1.0, "m2": 1.0, "m3": 1.0}
    graph = build_graph(tied_zoo, "tA", load_protocol(protocol), GraphConfig(source_edges=False), directed=True)
    accuracy = graph.edge_index[:, graph.edge_type == EdgeType.ACCURACY]
    assert {(graph.node_names[s], graph.node_names[d]) for s, d in accuracy.T} == {
        ("m1", "tB"),
        ("m2", "tB"),
        ("m3", "tB"),
    }
    tables = feature_tables(tied_zoo, "tA", load_protocol(protocol))
    assert list(tables.y) == list(history["normalised"])


def test_training_records_never_contain_the_target(synthetic_text_zoo) -> None:
    root, spec = synthetic_text_zoo
    zoo = load_zoo(spec, root)
    for protocol in ("paper", "clean"):
        for target in zoo.targets:
            assert target not in set(training_records(zoo, target, load_protocol(protocol))["dataset"])


class _Pair(MethodFamily):
    """Two methods that share one computation per target, and count how often it ran."""

    def __init__(self) -> None:
        self.prepared: list[str] = []

    @property
    def names(self) -> tuple[str, ...]:
        return ("first", "second")

    def predictions(self, task: HeldOutTarget):
        self.prepared.append(task.target)
        candidates = task.candidates()
        yield "first", candidates.assign(score=range(len(candidates)))
        yield "second", candidates.assign(score=range(len(candidates), 0, -1))

    def stage_seconds(self) -> dict[str, float]:
        return {"shared": 1.5 * len(self.prepared)}  # cumulative, as a family's timer is


def test_a_family_prepares_each_target_once_and_reports_its_stages(synthetic_text_zoo) -> None:
    root, spec = synthetic_text_zoo
    zoo = load_zoo(spec, root)
    family = _Pair()
    result = evaluate_methods(zoo, [family, baseline("zoo_prior")], load_protocol("clean"), ["tA", "tB"], seed=0)
    assert family.prepared == ["tA", "tB"]
    assert list(pd.unique(result.metrics["method"])) == ["first", "second", "zoo_prior"]
    pearson = result.metrics[(result.metrics["metric"] == "pearson") & (result.metrics["target"] == "tA")]
    values = pearson.set_index("method")["value"]
    assert values["first"] == pytest.approx(-values["second"])
    assert result.timer.seconds["shared"] == 3.0 and "predict:second" in result.timer.seconds


class _DiesOn(MethodFamily):
    """Kills its own worker process on one target (as the kernel's out-of-memory killer would)."""

    def __init__(self, target: str) -> None:
        self.target = target

    @property
    def names(self) -> tuple[str, ...]:
        return ("doomed",)

    def predictions(self, task: HeldOutTarget):
        if task.target == self.target:
            os.kill(os.getpid(), signal.SIGKILL)
        candidates = task.candidates()
        yield "doomed", candidates.assign(score=range(len(candidates)))


def test_a_worker_that_dies_is_a_clear_error_naming_its_target(synthetic_text_zoo) -> None:
    root, spec = synthetic_text_zoo
    zoo = load_zoo(spec, root)
    with pytest.raises(WorkerDiedError, match=r"target\(s\) .*tB"):
        evaluate_methods(zoo, [_DiesOn("tB")], load_protocol("clean"), ["tA", "tB"], seed=0, n_jobs=2)


class _FailsOn(MethodFamily):
    """A method family that raises `error` on one target (in whichever worker holds it)."""

    def __init__(self, target: str, error: Exception) -> None:
        self.target, self.error = target, error

    @property
    def names(self) -> tuple[str, ...]:
        return ("failing",)

    def predictions(self, task: HeldOutTarget):
        if task.target == self.target:
            raise self.error
        candidates = task.candidates()
        yield "failing", candidates.assign(score=range(len(candidates)))


def test_an_error_in_a_worker_names_its_target(synthetic_text_zoo) -> None:
    """A user's mistake met in a worker is one UserInputError naming the target, without the worker's remote
    traceback; anything else (a bug) names the target too and keeps the worker's exception as its cause."""
    root, spec = synthetic_text_zoo
    zoo = load_zoo(spec, root)
    protocol = load_protocol("clean")
    mistake = _FailsOn("tB", UserInputError("baseline x: no scores"))
    with pytest.raises(UserInputError, match=r"^target tB: baseline x: no scores$") as caught:
        evaluate_methods(zoo, [mistake], protocol, ["tA", "tB"], seed=0, n_jobs=2)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    with pytest.raises(TargetFailedError, match=r"target tB: ZeroDivisionError: boom") as caught:
        evaluate_methods(zoo, [_FailsOn("tB", ZeroDivisionError("boom"))], protocol, ["tA", "tB"], seed=0, n_jobs=2)
    assert isinstance(caught.value.__cause__, ZeroDivisionError)


class _TwoNames(MethodFamily):
    """One family (one store unit) predicting two named methods."""

    @property
    def names(self) -> tuple[str, ...]:
        return ("first", "second")

    def predictions(self, task: HeldOutTarget):
        candidates = task.candidates()
        for name in self.names:
            yield name, candidates.assign(score=range(len(candidates)))


def test_the_progress_bar_counts_the_units_the_store_counts(synthetic_text_zoo, capsys) -> None:
    """2 targets x 2 families (one of them two methods) = 4 units, as the results store counts them (the bar
    used to count methods: 6)."""
    root, spec = synthetic_text_zoo
    zoo = load_zoo(spec, root)
    evaluate_methods(
        zoo, [_TwoNames(), baseline("zoo_prior")], load_protocol("clean"), ["tA", "tB"], seed=0, n_jobs=1,
        progress=True, numerics="native",
    )  # fmt: skip
    bar = capsys.readouterr().err
    assert "4/4" in bar and "6/6" not in bar and "unit" in bar
