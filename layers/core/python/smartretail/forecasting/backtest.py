"""Rolling-origin backtest: refit at several cutoffs, forecast the next horizon, score on open days,
for our model and the baselines, overall and per group (e.g. category)."""

from dataclasses import replace

import pandas as pd

from .artefacts import beats
from .baselines import statsforecast_baselines
from .metrics import error_correlation, scorecard
from .model import ForecastConfig, Forecaster


def cutoffs(last_day: pd.Timestamp, horizon: int, windows: int) -> list[pd.Timestamp]:
    """Non-overlapping windows ending on the last observed day, oldest first."""
    return [last_day - pd.Timedelta(days=horizon * k) for k in range(windows, 0, -1)]


def _score(frame: pd.DataFrame, columns: tuple[str, str, str]) -> dict[str, float]:
    open_days = frame[frame["open"] == 1]
    return scorecard(*(open_days[c].to_numpy(dtype=float) for c in ("y", *columns)))


def rolling_origin(frame: pd.DataFrame, config: ForecastConfig, windows: int = 3, group: str | None = None,
                   baselines: tuple[str, ...] = ("seasonal_naive", "autoets")) -> dict:
    """Evaluation of `frame` (unique_id, ds, y, drivers, static[, group]) at `windows` cutoffs."""
    if windows < 1:
        raise ValueError("a backtest needs at least one window")
    h = config.horizon
    results, per_window = [], []
    for cutoff in cutoffs(frame["ds"].max(), h, windows):
        history = frame[frame["ds"] <= cutoff]
        future = frame[(frame["ds"] > cutoff) & (frame["ds"] <= cutoff + pd.Timedelta(days=h))]
        drivers = future.drop(columns=["y"])
        forecasts = {"smartretail": Forecaster(replace(config)).fit(history).predict(drivers)}
        forecasts.update(statsforecast_baselines(history, h, baselines))
        window = future[["unique_id", "ds", "y", "open", *([group] if group else [])]].copy()
        for name, forecast in forecasts.items():
            renamed = forecast.rename(columns={q: f"{name}:{q}" for q in ("p10", "p50", "p90")})
            window = window.merge(renamed, on=["unique_id", "ds"], how="left")
            for q in ("p10", "p50", "p90"):  # closed days are 0 for every system
                window.loc[window["open"] == 0, f"{name}:{q}"] = 0.0
        per_window.append({"cutoff": cutoff.date().isoformat(),
                           **{name: _score(window, (f"{name}:p10", f"{name}:p50", f"{name}:p90"))["wape"] for name in forecasts}})
        results.append(window)
    joined = pd.concat(results, ignore_index=True)
    systems = ["smartretail", *baselines]
    evaluation = {
        "horizon_days": h,
        "windows": per_window,
        "overall": {name: _score(joined, (f"{name}:p10", f"{name}:p50", f"{name}:p90")) for name in systems},
    }
    ours = joined[joined["open"] == 1].sort_values(["unique_id", "ds"])
    correlation = error_correlation(ours["unique_id"].to_numpy(), ours["y"].to_numpy(dtype=float),
                                    *(ours[f"smartretail:{q}"].to_numpy(dtype=float) for q in ("p10", "p50", "p90")))
    evaluation["error_correlation"] = round(correlation, 4) if correlation == correlation else None
    if group:
        evaluation["per_group"] = {
            str(key): {name: _score(part, (f"{name}:p10", f"{name}:p50", f"{name}:p90"))["wape"] for name in systems}
            for key, part in joined.groupby(group) if (part["open"] == 1).any() and part["y"].sum() > 0
        }
    best_baseline = min(baselines, key=lambda b: evaluation["overall"][b]["wape"]) if baselines else None
    evaluation["best_baseline"] = best_baseline
    evaluation["beats_baselines"] = beats(evaluation["overall"]["smartretail"]["wape"],
                                          evaluation["overall"][best_baseline]["wape"] if best_baseline else None)
    return evaluation


