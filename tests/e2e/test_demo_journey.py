"""A seller's first day: upload the demo tenant's files through the API, the ETL runs, KPIs answer
with exactly what the files say."""

import csv
from pathlib import Path

from local_stack.demo import load_tenant_files
from local_stack.etl import run_local_etl
from local_stack.stack import http_json
from smartretail.demo.generator import DemoSpec, generate


def test_demo_tenant_from_upload_to_kpis(local, spark_session, tmp_path):
    spec = DemoSpec(tenant_id="demo-e2e", days=75, skus_per_category=1, stores=2)
    generate(spec, tmp_path)
    user = local.create_user("e2e-seller", spec.tenant_id, "sellers")
    token = local.id_token(user.username, user.password)

    results = load_tenant_files(local, token, tmp_path)
    assert {r["dataset"]: r["status"] for r in results} == {
        "products": "validated", "sales": "validated", "inventory": "validated", "competitor-prices": "validated"}
    assert all(r["rows_quarantined"] == 0 for r in results)
    run_local_etl(local.template, spec.tenant_id, spark=spark_session)

    start, end = "2024-11-01", "2024-11-30"
    status, body = http_json("GET", f"{local.api_url}/kpis?start={start}&end={end}", token)
    assert status == 200, body
    sales = [r for r in csv.DictReader(Path(tmp_path / "sales.csv").open()) if start <= r["date"] <= end]
    stock = [r for r in csv.DictReader(Path(tmp_path / "inventory.csv").open()) if start <= r["date"] <= end]
    assert body["kpis"]["units"] == sum(float(r["units"]) for r in sales)
    assert body["kpis"]["stockout_days"] == sum(1 for r in stock if r["on_hand"] == "0")
    assert body["days_with_data"] == 30
    promo_units = sum(float(r["units"]) for r in sales if r["promo_flag"] == "true")
    assert body["kpis"]["promo_share"] == round(promo_units / body["kpis"]["units"], 4)
