"""KPIs over curated data: the numbers of the caller's tenant, and only those."""

import pytest

from local_stack.demo import upload_file, wait_for_upload
from local_stack.etl import run_local_etl
from local_stack.stack import http_json

RANGE = "start=2025-03-01&end=2025-03-07"


def _load(local, who, files, tmp_path):
    token = local.users.token(who)
    for dataset, content in files.items():
        path = tmp_path / f"{who}-{dataset}.csv"
        path.write_text(content)
        result = wait_for_upload(local, token, upload_file(local, token, dataset, path)["upload_id"])
        assert result["status"] in ("validated", "duplicate"), result


@pytest.fixture(scope="module")
def curated(local, spark_session, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("kpi")
    _load(local, "seller", {
        "products": "sku_id,name,category,brand,unit_cost\nmilk,Milk 1L,Dairy,Alpen,0.60\nsoap,Soap,Household,Purex,2.50\n",
        "sales": "date,store_id,sku_id,units,price,promo_flag\n"
                 "2025-03-01,s1,MILK,10,1.00,false\n2025-03-02,S1,milk,20,,true\n"
                 "2025-03-02,S2,SOAP,5,4.00,false\n2025-02-28,S1,MILK,99,1.00,false\n",
        "inventory": "date,store_id,sku_id,on_hand\n2025-03-03,S1,MILK,0\n2025-03-04,S1,MILK,\n2025-03-05,S2,SOAP,12\n",
    }, tmp_path)
    _load(local, "other_seller", {"sales": "date,store_id,sku_id,units,price\n2025-03-01,S1,MILK,1000,9.00\n"}, tmp_path)
    reports = run_local_etl(local.template, "all", spark=spark_session)
    return {r["tenant_id"]: r for r in reports}


def test_kpis_add_up_the_callers_sales_in_the_range(local, curated):
    status, body = http_json("GET", f"{local.api_url}/kpis?{RANGE}", local.users.token("seller"))
    assert status == 200, body
    # milk: 10 @ 1.00 + 20 @ 1.00 (price forward-filled), soap: 5 @ 4.00; 2025-02-28 is outside the range.
    # Cost of goods sold 30 x 0.60 + 5 x 2.50 = 30.5; stock known on 2 series-days (milk 0 on the 3rd,
    # soap 12 on the 5th), one out; stock at cost 12 x 2.50 over 5 days is 6 on average.
    assert body["kpis"] == {"revenue": 50.0, "units": 35.0, "average_selling_price": round(50 / 35, 4),
                            "promo_share": round(20 / 35, 4), "stockout_days": 1,
                            "gross_margin": 19.5, "margin_rate": 0.39, "stockout_rate": 0.5,
                            "inventory_turns": round(30.5 / 6, 3), "inventory_turns_annualised": round(30.5 / 6 * 365 / 5, 2)}
    assert body["currency"] == "EUR"
    assert body["days_with_data"] == 5


def test_kpis_filter_by_store_category_or_sku(local, curated):
    token = local.users.token("manager")
    _, by_store = http_json("GET", f"{local.api_url}/kpis?{RANGE}&store_id=s2", token)
    _, by_category = http_json("GET", f"{local.api_url}/kpis?{RANGE}&category=Dairy", token)
    _, by_sku = http_json("GET", f"{local.api_url}/kpis?{RANGE}&sku_id=milk", token)
    assert by_store["kpis"]["units"] == 5.0
    assert by_store["kpis"]["revenue"] == 20.0
    assert by_category["kpis"]["units"] == 30.0
    assert by_sku["kpis"]["units"] == 30.0


def test_one_tenant_never_sees_another_tenants_data(local, curated):
    _, mine = http_json("GET", f"{local.api_url}/kpis?{RANGE}", local.users.token("seller"))
    _, theirs = http_json("GET", f"{local.api_url}/kpis?{RANGE}", local.users.token("other_seller"))
    assert mine["kpis"]["units"] == 35.0
    assert theirs["kpis"]["units"] == 1000.0
    assert theirs["kpis"]["revenue"] == 9000.0


def test_bad_kpi_requests_are_explained(local, curated):
    token = local.users.token("seller")
    status, body = http_json("GET", f"{local.api_url}/kpis?start=2025-03-07&end=2025-03-01", token)
    assert status == 422
    assert body["error"] == "end must be on or after start"
    status, body = http_json("GET", f"{local.api_url}/kpis?start=2025-03-01&end=soon", token)
    assert status == 422
    assert body["field"] == "end"
    status, body = http_json("GET", f"{local.api_url}/kpis?{RANGE}&sku_id=x;drop", token)
    assert status == 422
    assert body["field"] == "sku_id"


def test_the_etl_reports_data_quality_per_rule(curated):
    checks = {(c["dataset"], c["rule"]): c for c in curated["tenant-a"]["checks"]}
    # The 2025-03-02 milk row had no price and was filled from the day before.
    assert checks[("sales", "price_present_or_forward_filled")]["rows_checked"] >= 1
    assert checks[("inventory", "on_hand_known")] == {
        "dataset": "inventory", "rule": "on_hand_known", "rows_checked": 3, "rows_failed": 1, "failure_rate": round(1 / 3, 6)}
