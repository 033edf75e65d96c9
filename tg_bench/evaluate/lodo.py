"""Leave-one-dataset-out evaluation: every method scores every target, every target is scored."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
from tqdm.auto import tqdm

from tg_bench.data.zoo import ZooData
from tg_bench.errors import UserInputError
from tg_bench.evaluate.metrics import DEFAULT_KS
from tg_bench.evaluate.scoring import add_averages, score_target
from tg_bench.numerics import check_mode, check_portable_cpu, kernel_report, started_pinned, worker_environment
from tg_bench.store import ResultStore, StoredUnit, UnitKey
from tg_bench.task.ground_truth import ground_truth, target_weight
from tg_bench.task.method import HeldOutTarget, MethodFamily
from tg_bench.task.model_ratio import check_ratio, zoo_at_ratio
from tg_bench.task.protocol import Protocol
from tg_bench.timing import StageTimer

PREDICTION_COLUMNS = ["method", "target", "model", "score", "accuracy", "seed"]
METRIC_COLUMNS = ["method", "target", "metric", "value", "seed"]


@dataclass(frozen=True)
class LodoResult:
    """predictions: columns PREDICTION_COLUMNS (accuracy NaN for a candidate without ground truth).
    metrics: columns METRIC_COLUMNS, per target plus `average` (weighted) and `mean` rows.
    weights: target -> max - mean ground-truth accuracy.
    settings: what every target was evaluated with (protocol, seed, ks, model_ratio, ...), as checked once by
    `evaluate_methods`: what a caller reports the run by, so it need not read or build them again.
    units_loaded, units_computed: (target, method family) units read from the results store (finished by an
    earlier run) and computed by this one.
    unit_seconds: wall seconds per stage summed over every unit, the ones read back from the store included
    (with the seconds they took when computed), so the cost of a run does not depend on what was resumed.
    kernels: `tg_bench.numerics.kernel_report()` of the process(es) that computed the targets.
    """

    predictions: pd.DataFrame
    metrics: pd.DataFrame
    weights: pd.Series
    settings: LodoSettings
    timer: StageTimer = field(default_factory=StageTimer)
    units_loaded: int = 0
    units_computed: int = 0
    unit_seconds: dict[str, float] = field(default_factory=dict)
    kernels: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Resume:
    """How a run's (target, method family) units are kept in a results store and reused from it.

    units: (label, digest) per method family, in the order of the run's families (`tg_bench.store.unit_ids.unit_ids`).
    rerun: recompute every unit even when the store has it (the new file replaces the old one).
    """

    store: ResultStore
    units: tuple[tuple[str, str], ...]
    rerun: bool = False

    def key(self, zoo: str, protocol: str, ratio: float, target: str, seed: int, family: int) -> UnitKey:
        label, digest = self.units[family]
        return UnitKey(zoo, protocol, ratio, seed, target, label, digest)


@dataclass(frozen=True)
class LodoSettings:
    """What every target of one run is evaluated with: built once by `evaluate_methods` (checked there) and
    handed unchanged to `evaluate_target`, in this process or in a worker.

    seed: seeds every stochastic step (with the target). ks: the k of the @k metrics. model_ratio: the share of
    the zoo's models each target is evaluated on, in (0, 1] (method.md 11). resume: the results store the
    units are read from and written to, or None. numerics: `portable` or `native`, the kernels of the
    process(es) computing the targets (`evaluate_methods` chooses those processes; a target does not look).
    """

    protocol: Protocol
    seed: int
    ks: tuple[int, ...] = DEFAULT_KS
    model_ratio: float = 1.0
    resume: Resume | None = None
    numerics: str = "native"


def _timed(produced: Iterator[tuple[str, pd.DataFrame]], timer: StageTimer) -> Iterator[tuple[str, pd.DataFrame]]:
    """The family's predictions, each one's wall time (the work done until it was yielded) added to
    `predict:<name>`."""
    start = time.perf_counter()
    for name, predicted in produced:
        timer.seconds[f"predict:{name}"] += time.perf_counter() - start
        yield name, predicted
        start = time.perf_counter()


@dataclass(frozen=True)
class TargetResult:
    """Everything one held-out target contributes to a run (what a worker process sends back).

    metric_rows: (method, target, metric, value, seed) tuples; predictions: one frame per method, columns
    PREDICTION_COLUMNS; seconds: wall seconds per stage spent on this target; unit_seconds: the same summed
    over its units, those read back from the store included (`LodoResult.unit_seconds`).
    """

    target: str
    weight: float
    metric_rows: list[tuple]
    predictions: list[pd.DataFrame]
    seconds: dict[str, float]
    units_loaded: int = 0
    units_computed: int = 0
    unit_seconds: dict[str, float] = field(default_factory=dict)


class TargetFailedError(RuntimeError):
    """A target's evaluation raised in a worker process (a bug: the worker's traceback is its cause)."""


class WorkerDiedError(RuntimeError):
    """A worker process ended without a result (killed, out of memory): names the targets it may have held."""


def evaluate_target(
    zoo: ZooData,
    methods: Sequence[MethodFamily],
    target: str,
    settings: LodoSettings,
    on_step: Callable[[str], None] | None = None,
) -> TargetResult:
    """Every method predicts `target` held out; each prediction is scored against its ground truth.

    Depends on nothing but its arguments (every stochastic step is seeded by `settings.seed` and the target),
    so it gives the same result in this process or in a worker. `on_step(method name)` is called after each
    method family (one results-store unit; the name is the family's first method's). With `settings.resume`, a
    method family whose unit is in the store is read from it instead of run, and each family run here is
    stored the moment it is done. `settings.model_ratio` < 1: the target is
    evaluated on the smaller zoo of `tg_bench.task.model_ratio.zoo_at_ratio`.
    """
    protocol, seed, model_ratio, resume = settings.protocol, settings.seed, settings.model_ratio, settings.resume
    if resume is not None and len(resume.units) != len(methods):
        raise ValueError(f"resume names {len(resume.units)} units for {len(methods)} method families")
    timer = StageTimer()
    full_zoo, zoo = zoo, zoo_at_ratio(zoo, target, protocol, model_ratio, seed)
    task = HeldOutTarget(zoo=zoo, target=target, protocol=protocol, seed=seed)
    with timer.stage("ground_truth"):
        truth = ground_truth(zoo, target, protocol)
        weight = target_weight(truth)
    accuracy_of = truth.set_index("model")["accuracy"]
    metric_rows: list[tuple] = []
    predictions: list[pd.DataFrame] = []
    loaded = computed = 0
    unit_seconds: dict[str, float] = {}
    for index, family in enumerate(methods):
        key = None if resume is None else resume.key(full_zoo.name, protocol.name, model_ratio, target, seed, index)
        stored = None if key is None or resume.rerun else resume.store.load(key)
        if stored is not None and stored.methods == tuple(family.names):
            metric_rows.extend(stored.metric_rows)
            predictions.append(stored.predictions)
            loaded += 1
            _add(unit_seconds, stored.seconds)
            if on_step is not None:
                on_step(family.names[0])
            continue
        first_row, first_frame, seconds_before = len(metric_rows), len(predictions), dict(timer.seconds)
        before = family.stage_seconds()
        for name, predicted in _timed(family.predictions(task), timer):
            with timer.stage("scoring"):
                for metric, value in score_target(predicted, truth, protocol, settings.ks).items():
                    metric_rows.append((name, target, metric, value, seed))
            accuracy = predicted["model"].map(accuracy_of)
            predictions.append(predicted.assign(method=name, target=target, accuracy=accuracy, seed=seed))
        if on_step is not None:
            on_step(family.names[0])
        for stage, seconds in family.stage_seconds().items():
            timer.seconds[stage] += seconds - before.get(stage, 0.0)
        computed += 1
        seconds = {k: v - seconds_before.get(k, 0.0) for k, v in timer.seconds.items() if k != "ground_truth"}
        _add(unit_seconds, seconds)
        if key is not None:
            frames = predictions[first_frame:]
            unit = StoredUnit(
                methods=tuple(family.names),
                metric_rows=tuple(metric_rows[first_row:]),
                predictions=pd.concat(frames, ignore_index=True)[PREDICTION_COLUMNS] if frames else pd.DataFrame(),
                weight=weight,
                seconds=seconds,
            )
            resume.store.save(key, unit)
    return TargetResult(target, weight, metric_rows, predictions, dict(timer.seconds), loaded, computed, unit_seconds)


def _add(total: dict[str, float], seconds: Mapping[str, float]) -> None:
    """Add `seconds` (stage -> seconds) into `total`, stage by stage."""
    for stage, value in seconds.items():
        total[stage] = total.get(stage, 0.0) + float(value)


def _in_workers(
    zoo: ZooData,
    methods: Sequence[MethodFamily],
    targets: Sequence[str],
    settings: LodoSettings,
    n_jobs: int,
    kernels: dict | None = None,
) -> Iterator[TargetResult]:
    """`evaluate_target` for every target in `n_jobs` worker processes, yielded in target order.

    The workers start with `tg_bench.numerics.worker_environment(settings.numerics)`: under `portable`, the pinned
    kernels and one thread per library; under `native`, this process's BLAS thread count (OpenBLAS' results
    depend on it: lr's least squares moved by up to 2e-3 in Pearson between 1 and 2 threads, and results must
    not depend on n_jobs; the fits are single-threaded whatever this says). `kernels`, when given, receives
    the workers' `kernel_report()`. loky directly rather than joblib's `Parallel`, which sets the workers'
    environment itself.
    """
    from joblib.externals.loky import get_reusable_executor
    from joblib.externals.loky.process_executor import BrokenProcessPool, TerminatedWorkerError

    received = 0
    try:
        executor = get_reusable_executor(
            max_workers=n_jobs, env=worker_environment(settings.numerics, blas_threads()), reuse="auto"
        )
        futures = [executor.submit(evaluate_target, zoo, methods, t, settings) for t in targets]
        try:
            for future in futures:
                result = future.result()
                received += 1
                yield result
        except KeyboardInterrupt:
            # Ctrl-C stops the run now, as joblib did: the workers' targets in flight are not finished (their
            # finished units are already in the store)
            executor.shutdown(wait=False, kill_workers=True)
            raise
        except (TerminatedWorkerError, BrokenProcessPool):
            raise
        except UserInputError as exc:
            # the worker's remote traceback adds nothing to a user's mistake: one line, naming the target
            raise UserInputError(f"target {targets[received]}: {exc}") from None
        except Exception as exc:
            raise TargetFailedError(f"target {targets[received]}: {type(exc).__name__}: {exc}") from exc
        finally:  # an error here: the targets not yet started are not started
            for future in futures:
                future.cancel()
        if kernels is not None:
            kernels.update(executor.submit(kernel_report).result())
    except (TerminatedWorkerError, BrokenProcessPool) as exc:
        pending = ", ".join(targets[received : received + n_jobs])
        raise WorkerDiedError(
            f"a worker process died while evaluating target(s) {pending} (killed, or out of memory?); "
            f"rerun with fewer workers (n_jobs) or n_jobs=1 to see the error in this process: {exc}"
        ) from None


def evaluate_methods(
    zoo: ZooData,
    methods: Sequence[MethodFamily],
    protocol: Protocol,
    targets: Sequence[str],
    seed: int,
    ks: Sequence[int] = DEFAULT_KS,
    progress: bool = True,
    n_jobs: int = 1,
    resume: Resume | None = None,
    model_ratio: float = 1.0,
    numerics: str = "native",
) -> LodoResult:
    """Every method predicts every target held out (`HeldOutTarget`), and each prediction is scored against the
    target's ground truth. The progress bar counts (target, method family) units, as the results store does.

    n_jobs: worker processes, one target each at a time (1: in this process; -1: every core). The result is
    the same whatever `n_jobs` is: targets are independent and seeded, and results are kept in target order.
    resume: reuse (and fill) a results store, one unit per (target, method family); the result is the same as
    without it. model_ratio: the share of the zoo's models each target is evaluated on (method.md 11).
    numerics: `portable` computes every target in a process started with the pinned kernels of
    `tg_bench.numerics` (a worker, even with n_jobs=1, unless this process was started pinned); `native` as
    the CPU comes.
    """
    settings = LodoSettings(
        protocol=protocol,
        seed=seed,
        ks=tuple(ks),
        model_ratio=check_ratio(model_ratio),
        resume=resume,
        numerics=check_mode(numerics),
    )
    if settings.numerics == "portable":
        check_portable_cpu()
    n_units = len(methods)
    workers = min(_resolve_n_jobs(n_jobs), len(targets))
    # a process that loaded its libraries unpinned cannot be pinned afterwards: its targets go to a worker
    needs_worker = settings.numerics == "portable" and not started_pinned()
    steps = tqdm(total=len(targets) * n_units, desc=f"{zoo.name}/{protocol.name}", unit="unit", disable=not progress)
    kernels: dict = {}
    in_process = workers <= 1 and not needs_worker
    if in_process:

        def step(name: str) -> None:
            steps.set_postfix_str(name)
            steps.update()

        results = (evaluate_target(zoo, methods, t, settings, on_step=step) for t in targets)
    else:
        workers = max(workers, 1)
        steps.set_postfix_str(f"{workers} {settings.numerics} worker(s)")
        results = _in_workers(zoo, methods, targets, settings, workers, kernels)
    timer = StageTimer()
    metric_rows, predictions, weights = [], [], {}
    loaded = computed = 0
    unit_seconds: dict[str, float] = {}
    for result in results:
        loaded += result.units_loaded
        computed += result.units_computed
        _add(unit_seconds, result.unit_seconds)
        weights[result.target] = result.weight
        metric_rows.extend(result.metric_rows)
        predictions.extend(result.predictions)
        for stage, seconds in result.seconds.items():
            timer.seconds[stage] += seconds
        if not in_process:
            steps.update(n_units)
    steps.close()
    if in_process:
        kernels = kernel_report()
    weight_series = pd.Series(weights)
    metrics = add_averages(pd.DataFrame(metric_rows, columns=METRIC_COLUMNS), weight_series)
    return LodoResult(
        predictions=pd.concat(predictions, ignore_index=True)[PREDICTION_COLUMNS],
        metrics=metrics,
        weights=weight_series,
        settings=settings,
        timer=timer,
        units_loaded=loaded,
        units_computed=computed,
        unit_seconds=unit_seconds,
        kernels=kernels,
    )


def blas_threads() -> int:
    """Threads of the BLAS libraries loaded in this process (numpy / scipy's OpenBLAS), at least 1."""
    import numpy  # noqa: F401 - loads the BLAS that threadpoolctl reports
    from threadpoolctl import threadpool_info

    counts = [int(info["num_threads"]) for info in threadpool_info() if info.get("user_api") == "blas"]
    return max(counts, default=1)


def _resolve_n_jobs(n_jobs: int) -> int:
    """joblib's convention (`joblib.effective_n_jobs`): a positive count as given, -1 every core, -2 all but
    one, ...; 0 is an error."""
    from joblib import effective_n_jobs

    if n_jobs == 0:
        raise UserInputError("n_jobs must not be 0 (1: in this process, -1: every core)")
    return effective_n_jobs(n_jobs)
