"""Elasticity estimation on data whose true elasticities are known."""

import numpy as np
import pandas as pd
from smartretail.pricing.elasticity import estimate


def synthetic(elasticities: dict[str, float], days=500, stores=("S01", "S02"), seed=7, constant_price=()) -> pd.DataFrame:
    """Poisson demand with weekday, promotion and trend effects around a price that steps and dips."""
    rng = np.random.default_rng(seed)
    rows = []
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    for sku, e in elasticities.items():
        steps = np.repeat(rng.choice([0.9, 1.0, 1.1], size=days // 30 + 1), 30)[:days]
        promo = rng.random(days) < 0.08
        price = 3.0 * (1.0 if sku in constant_price else 1) * np.where(sku in constant_price, 1.0, steps * np.where(promo, 0.8, 1.0))
        for s, store in enumerate(stores):
            lam = (4 + 2 * s) * (price / 3.0) ** e * np.where(promo, 1.3, 1.0) * (1 + 0.2 * (dates.weekday >= 5)) * (1 + 0.1 * np.arange(days) / 365)
            units = rng.poisson(lam)
            rows.append(pd.DataFrame({"unique_id": f"{store}|{sku}", "ds": dates, "y": units.astype(float), "promo": promo.astype(int),
                                      "price": price, "censored": False, "category": "Snacks"}))
    return pd.concat(rows, ignore_index=True)


def test_true_elasticities_are_recovered_within_their_intervals():
    truth = {"A": -0.8, "B": -1.5, "C": -2.2, "D": -1.1}
    found = {e.sku_id: e for e in estimate(synthetic(truth), store_level=False)}
    for sku, true in truth.items():
        assert found[sku].identified, found[sku]
        assert found[sku].low <= true <= found[sku].high, found[sku]
        assert abs(found[sku].elasticity - true) < 0.3


def test_a_sku_whose_price_never_changed_gets_the_category_value_flagged_as_not_identified():
    found = {e.sku_id: e for e in estimate(synthetic({"A": -1.2, "B": -1.6, "FLAT": -2.0}, constant_price=("FLAT",)), store_level=False)}
    flat = found["FLAT"]
    assert not flat.identified
    assert flat.source == "category"
    assert "hardly changed" in flat.note
    assert flat.low < found["A"].elasticity < flat.high  # the category's value with a wide interval


def test_store_level_estimates_are_pooled_toward_their_sku():
    results = estimate(synthetic({"A": -1.5, "B": -1.0}, days=700))
    stores = [e for e in results if e.sku_id == "A" and e.store_id]
    sku = next(e for e in results if e.sku_id == "A" and e.store_id is None)
    assert {e.store_id for e in stores} == {"S01", "S02"}
    for e in stores:
        assert e.high - e.low >= (sku.high - sku.low) * 0.99
        assert e.low < -1.5 < e.high


def test_stockout_days_are_left_out():
    frame = synthetic({"A": -1.5, "B": -1.0})
    censored = frame.copy()
    # Sales capped by stock on half the high-demand days would bias the price effect toward zero.
    high = censored["y"] > censored.groupby("unique_id")["y"].transform("median")
    capped = high & (np.arange(len(censored)) % 2 == 0)
    censored.loc[capped, "y"] = 0
    censored.loc[capped, "censored"] = True
    clean = {e.sku_id: e.elasticity for e in estimate(frame, store_level=False)}
    left_out = {e.sku_id: e.elasticity for e in estimate(censored, store_level=False)}
    assert abs(left_out["A"] - clean["A"]) < 0.35
