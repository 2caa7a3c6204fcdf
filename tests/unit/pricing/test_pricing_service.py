"""Decision service: what it reads for a SKU, and what recommendations leave out and why."""

from datetime import date, timedelta

import pytest

from smartretail.adapters.memory import MemoryForecastStore, MemoryItemStore, MemoryModelRegistry
from smartretail.audit import AuditTrail
from smartretail.insights import store as insights
from smartretail.pricing.service import PricingService, PricingSuggestRequest, RecommendationsRequest
from smartretail.tenant_policy import TenantPolicyStore
from smartretail.errors import NotFound


def position(store, sku, on_hand, category="Snacks"):
    return {"store_id": store, "sku_id": sku, "category": category, "current_price": 2.0, "unit_cost": 1.2, "min_margin_pct": 10,
            "last_sales_date": "2026-11-20", "on_hand": on_hand, "on_order": 0, "lead_time_days": 3,
            "competitor_prices": {"A": 2.1}, "avg_daily_units_28": 4.0}


@pytest.fixture
def service():
    items, forecasts = MemoryItemStore(), MemoryForecastStore()
    series = [("S01", "SNA-001", 3), ("S01", "SNA-002", 80), ("S02", "SNA-001", None), ("S02", "SNA-002", None),
              ("S03", "SNA-001", 2), ("S03", "SNA-002", None)]
    positions = [position(s, k, h) for s, k, h in series]
    elasticities = [{"sku_id": "SNA-001", "store_id": None, "elasticity": -1.8, "low": -2.1, "high": -1.5, "identified": True,
                     "source": "pooled", "note": ""},
                    {"sku_id": "SNA-002", "store_id": None, "elasticity": None, "low": None, "high": None, "identified": False,
                     "source": "none", "note": "the price hardly changed"}]
    insights.replace(items, "t1", "fc-1", positions, elasticities)
    for store, sku, _ in series:
        forecasts.put_series("t1", store, sku, [{"date": (date(2026, 11, 21) + timedelta(days=i)).isoformat(),
                                                 "p10": 5, "p50": 10, "p90": 15, "model_version": "fc-1"} for i in range(28)])
    return PricingService(items, forecasts, MemoryModelRegistry(), TenantPolicyStore(items, AuditTrail(MemoryItemStore())))


def test_stores_and_series_with_unknown_stock_are_left_out_and_listed(service):
    result = service.recommendations("t1", RecommendationsRequest())
    assert result["excluded"]["stores_with_unknown_on_hand"] == ["S02"]  # S03 still has one series with known stock
    assert {"store_id": "S03", "sku_ids": ["SNA-002"]} in result["excluded"]["series_with_unknown_on_hand"]
    assert {(a["store_id"], a["sku_id"]) for a in result["actions"]} <= {("S01", "SNA-001"), ("S01", "SNA-002"), ("S03", "SNA-001")}
    reorders = {(a["store_id"], a["sku_id"]) for a in result["actions"] if a["type"] == "reorder"}
    assert reorders == {("S01", "SNA-001"), ("S03", "SNA-001")}  # 3 and 2 units on hand against 10 a day


def test_a_sku_without_an_elasticity_is_priced_by_the_labelled_fallback(service):
    result = service.suggest("t1", PricingSuggestRequest(sku_id="SNA-002", store_id="S01"))
    assert result["method"] == "fallback_competitor_parity"
    assert "no elasticity can be estimated yet" in result["notes"][0]


def test_a_price_sent_by_the_seller_rebases_the_forecast_units(service):
    at_stored = service.suggest("t1", PricingSuggestRequest(sku_id="SNA-001", store_id="S01"))
    at_lower = service.suggest("t1", PricingSuggestRequest(sku_id="SNA-001", store_id="S01", current_price=1.8))
    assert at_stored["evidence"]["baseline_units"] == 70
    assert at_lower["evidence"]["baseline_units"] == pytest.approx(70 * (1.8 / 2.0) ** -1.8, abs=0.01)
    assert "re-based" in at_lower["notes"][0]


def test_an_unknown_series_is_not_found(service):
    with pytest.raises(NotFound):
        service.suggest("t1", PricingSuggestRequest(sku_id="NOPE", store_id="S01"))
    with pytest.raises(NotFound):
        service.recommendations("t2", RecommendationsRequest())


def test_ranked_recommendations_are_kept_until_what_they_came_from_changes():
    from smartretail.adapters.memory import MemoryResultCache
    from smartretail.auth import Principal
    from smartretail.tenant_policy import TenantPolicy

    items, forecasts, cache = MemoryItemStore(), MemoryForecastStore(), MemoryResultCache()
    insights.replace(items, "t1", "fc-1", [position("S01", "SNA-001", 3, "Snacks"), position("S01", "DRK-001", 3, "Drinks")], [])
    for sku in ("SNA-001", "DRK-001"):
        forecasts.put_series("t1", "S01", sku, [{"date": (date(2026, 11, 21) + timedelta(days=i)).isoformat(),
                                                 "p10": 5, "p50": 10, "p90": 15} for i in range(28)])
    policies = TenantPolicyStore(items, AuditTrail(MemoryItemStore()))
    service = PricingService(items, forecasts, MemoryModelRegistry(), policies, cache)
    assert service.warm("t1") == 2  # S01, and every store
    assert len(cache.entries) == 2
    forecasts.fail_next(AssertionError("ranked again instead of read from the cache"), times=100)
    snacks = service.recommendations("t1", RecommendationsRequest(store_id="S01", category="snacks", limit=1))
    assert [(a["sku_id"], a["type"]) for a in snacks["actions"]] == [("SNA-001", "reorder")]
    with pytest.raises(NotFound):
        service.recommendations("t1", RecommendationsRequest(store_id="S01", category="Frozen"))
    forecasts._faults.clear()
    policy = TenantPolicy()
    policy.inventory.service_level = 0.99
    policies.set(Principal("m", "t1", frozenset({"managers"})), policy)
    service.recommendations("t1", RecommendationsRequest(store_id="S01"))
    assert len(cache.entries) == 3  # a new policy: ranked again, under a new key


def test_price_advice_is_kept_by_its_inputs_and_a_fallbacks_is_not():
    from smartretail.adapters.memory import MemoryResultCache, aws_error

    items, forecasts, cache = MemoryItemStore(), MemoryForecastStore(), MemoryResultCache()
    insights.replace(items, "t1", "fc-1", [position("S01", "SNA-001", 30)],
                     [{"sku_id": "SNA-001", "store_id": None, "elasticity": -1.8, "low": -2.1, "high": -1.5, "identified": True,
                       "source": "pooled", "note": ""}])
    service = PricingService(items, forecasts, MemoryModelRegistry(), TenantPolicyStore(items, AuditTrail(MemoryItemStore())), cache)
    request = PricingSuggestRequest(sku_id="SNA-001", store_id="S01")
    forecasts.fail_next(aws_error("ThrottlingException", "Query"))
    degraded = service.suggest("t1", request)
    assert any("unavailable" in n for n in degraded["notes"]) and not cache.entries  # a fallback's answer is not kept
    first = service.suggest("t1", request)
    assert len(cache.entries) == 1
    forecasts.fail_next(AssertionError("computed again instead of read from the cache"), times=10)
    assert service.suggest("t1", request) == first


def test_reorder_plans_list_every_series_of_a_store_due_ones_first_with_why_a_series_has_none(service):
    from smartretail.pricing.service import ReorderPlansRequest

    plans = service.reorder_plans("t1", ReorderPlansRequest(store_id="s03"))["plans"]
    assert [(p["sku_id"], p["plan"] is not None) for p in plans] == [("SNA-001", True), ("SNA-002", False)]
    due = plans[0]["plan"]
    assert due["reorder_now"] and due["safety_stock"] > 0 and due["reorder_point"] > 2 and due["order_quantity"] > 0
    assert set(due["stockout_risk"]) == {"7d", "14d"} and due["explanation"]["safety_stock"]
    assert plans[1]["reason"] == "on-hand stock is unknown"
    s01 = service.reorder_plans("t1", ReorderPlansRequest(store_id="S01", due_only=True))["plans"]
    assert [p["sku_id"] for p in s01] == ["SNA-001"]  # 80 on hand of SNA-002 covers its reorder point
    assert service.reorder_plans("t1", ReorderPlansRequest(store_id="S01", category="Dairy"))["plans"] == []


def test_reorders_and_prices_follow_a_managers_forecast_override_as_soon_as_it_is_set():
    from smartretail.adapters.memory import MemoryResultCache
    from smartretail.auth import Principal
    from smartretail.forecasting.overrides import ForecastOverrides, OverrideRequest
    from smartretail.pricing.service import ReorderPlansRequest

    items, forecasts, cache = MemoryItemStore(), MemoryForecastStore(), MemoryResultCache()
    insights.replace(items, "t1", "fc-1", [position("S01", "SNA-001", 70), position("S01", "SNA-002", 70)], [])
    for sku in ("SNA-001", "SNA-002"):
        forecasts.put_series("t1", "S01", sku, [{"date": (date(2026, 11, 21) + timedelta(days=i)).isoformat(),
                                                 "p10": 5, "p50": 10, "p90": 15} for i in range(28)])
    service = PricingService(items, forecasts, MemoryModelRegistry(), TenantPolicyStore(items, AuditTrail(MemoryItemStore())), cache)
    plans = {p["sku_id"]: p["plan"] for p in service.reorder_plans("t1", ReorderPlansRequest(store_id="S01"))["plans"]}
    assert plans["SNA-001"]["protection_demand"] == pytest.approx(40)  # 4 days (lead 3 + review 1) of 10
    assert not [a for a in service.recommendations("t1", RecommendationsRequest(store_id="S01"))["actions"]
                if a["type"] == "reorder"]  # 70 on hand covers the reorder point

    # A street festival: the manager doubles SNA-001's forecast; SNA-002 and the other tenant's data are untouched.
    ForecastOverrides(items, AuditTrail(MemoryItemStore())).create(
        Principal("m", "t1", frozenset({"managers"})),
        OverrideRequest(store_id="S01", sku_id="SNA-001", start=date(2026, 11, 21), end=date(2026, 12, 31), percent=100,
                        reason="street festival", expires_on=date(2099, 12, 31)))
    plans = {p["sku_id"]: p["plan"] for p in service.reorder_plans("t1", ReorderPlansRequest(store_id="S01"))["plans"]}
    assert plans["SNA-001"]["protection_demand"] == pytest.approx(80)
    assert plans["SNA-002"]["protection_demand"] == pytest.approx(40)
    reorders = [a for a in service.recommendations("t1", RecommendationsRequest(store_id="S01"))["actions"] if a["type"] == "reorder"]
    assert [a["sku_id"] for a in reorders] == ["SNA-001"]  # the kept ranking was not served: the override changed its inputs
    assert service.suggest("t1", PricingSuggestRequest(sku_id="SNA-001", store_id="S01"))["evidence"]["baseline_units"] == pytest.approx(140)
