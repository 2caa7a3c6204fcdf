"""The copilot's tools: strict schemas, arguments validated before anything runs, the tenant always
the caller's, errors returned as results, and each tool mapped onto its domain service."""

from datetime import datetime, timezone

import pytest
from service_fakes import Recorder

from smartretail.adapters.memory import MemoryItemStore, MemoryObjectStore
from smartretail.auth import Principal
from smartretail.copilot.tools import CopilotTools
from smartretail.documents.service import DocumentService, UploadDocumentRequest
from smartretail.errors import Forbidden

SELLER_A = Principal("u-a", "tenant-a", frozenset({"sellers"}))
SELLER_B = Principal("u-b", "tenant-b", frozenset({"sellers"}))
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def world():
    forecasts = Recorder(forecast={"store_id": "S01", "forecasts": [
        {"sku_id": "BEV-001", "series": [{"date": "2026-10-01", "yhat": 12.0, "yhat_lower": 8.0, "yhat_upper": 15.0, "expected": 11.7}]}]})
    pricing = Recorder(suggest={"recommended_price": 2.49}, simulate={"impact": {"units": {}}},
                       recommendations={"as_of_date": "2026-09-30", "actions": [{"type": "reorder", "sku_id": "BEV-001"},
                                                                                  {"type": "price", "sku_id": "SNK-002"}]})
    kpis = Recorder(kpis={"kpis": {"revenue": 1000.0}, "daily": [{"date": "2026-09-29"}, {"date": "2026-09-30"}]})
    documents = DocumentService(MemoryObjectStore(), MemoryItemStore(), "docs", max_bytes=1024, url_ttl_seconds=60)
    tools = CopilotTools(forecasts, pricing, documents, kpis, now=lambda: NOW)
    return tools, forecasts, pricing, kpis, documents


def test_every_tool_has_a_strict_json_schema_in_bedrocks_tool_shape(world):
    tools = world[0]
    specs = {s["toolSpec"]["name"]: s["toolSpec"] for s in tools.specs()}
    assert set(specs) == {"ForecastTool", "PricingTool", "InventoryTool", "DocComplianceTool", "KPIQueryTool"}
    for spec in specs.values():
        schema = spec["inputSchema"]["json"]
        assert spec["description"] and schema["type"] == "object" and schema["additionalProperties"] is False
    assert specs["ForecastTool"]["inputSchema"]["json"]["required"] == ["store_id", "sku_ids"]


def test_a_forecast_runs_for_the_callers_tenant_with_validated_arguments_and_its_data_date(world):
    tools, forecasts = world[0], world[1]
    out = tools.run(SELLER_A, "ForecastTool", {"store_id": "s01", "sku_ids": ["bev-001", "BEV-001"], "horizon_days": 7})
    method, tenant, request = forecasts.calls[0]
    assert (method, tenant, request.store_id, request.sku_ids, request.horizon_days) == ("forecast", "tenant-a", "S01", ["BEV-001"], 7)
    assert out["status"] == "success" and out["arguments"]["sku_ids"] == ["BEV-001"]
    assert (out["data_as_of"], out["computed_at"]) == ("2026-09-30", "2026-12-02T12:00:00+00:00")


@pytest.mark.parametrize("arguments, problem", [
    ({"store_id": "S01", "sku_ids": ["A"], "tenant_id": "tenant-b"}, "tenant_id: Extra inputs are not permitted"),
    ({"store_id": "S01", "sku_ids": ["A"], "horizon_days": 400}, "horizon_days"),
    ({"store_id": "S01"}, "sku_ids: Field required"),
    ("not an object", "sku_ids: Field required"),
])
def test_bad_arguments_are_an_error_result_and_nothing_runs(world, arguments, problem):
    tools, forecasts = world[0], world[1]
    out = tools.run(SELLER_A, "ForecastTool", arguments)
    assert out["status"] == "error" and problem in out["error"] and forecasts.calls == []


def test_an_unknown_tool_is_named_as_such(world):
    assert "the tools are ForecastTool" in world[0].run(SELLER_A, "DeleteEverything", {})["error"]


def test_pricing_suggests_or_simulates_and_inventory_keeps_the_reorders(world):
    tools, pricing = world[0], world[2]
    assert tools.run(SELLER_A, "PricingTool", {"sku_id": "BEV-001", "store_id": "S01"})["result"] == {"recommended_price": 2.49}
    tools.run(SELLER_A, "PricingTool", {"sku_id": "BEV-001", "store_id": "S01", "discount_pct": 10})
    assert [c[0] for c in pricing.calls] == ["suggest", "simulate"] and pricing.calls[1][2].discount_pct == 10
    both = tools.run(SELLER_A, "PricingTool", {"sku_id": "B", "store_id": "S", "price": 2.0, "discount_pct": 5})
    assert both["status"] == "error" and "not both" in both["error"]
    out = tools.run(SELLER_A, "InventoryTool", {"store_id": "S01"})
    assert [a["type"] for a in out["result"]["actions"]] == ["reorder"] and out["data_as_of"] == "2026-09-30"


def test_kpis_carry_their_last_day_of_data(world):
    out = world[0].run(SELLER_A, "KPIQueryTool", {"start": "2026-09-01", "end": "2026-09-30"})
    assert out["data_as_of"] == "2026-09-30" and world[3].calls[0][1] == "tenant-a"
    assert "end must be on or after start" in world[0].run(SELLER_A, "KPIQueryTool", {"start": "2026-09-30", "end": "2026-09-01"})["error"]


def test_a_document_of_another_tenant_is_not_found_for_the_copilot_either(world):
    tools, documents = world[0], world[4]
    slot = documents.create_upload(SELLER_B, UploadDocumentRequest(doc_type="invoice", file_name="inv.pdf"), None)
    mine = tools.run(SELLER_B, "DocComplianceTool", {"doc_id": slot["doc_id"]})
    assert mine["status"] == "success" and mine["result"]["doc_id"] == slot["doc_id"]
    theirs = tools.run(SELLER_A, "DocComplianceTool", {"doc_id": slot["doc_id"]})
    assert theirs["status"] == "error" and "not found" in theirs["error"].lower()
    assert tools.run(SELLER_A, "DocComplianceTool", {})["result"] == {"documents": []}


def test_a_caller_without_a_group_may_not_use_the_tools(world):
    with pytest.raises(Forbidden):
        world[0].run(Principal("u-x", "tenant-a", frozenset()), "KPIQueryTool", {"start": "2026-09-01", "end": "2026-09-30"})
