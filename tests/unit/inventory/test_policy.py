"""Reorder plans from forecast quantiles."""

import pytest

from smartretail.inventory.policy import ForecastDay, InventoryPolicy, StockPosition, plan, stockout_probability


def days(p50=10.0, spread=4.0, n=28):
    return [ForecastDay(f"2026-01-{i + 1:02d}", max(p50 - spread, 0), p50, p50 + spread) for i in range(n)]


def test_safety_stock_and_reorder_point_grow_with_the_service_level():
    low = plan(days(), StockPosition(on_hand=20, lead_time_days=3), InventoryPolicy(service_level=0.9))
    high = plan(days(), StockPosition(on_hand=20, lead_time_days=3), InventoryPolicy(service_level=0.99))
    assert 0 < low.safety_stock < high.safety_stock
    assert high.reorder_point == pytest.approx(40 + high.safety_stock)  # 4 days (lead 3 + review 1) of 10 units


def test_the_order_brings_stock_back_to_the_reorder_point_and_is_explained():
    result = plan(days(), StockPosition(on_hand=20, on_order=5, lead_time_days=3))
    assert result.reorder_now
    assert result.order_quantity == pytest.approx(result.reorder_point - 25, abs=1)
    assert "reorder point" in result.explanation["order_quantity"]
    assert "95% service level" in result.explanation["safety_stock"]


def test_minimum_order_quantity_and_maximum_order_bound_the_quantity():
    assert plan(days(), StockPosition(on_hand=30, lead_time_days=3), InventoryPolicy(moq=48)).order_quantity == 48
    capped = plan(days(), StockPosition(on_hand=0, lead_time_days=3), InventoryPolicy(max_order_qty=20))
    assert capped.order_quantity == 20
    assert "capped" in capped.explanation["order_quantity"]


def test_enough_stock_means_no_order():
    result = plan(days(), StockPosition(on_hand=500, lead_time_days=3))
    assert not result.reorder_now
    assert result.order_quantity == 0
    assert result.stockout_risk["7d"] < 0.01


def test_eoq_when_ordering_and_holding_costs_are_known():
    result = plan(days(), StockPosition(on_hand=30, lead_time_days=3, unit_cost=2.0),
                  InventoryPolicy(ordering_cost=50, holding_cost_pct=25))
    assert result.eoq == pytest.approx((2 * 10 * 365 * 50 / 0.5) ** 0.5)
    assert result.order_quantity == pytest.approx(result.eoq, abs=1)


def test_stockout_risk_rises_with_the_horizon_and_counts_stock_on_order_only_once_it_arrives():
    result = plan(days(), StockPosition(on_hand=60, on_order=200, lead_time_days=10))
    assert result.stockout_risk["7d"] < result.stockout_risk["14d"] or result.stockout_risk["14d"] < 0.01
    assert stockout_probability(days(), 60, 7) < stockout_probability(days(), 60, 14)


def test_correlated_forecast_errors_widen_the_band_of_a_period():
    independent = plan(days(), StockPosition(on_hand=0, lead_time_days=6), InventoryPolicy(error_correlation=0.0))
    locked = plan(days(), StockPosition(on_hand=0, lead_time_days=6), InventoryPolicy(error_correlation=1.0))
    assert locked.demand_sd == pytest.approx(7 * independent.demand_sd / 7 ** 0.5)


def test_unknown_stock_gets_no_advice():
    with pytest.raises(ValueError, match="unknown"):
        plan(days(), StockPosition(on_hand=None))


def test_an_item_that_sells_on_some_days_is_planned_on_its_expected_demand_not_its_median():
    # Sells on about a third of days: every day's median is 0, its P90 3 units.
    sparse = [ForecastDay(f"2026-01-{i + 1:02d}", 0.0, 0.0, 3.0) for i in range(28)]
    result = plan(sparse, StockPosition(on_hand=0, lead_time_days=6))
    assert sparse[0].mean == pytest.approx(0.9)  # 0.3 P10 + 0.4 P50 + 0.3 P90
    assert result.protection_demand == pytest.approx(7 * 0.9)
    assert result.lead_time_demand == pytest.approx(6 * 0.9)
    assert result.reorder_now and result.order_quantity >= 7


def test_a_day_whose_source_is_an_average_keeps_that_average():
    day = ForecastDay("2026-01-01", 0.0, 2.0, 6.0, known_mean=2.0)
    assert day.mean == 2.0
    assert ForecastDay("2026-01-01", 0.0, 2.0, 6.0).mean == pytest.approx(2.6)
