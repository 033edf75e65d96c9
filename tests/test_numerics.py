"""tg_bench.numerics: the environment portable workers start with, the CPU check, and what run.json records."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tg_bench import numerics
from tg_bench.errors import UserInputError


def test_portable_workers_start_pinned_with_one_thread_and_native_ones_with_the_callers_threads() -> None:
    portable = numerics.worker_environment("portable", threads=8)
    assert portable["ATEN_CPU_CAPABILITY"] == "avx2" and portable["OPENBLAS_CORETYPE"] == "Haswell"
    assert all(portable[var] == "1" for var in numerics.THREAD_VARIABLES)
    native = numerics.worker_environment("native", threads=3)
    assert all(native[var] == "3" for var in numerics.THREAD_VARIABLES)
    assert not set(native) & {"ATEN_CPU_CAPABILITY", "MKL_CBWR", "OPENBLAS_CORETYPE"}
    assert portable[numerics.MODE_VARIABLE] != native[numerics.MODE_VARIABLE]  # never one pool for both
    with pytest.raises(ValueError, match="numerics must be one of portable, native"):
        numerics.worker_environment("fast", threads=1)


def test_a_process_counts_as_pinned_only_when_it_started_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """Setting the variables after start changes nothing for libraries already loaded: the start environment
    decides. A process started with them reports the kernels they chose."""
    assert not numerics.started_pinned()
    # monkeypatch puts back what was there: a machine may start every process with OPENBLAS_CORETYPE set, and
    # removing it here made later native workers choose other kernels than this process (a flaky byte test)
    with monkeypatch.context() as patched:
        for key, value in numerics.portable_environment().items():
            patched.setenv(key, value)
        assert not numerics.started_pinned()
    code = (
        "import json, torch; from tg_bench import numerics; "
        "print(json.dumps({'pinned': numerics.started_pinned(), **numerics.kernel_report()}))"
    )
    env = {**os.environ, **numerics.portable_environment()}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["pinned"] and report["torch_cpu_capability"] == "AVX2" and report["numpy_simd"] == []
    assert {lib["architecture"] for lib in report["libraries"] if lib["internal_api"] == "openblas"} == {"Haswell"}


def test_portable_mode_refuses_a_cpu_without_avx2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(numerics, "_cpu_info", lambda: {"model name": "old", "flags": "fpu sse sse2 sse4_2"})
    with pytest.raises(UserInputError, match=r"x86-64-v3 CPU \(avx2, fma\); this one lacks avx2, fma"):
        numerics.check_portable_cpu()
    assert numerics.cpu_report()["avx2"] is False


def test_the_cpu_report_names_the_flags_that_decide_kernels() -> None:
    report = numerics.cpu_report()
    assert {"model", "vendor", "avx2", "fma", "avx512", "amx"} <= set(report)
    assert isinstance(report["avx512"], bool)
