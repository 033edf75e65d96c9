"""numerics=portable: the same bytes on another CPU. The second CPU is emulated: `qemu-x86_64 -cpu max` runs
this machine's Python as an AVX2-only x86-64 CPU (PyTorch there reports capability AVX2, NumPy X86_V3), so one
machine holds two CPUs that choose different kernels.

The CPU-dependent stages (GAT, SAGE and node2vec fits; lr, rf and xgb predictions) run from saved inputs of one
image and one text target in `tests/numerics_probe.py`, natively and under qemu. Portable: identical to the
10 significant digits outputs are written with. Native (the GNN fits only): the same pair differs, so the test
can fail.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from conftest import config, held_out

from tg_bench.build import build_transfergraph
from tg_bench.data.zoo import ZooSpec, load_zoo
from tg_bench.features.table import feature_tables
from tg_bench.graph.build import build_graph
from tg_bench.numerics import THREAD_VARIABLES, portable_environment

PROBE = Path(__file__).with_name("numerics_probe.py")
TARGETS = {"image": "dtd", "text": "tweet_eval/irony"}
QEMU = shutil.which("qemu-x86_64")


def _inputs(metadata_root: Path, path: Path) -> Path:
    """Graphs and a feature table (node2vec embeddings, computed here) per target, pickled."""
    saved = {}
    for zoo_name, target in TARGETS.items():
        cfg = config([f"experiment=paper_{zoo_name}", "protocol=clean", "embedder=[node2vec]", "predictor=[lr]"])
        zoo = load_zoo(ZooSpec.from_config(cfg.zoo), metadata_root)
        task = held_out(zoo, target, "clean", seed=0)
        family = build_transfergraph(cfg.transfergraph)[0]
        graphs = {
            directed: build_graph(zoo, target, task.protocol, family.graph, directed=directed, seed=0)
            for directed in (False, True)
        }
        embeddings = family.embedders["node2vec"].fit_transform(graphs[True], seed=0)
        tables = feature_tables(zoo, target, task.protocol, embeddings, graphs[True])
        saved[target] = {
            "undirected_graph": graphs[False],
            "directed_graph": graphs[True],
            "train": tables.train.to_numpy(dtype=np.float64),
            "y": tables.y,
            "test": tables.test.to_numpy(dtype=np.float64),
        }
    path.write_bytes(pickle.dumps(saved))
    return path


def _environment(mode: str) -> dict[str, str]:
    """Portable: started pinned. Native: this machine's environment without any pin, except NumPy's SIMD
    dispatch, whose AVX2 sort crashes under qemu 7.2 (so native differs by PyTorch / BLAS and float32)."""
    pins = portable_environment()
    base = {key: value for key, value in os.environ.items() if key not in pins and key not in THREAD_VARIABLES}
    if mode == "portable":
        return {**base, **pins}
    return {**base, "NPY_DISABLE_CPU_FEATURES": pins["NPY_DISABLE_CPU_FEATURES"]}


#: the stages the native pair runs: the test's power rests on the GNN fits differing natively, and the
#: emulated CPU takes minutes per stage set, so the native pair skips the others
NATIVE_STAGES = ("gat", "sage")


def _probe(inputs: Path, mode: str, out: Path, emulated: bool) -> dict:
    command = [sys.executable, str(PROBE), str(inputs), mode, str(out)]
    if mode == "native":
        command.append(",".join(NATIVE_STAGES))
    if emulated:
        command = [QEMU, "-cpu", "max", *command]
    done = subprocess.run(command, env=_environment(mode), capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text())


def _differing(native_cpu: dict, emulated_cpu: dict) -> dict[str, int]:
    """(target/stage) -> how many written values differ between the two CPUs."""
    counts = {}
    for target, stages in native_cpu.items():
        for stage, values in stages.items():
            other = emulated_cpu[target][stage]
            assert len(values) == len(other)
            counts[f"{target}/{stage}"] = sum(a != b for a, b in zip(values, other, strict=True))
    return counts


@pytest.mark.slow
def test_portable_numerics_give_the_same_digits_on_an_emulated_avx2_cpu(metadata_root: Path, tmp_path: Path) -> None:
    if QEMU is None:
        if os.environ.get("TG_BENCH_REQUIRE_QEMU"):
            pytest.fail("qemu-x86_64 is not installed, and TG_BENCH_REQUIRE_QEMU says this machine must have it")
        pytest.skip("qemu-x86_64 not installed (Debian: apt-get install qemu-user)")
    inputs = _inputs(metadata_root, tmp_path / "inputs.pkl")
    runs = [(mode, emulated) for mode in ("portable", "native") for emulated in (False, True)]
    # the two emulated runs take minutes each: one per core
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            run: pool.submit(_probe, inputs, run[0], tmp_path / f"{run[0]}_{run[1]}.json", run[1]) for run in runs
        }
        results = {run: future.result() for run, future in futures.items()}

    portable = _differing(results[("portable", False)], results[("portable", True)])
    native = _differing(results[("native", False)], results[("native", True)])
    print("values differing between the CPUs, portable:", portable)
    print("values differing between the CPUs, native:", native)
    assert sum(portable.values()) == 0, portable
    # power: natively the GNN fits do differ between the two CPUs (float32 training, each CPU's kernels)
    for target in TARGETS.values():
        assert native[f"{target}/gat"] > 0 and native[f"{target}/sage"] > 0, native
