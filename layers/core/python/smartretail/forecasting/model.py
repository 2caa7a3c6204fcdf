"""SmartRetail's demand forecast: one global LightGBM over all series, through mlforecast.

- Target log1p(units); lags and rolling statistics only at or beyond the horizon, so every day of
  the horizon is forecast from observed history (no recursion on its own predictions).
- Calendar features plus the known-future drivers and static attributes.
- P10/P50/P90 from quantile models (the median, not a mean of logs), P10/P90 then widened by conformalized quantile
  regression on held-out windows so the 80% interval covers what it claims.
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
    calibration_windows: int = 2  # held-out horizons the interval widening is calibrated on


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
            # The median of log1p(y) is the median of y: unbiased where an L2 fit on logs is not (low counts).
            "p50": _lgbm(config, objective="quantile", alpha=0.5),
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
    """fit(history) on unique_id, ds, y, drivers and static columns (optional `censored` marks stockout
    days whose sales understate demand); predict(future) from the future's drivers."""

    config: ForecastConfig = field(default_factory=ForecastConfig)

    def fit(self, history: pd.DataFrame) -> "Forecaster":
        h = self.config.horizon
        frame = calendar_drivers(history)
        self._exog = [*self.config.drivers, *(c for c in DERIVED if c in frame)]
        cutoff = frame["ds"].max()
        span = (cutoff - frame["ds"].min()).days
        # A lag longer than the history would be empty: leave it out rather than feed a null column.
        self.config = replace(self.config, extra_lags=tuple(lag for lag in self.config.extra_lags if lag + 2 * h < span))
        calibration_start = cutoff - pd.Timedelta(days=h - 1)
        # Conformalized quantile regression in log space, on the last `calibration_windows` horizons,
        # each predicted by models that never saw it; one window alone carries its own season (a
        # holiday period makes the band too wide for the next weeks, a quiet one too narrow).
        scores = []
        for k in range(self.config.calibration_windows - 1, -1, -1):  # oldest first; the last fit is the one served
            start = calibration_start - pd.Timedelta(days=h * k)
            if k and (start - frame["ds"].min()).days < 3 * h:
                continue  # too little history before this window to train on
            self._fcst = self._fit_before(frame, start)
            self._cutoff = start - pd.Timedelta(days=1)
            window = frame[(frame["ds"] >= start) & (frame["ds"] < start + pd.Timedelta(days=h))]
            joined = self._predict_known(window).merge(window[["unique_id", "ds", "y", "open"]], on=["unique_id", "ds"])
            joined = joined[joined["open"] == 1]
            log_y = np.log1p(joined["y"])
            scores.append(np.maximum(np.log1p(joined["p10"]) - log_y, log_y - np.log1p(joined["p90"])))
        scores = np.concatenate(scores)
        level = min(1.0, np.ceil((len(scores) + 1) * self.config.coverage) / len(scores))
        self.interval_adjustment = float(np.quantile(scores, level))
        recent = frame[frame["ds"] >= calibration_start]
        # The models stay as trained; the series move on to the last observed day.
        self._fcst.update(recent[["unique_id", "ds", "y"]])
        self._cutoff = cutoff
        self._tail = frame[frame["ds"] > cutoff - pd.Timedelta(days=7)][["unique_id", "ds", *self.config.drivers]]
        self.series = sorted(frame["unique_id"].unique())
        return self

    def _fit_before(self, frame: pd.DataFrame, start: pd.Timestamp) -> "object":
        """The quantile models trained on the days before `start`."""
        columns = ["unique_id", "ds", "y", *self._exog, *self.config.static]
        train = frame.loc[frame["ds"] < start, columns]
        fcst = _mlforecast(self.config)
        with warnings.catch_warnings():  # early rows have no lag yet: LightGBM handles the nulls
            warnings.filterwarnings("ignore", message="Found null values")
            features = fcst.preprocess(train, static_features=list(self.config.static), dropna=False)
        # Closed days are 0 by rule and stockout days understate demand: neither teaches the model.
        usable = (features["open"] == 1).to_numpy()
        if "censored" in frame:
            usable &= ~frame.loc[frame["ds"] < start, "censored"].fillna(False).astype(bool).to_numpy()
        x = features.drop(columns=["unique_id", "ds", "y"])
        fcst.fit_models(x[usable], features["y"].to_numpy()[usable])
        return fcst

    def _predict_known(self, rows: pd.DataFrame, ids: list[str] | None = None, features: list | None = None) -> pd.DataFrame:
        """Raw model output of the series `ids` (default: all) for rows whose drivers (and derived features) are all
        present; the model's input features of every step are appended to `features` when given."""
        horizon = int((rows["ds"].max() - self._cutoff).days)
        x_df = rows[["unique_id", "ds", *self._exog]]

        def keep(x: pd.DataFrame) -> pd.DataFrame:
            if features is not None:
                features.append(x.copy())
            return x

        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Found null values")
            predictions = self._fcst.predict(h=horizon, X_df=x_df, ids=ids, before_predict_callback=keep)
        return predictions.merge(rows[["unique_id", "ds"]], on=["unique_id", "ds"])

    def _complete(self, future: pd.DataFrame) -> pd.DataFrame:
        """Every known series on every day from the cutoff to the last future day; days the future
        does not mention are open, without promotion, at the last known price."""
        grid = pd.MultiIndex.from_product(
            [self.series, pd.date_range(self._cutoff + pd.Timedelta(days=1), future["ds"].max(), freq="D")],
            names=["unique_id", "ds"],
        )
        # A driver the caller does not give (e.g. no price plan) is filled like a day it does not mention.
        known = future[future["unique_id"].isin(self.series)].set_index(["unique_id", "ds"]).reindex(columns=list(self.config.drivers))
        full = known.reindex(grid).reset_index()
        combined = pd.concat([self._tail, full], ignore_index=True).sort_values(["unique_id", "ds"])
        if "price" in combined:
            combined["price"] = combined.groupby("unique_id")["price"].ffill()
        defaults = {"open": 1, "promo": 0, "state_holiday": 0, "school_holiday": 0, "promo2_active": 0}
        combined = combined.fillna({c: v for c, v in defaults.items() if c in combined})
        derived = calendar_drivers(combined)
        return derived[derived["ds"] > self._cutoff]

    def predict(self, future: pd.DataFrame, explain: bool = False) -> pd.DataFrame:
        """unique_id, ds, p10, p50, p90 for the rows of `future` whose series the model knows (closed
        days 0); with `explain`, also `drivers`: the feature groups that moved each P50 most."""
        if future["ds"].min() <= self._cutoff:
            raise ValueError(f"forecasts start after the last observed day ({self._cutoff.date()})")
        wanted_ids = set(future["unique_id"])
        ids = [uid for uid in self._fcst.ts.uids if uid in wanted_ids]  # mlforecast's order
        if not ids:
            raise ValueError("none of the requested series is known to the model")
        rows = self._complete(future)
        rows = rows[rows["unique_id"].isin(wanted_ids)]
        steps: list[pd.DataFrame] = []
        out = self._predict_known(rows, ids, steps if explain else None)
        if explain:
            out = out.merge(self._explain(steps, ids), on=["unique_id", "ds"], how="left")
        widen = self.interval_adjustment
        out["p10"] = np.expm1(np.log1p(out["p10"].clip(lower=0)) - widen)
        out["p90"] = np.expm1(np.log1p(out["p90"].clip(lower=0)) + widen)
        out[["p10", "p50", "p90"]] = np.sort(out[["p10", "p50", "p90"]].clip(lower=0).to_numpy(), axis=1)
        out = out.merge(rows[["unique_id", "ds", "open"]], on=["unique_id", "ds"])
        out.loc[out["open"] == 0, ["p10", "p50", "p90"]] = 0.0
        wanted = future[["unique_id", "ds"]].drop_duplicates()
        columns = ["unique_id", "ds", "p10", "p50", "p90", *(["drivers"] if explain else [])]
        return out.merge(wanted, on=["unique_id", "ds"])[columns]

    def _explain(self, steps: list[pd.DataFrame], ids: list[str]) -> pd.DataFrame:
        """Per forecast, LightGBM feature contributions of the P50 model (log scale) summed by driver
        group and turned into % effects, the three largest with impact high (>= 20%), medium (>= 5%), low.

        `steps` holds the features of every model's steps, the P50 model's first (mlforecast predicts
        model by model); contributions (TreeSHAP) are costly, so only the P50 steps are explained."""
        booster = self._fcst.models_["p50"].booster_
        horizon = len(steps) // len(self._fcst.models_)
        records = []
        for step, x in enumerate(steps[:horizon], start=1):
            assert len(x) == len(ids), "features of one step are one row per series predicted"
            contributions = booster.predict(x, pred_contrib=True)[:, :-1]  # last column: the bias
            groups = {}
            for column, values in zip(x.columns, contributions.T):
                group = driver_group(column)
                groups[group] = groups.get(group, 0) + values
            day = self._cutoff + pd.Timedelta(days=step)
            for i, uid in enumerate(ids):
                effects = sorted(((g, float(np.expm1(v[i]))) for g, v in groups.items()), key=lambda kv: -abs(kv[1]))[:3]
                records.append((uid, day, [
                    {"driver": g, "effect_pct": round(100 * e, 1), "direction": "up" if e >= 0 else "down",
                     "impact": "high" if abs(e) >= 0.2 else "medium" if abs(e) >= 0.05 else "low"}
                    for g, e in effects
                ]))
        return pd.DataFrame(records, columns=["unique_id", "ds", "drivers"])


def driver_group(feature: str) -> str:
    """The driver a model feature belongs to, in words a seller uses."""
    if feature.startswith(("lag", "rolling", "seasonal_rolling")):
        return "recent demand"
    if feature in ("promo", "promo_day", "promo2_active"):
        return "promotion"
    if feature == "price":
        return "price"
    if feature in ("state_holiday", "school_holiday", "holiday_next_days"):
        return "holidays"
    if feature in ("open", "closed_yesterday", "closed_tomorrow"):
        return "opening days"
    if feature in ("dayofweek", "day", "month", "dayofyear", "year"):
        return "season and weekday"
    return "store and product"
