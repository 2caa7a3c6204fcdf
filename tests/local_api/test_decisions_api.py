"""Pricing, recommendations, policy, approvals and alerts through the emulated API Gateway, on a
tenant trained by the local pipeline (its positions and elasticities loaded by LoadInsights)."""

import pytest

from local_stack.stack import http_json

TENANT = "tenant-f"  # the trained_tenant fixture's


@pytest.fixture(scope="module")
def api(local, trained_tenant):
    tokens, _, run = trained_tenant
    assert run.insights, run.insights
    assert run.insights["positions"] == 6, run.insights

    def call(method, path, who="seller", body=None, headers=None):
        token = tokens[who] if who in tokens else local.users.token(who)
        return http_json(method, f"{local.api_url}{path}", token, body, headers)

    return call


@pytest.mark.parametrize("objective", ["maximize_margin", "maximize_revenue", "match_competitors"])
def test_a_seller_gets_a_price_inside_the_guardrails_with_its_evidence(api, objective):
    status, body = api("POST", "/pricing-suggest", body={"sku_id": "bev-001", "store_id": "S01", "objective": objective})
    assert status == 200, body
    low, high = body["guardrails"]["allowed_range"]
    assert low - 0.005 <= body["recommended_price"] <= high + 0.005
    assert abs(body["recommended_price"] / body["current_price"] - 1) <= 0.10 + 1e-6  # the default daily limit
    assert {"units", "revenue", "margin"} <= set(body["impact"])
    assert set(body["evidence"]["competitors"]["prices"]) == {"ShopRival", "ValueMart"}
    assert body["method"] in ("elasticity_optimisation", "competitor_parity", "fallback_competitor_parity")


def test_a_what_if_states_units_revenue_and_margin_and_the_guardrails_it_breaks(api):
    status, body = api("POST", "/pricing/simulate", body={"sku_id": "BEV-001", "store_id": "S01", "discount_pct": 30})
    assert status == 200, body
    assert body["impact"]["price_change_pct"] == pytest.approx(-30, abs=0.5)
    assert "max_daily_change" in {b["guardrail"] for b in body["breaks_guardrails"]}
    status, body = api("POST", "/pricing/simulate", body={"sku_id": "BEV-001", "store_id": "S01", "discount_pct": 10, "price": 2})
    assert status == 422
    assert "exactly one of price or discount_pct" in body["error"]


def test_recommendations_rank_reorders_and_price_changes_with_reasons(api):
    status, body = api("POST", "/recommendations", body={"store_id": "S01"})
    assert status == 200, body
    scores = [a["score"] for a in body["actions"]]
    assert scores == sorted(scores, reverse=True)
    for action in body["actions"]:
        assert action["type"] in ("reorder", "price")
        assert action["explanation"]
        if action["type"] == "reorder":
            assert action["order_quantity"] > 0
            assert set(action["plan"]["stockout_risk"]) == {"7d", "14d"}
    assert "stores_with_unknown_on_hand" in body["excluded"]
    status, body = api("POST", "/recommendations", body={"store_id": "S01", "category": "Beverages"})
    assert status == 200
    assert {a["category"] for a in body["actions"]} <= {"Beverages"}


def test_another_tenant_sees_none_of_these_series(api):
    status, body = api("POST", "/pricing-suggest", who="other_seller", body={"sku_id": "BEV-001", "store_id": "S01"})
    assert status == 404
    assert "no sales history" in body["error"]
    status, _ = api("POST", "/recommendations", who="other_seller", body={"store_id": "S01"})
    assert status == 404


def test_managers_set_the_policy_sellers_cannot_and_admins_read_the_audit_of_it(api):
    status, policy = api("GET", "/policy")
    assert status == 200
    assert policy["approvals"]["price_change_pct"] == 5.0
    policy["approvals"]["price_change_pct"] = 8.0
    status, body = api("PUT", "/policy", who="seller", body=policy)
    assert status == 403
    status, body = api("PUT", "/policy", who="manager", body={**policy, "pricing": {"max_delta_pct": 500}})
    assert status == 422
    assert body["field"] == "pricing.max_delta_pct"
    status, body = api("PUT", "/policy", who="manager", body=policy)
    assert status == 200
    assert body["approvals"]["price_change_pct"] == 8.0
    assert api("GET", "/audit", who="manager")[0] == 403
    status, body = api("GET", "/audit?entity=policy", who="admin")
    assert status == 200
    assert body["entries"][0]["action"] == "policy.updated"
    assert body["entries"][0]["after"]["approvals"]["price_change_pct"] == 8.0


def test_a_large_price_change_waits_for_a_manager_then_the_seller_applies_it(api):
    _, suggestion = api("POST", "/pricing-suggest", body={"sku_id": "SNA-001", "store_id": "S01"})
    new_price = round(suggestion["current_price"] * 1.09, 2)  # over the 8% threshold set above
    status, proposal = api("POST", "/proposals", body={"kind": "price", "sku_id": "SNA-001", "store_id": "S01",
                                                        "new_price": new_price}, headers={"Idempotency-Key": "p-1"})
    assert status == 201, proposal
    assert proposal["needs_approval"], proposal
    again = api("POST", "/proposals", body={"kind": "price", "sku_id": "SNA-001", "store_id": "S01", "new_price": new_price},
                headers={"Idempotency-Key": "p-1"})[1]
    assert again["proposal_id"] == proposal["proposal_id"]
    pid = proposal["proposal_id"]
    status, body = api("POST", f"/proposals/{pid}/approve")
    assert status == 403
    assert "manager" in body["error"]
    assert api("POST", f"/proposals/{pid}/apply")[0] == 409
    assert api("POST", f"/proposals/{pid}/approve", who="manager")[1]["status"] == "approved"
    status, applied = api("POST", f"/proposals/{pid}/apply")
    assert status == 200
    assert applied["payload"]["rows"][0]["new_price"] == new_price
    status, listed = api("GET", "/proposals?status=applied")
    assert pid in {p["proposal_id"] for p in listed["proposals"]}
    assert api("GET", f"/proposals/{pid}", who="other_seller")[0] == 404
    _, audit = api("GET", f"/audit?entity={pid}", who="admin")
    assert [e["action"] for e in audit["entries"]] == ["proposal.applied", "proposal.approved", "proposal.created"]


def test_sellers_cannot_reject_and_a_rejected_reorder_cannot_be_applied(api):
    status, proposal = api("POST", "/proposals", body={"kind": "reorder", "sku_id": "DAI-001", "store_id": "S01", "quantity": 24})
    assert status == 201
    pid = proposal["proposal_id"]
    assert api("POST", f"/proposals/{pid}/reject", body={"note": "no"})[0] == 403
    assert api("POST", f"/proposals/{pid}/reject", who="manager", body={"note": "enough stock"})[1]["status"] == "rejected"
    status, body = api("POST", f"/proposals/{pid}/apply")
    assert status == 409
    assert "is rejected" in body["error"]


def test_the_daily_evaluation_raises_alerts_users_acknowledge_snooze_and_resolve(local, api):
    # A cautious manager: alert on any stockout risk over 1% and any price 1% outside the competitor band.
    _, policy = api("GET", "/policy")
    policy["alerts"].update(stockout_risk=0.01, price_gap_pct=1)
    assert api("PUT", "/policy", who="manager", body=policy)[0] == 200
    evaluator = next(f for name, f in local.functions.items() if name.startswith("DecisionsAlertsEvaluator"))
    result = evaluator.invoke({"tenant_id": TENANT})
    assert result["series"] == 6, result
    assert result["raised"] > 0, result
    status, body = api("GET", "/alerts")
    assert status == 200
    assert len(body["alerts"]) == result["raised"]
    alert = body["alerts"][0]
    assert alert["type"] in ("stockout_risk", "demand_spike", "price_anomaly", "competitor_price_drop")
    assert alert["title"]
    aid = alert["alert_id"]
    assert api("POST", f"/alerts/{aid}/acknowledge", who="other_seller")[0] == 404
    assert api("POST", f"/alerts/{aid}/acknowledge")[1]["status"] == "acknowledged"
    status, body = api("POST", f"/alerts/{aid}/snooze", body={"hours": 24 * 60})
    assert status == 422
    assert api("POST", f"/alerts/{aid}/snooze", body={"hours": 24})[1]["status"] == "snoozed"
    assert api("POST", f"/alerts/{aid}/resolve", who="manager", body={"note": "ordered"})[1]["status"] == "resolved"
    status, body = api("GET", f"/alerts?status=resolved&type={alert['type']}")
    assert aid in {a["alert_id"] for a in body["alerts"]}
    evaluator.invoke({"tenant_id": TENANT})  # the same finding again: the alert reopens, no duplicate
    _, body = api("GET", f"/alerts?type={alert['type']}&sku_id={alert['sku_id']}&store_id={alert['store_id']}")
    assert [a["alert_id"] for a in body["alerts"]] == [aid]
    assert body["alerts"][0]["status"] == "open"
