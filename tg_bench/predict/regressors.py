"""The paper's regressors as scikit-learn estimators; hyper-parameters come from the `predictor` config group."""

from __future__ import annotations

from collections.abc import Mapping

from sklearn.base import RegressorMixin
from sklearn.ensemble import RandomForestRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tg_bench.errors import UserInputError

REGRESSORS = ("lr", "rf", "xgb")


def make_regressor(kind: str, params: Mapping | None, seed: int) -> RegressorMixin:
    """A fresh, seeded estimator. rf and xgb handle NaN natively. lr imputes missing values with the training
    mean (OLS cannot take NaN) and standardises the columns: OLS is scale-invariant in theory, but with raw
    parameter counts (~1e8) beside embeddings (~1e-2) the least-squares solver's rank cut-off drops the
    embedding directions and the fit degenerates to the metadata columns."""
    params = dict(params or {})
    if kind == "lr":
        return make_pipeline(
            SimpleImputer(strategy="mean", keep_empty_features=True), StandardScaler(), LinearRegression(**params)
        )
    if kind == "rf":
        return RandomForestRegressor(random_state=seed, **params)
    if kind == "xgb":
        from xgboost import XGBRegressor

        return XGBRegressor(random_state=seed, **params)
    raise UserInputError(f"predictor: unknown regressor {kind!r} (choose one of {', '.join(REGRESSORS)})")
