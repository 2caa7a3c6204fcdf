"""The forecaster on synthetic series whose drivers are known: weekly pattern, promotions, closures."""

import numpy as np
import pandas as pd
import pytest

from smartretail.forecasting.features import calendar_drivers
from smartretail.forecasting.metrics import coverage, wape
from smartretail.forecasting.model import ForecastConfig, Forecaster

HORIZON = 14


def synthetic(series: int = 8, days: int = 400, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    dates = pd.date_range("2023-01-01", periods=days, freq="D")
    for s in range(series):
        level = rng.uniform(50, 200)
        promo = (np.arange(days) // 7) % 4 == 0  # one promotion week in four
        for i, day in enumerate(dates):
            open_ = day.dayofweek != 6  # closed on Sundays
            mean = level * (1.3 if day.dayofweek == 5 else 1.0) * (1.5 if promo[i] else 1.0)
            rows.append((str(s), day, int(open_), int(promo[i]), 0, 0, 0, float(rng.poisson(mean)) if open_ else 0.0))
    return pd.DataFrame(rows, columns=["unique_id", "ds", "open", "promo", "state_holiday", "school_holiday", "promo2_active", "y"])


@pytest.fixture(scope="module")
def split():
    frame = synthetic()
    cutoff = frame["ds"].max() - pd.Timedelta(days=HORIZON)
    return frame[frame["ds"] <= cutoff], frame[frame["ds"] > cutoff]


@pytest.fixture(scope="module")
def forecast(split):
    history, future = split
    config = ForecastConfig(horizon=HORIZON, n_estimators=80, extra_lags=())
    return Forecaster(config).fit(history).predict(future.drop(columns=["y"]))


def test_every_series_and_day_of_the_horizon_is_forecast_in_order(split, forecast):
    _, future = split
    assert len(forecast) == len(future)
    assert (forecast["p10"] <= forecast["p50"]).all()
    assert (forecast["p50"] <= forecast["p90"]).all()


def test_closed_days_are_forecast_as_zero(split, forecast):
    _, future = split
    joined = future.merge(forecast, on=["unique_id", "ds"])
    assert (joined.loc[joined["open"] == 0, ["p10", "p50", "p90"]] == 0).all().all()


def test_the_model_uses_known_promotions_and_beats_a_seasonal_naive_forecast(split, forecast):
    history, future = split
    joined = future.merge(forecast, on=["unique_id", "ds"])
    open_days = joined[joined["open"] == 1]
    last_week = history.groupby("unique_id").tail(7).assign(dow=lambda d: d["ds"].dt.dayofweek)
    naive = open_days.assign(dow=open_days["ds"].dt.dayofweek).merge(last_week[["unique_id", "dow", "y"]], on=["unique_id", "dow"], suffixes=("", "_naive"))
    assert wape(open_days["y"].to_numpy(), open_days["p50"].to_numpy()) < 0.8 * wape(naive["y"].to_numpy(), naive["y_naive"].to_numpy())
    promo_lift = open_days.groupby("promo")["p50"].mean()
    assert promo_lift[1] > 1.3 * promo_lift[0]


def test_the_80_percent_band_covers_roughly_80_percent(split, forecast):
    _, future = split
    joined = future.merge(forecast, on=["unique_id", "ds"])
    open_days = joined[joined["open"] == 1]
    assert 0.65 <= coverage(open_days["y"].to_numpy(), open_days["p10"].to_numpy(), open_days["p90"].to_numpy()) <= 0.95


def test_calendar_drivers_know_tomorrows_closure_and_the_day_of_a_promotion():
    frame = pd.DataFrame({
        "unique_id": ["a"] * 5, "ds": pd.date_range("2024-01-01", periods=5),
        "open": [1, 1, 0, 1, 1], "promo": [0, 1, 1, 1, 0], "state_holiday": [0, 0, 0, 0, 1],
    })
    out = calendar_drivers(frame)
    assert out["closed_tomorrow"].tolist() == [0, 1, 0, 0, 0]
    assert out["closed_yesterday"].tolist() == [0, 0, 0, 1, 0]
    assert out["promo_day"].tolist() == [0, 1, 2, 3, 0]
    assert out["promo_recent_days"].tolist() == [0, 0, 1, 2, 3]  # promotion days before each day, within two weeks
    assert out["holiday_next_days"].tolist() == [0, 1, 1, 1, 0]
    assert out["days_to_holiday"].tolist() == [4, 3, 2, 1, 0]
    assert out["days_since_holiday"].tolist() == [14, 14, 14, 14, 0]  # none known before: the cap


def test_the_recursive_model_carries_a_level_change_of_the_last_days_into_the_first_days():
    """Demand doubles six days before the cutoff: the direct model's lags (14 days and more) have
    not seen it on the first days of the horizon; the blend with the recursive model has."""
    frame = synthetic(series=6, days=300, seed=5)
    cutoff = frame["ds"].max() - pd.Timedelta(days=HORIZON)
    step = frame["ds"] > cutoff - pd.Timedelta(days=6)
    frame.loc[step, "y"] = frame.loc[step, "y"] * 2
    history, future = frame[frame["ds"] <= cutoff], frame[frame["ds"] > cutoff]
    first_week = future[(future["ds"] <= cutoff + pd.Timedelta(days=7)) & (future["open"] == 1)]

    def first_week_wape(share: float) -> float:
        config = ForecastConfig(horizon=HORIZON, n_estimators=150, extra_lags=(), recursive_share=share)
        joined = first_week.merge(Forecaster(config).fit(history).predict(future.drop(columns=["y"])), on=["unique_id", "ds"])
        return wape(joined["y"].to_numpy(), joined["p50"].to_numpy())

    blended, direct = first_week_wape(0.7), first_week_wape(0.0)
    assert blended < 0.8 * direct


def test_explained_drivers_cover_both_models_of_the_blend(split):
    history, future = split
    config = ForecastConfig(horizon=HORIZON, n_estimators=30, extra_lags=())
    some = future[future["unique_id"].isin(["0", "1"])].drop(columns=["y"])
    out = Forecaster(config).fit(history).predict(some, explain=True)
    assert len(out) == len(some)
    assert all(1 <= len(d) <= 3 for d in out["drivers"])
    named = {d["driver"] for drivers in out["drivers"] for d in drivers}
    assert "promotion" in named or "season and weekday" in named
