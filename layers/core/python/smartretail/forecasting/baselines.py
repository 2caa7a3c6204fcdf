"""The baselines every model must beat, computed the same way in the training job and benchmarks."""

import pandas as pd


def statsforecast_baselines(history: pd.DataFrame, horizon: int, models: tuple[str, ...] = ("seasonal_naive", "autoets"),
                            season_length: int = 7, coverage: float = 0.8, n_jobs: int = 2) -> dict[str, pd.DataFrame]:
    """{name: frame(unique_id, ds, p10, p50, p90)} for seasonal naive and AutoETS (statsforecast)."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, SeasonalNaive

    level = int(round(coverage * 100))
    available = {"seasonal_naive": SeasonalNaive(season_length=season_length), "autoets": AutoETS(season_length=season_length)}
    out = {}
    for name in models:
        model = available[name]
        predicted = StatsForecast(models=[model], freq="D", n_jobs=n_jobs).forecast(
            df=history[["unique_id", "ds", "y"]], h=horizon, level=[level]
        )
        column = str(model)
        out[name] = pd.DataFrame({
            "unique_id": predicted["unique_id"].astype(str), "ds": predicted["ds"],
            "p10": predicted[f"{column}-lo-{level}"].clip(lower=0), "p50": predicted[column].clip(lower=0),
            "p90": predicted[f"{column}-hi-{level}"].clip(lower=0),
        })
    return out
