"""SmartRetail's demand forecast: global LightGBM models over all series, through mlforecast.

- Target log1p(units). The direct model's lags and rolling statistics are all at or beyond the
  horizon, so every day of the horizon is forecast from observed history; it is blind to the last
  weeks, so a recursive model (lags from 1 day, fed its own predictions, closed days as 0) is blended
  in, its share largest on the first days and decaying over the horizon (`recursive_share`,
  `recursive_decay_days`, chosen on four Rossmann windows: benchmarks/forecast_rossmann).
- Calendar features plus the known-future drivers and static attributes.
- P50 from the blend of the two (the direct model a median, the recursive a mean of logs); P10/P90
  from quantile models, widened by conformalized quantile regression on held-out windows so the 80%
  interval covers what it claims.
- Closed days are forecast as 0.
"""

import itertools
import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .features import DERIVED, LOOKBACK_DAYS, calendar_drivers


@dataclass(frozen=True)
class ForecastConfig:
    horizon: int = 42
    drivers: tuple[str, ...] = ("open", "promo", "state_holiday", "school_holiday", "promo2_active")
    static: tuple[str, ...] = ()
    coverage: float = 0.8
    n_estimators: int = 400
    learning_rate: float = 0.05
    # The P10/P90 models: half the trees at twice the rate (their conformal widening absorbs the
    # difference), so that training stays within minutes.
    band_n_estimators: int = 200
    band_learning_rate: float = 0.1
    # ... and from a seeded random sample of at most this many rows: a quantile fit's cost grows
    # faster than its rows (half of Rossmann's rows fit in under half the time), and a sample of a
    # few hundred thousand days describes the spread nearly as well as all of them (Rossmann's four
    # windows: pinball 214.8 -> 216.0, the same coverage, the slowest window 148 s -> about 100 s).
    band_max_rows: int = 350_000
    num_leaves: int = 63
    threads: int = 2
    seed: int = 7
    extra_lags: tuple[int, ...] = field(default=(364,))
    calibration_windows: int = 2  # held-out horizons the interval widening is calibrated on
    # The recursive model's share of the P50 (in logs) on day d of the horizon: share * exp(-(d - 1) / decay).
    recursive_share: float = 0.7
    recursive_decay_days: float = 42.0


def _lgbm(config: ForecastConfig, band: bool = False, **objective) -> "object":
    import lightgbm as lgb

    return lgb.LGBMRegressor(
        n_estimators=config.band_n_estimators if band else config.n_estimators,
        learning_rate=config.band_learning_rate if band else config.learning_rate, num_leaves=config.num_leaves,
        min_child_samples=50, subsample=0.8, subsample_freq=1, colsample_bytree=0.8, n_jobs=config.threads,
        # Row-wise histograms: a fifth faster on a few dozen dense features over many rows.
        force_row_wise=True, random_state=config.seed, verbosity=-1, **objective,
    )


def _log_target() -> list:
    from mlforecast.target_transforms import GlobalSklearnTransformer
    from sklearn.preprocessing import FunctionTransformer

    return [GlobalSklearnTransformer(FunctionTransformer(np.log1p, np.expm1))]


def _direct(config: ForecastConfig, models: dict) -> "object":
    """`models` over lags at or beyond the horizon (no recursion on its own predictions); given empty,
    the models are fitted outside and set as `models_`."""
    from mlforecast import MLForecast
    from mlforecast.lag_transforms import RollingMean, SeasonalRollingMean

    h = config.horizon
    return MLForecast(
        models=models, freq="D",
        lags=[h, h + 7, h + 14, *config.extra_lags],
        lag_transforms={
            h: [RollingMean(window_size=7), RollingMean(window_size=28), SeasonalRollingMean(season_length=7, window_size=8)],
        },
        date_features=["dayofweek", "day", "month", "dayofyear", "year"],
        target_transforms=_log_target(), num_threads=config.threads,
    )


def _bands(config: ForecastConfig) -> dict:
    lower, upper = (1 - config.coverage) / 2, 1 - (1 - config.coverage) / 2
    return {"p10": _lgbm(config, band=True, objective="quantile", alpha=lower),
            "p90": _lgbm(config, band=True, objective="quantile", alpha=upper)}


def _median(config: ForecastConfig) -> "object":
    # The median of log1p(y) is the median of y: unbiased where an L2 fit on logs is not (low counts).
    return _lgbm(config, objective="quantile", alpha=0.5)


def _recursive(config: ForecastConfig) -> "object":
    """One step ahead from the last days' sales (lags 1, 7, 14, 28 and their weekly means), rolled over
    the horizon on its own predictions."""
    from mlforecast import MLForecast
    from mlforecast.lag_transforms import RollingMean, SeasonalRollingMean

    return MLForecast(
        models={"p50": _lgbm(config, objective="l2")}, freq="D",
        lags=[1, 7, 14, 28],
        lag_transforms={1: [RollingMean(window_size=7)],
                        7: [RollingMean(window_size=7), RollingMean(window_size=28), SeasonalRollingMean(season_length=7, window_size=4)]},
        date_features=["dayofweek", "day", "month", "dayofyear"],
        target_transforms=_log_target(), num_threads=config.threads,
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
        # The direct models' features once for all their fits: every lag is at least the horizon old,
        # so a row's features are the same whether or not later days are in the frame, and a held-out
        # window's features are all known before it starts.
        self._direct = _direct(self.config, {})
        x, days, y, usable = self._features(frame, self._direct)
        open_ = (x["open"] == 1).to_numpy()
        band_rows = usable.copy()
        if usable.sum() > self.config.band_max_rows:
            rng = np.random.default_rng(self.config.seed)
            band_rows &= rng.random(len(usable)) < self.config.band_max_rows / usable.sum()
        # Conformalized quantile regression in log space, on the last `calibration_windows` horizons,
        # each predicted by band models that never saw it; one window alone carries its own season (a
        # holiday period makes the band too wide for the next weeks, a quiet one too narrow).
        scores = []
        for k in range(self.config.calibration_windows - 1, -1, -1):  # oldest first; the last fit is the one served
            start = calibration_start - pd.Timedelta(days=h * k)
            if k and (start - frame["ds"].min()).days < 3 * h:
                continue  # too little history before this window to train on
            before = band_rows & (days < start.to_datetime64())
            bands = {name: model.fit(x[before], y[before]) for name, model in _bands(self.config).items()}
            window = open_ & (days >= start.to_datetime64()) & (days < (start + pd.Timedelta(days=h)).to_datetime64())
            low, high = (np.maximum(bands[q].predict(x[window]), 0) for q in ("p10", "p90"))
            scores.append(np.maximum(low - y[window], y[window] - high))
        scores = np.concatenate(scores)
        level = min(1.0, np.ceil((len(scores) + 1) * self.config.coverage) / len(scores))
        self.interval_adjustment = float(np.quantile(scores, level))
        # Served: the last held-out window's band models, as calibrated, and the P50's two models,
        # which learn from every day, the last weeks included.
        self._direct.models_ = {"p50": _median(self.config).fit(x[usable], y[usable]), **bands}
        self._recursive = _recursive(self.config)
        x, _, y, usable = self._features(frame, self._recursive)
        self._recursive.models_ = {"p50": self._recursive.models["p50"].fit(x[usable], y[usable])}
        self._cutoff = cutoff
        self._tail = frame[frame["ds"] > cutoff - pd.Timedelta(days=LOOKBACK_DAYS + 1)][["unique_id", "ds", *self.config.drivers]]
        self.series = sorted(frame["unique_id"].unique())
        return self

    def _features(self, frame: pd.DataFrame, fcst: "object") -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
        """`fcst`'s model inputs, day and log target of every row of `frame`, and which rows may teach a
        model: closed days are 0 by rule and stockout days understate demand."""
        columns = ["unique_id", "ds", "y", *self._exog, *self.config.static]
        with warnings.catch_warnings():  # early rows have no lag yet: LightGBM handles the nulls
            warnings.filterwarnings("ignore", message="Found null values")
            features = fcst.preprocess(frame[columns], static_features=list(self.config.static), dropna=False)
        usable = (features["open"] == 1).to_numpy()
        if "censored" in frame:
            usable &= ~frame["censored"].fillna(False).astype(bool).to_numpy()
        return features.drop(columns=["unique_id", "ds", "y"]), features["ds"].to_numpy(), features["y"].to_numpy(), usable

    def _predict(self, fcst: "object", rows: pd.DataFrame, ids: list[str], features: list | None = None) -> pd.DataFrame:
        """Raw output of `fcst` for the series `ids` (in mlforecast's order) on the rows whose drivers (and
        derived features) are all present; the model's input features of every step are appended to
        `features` when given. Closed days feed the next steps' lags as 0, as they were in training."""
        horizon = int((rows["ds"].max() - self._cutoff).days)
        x_df = rows[["unique_id", "ds", *self._exog]]
        days = pd.date_range(self._cutoff + pd.Timedelta(days=1), periods=horizon, freq="D")
        is_open = x_df.pivot(index="ds", columns="unique_id", values="open").reindex(index=days, columns=ids).fillna(1).to_numpy() == 1
        step = itertools.count()  # the steps of each model in turn

        def keep(x: pd.DataFrame) -> pd.DataFrame:
            if features is not None:
                features.append(x.copy())
            return x

        def closed_as_zero(predictions: np.ndarray) -> np.ndarray:
            return np.where(is_open[next(step) % horizon], predictions, 0.0)

        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Found null values")
            predictions = fcst.predict(h=horizon, X_df=x_df, ids=ids, before_predict_callback=keep,
                                       after_predict_callback=closed_as_zero)
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
        ids = [uid for uid in self._direct.ts.uids if uid in wanted_ids]  # mlforecast's order
        if not ids:
            raise ValueError("none of the requested series is known to the model")
        rows = self._complete(future)
        rows = rows[rows["unique_id"].isin(wanted_ids)]
        direct_steps: list[pd.DataFrame] = []
        recursive_steps: list[pd.DataFrame] = []
        keys = ["unique_id", "ds"]
        out = self._predict(self._direct, rows, ids, direct_steps if explain else None).merge(
            self._predict(self._recursive, rows, ids, recursive_steps if explain else None).rename(columns={"p50": "recursive"}), on=keys)
        share = self._recursive_weight(out["ds"])
        out["p50"] = np.expm1((1 - share) * np.log1p(out["p50"].clip(lower=0)) + share * np.log1p(out["recursive"].clip(lower=0)))
        if explain:
            out = out.merge(self._explain(direct_steps, recursive_steps, ids), on=keys, how="left")
        widen = self.interval_adjustment
        out["p10"] = np.expm1(np.log1p(out["p10"].clip(lower=0)) - widen)
        out["p90"] = np.expm1(np.log1p(out["p90"].clip(lower=0)) + widen)
        out[["p10", "p50", "p90"]] = np.sort(out[["p10", "p50", "p90"]].clip(lower=0).to_numpy(), axis=1)
        out = out.merge(rows[["unique_id", "ds", "open"]], on=["unique_id", "ds"])
        out.loc[out["open"] == 0, ["p10", "p50", "p90"]] = 0.0
        wanted = future[["unique_id", "ds"]].drop_duplicates()
        columns = ["unique_id", "ds", "p10", "p50", "p90", *(["drivers"] if explain else [])]
        return out.merge(wanted, on=["unique_id", "ds"])[columns]

    def _recursive_weight(self, days: pd.Series) -> np.ndarray:
        """The recursive model's weight in the P50 (in logs) on each day: largest on the first day after
        the cutoff, decaying over the horizon."""
        ahead = (days - self._cutoff).dt.days.to_numpy()
        return self.config.recursive_share * np.exp(-(ahead - 1) / self.config.recursive_decay_days)

    def _explain(self, direct_steps: list[pd.DataFrame], recursive_steps: list[pd.DataFrame], ids: list[str]) -> pd.DataFrame:
        """Per forecast, LightGBM feature contributions (TreeSHAP, log scale) of both P50 models,
        weighted as the blend weighs them (so they add up to the blended P50), summed by driver group
        and turned into % effects, the three largest with impact high (>= 20%), medium (>= 5%), low.

        The `*_steps` hold each model's input features, one frame per step of the horizon (the direct
        models' steps, P50's first, repeat for P10 and P90: zip reads P50's)."""
        direct, recursive = self._direct.models_["p50"].booster_, self._recursive.models_["p50"].booster_
        records = []
        for step, (x_direct, x_recursive) in enumerate(zip(direct_steps, recursive_steps), start=1):
            assert len(x_direct) == len(ids), "features of one step are one row per series predicted"
            day = self._cutoff + pd.Timedelta(days=step)
            share = float(self._recursive_weight(pd.Series([day]))[0])
            groups = {}
            for booster, x, weight in ((direct, x_direct, 1 - share), (recursive, x_recursive, share)):
                contributions = booster.predict(x, pred_contrib=True)[:, :-1]  # last column: the bias
                for column, values in zip(x.columns, contributions.T):
                    group = driver_group(column)
                    groups[group] = groups.get(group, 0) + weight * values
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
    if feature in ("promo", "promo_day", "promo_recent_days", "promo2_active"):
        return "promotion"
    if feature == "price":
        return "price"
    if feature in ("state_holiday", "school_holiday", "holiday_next_days", "days_to_holiday", "days_since_holiday"):
        return "holidays"
    if feature in ("open", "closed_yesterday", "closed_tomorrow"):
        return "opening days"
    if feature in ("dayofweek", "day", "month", "dayofyear", "year"):
        return "season and weekday"
    return "store and product"
