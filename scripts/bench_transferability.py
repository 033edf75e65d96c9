"""Times the transferability estimators on seeded synthetic data: seconds per call, peak memory, LogME vs SVD.

    OMP_NUM_THREADS=2 .venv/bin/python scripts/bench_transferability.py [--quick] [--sizes 50000x2048x100]
        [--estimators logme,leep]

Grid: N in {1000, 10000, 50000} x D in {768, 2048} x C in {10, 100} (`--quick`: N <= 10000). Features are
float64 class means + a rank-32 shared factor + isotropic noise (`synthetic_features`); LEEP/NCE get synthetic
source-head probabilities over C_s = 1000 classes, correlated with the labels. Each estimator runs once per size;
progress goes to stderr, the table (Markdown when `tabulate` is installed) to stdout.

peak_MiB is the peak of memory allocated through Python's allocator during the call (tracemalloc: NumPy arrays
and Python objects; LAPACK/BLAS workspace allocated in C is not seen). x_svd is the call's time divided by one
`numpy.linalg.svd(F, full_matrices=False)` of the same features (reported for LogME).
N-LEEP fits its Gaussian mixture on a seeded subsample (`--nleep-max-samples`), PARC on its own `max_samples`
(5000) subsample: their N x ... costs would otherwise not finish at N = 50000.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tg_bench.build import estimators
from tg_bench.transferability.estimators import score

ESTIMATORS = estimators()  # the `estimator` entries of tg_bench/conf/baseline/*.yaml, by baseline key

GRID_N = (1000, 10000, 50000)
GRID_D = (768, 2048)
GRID_C = (10, 100)
QUICK_MAX_N = 10000
SOURCE_CLASSES = 1000
LATENT_RANK = 32
CHUNK_ROWS = 5000  # synthetic rows are generated in chunks so the generator's temporaries stay small
PARC_MAX_SAMPLES = 5000  # parc's default; stated in the notes


@dataclass(frozen=True)
class Size:
    n: int
    d: int
    c: int

    @classmethod
    def parse(cls, text: str) -> Size:
        try:
            n, d, c = (int(part) for part in text.lower().split("x"))
        except ValueError:
            raise SystemExit(f"--sizes expects NxDxC items such as 10000x768x10; got {text!r}") from None
        return cls(n, d, c)


def synthetic_features(size: Size, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Features (N, D) float64 and labels (N,), every class present.

    x = class mean + rank-32 shared factor + unit noise. The factor carries most of the variance, so PCA to 80 %
    keeps about 32 dimensions (as real penultimate features are dominated by a few directions); class means are
    about 3 noise standard deviations apart, so the classes overlap and the scores are not saturated.
    """
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(size.n) % size.c)
    means = 3.0 / np.sqrt(2 * size.d) * rng.standard_normal((size.c, size.d))
    loadings = 0.5 * rng.standard_normal((LATENT_RANK, size.d))
    features = np.empty((size.n, size.d))
    for start in range(0, size.n, CHUNK_ROWS):
        rows = slice(start, min(start + CHUNK_ROWS, size.n))
        block = features[rows]
        block[:] = rng.standard_normal(block.shape)
        block += means[labels[rows]]
        block += rng.standard_normal((block.shape[0], LATENT_RANK)) @ loadings
    return features, labels


def synthetic_source_probs(labels: np.ndarray, n_classes: int, seed: int) -> np.ndarray:
    """Softmax probabilities (N, 1000) whose logits depend on the target label (so LEEP/NCE are informative)."""
    rng = np.random.default_rng(seed + 1)
    class_logits = 2.0 * rng.standard_normal((n_classes, SOURCE_CLASSES))
    probs = np.empty((labels.shape[0], SOURCE_CLASSES))
    for start in range(0, labels.shape[0], CHUNK_ROWS):
        rows = slice(start, min(start + CHUNK_ROWS, labels.shape[0]))
        logits = class_logits[labels[rows]] + rng.standard_normal((rows.stop - rows.start, SOURCE_CLASSES))
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        probs[rows] = logits
    return probs


def measure(call: Callable[[], object]) -> tuple[object, float, float]:
    """(result, seconds, peak MiB allocated during the call, tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = call()
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, seconds, peak / 2**20


def bench_size(size: Size, names: list[str], args: argparse.Namespace) -> list[dict[str, object]]:
    features, labels = synthetic_features(size, args.seed)
    needs_probs = any(ESTIMATORS[name].needs_head for name in names)
    probs = synthetic_source_probs(labels, size.c, args.seed) if needs_probs else None
    rows: list[dict[str, object]] = []
    svd_seconds = None
    if "logme" in names:
        _, svd_seconds, svd_peak = measure(lambda: np.linalg.svd(features, full_matrices=False))
        rows.append(row(size, "numpy svd (reference)", svd_seconds, svd_peak, None, 1.0, "full_matrices=False"))
        log(rows[-1])
    for name in names:
        estimator = ESTIMATORS[name]
        x, y, note = features, labels, ""
        if name == "nleep" and size.n > args.nleep_max_samples:
            keep = np.sort(np.random.default_rng(args.seed).choice(size.n, args.nleep_max_samples, replace=False))
            x, y = features[keep], labels[keep]
            note = f"GMM on a seeded subsample of {args.nleep_max_samples} of {size.n} rows"
        if name == "parc" and size.n > PARC_MAX_SAMPLES:
            note = f"parc's own seeded subsample of {PARC_MAX_SAMPLES} of {size.n} rows (N x N matrices)"
        if name == "nce":
            note = f"source labels = argmax of {SOURCE_CLASSES}-class probabilities"
        if name == "leep":
            note = f"C_s = {SOURCE_CLASSES}"
        inputs = {"features": x} if estimator.needs == "features" else {"source_probs": probs}
        value, seconds, peak = measure(lambda: score(estimator, **inputs, labels=y, seed=args.seed))  # noqa: B023
        ratio = seconds / svd_seconds if (name == "logme" and svd_seconds) else None
        rows.append(row(size, name, seconds, peak, value, ratio, note))
        log(rows[-1])
    return rows


def row(
    size: Size, name: str, seconds: float, peak: float, value: object, ratio: float | None, note: str
) -> dict[str, object]:
    return {
        "N": size.n,
        "D": size.d,
        "C": size.c,
        "estimator": name,
        "seconds": round(seconds, 3),
        "peak_MiB": round(peak, 1),
        "x_svd": None if ratio is None else round(ratio, 3),
        "score": None if value is None else float(f"{value:.6g}"),
        "note": note,
    }


def log(entry: dict[str, object]) -> None:
    print(
        f"[{entry['N']}x{entry['D']}x{entry['C']}] {entry['estimator']}: {entry['seconds']} s, {entry['peak_MiB']} MiB",
        file=sys.stderr,
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", help="comma-separated NxDxC (default: the full grid)")
    parser.add_argument("--quick", action="store_true", help=f"only sizes with N <= {QUICK_MAX_N}")
    parser.add_argument("--estimators", help=f"comma-separated subset of {','.join(ESTIMATORS)}")
    parser.add_argument("--nleep-max-samples", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    if args.sizes:
        sizes = [Size.parse(item) for item in args.sizes.split(",") if item]
    else:
        sizes = [Size(n, d, c) for n in GRID_N for d in GRID_D for c in GRID_C]
    if args.quick:
        sizes = [size for size in sizes if size.n <= QUICK_MAX_N]
    names = list(ESTIMATORS) if not args.estimators else [name.strip() for name in args.estimators.split(",")]
    unknown = sorted(set(names) - set(ESTIMATORS))
    if unknown:
        raise SystemExit(f"unknown estimators {unknown}; valid: {', '.join(ESTIMATORS)}")

    rows = [entry for size in sizes for entry in bench_size(size, names, args)]
    table = pd.DataFrame(rows)
    try:
        print(table.to_markdown(index=False))
    except ImportError:  # to_markdown needs the optional `tabulate` package
        print(table.to_string(index=False))


if __name__ == "__main__":
    main()
