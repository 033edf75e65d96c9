"""Leave-one-dataset-out evaluation: every method scores every target, every target is scored."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from tqdm.auto import tqdm

from tg_bench.data.zoo import ZooData
from tg_bench.evaluate.ground_truth import ground_truth, target_weight
from tg_bench.evaluate.metrics import DEFAULT_KS
from tg_bench.evaluate.protocol import Protocol
from tg_bench.evaluate.scoring import add_averages, score_target
from tg_bench.method import Method
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


def evaluate_methods(
    zoo: ZooData,
    methods: Sequence[Method],
    protocol: Protocol,
    targets: Sequence[str],
    seed: int,
    ks: Sequence[int] = DEFAULT_KS,
    progress: bool = True,
) -> LodoResult:
    timer = StageTimer()
    predictions, metric_rows, weights = [], [], {}
    steps = tqdm(total=len(targets) * len(methods), desc=f"{zoo.name}/{protocol.name}", disable=not progress)
    for target in targets:
        with timer.stage("ground_truth"):
            truth = ground_truth(zoo, target, protocol)
            weights[target] = target_weight(truth)
        for method in methods:
            steps.set_postfix_str(f"{target} {method.name}")
            with timer.stage(f"predict:{method.name}"):
                predicted = method.predict(zoo, target, protocol, seed)
            with timer.stage("scoring"):
                for metric, value in score_target(predicted, truth, protocol, ks).items():
                    metric_rows.append((method.name, target, metric, value, seed))
            accuracy = predicted["model"].map(truth.set_index("model")["accuracy"])
            predictions.append(predicted.assign(method=method.name, target=target, accuracy=accuracy, seed=seed))
            steps.update()
    steps.close()
    # variants of one TransferGraph share a timer: merge each timer once
    shared = {id(t): t for m in methods if isinstance(t := getattr(m, "timer", None), StageTimer)}
    for method_timer in shared.values():
        timer.merge(method_timer)
    weight_series = pd.Series(weights)
    metrics = add_averages(pd.DataFrame(metric_rows, columns=METRIC_COLUMNS), weight_series)
    return LodoResult(
        predictions=pd.concat(predictions, ignore_index=True)[PREDICTION_COLUMNS],
        metrics=metrics,
        weights=weight_series,
        timer=timer,
    )
