"""Leave-one-dataset-out evaluation: every method scores every target, every target is scored."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pandas as pd
from tqdm.auto import tqdm

from tg_bench.data.zoo import ZooData
from tg_bench.evaluate.metrics import DEFAULT_KS
from tg_bench.evaluate.scoring import add_averages, score_target
from tg_bench.task.ground_truth import ground_truth, target_weight
from tg_bench.task.method import HeldOutTarget, MethodFamily
from tg_bench.task.protocol import Protocol
from tg_bench.timing import StageTimer

PREDICTION_COLUMNS = ["method", "target", "model", "score", "accuracy", "seed"]
METRIC_COLUMNS = ["method", "target", "metric", "value", "seed"]


@dataclass(frozen=True)
class LodoResult:
    """predictions: columns PREDICTION_COLUMNS (accuracy NaN for a candidate without ground truth).
    metrics: columns METRIC_COLUMNS, per target plus `average` (weighted) and `mean` rows.
    weights: target -> max - mean ground-truth accuracy.
    """

    predictions: pd.DataFrame
    metrics: pd.DataFrame
    weights: pd.Series
    timer: StageTimer = field(default_factory=StageTimer)


def _timed(
    produced: Iterator[tuple[str, pd.DataFrame]], timer: StageTimer
) -> Iterator[tuple[str, pd.DataFrame]]:
    """The family's predictions, each one's wall time (the work done until it was yielded) added to
    `predict:<name>`."""
    start = time.perf_counter()
    for name, predicted in produced:
        timer.seconds[f"predict:{name}"] += time.perf_counter() - start
        yield name, predicted
        start = time.perf_counter()


def evaluate_methods(
    zoo: ZooData,
    methods: Sequence[MethodFamily],
    protocol: Protocol,
    targets: Sequence[str],
    seed: int,
    ks: Sequence[int] = DEFAULT_KS,
    progress: bool = True,
) -> LodoResult:
    """Every method predicts every target held out (`HeldOutTarget`), and each prediction is scored against the
    target's ground truth. The progress bar counts (target, method) steps."""
    timer = StageTimer()
    predictions, metric_rows, weights = [], [], {}
    n_methods = sum(len(family.names) for family in methods)
    steps = tqdm(total=len(targets) * n_methods, desc=f"{zoo.name}/{protocol.name}", disable=not progress)
    for target in targets:
        task = HeldOutTarget(zoo=zoo, target=target, protocol=protocol, seed=seed)
        with timer.stage("ground_truth"):
            truth = ground_truth(zoo, target, protocol)
            weights[target] = target_weight(truth)
        accuracy_of = truth.set_index("model")["accuracy"]
        for family in methods:
            for name, predicted in _timed(family.predictions(task), timer):
                with timer.stage("scoring"):
                    for metric, value in score_target(predicted, truth, protocol, ks).items():
                        metric_rows.append((name, target, metric, value, seed))
                accuracy = predicted["model"].map(accuracy_of)
                predictions.append(predicted.assign(method=name, target=target, accuracy=accuracy, seed=seed))
                steps.set_postfix_str(f"{target} {name}")
                steps.update()
    steps.close()
    for family in methods:
        for stage, seconds in family.stage_seconds().items():
            timer.seconds[stage] += seconds
    weight_series = pd.Series(weights)
    metrics = add_averages(pd.DataFrame(metric_rows, columns=METRIC_COLUMNS), weight_series)
    return LodoResult(
        predictions=pd.concat(predictions, ignore_index=True)[PREDICTION_COLUMNS],
        metrics=metrics,
        weights=weight_series,
        timer=timer,
    )
