"""Numerics modes: `portable` (the same bytes on any x86-64-v3 CPU) and `native` (each CPU's own kernels).

Why a mode at all: PyTorch picks its CPU kernels by instruction set (`ATEN_CPU_CAPABILITY`), oneDNN by
`ONEDNN_MAX_CPU_ISA`, MKL by CPU (`MKL_CBWR`, `MKL_ENABLE_INSTRUCTIONS`), OpenBLAS by core type
(`OPENBLAS_CORETYPE`, and its results by its thread count), NumPy by its SIMD dispatch
(`NPY_DISABLE_CPU_FEATURES`). Each choice changes the last bits of a
result, and float32 training carries them through ~1000 optimiser steps into different embeddings, so the
same config gave other TransferGraph numbers on another CPU (issue 22: 920 of 5040 rows of one run).

`portable` is two things, both needed (measured on an AVX-512 AMD EPYC against an emulated AVX2-only CPU,
`qemu-x86_64 -cpu max`; `tests/test_numerics_portable.py`):

- the held-out targets run in worker processes *started* with `portable_environment()`, which pins every
  library's kernel choice to its AVX2 one (any x86-64-v3 CPU: AVX2 and FMA, which `check_portable_cpu`
  checks), and one BLAS / OpenMP thread. The libraries read
  these variables once, when they load, so a process that has already imported them cannot be pinned: the
  workers are new processes (`started_pinned` tells a pinned one);
- the embedders fit in float64 (`tg_bench/conf/numerics/portable.yaml: dtype`): with the pins alone, float32 GAT and
  SAGE fits still gave different bits on the two CPUs; in float64 they gave the same.

`native` is the behaviour from before the mode existed: float32 fits, the libraries' own kernel choice.
"""

from __future__ import annotations

import os
import platform
import sys
from functools import cache
from pathlib import Path
from typing import Any

from tg_bench.errors import UserInputError

MODES: tuple[str, ...] = ("portable", "native")

#: what portable mode pins: the AVX2 kernels of every library (x86-64-v3, what every x86-64 CPU since 2013-2015
#: has), so that AVX-512 and AMX machines compute as AVX2-only ones do; MKL's conditional numerical
#: reproducibility at that level. In float64, PyTorch's AVX2 and AVX-512 kernels gave the same bits here while
#: its non-vectorised `default` ones did not, and cost 1.5x more (docs/performance.md, "Portable numerics").
#: glibc's libm needs no pin on such CPUs: all of them take its FMA variants.
_PINNED_KERNELS: dict[str, str] = {
    "ATEN_CPU_CAPABILITY": "avx2",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "MKL_CBWR": "AVX2,STRICT",
    "MKL_ENABLE_INSTRUCTIONS": "AVX2",
    "OPENBLAS_CORETYPE": "Haswell",
}

#: the CPU flags the pinned kernels need (x86-64-v3's floating-point part)
REQUIRED_FLAGS: tuple[str, ...] = ("avx2", "fma")

#: the thread-count variables of the BLAS / OpenMP libraries (joblib's list): results of a BLAS call can depend
#: on how many threads split it, so portable mode runs one everywhere
THREAD_VARIABLES: tuple[str, ...] = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)

#: set in every worker's environment: a worker pool of one mode is never reused for the other
MODE_VARIABLE = "TG_BENCH_NUMERICS"


def check_mode(mode: str) -> str:
    """`mode` if it is one of `MODES`, else ValueError naming them."""
    if mode not in MODES:
        raise ValueError(f"numerics must be one of {', '.join(MODES)}, got {mode!r}")
    return mode


@cache
def _numpy_dispatch_targets() -> tuple[str, ...]:
    """NumPy's runtime-dispatched SIMD targets (names differ between NumPy versions: `X86_V3`, `AVX512_SKX`)."""
    from numpy._core import _multiarray_umath

    return tuple(_multiarray_umath.__cpu_dispatch__)


def check_portable_cpu() -> None:
    """Raise UserInputError when this CPU cannot run the pinned kernels (no AVX2 / FMA): the libraries would
    fall back to others and the numbers would not be the portable ones."""
    flags = _cpu_flags()
    missing = [flag for flag in REQUIRED_FLAGS if flag not in flags]
    if flags and missing:
        raise UserInputError(
            f"numerics=portable needs an x86-64-v3 CPU ({', '.join(REQUIRED_FLAGS)}); this one lacks "
            f"{', '.join(missing)}: use numerics=native (its numbers are this CPU's own)"
        )


def portable_environment() -> dict[str, str]:
    """The environment variables a portable worker starts with: pinned kernels, NumPy at its baseline SIMD
    (its AVX2 sort crashes under qemu, the test's second CPU, and costs nothing measurable here), one thread
    per library, and the mode marker."""
    return {
        **_PINNED_KERNELS,
        "NPY_DISABLE_CPU_FEATURES": " ".join(_numpy_dispatch_targets()),
        **dict.fromkeys(THREAD_VARIABLES, "1"),
        MODE_VARIABLE: "portable",
    }


def worker_environment(mode: str, threads: int) -> dict[str, str]:
    """What a worker process of `mode` starts with on top of this process's environment: portable's pins, or
    (native) `threads` threads per library, as joblib's `inner_max_num_threads` gave them."""
    if check_mode(mode) == "portable":
        return portable_environment()
    return {**dict.fromkeys(THREAD_VARIABLES, str(max(int(threads), 1))), MODE_VARIABLE: "native"}


def _start_environment() -> dict[str, str]:
    """The environment this process was started with (Linux: /proc/self/environ; elsewhere today's)."""
    try:
        raw = Path("/proc/self/environ").read_bytes()
    except OSError:
        return dict(os.environ)
    pairs = (item.split(b"=", 1) for item in raw.split(b"\0") if b"=" in item)
    return {key.decode(errors="replace"): value.decode(errors="replace") for key, value in pairs}


def started_pinned(started: dict[str, str] | None = None) -> bool:
    """Whether this process was started with `portable_environment()` (variables set later have no effect on
    libraries already loaded, hence the start environment; `started`: that environment, when already read)."""
    started = _start_environment() if started is None else started
    return all(started.get(key) == value for key, value in portable_environment().items())


@cache
def _cpu_info() -> dict[str, str]:
    """The first processor's `model name`, `vendor_id` and `flags` from /proc/cpuinfo (empty elsewhere)."""
    info: dict[str, str] = {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            key = key.strip()
            if key in ("model name", "vendor_id", "flags") and key not in info:
                info[key] = value.strip()
    except OSError:
        pass
    return info


def _cpu_flags() -> set[str]:
    return set(_cpu_info().get("flags", "").split())


def cpu_report() -> dict[str, Any]:
    """The CPU: model, vendor, and the instruction-set flags that decide kernels (avx2, fma, avx512f, amx)."""
    info, flags = _cpu_info(), _cpu_flags()
    return {
        "model": info.get("model name") or platform.processor() or platform.machine(),
        "vendor": info.get("vendor_id", ""),
        "machine": platform.machine(),
        "cores": os.cpu_count(),
        "avx2": "avx2" in flags,
        "fma": "fma" in flags,
        "avx512": "avx512f" in flags,
        "amx": bool({"amx_tile", "amx_bf16", "amx_int8"} & flags),
    }


def kernel_report() -> dict[str, Any]:
    """The kernels this process actually uses: PyTorch's CPU capability (when torch is loaded), NumPy's active
    SIMD targets, every BLAS / OpenMP library threadpoolctl finds (OpenBLAS' core type is its `architecture`),
    the pinning variables as the process started, and whether it started pinned."""
    from numpy._core import _multiarray_umath
    from threadpoolctl import threadpool_info

    started = _start_environment()
    report: dict[str, Any] = {"pinned": started_pinned(started)}
    torch = sys.modules.get("torch")
    if torch is not None:
        report["torch_cpu_capability"] = torch.backends.cpu.get_cpu_capability()
        report["torch_mkl"] = bool(torch.backends.mkl.is_available())
    features = _multiarray_umath.__cpu_features__
    report["numpy_simd"] = [target for target in _numpy_dispatch_targets() if features.get(target)]
    report["libraries"] = [
        {
            "file": Path(str(info.get("filepath", ""))).name,
            **{key: info.get(key) for key in ("internal_api", "version", "architecture", "num_threads")},
        }
        for info in threadpool_info()
    ]
    pinned_keys = (*_PINNED_KERNELS, "NPY_DISABLE_CPU_FEATURES", *THREAD_VARIABLES)
    report["environment"] = {key: started[key] for key in pinned_keys if key in started}
    return report
