"""Transferability estimators as plain NumPy functions: (features or source-head outputs, labels) -> float.

Every estimator validates its inputs (`validation`), works in float64 and is deterministic given its seed.
`Estimator` records are built from the `estimator` entries of `tg_bench/conf/baseline/*.yaml`
(`tg_bench.build.estimators`); `score` feeds one the model output it needs.
"""

from tg_bench.transferability.estimators.gbc import gbc
from tg_bench.transferability.estimators.hscore import hscore, reg_hscore
from tg_bench.transferability.estimators.leep import leep, nleep
from tg_bench.transferability.estimators.logme import LogMEEvidence, logme, logme_evidence
from tg_bench.transferability.estimators.nce import nce
from tg_bench.transferability.estimators.parc import parc
from tg_bench.transferability.estimators.registry import Estimator, score
from tg_bench.transferability.estimators.sfda import sfda
from tg_bench.transferability.estimators.transrate import transrate

__all__ = [
    "Estimator",
    "LogMEEvidence",
    "gbc",
    "hscore",
    "leep",
    "logme",
    "logme_evidence",
    "nce",
    "nleep",
    "parc",
    "reg_hscore",
    "score",
    "sfda",
    "transrate",
]
