"""Regressors of the feature table: any scikit-learn-style estimator built from `tg_bench/conf/predictor/*.yaml`
(`_partial_: true`, so each fit gets a fresh one seeded with `random_state`), checked before the first target.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

#: what a predictor config builds: returns an unfitted estimator, called with the run's seed as `random_state`
#: when it takes one
RegressorFactory = Callable[..., RegressorMixin]


def standardized_ols(*, random_state: int | None = None, **ols_params: object) -> Pipeline:
    """Ordinary least squares (`LinearRegression(**ols_params)`) after mean imputation and standardisation.

    OLS cannot take NaN, hence the imputer. OLS is scale-invariant in theory, but with raw parameter counts
    (~1e8) beside embeddings (~1e-2) the least-squares solver's rank cut-off drops the embedding directions
    and the fit degenerates to the metadata columns, hence the scaler. `random_state` is taken (OLS has
    nothing random) because the other keywords go on to `LinearRegression`, which would refuse it.
    """
    del random_state
    return make_pipeline(
        SimpleImputer(strategy="mean", keep_empty_features=True), StandardScaler(), LinearRegression(**ols_params)
    )


def takes_random_state(factory: RegressorFactory) -> bool:
    """Whether `factory` accepts `random_state` (by name, or through `**kwargs` as xgboost's regressors do)."""
    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: try the seed
        return True
    return any(p.name == "random_state" or p.kind is p.VAR_KEYWORD for p in parameters)


def make_regressor(factory: RegressorFactory, seed: int) -> RegressorMixin:
    """A fresh estimator from `factory`, seeded with `seed` when it has anything random (`random_state`)."""
    return factory(random_state=seed) if takes_random_state(factory) else factory()


def constructor_parameters(estimator: object) -> set[str]:
    """The explicit constructor arguments of every class in the estimator's MRO (xgboost's `XGBRegressor` takes
    `**kwargs` and forwards them to `XGBModel`, whose arguments are the real ones)."""
    names: set[str] = set()
    for cls in type(estimator).__mro__:
        if "__init__" not in vars(cls) or cls is object:
            continue
        for parameter in inspect.signature(cls.__init__).parameters.values():
            if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY) and parameter.name != "self":
                names.add(parameter.name)
    return names


def check_regressor(factory: RegressorFactory, config_keys: set[str]) -> None:
    """Fail before the first target on what would otherwise fail (or be ignored) mid-run.

    Keys of the config that no class of the estimator takes are reported (xgboost accepts any keyword and
    only warns at fit time); then a seeded estimator is fitted on a 6 x 2 toy table, which is where
    scikit-learn and xgboost validate parameter values. Raises ValueError / TypeError with the reason.
    """
    estimator = make_regressor(factory, seed=0)
    # a factory that builds a pipeline (standardized_ols) passes its keys on by name, which rejects unknown ones
    if not isinstance(estimator, Pipeline):
        unknown = sorted(config_keys - constructor_parameters(estimator) - {"random_state"})
        if unknown:
            raise TypeError(f"unexpected parameter(s) {', '.join(unknown)} for {type(estimator).__name__}")
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = np.linspace(0.0, 1.0, 6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator.fit(x, y)
