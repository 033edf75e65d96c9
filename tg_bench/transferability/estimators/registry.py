"""The estimators by config name, what input each needs, and one `score` entry point that dispatches."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from tg_bench.errors import UserInputError
from tg_bench.transferability.estimators.gbc import gbc
from tg_bench.transferability.estimators.hscore import hscore, reg_hscore
from tg_bench.transferability.estimators.leep import leep, nleep
from tg_bench.transferability.estimators.logme import logme
from tg_bench.transferability.estimators.nce import nce
from tg_bench.transferability.estimators.parc import parc
from tg_bench.transferability.estimators.sfda import sfda
from tg_bench.transferability.estimators.transrate import transrate
from tg_bench.transferability.estimators.validation import check_source_probs

Needs = Literal["features", "source_probs", "source_labels"]


@dataclass(frozen=True)
class Estimator:
    """One transferability estimator.

    fn: called as fn(<input named by needs>, labels, ...) -> float.
    needs: "features" (N, D) penultimate features; "source_probs" (N, C_s) probabilities of the model's own
    classification head; "source_labels" (N,) argmax of that head.
    metric: the `TransferabilityMethod.<metric>` member name used in published transferability_score_records.csv.
    paper: authors, year, venue and title.
    """

    name: str
    fn: Callable[..., float]
    needs: Needs
    metric: str
    paper: str

    @property
    def seeded(self) -> bool:
        """Whether fn takes a `seed` (it subsamples or initialises randomly)."""
        return "seed" in inspect.signature(self.fn).parameters


ESTIMATORS: dict[str, Estimator] = {
    estimator.name: estimator
    for estimator in (
        Estimator(
            "logme",
            logme,
            "features",
            "LOG_ME",
            "You, Liu, Wang, Long 2021 (ICML), LogME: Practical Assessment of Pre-trained Models for Transfer Learning",
        ),
        Estimator(
            "leep",
            leep,
            "source_probs",
            "LEEP",
            "Nguyen, Hassner, Seeger, Archambeau 2020 (ICML), LEEP: A New Measure to Evaluate Transferability of "
            "Learned Representations",
        ),
        Estimator(
            "nce",
            nce,
            "source_labels",
            "NCE",
            "Tran, Nguyen, Hassner 2019 (ICCV), Transferability and Hardness of Supervised Classification Tasks",
        ),
        Estimator(
            "hscore",
            hscore,
            "features",
            "H_SCORE",
            "Bao, Li, Huang, Zhang, Zheng, Zamir, Guibas 2019 (ICIP), An Information-Theoretic Approach to "
            "Transferability in Task Transfer Learning",
        ),
        Estimator(
            "reg_hscore",
            reg_hscore,
            "features",
            "REG_H_SCORE",
            "Ibrahim, Ponomareva, Mazumder 2022 (ECML PKDD), Newer is not always better: Rethinking transferability "
            "metrics, their peculiarities, stability and performance",
        ),
        Estimator(
            "nleep",
            nleep,
            "features",
            "N_LEEP",
            "Li, Jia, Sang, Zhu, Green, Wang, Gong 2021 (CVPR), Ranking Neural Checkpoints",
        ),
        Estimator(
            "transrate",
            transrate,
            "features",
            "TRANSRATE",
            "Huang, Huang, Rong, Yang, Wei 2022 (ICML), Frustratingly Easy Transferability Estimation",
        ),
        Estimator(
            "gbc",
            gbc,
            "features",
            "GBC",
            "Pándy, Agostinelli, Uijlings, Ferrari, Mensink 2022 (CVPR), Transferability Estimation using "
            "Bhattacharyya Class Separability",
        ),
        Estimator(
            "sfda",
            sfda,
            "features",
            "SFDA",
            "Shao, Zhao, Ge, Zhang, Yang, Wang, Shan, Luo 2022 (ECCV), Not All Models Are Equal: Predicting Model "
            "Transferability in a Self-challenging Fisher Space",
        ),
        Estimator(
            "parc",
            parc,
            "features",
            "PARC",
            "Bolya, Mittapalli, Hoffman 2021 (NeurIPS), Scalable Diverse Model Selection for Accessible Transfer "
            "Learning",
        ),
    )
}


def get_estimator(name: str) -> Estimator:
    """The estimator registered under `name` (a config name such as "logme"); UserInputError when unknown."""
    try:
        return ESTIMATORS[name]
    except (KeyError, TypeError):
        valid = ", ".join(sorted(ESTIMATORS))
        raise UserInputError(f"unknown transferability estimator {name!r}; valid names: {valid}") from None


def score(
    estimator_name: str,
    *,
    features: np.ndarray | None = None,
    source_probs: np.ndarray | None = None,
    labels: np.ndarray,
    seed: int = 0,
) -> float:
    """Score one model on one target with the named estimator (see `ESTIMATORS`); returns a float.

    features: (N, D) penultimate features; source_probs: (N, C_s) probabilities of the model's own head (NCE uses
    their argmax as source labels); labels: (N,) target labels. Only the input the estimator needs is required;
    a missing one raises UserInputError. `seed` reaches estimators that subsample or initialise randomly.
    """
    estimator = get_estimator(estimator_name)
    if estimator.needs == "features":
        if features is None:
            raise UserInputError(
                f"{estimator.name} needs the model's penultimate features (an (N, D) array); none were given"
            )
        first = features
    else:
        if source_probs is None:
            raise UserInputError(
                f"{estimator.name} needs the model's source-class probabilities; this model has no classification "
                "head (or its logits were not extracted before the head was replaced)"
            )
        first = source_probs
        if estimator.needs == "source_labels":
            first = np.argmax(check_source_probs(source_probs), axis=1)
    kwargs = {"seed": seed} if estimator.seeded else {}
    return float(estimator.fn(first, labels, **kwargs))
