"""The paper's regressors as scikit-learn estimators; hyper-parameters come from the `predictor` config group."""

from __future__ import annotations

from collections.abc import Mapping

from sklearn.base import RegressorMixin
from sklearn.ensemble import RandomForestRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline

from tg_bench.errors import UserInputError

REGRESSORS = ("lr", "rf", "xgb")


def make_regressor(kind: str, params: Mapping | None, seed: int) -> RegressorMixin:
    """A fresh, seeded estimator. lr imputes missing values with the training mean (OLS cannot take NaN);
    rf and xgb handle NaN natively."""
    params = dict(params or {})
    if kind == "lr":
        return make_pipeline(SimpleImputer(strategy="mean", keep_empty_features=True), LinearRegression(**params))
    if kind == "rf":
        return RandomForestRegressor(random_state=seed, **params)
    if kind == "xgb":
        from xgboost import XGBRegressor

        return XGBRegressor(random_state=seed, **params)
    raise UserInputError(f"predictor: unknown regressor {kind!r} (choose one of {', '.join(REGRESSORS)})")
