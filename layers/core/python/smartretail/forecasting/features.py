"""Known-future features derived from the driver calendar (open days, promotions, holidays).

Computed over history and horizon together, per series, because they only use drivers that are
known in advance: whether the store is closed tomorrow, how far into a promotion a day is.
"""

import pandas as pd


DERIVED = ("closed_yesterday", "closed_tomorrow", "promo_day", "holiday_next_days")


def calendar_drivers(frame: pd.DataFrame) -> pd.DataFrame:
    """Adds closed_yesterday, closed_tomorrow, promo_day and (with state_holiday) holiday_next_days."""
    out = frame.sort_values(["unique_id", "ds"]).copy()
    by_series = out.groupby("unique_id", sort=False)
    out["closed_yesterday"] = (by_series["open"].shift(1, fill_value=1) == 0).astype("int8")
    out["closed_tomorrow"] = (by_series["open"].shift(-1, fill_value=1) == 0).astype("int8")
    run = (out["promo"] != by_series["promo"].shift(1, fill_value=0)).cumsum()
    out["promo_day"] = (out.groupby(["unique_id", run]).cumcount() + 1).where(out["promo"] == 1, 0).astype("int16")
    if "state_holiday" not in out:
        return out
    holiday = (out["state_holiday"] > 0).astype("int8")
    out["holiday_next_days"] = sum(
        holiday.groupby(out["unique_id"]).shift(-k, fill_value=0) for k in range(1, 4)
    ).astype("int8")
    return out
