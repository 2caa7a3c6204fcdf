"""Known-future features derived from the driver calendar (open days, promotions, holidays).

Computed over history and horizon together, per series, because they only use drivers that are
known in advance: whether the store is closed tomorrow, how far into a promotion a day is, how many
promotion days the two weeks before it had (promotion sequences: back-to-back promotion weeks), how many
days to the next public holiday and since the last one (shopping moves around holidays: stocking up
before, a lull or a rebound after). Distances are capped; a day with no holiday within the cap reads
the cap. Days to the next holiday look at most `AHEAD_DAYS` ahead: the drivers end with the horizon,
so on its last days a later holiday is not known, and a short look ahead keeps that blind spot short
(a longer one, and days to the next promotion, were measured to hurt the horizon's last weeks).
"""

import pandas as pd

DERIVED = ("closed_yesterday", "closed_tomorrow", "promo_day", "promo_recent_days", "holiday_next_days", "days_to_holiday",
           "days_since_holiday")
AHEAD_DAYS, SINCE_DAYS, PROMO_DAYS = 7, 14, 14
LOOKBACK_DAYS = max(SINCE_DAYS, PROMO_DAYS)  # history days a forecast needs before its first day to derive these


def calendar_drivers(frame: pd.DataFrame) -> pd.DataFrame:
    """Adds closed_yesterday, closed_tomorrow, promo_day and (with state_holiday) holiday_next_days,
    days_to_holiday, days_since_holiday."""
    out = frame.sort_values(["unique_id", "ds"]).copy()
    by_series = out.groupby("unique_id", sort=False)
    out["closed_yesterday"] = (by_series["open"].shift(1, fill_value=1) == 0).astype("int8")
    out["closed_tomorrow"] = (by_series["open"].shift(-1, fill_value=1) == 0).astype("int8")
    run = (out["promo"] != by_series["promo"].shift(1, fill_value=0)).cumsum()
    out["promo_day"] = (out.groupby(["unique_id", run]).cumcount() + 1).where(out["promo"] == 1, 0).astype("int16")
    # Promotion sequences: promotion days in the two weeks before (a second promotion week in a row is
    # not the first, and promo_day restarts after each closed weekend).
    before = by_series["promo"].shift(1, fill_value=0)
    out["promo_recent_days"] = (before.groupby(out["unique_id"], sort=False).rolling(PROMO_DAYS, min_periods=1).sum()
                                .reset_index(level=0, drop=True)).astype("int8")
    if "state_holiday" not in out:
        return out
    holiday = (out["state_holiday"] > 0).astype("int8")
    out["holiday_next_days"] = sum(
        holiday.groupby(out["unique_id"]).shift(-k, fill_value=0) for k in range(1, 4)
    ).astype("int8")
    out["days_to_holiday"] = _days(out, holiday == 1, forward=True, cap=AHEAD_DAYS)
    out["days_since_holiday"] = _days(out, holiday == 1, forward=False, cap=SINCE_DAYS)
    return out


def _days(frame: pd.DataFrame, event: pd.Series, forward: bool, cap: int) -> pd.Series:
    """Per series, days to the next (or since the last) day with `event`, 0 on the day, capped."""
    dates = frame["ds"].where(event)
    nearest = dates.groupby(frame["unique_id"]).bfill() if forward else dates.groupby(frame["unique_id"]).ffill()
    gap = (nearest - frame["ds"]) if forward else (frame["ds"] - nearest)
    return gap.dt.days.fillna(cap).clip(upper=cap).astype("int8")
