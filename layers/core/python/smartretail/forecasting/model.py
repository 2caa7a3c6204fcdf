"""SmartRetail's demand forecast: one global LightGBM over all series, through mlforecast.

- Target log1p(units); lags and rolling statistics only at or beyond the horizon, so every day of
  the horizon is forecast from observed history (no recursion on its own predictions).
- Calendar features plus the known-future drivers and static attributes.
- P50 from an L2 model, P10/P90 from quantile models, then widened by conformalized quantile
  regression on a held-out window so the 80% interval covers what it claims.
- Closed days are forecast as 0.
"""

import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .features import DERIVED, calendar_drivers


@dataclass(frozen=True)
class ForecastConfig:
    horizon: int = 42
    drivers: tuple[str, ...] = ("open", "promo", "state_holiday", "school_holiday", "promo2_active")
    static: tuple[str, ...] = ()
    coverage: float = 0.8
    n_estimators: int = 400
    learning_rate: float = 0.05
    num_leaves: int = 63
    threads: int = 2
    seed: int = 7
    extra_lags: tuple[int, ...] = field(default=(364,))


def _lgbm(config: ForecastConfig, **objective) -> "object":
    import lightgbm as lgb

    return lgb.LGBMRegressor(
        n_estimators=config.n_estimators, learning_rate=config.learning_rate, num_leaves=config.num_leaves,
        min_child_samples=50, subsample=0.8, subsample_freq=1, colsample_bytree=0.8, n_jobs=config.threads,
        random_state=config.seed, verbosity=-1, **objective,
    )


def _mlforecast(config: ForecastConfig):
    from mlforecast import MLForecast
    from mlforecast.lag_transforms import RollingMean, SeasonalRollingMean
    from mlforecast.target_transforms import GlobalSklearnTransformer
    from sklearn.preprocessing import FunctionTransformer

    h = config.horizon
    lower, upper = (1 - config.coverage) / 2, 1 - (1 - config.coverage) / 2
    return MLForecast(
        models={
            "p50": _lgbm(config),
            "p10": _lgbm(config, objective="quantile", alpha=lower),
            "p90": _lgbm(config, objective="quantile", alpha=upper),
        },
        freq="D",
        lags=[h, h + 7, h + 14, *config.extra_lags],
        lag_transforms={
            h: [RollingMean(window_size=7), RollingMean(window_size=28), SeasonalRollingMean(season_length=7, window_size=8)],
        },
        date_features=["dayofweek", "day", "month", "dayofyear", "year"],
        target_transforms=[GlobalSklearnTransformer(FunctionTransformer(np.log1p, np.expm1))],
        num_threads=config.threads,
    )


@dataclass
class Forecaster:
    """Fit on a history frame (unique_id, ds, y, drivers, static) and forecast a future frame."""

    config: ForecastConfig = field(default_factory=ForecastConfig)

    def fit(self, history: pd.DataFrame, future: pd.DataFrame) -> "Forecaster":
        h = self.config.horizon
        frame = calendar_drivers(pd.concat([history, future.drop(columns=["y"], errors="ignore")], ignore_index=True))
        self._exog = [*self.config.drivers, *(c for c in DERIVED if c in frame)]
        columns = ["unique_id", "ds", *self._exog, *self.config.static]
        known = frame[columns]
        history = history[["unique_id", "ds", "y"]].merge(known, on=["unique_id", "ds"])
        cutoff = history["ds"].max()
        span = (cutoff - history["ds"].min()).days
        # A lag longer than the history would be empty: leave it out rather than feed a null column.
        self.config = replace(self.config, extra_lags=tuple(lag for lag in self.config.extra_lags if lag + 2 * h < span))
        calibration_start = cutoff - pd.Timedelta(days=h - 1)
        train = history[history["ds"] < calibration_start]
        recent = history[history["ds"] >= calibration_start]

        self._fcst = _mlforecast(self.config)
        with warnings.catch_warnings():  # early rows have no lag yet: LightGBM handles the nulls
            warnings.filterwarnings("ignore", message="Found null values")
            features = self._fcst.preprocess(train, static_features=list(self.config.static), dropna=False)
        open_days = features["open"] == 1  # closed days are 0 by rule: do not spend the model on them
        target = features["y"]
        x = features.drop(columns=["unique_id", "ds", "y"])
        self._fcst.fit_models(x[open_days], target[open_days].to_numpy())

        # Conformalized quantile regression on the held-out last horizon, in log space.
        held_out = self._predict_raw(recent.drop(columns=["y"]), known)
        joined = held_out.merge(recent[["unique_id", "ds", "y", "open"]], on=["unique_id", "ds"])
        joined = joined[joined["open"] == 1]
        log_y = np.log1p(joined["y"])
        scores = np.maximum(np.log1p(joined["p10"]) - log_y, log_y - np.log1p(joined["p90"]))
        level = min(1.0, np.ceil((len(scores) + 1) * self.config.coverage) / len(scores))
        self.interval_adjustment = float(np.quantile(scores, level))
        self._fcst.update(recent[["unique_id", "ds", "y", *self._exog, *self.config.static]].drop(columns=list(self.config.static)))
        self._known = known
        return self

    def _predict_raw(self, future: pd.DataFrame, known: pd.DataFrame) -> pd.DataFrame:
        x_df = known.merge(future[["unique_id", "ds"]], on=["unique_id", "ds"])[["unique_id", "ds", *self._exog]]
        horizon = int(x_df.groupby("unique_id")["ds"].nunique().max())
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Found null values")
            predictions = self._fcst.predict(h=horizon, X_df=x_df)
        return predictions.merge(future[["unique_id", "ds"]], on=["unique_id", "ds"])

    def predict(self, future: pd.DataFrame) -> pd.DataFrame:
        """unique_id, ds, p10, p50, p90 for every row of `future` (closed days 0)."""
        out = self._predict_raw(future, self._known)
        widen = self.interval_adjustment
        out["p10"] = np.expm1(np.log1p(out["p10"].clip(lower=0)) - widen)
        out["p90"] = np.expm1(np.log1p(out["p90"].clip(lower=0)) + widen)
        values = np.sort(out[["p10", "p50", "p90"]].clip(lower=0).to_numpy(), axis=1)
        out[["p10", "p50", "p90"]] = values
        closed = out.merge(self._known[["unique_id", "ds", "open"]], on=["unique_id", "ds"])["open"].to_numpy() == 0
        out.loc[closed, ["p10", "p50", "p90"]] = 0.0
        return out[["unique_id", "ds", "p10", "p50", "p90"]]
