"""The results store: a rerun reads finished (target, method family) units back instead of recomputing them,
gives the same tables, keeps a killed run's finished targets, tells configs apart by digest, and survives
several writers at once."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import baseline, config, load_protocol

from tg_bench.data.zoo import load_zoo
from tg_bench.evaluate.lodo import Resume, evaluate_methods
from tg_bench.store import ResultStore, StoredUnit, UnitKey
from tg_bench.store.provenance import code_digest
from tg_bench.store.unit_ids import unit_ids
from tg_bench.task.method import HeldOutTarget, MethodFamily


class _Counted(MethodFamily):
    """Scores candidates by position and records every target it was asked to predict; fails on `fail_on`."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.asked: list[str] = []
        self.fail_on = fail_on

    @property
    def names(self) -> tuple[str, ...]:
        return ("up", "down")

    def predictions(self, task: HeldOutTarget):
        self.asked.append(task.target)
        if task.target == self.fail_on:
            raise KeyboardInterrupt  # what Ctrl-C raises in the middle of a target
        candidates = task.candidates()
        yield "up", candidates.assign(score=[0.1 * i + 0.01 * task.seed for i in range(len(candidates))])
        yield "down", candidates.assign(score=[1.0 / (i + 1) for i in range(len(candidates))])


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, float_format="%.10g")


def _resume(tmp_path: Path, rerun: bool = False, digest: str = "d" * 64) -> Resume:
    return Resume(ResultStore(tmp_path / "store"), (("counted", digest), ("zoo_prior", "e" * 64)), rerun=rerun)


def _evaluate(zoo, family: _Counted, seed: int, resume: Resume | None = None, n_jobs: int = 1):
    """`family` and the zoo prior on every target of `zoo`, clean protocol."""
    return evaluate_methods(
        zoo, [family, baseline("zoo_prior")], load_protocol("clean"), list(zoo.targets), seed, progress=False,
        resume=resume, n_jobs=n_jobs,
    )  # fmt: skip


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_rerun_reads_every_unit_back_and_writes_identical_tables(synthetic_text_zoo, tmp_path, n_jobs) -> None:
    root, spec = synthetic_text_zoo
    zoo = load_zoo(spec, root)
    targets = list(zoo.targets)
    first = _evaluate(zoo, _Counted(), 3, _resume(tmp_path), n_jobs=n_jobs)
    assert (first.units_loaded, first.units_computed) == (0, 2 * len(targets))
    second_family = _Counted()
    second = _evaluate(zoo, second_family, 3, _resume(tmp_path))
    assert second_family.asked == []
    assert (second.units_loaded, second.units_computed) == (2 * len(targets), 0)
    assert _csv(second.metrics) == _csv(first.metrics)
    assert _csv(second.predictions) == _csv(first.predictions)
    # the cost of the units read back is what they cost when computed, not the (near zero) time to read them
    assert second.unit_seconds == pytest.approx(first.unit_seconds, rel=1e-9)
    assert first.unit_seconds["predict:up"] > 0 and "predict:up" not in second.timer.seconds
    # and both equal a run without any store
    plain = _evaluate(zoo, _Counted(), 3)
    assert _csv(plain.metrics) == _csv(first.metrics) and _csv(plain.predictions) == _csv(first.predictions)


def test_an_interrupted_run_keeps_its_finished_targets_and_a_rerun_computes_only_the_rest(
    synthetic_text_zoo, tmp_path
) -> None:
    root, spec = synthetic_text_zoo
    zoo = load_zoo(spec, root)
    targets = list(zoo.targets)
    assert len(targets) >= 2
    with pytest.raises(KeyboardInterrupt):
        _evaluate(zoo, _Counted(fail_on=targets[1]), 0, _resume(tmp_path))
    stored = sorted(p.parent.name for p in (tmp_path / "store").rglob("*.parquet"))
    assert stored == [targets[0], targets[0]]  # both families of the first target, nothing half-written
    assert not [p for p in (tmp_path / "store").rglob("*") if p.name.startswith(".")]
    family = _Counted()
    resumed = _evaluate(zoo, family, 0, _resume(tmp_path))
    assert family.asked == targets[1:]
    assert (resumed.units_loaded, resumed.units_computed) == (2, 2 * len(targets) - 2)
    plain = _evaluate(zoo, _Counted(), 0)
    assert _csv(resumed.metrics) == _csv(plain.metrics)


def test_rerun_recomputes_finished_units(synthetic_text_zoo, tmp_path) -> None:
    root, spec = synthetic_text_zoo
    zoo = load_zoo(spec, root)
    _evaluate(zoo, _Counted(), 0, _resume(tmp_path))
    family = _Counted()
    again = _evaluate(zoo, family, 0, _resume(tmp_path, rerun=True))
    assert family.asked == list(zoo.targets) and again.units_loaded == 0


def test_a_unit_of_another_seed_or_digest_is_not_reused(synthetic_text_zoo, tmp_path) -> None:
    root, spec = synthetic_text_zoo
    zoo = load_zoo(spec, root)
    targets = list(zoo.targets)
    _evaluate(zoo, _Counted(), 0, _resume(tmp_path))
    other_seed = _evaluate(zoo, _Counted(), 1, _resume(tmp_path))
    assert other_seed.units_loaded == 0
    family = _Counted()
    result = _evaluate(zoo, family, 0, _resume(tmp_path, digest="f" * 64))
    assert family.asked == targets and result.units_loaded == len(targets)  # zoo_prior's digest is unchanged


def test_the_digest_follows_what_changes_the_numbers_and_nothing_else(metadata_root) -> None:
    base = ["experiment=paper_image", "embedder=[node2vec]", "predictor=[lr,xgb]"]
    zoo = load_zoo_for(config(base))
    ids = dict(unit_ids(config(base), zoo.files))
    assert list(ids) == [
        "transfergraph-paper-node2vec", "logme", "reg_h", "zoo_prior", "knn_prior", "model_size", "source_accuracy",
        "guided_prior", "stacked_prior", "random",
    ]  # fmt: skip
    # settings that do not change a number: the same units
    for override in ("n_jobs=2", "progress=false", "show_metrics=[kendall]", "seed=4", "rerun=true"):
        assert dict(unit_ids(config([*base, override]), zoo.files)) == ids, override
    # settings that do: only the units they touch
    touched = {
        "transfergraph.predictors.xgb.max_depth=4": {"transfergraph-paper-node2vec"},
        "transfergraph.embedders.node2vec.epochs=3": {"transfergraph-paper-node2vec"},
        "graph=no_similarity": None,  # the label changes with the preset
        "protocol=clean": set(ids),
        "ks=[1,3]": set(ids),
    }
    for override, expected in touched.items():
        changed = dict(unit_ids(config([*base, override]), zoo.files))
        if expected is None:
            assert "transfergraph-no_similarity-node2vec" in changed
            continue
        assert {label for label in ids if changed.get(label) != ids[label]} == expected, override


def test_the_digest_follows_the_code_of_a_method_and_of_what_it_imports(tmp_path, monkeypatch) -> None:
    """A stored unit is stale once its method's code (or a module of the package it imports) changes; an edited
    comment or docstring changes nothing."""
    package = tmp_path / "toy_methods"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "helper.py").write_text("def shrink(x):\n    return x / 2\n")
    method = package / "method.py"
    method.write_text('"""A method."""\nfrom toy_methods.helper import shrink\n\nclass Up:\n    k = 3\n')
    (package / "other.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    def digest() -> str:
        return code_digest(["toy_methods.method.Up"], package="toy_methods")

    def edit(path: Path, text: str) -> None:
        before = path.stat().st_mtime_ns
        path.write_text(text)
        os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))

    first = digest()
    assert digest() == first
    documented = '"""A method, documented better."""\nfrom toy_methods.helper import shrink  # halves\n'
    edit(method, documented + "\nclass Up:\n    k = 3\n")
    assert digest() == first
    edit(package / "other.py", "VALUE = 2\n")  # not imported by the method
    assert digest() == first
    edit(package / "helper.py", "def shrink(x):\n    return x / 3\n")
    second = digest()
    assert second != first
    edit(method, '"""A method."""\nfrom toy_methods.helper import shrink\n\nclass Up:\n    k = 4\n')
    assert digest() not in (first, second)


def load_zoo_for(cfg):
    from tg_bench.data.zoo import ZooSpec

    return load_zoo(ZooSpec.from_config(cfg.zoo), cfg.paths.get("data_root"))


def _key(target: str = "t/1") -> UnitKey:
    return UnitKey("text", "clean", 1.0, 0, target, "counted", "a" * 64)


def _unit(rows: int) -> StoredUnit:
    predictions = pd.DataFrame(
        {
            "method": ["up"] * rows,
            "target": ["t/1"] * rows,
            "model": [f"m{i}" for i in range(rows)],
            "score": [i / 3 for i in range(rows)],
            "accuracy": [float("nan") if i % 5 == 0 else i / 7 for i in range(rows)],
            "seed": [0] * rows,
        }
    )
    metric_rows = (("up", "t/1", "pearson", 1 / 3, 0), ("up", "t/1", "kendall", float("nan"), 0))
    return StoredUnit(("up",), metric_rows, predictions, weight=0.123456789, seconds={"embedding": 1.5})


def test_a_stored_unit_reads_back_bit_identical(tmp_path) -> None:
    store = ResultStore(tmp_path)
    unit = _unit(50)
    path = store.save(_key(), unit)
    assert path.relative_to(tmp_path).parts[:5] == ("text", "clean", "ratio1", "seed0", "t_1")
    back = store.load(_key())
    assert back.methods == unit.methods and back.weight == unit.weight and back.seconds == unit.seconds
    assert back.metric_rows[0] == unit.metric_rows[0] and pd.isna(back.metric_rows[1][3])
    pd.testing.assert_frame_equal(back.predictions, unit.predictions, check_dtype=False, check_exact=True)
    (record,) = store.records()
    assert record.key == _key() and record.metric_rows[0] == unit.metric_rows[0]


def test_a_damaged_unit_is_recomputed_with_a_warning(tmp_path) -> None:
    store = ResultStore(tmp_path)
    path = store.save(_key(), _unit(5))
    path.write_bytes(path.read_bytes()[:100])
    with pytest.warns(UserWarning, match="unreadable stored unit"):
        assert store.load(_key()) is None


def _write_many(root: str, rows: int, times: int) -> None:
    store = ResultStore(root)
    for _ in range(times):
        store.save(_key(), _unit(rows))


def test_concurrent_writers_never_leave_a_half_written_unit(tmp_path) -> None:
    """Four processes write the same unit over and over (as SLURM array jobs given the same work would) while
    this one reads it: every read is either nothing yet or the complete unit."""
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_write_many, args=(str(tmp_path), 2000, 10)) for _ in range(4)]
    for writer in writers:
        writer.start()
    store, reads = ResultStore(tmp_path), 0
    expected = _unit(2000).predictions
    while any(w.is_alive() for w in writers):
        unit = store.load(_key())
        if unit is not None:
            reads += 1
            assert len(unit.predictions) == 2000 and unit.predictions["score"].equals(expected["score"])
    for writer in writers:
        writer.join()
        assert writer.exitcode == 0
    assert reads > 0
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [store.path(_key()).name]


@pytest.mark.slow
def test_ctrl_c_prints_one_line_and_the_rerun_resumes(metadata_root, tmp_path, isolated_store) -> None:
    """The CLI as a user meets it: Ctrl-C in the middle of a run, then the same command again."""
    out = tmp_path / "run"
    command = [
        sys.executable, "-m", "tg_bench", "run", "zoo=image", "embedder=[node2vec]", "predictor=[lr]",
        "baseline=[zoo_prior]", "targets=[dtd,pets]", "n_jobs=1", "progress=false", f"hydra.run.dir={out}",
        "transfergraph.embedders.node2vec.epochs=5",
    ]  # fmt: skip
    env = {**os.environ, "TG_BENCH_DATA": str(metadata_root)}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while not list(isolated_store.rglob("dtd/*.parquet")) and time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted; finished units are kept in" in stderr
    assert not out.exists()  # no partial run folder
    finished = len(list(isolated_store.rglob("*.parquet")))
    assert 1 <= finished < 4
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert f"{finished} of 4 (target, method) units were finished earlier" in done.stdout
    metrics = pd.read_csv(out / "metrics.csv")
    assert set(metrics["target"]) == {"dtd", "pets", "average", "mean"}
