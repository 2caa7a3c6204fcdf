"""Forecasts through the API: trained by the pipeline's entry point, served from the forecasts table,
seasonal naive when no model output exists; scoped to the caller's tenant."""

import csv
import json
import io
import urllib.request

import pytest

from sfn_helpers import endpoints, model_packages, run_definition

from local_stack.etl import run_local_etl
from local_stack.pipeline import LocalPipeline, PipelineFailed
from local_stack.stack import http_json

TENANT = "tenant-f"  # the trained_tenant fixture's


@pytest.fixture(scope="module")
def trained(trained_tenant):
    return trained_tenant


def _forecast(local, token, **body):
    return http_json("POST", f"{local.api_url}/forecast", token, {"store_id": "S01", "sku_ids": ["BEV-001", "SNA-001"], **body})


def test_a_trained_model_goes_live_with_its_backtest(local, trained):
    tokens, version, run = trained
    assert run.outcome == "published"
    assert run.steps[-1] == "NotifyPublished"
    assert len(model_packages(TENANT)) == 1
    assert endpoints(local, TENANT) == [f"smartretail-test-forecast-{TENANT}"]
    assert version["status"] == "live", (version["reason"], version["backtest"]["overall"])
    assert "beats the baselines" in version["reason"], (version["reason"], version["backtest"]["overall"])
    status, body = http_json("GET", f"{local.api_url}/models", tokens["manager"])
    assert status == 200
    assert [m["model_version"] for m in body["models"] if m["live"]] == [version["model_version"]]
    assert {"smartretail", "seasonal_naive", "autoets"} <= set(body["models"][0]["backtest"]["overall"])


def test_the_local_run_takes_the_path_the_emulator_takes_through_the_same_definition(local, trained, pipeline):
    _, _, run = trained
    result, entered = run_definition(pipeline, "HappyPath", "tenant-in-step", horizon_days=14)
    assert result["status"] == "SUCCEEDED"
    # The same states in the same order; the emulator's polling loops may go round more than once.
    assert list(dict.fromkeys(run.steps)) == list(dict.fromkeys(entered))


def test_sellers_get_model_forecasts_with_bands_and_drivers(local, trained):
    tokens, version, _ = trained
    status, body = _forecast(local, tokens["seller"], horizon_days=14)
    assert status == 200, body
    assert [f["sku_id"] for f in body["forecasts"]] == ["BEV-001", "SNA-001"]
    for item in body["forecasts"]:
        assert item["method"] == "ml"
        assert item["model_version"] == version["model_version"]
        assert len(item["series"]) == 14
        assert all(p["yhat_lower"] <= p["yhat"] <= p["yhat_upper"] for p in item["series"])
        assert item["drivers"]
        assert {d["impact"] for d in item["drivers"]} <= {"high", "medium", "low"}
    assert body["forecasts"][0]["series"][0]["date"] > version["trained_through"]


def test_horizons_beyond_the_stored_days_come_from_the_tenants_model_endpoint(local, trained):
    tokens, version, _ = trained  # the pipeline stored 14 days
    status, body = _forecast(local, tokens["seller"], horizon_days=30)
    assert status == 200, body
    for item in body["forecasts"]:
        assert item["method"] == "ml"
        assert len(item["series"]) == 30
        assert "on demand" in item["note"]
        assert all(p["yhat_lower"] <= p["yhat"] <= p["yhat_upper"] for p in item["series"])
    status, short = _forecast(local, tokens["seller"], horizon_days=14)
    assert short["forecasts"][0]["series"] == body["forecasts"][0]["series"][:14]  # the stored days, unchanged


def test_weekly_granularity_sums_days_into_weeks(local, trained):
    tokens, _, _ = trained
    _, daily = _forecast(local, tokens["seller"], horizon_days=14)
    _, weekly = _forecast(local, tokens["seller"], horizon_days=14, granularity="week")
    item, days = weekly["forecasts"][0], daily["forecasts"][0]["series"]
    assert sum(w["days"] for w in item["series"]) == 14
    assert round(sum(w["yhat"] for w in item["series"]), 1) == round(sum(d["yhat"] for d in days), 1)


def test_the_export_is_a_csv_a_spreadsheet_opens(local, trained):
    tokens, _, _ = trained
    request = urllib.request.Request(f"{local.api_url}/forecast/export?store_id=S01&sku_ids=BEV-001&horizon_days=14",
                                     headers={"Authorization": tokens["seller"]})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.read().decode())))
    assert len(rows) == 14
    assert rows[0]["method"] == "ml"
    assert float(rows[0]["yhat"]) >= 0


def test_bad_forecast_requests_are_explained(local, trained):
    tokens, _, _ = trained
    status, body = _forecast(local, tokens["seller"], horizon_days=91)
    assert status == 422
    assert body["field"] == "horizon_days"
    status, body = _forecast(local, tokens["seller"], sku_ids=["NOT-A-SKU"])
    assert status == 404
    assert "NOT-A-SKU" in body["error"]
    assert body["field"] == "sku_ids"
    status, body = _forecast(local, tokens["seller"], sku_ids=[])
    assert status == 422
    assert body["field"] == "sku_ids"


def test_only_managers_and_admins_see_model_versions(local, trained):
    tokens, _, _ = trained
    status, _ = http_json("GET", f"{local.api_url}/models", tokens["seller"])
    assert status == 403


def test_another_tenant_cannot_read_these_forecasts(local, trained):
    status, body = _forecast(local, local.users.token("other_seller"), horizon_days=14)
    assert status == 404
    assert "no sales history" in body["error"]


def test_without_a_model_the_forecast_is_seasonal_naive_and_says_so(local, trained, spark_session, tmp_path):
    token = local.users.token("other_seller")
    path = tmp_path / "sales.csv"
    path.write_text("date,store_id,sku_id,units\n" + "".join(f"2025-04-{d:02d},S7,TEA,{d}\n" for d in range(1, 29)))
    from local_stack.demo import upload_file, wait_for_upload

    assert wait_for_upload(local, token, upload_file(local, token, "sales", path)["upload_id"])["status"] == "validated"
    run_local_etl(local.template, "tenant-b", spark=spark_session)
    status, body = http_json("POST", f"{local.api_url}/forecast", token, {"store_id": "S7", "sku_ids": ["TEA"], "horizon_days": 8})
    assert status == 200, body
    item = body["forecasts"][0]
    assert item["method"] == "seasonal_naive_fallback"
    assert "no model output" in item["note"]
    # 2025-04-29 is a Tuesday: the last Tuesday observed was the 22nd (22 units); the band spans the last four Tuesdays.
    first = item["series"][0]
    assert first == {"date": "2025-04-29", "yhat": 22.0, "yhat_lower": 1.0, "yhat_upper": 22.0, "expected": 11.5}  # their average
    assert item["series"][6] == {"date": "2025-05-05", "yhat": 28.0, "yhat_lower": 7.0, "yhat_upper": 28.0, "expected": 17.5}  # Mondays 28, 21, 14, 7


def test_ids_with_unsafe_characters_get_a_422_not_a_server_error(local, trained):
    tokens, _, _ = trained
    status, body = _forecast(local, tokens["seller"], store_id="S01'; --")
    assert status == 422
    assert body["field"] == "store_id"


def test_a_local_run_that_fails_notifies_and_says_why(local, spark_session, pipeline):
    from sfn_helpers import notifications

    with pytest.raises(PipelineFailed) as failed:
        LocalPipeline(local, spark_session).run("tenant-without-data")
    assert failed.value.error == "EtlFailed"
    assert "ended FAILED" in failed.value.cause
    assert "no accepted sales uploads" in failed.value.detail
    (note,) = notifications(pipeline, "tenant-without-data")
    assert note["outcome"] == "failed"
    assert note["Error"] == "EtlFailed"


def test_a_managers_override_shows_beside_the_models_value_in_the_forecast_and_its_export(local, trained):
    from datetime import date, timedelta

    tokens, _, _ = trained
    _, body = _forecast(local, tokens["seller"], horizon_days=7)
    first = body["forecasts"][0]["series"][2]
    override = {"store_id": "S01", "sku_id": "BEV-001", "start": first["date"], "end": first["date"], "percent": -50,
                "reason": "shelf blocked by a refit", "expires_on": (date.today() + timedelta(days=30)).isoformat()}
    status, _ = http_json("POST", f"{local.api_url}/forecast/overrides", tokens["seller"], override)
    assert status == 403  # sellers read overrides; managers and admins set them
    status, created = http_json("POST", f"{local.api_url}/forecast/overrides", tokens["manager"], override)
    assert status == 201, created
    status, bad = http_json("POST", f"{local.api_url}/forecast/overrides", tokens["manager"], {**override, "value": 3})
    assert status == 422 and "not both" in str(bad)
    _, body = _forecast(local, tokens["seller"], horizon_days=7)
    point = body["forecasts"][0]["series"][2]
    assert point["override"]["reason"] == "shelf blocked by a refit" and point["model_yhat"] == first["yhat"]
    assert point["yhat"] == pytest.approx(first["yhat"] / 2, abs=0.01)
    request = urllib.request.Request(f"{local.api_url}/forecast/export?store_id=S01&sku_ids=BEV-001&horizon_days=7",
                                     headers={"Authorization": tokens["seller"]})
    with urllib.request.urlopen(request) as response:
        rows = list(csv.DictReader(io.StringIO(response.read().decode())))
    assert (rows[2]["override_reason"], float(rows[2]["model_yhat"])) == ("shelf blocked by a refit", first["yhat"])
    status, listed = http_json("GET", f"{local.api_url}/forecast/overrides?store_id=S01", tokens["seller"])
    assert status == 200 and [o["override_id"] for o in listed["overrides"]] == [created["override_id"]]
    assert http_json("GET", f"{local.api_url}/forecast/overrides", local.users.token("other_seller"))[1]["overrides"] == []
    status, audit = http_json("GET", f"{local.api_url}/audit", tokens["admin"])
    assert any(e["action"] == "forecast_override.create" for e in audit["entries"])
    status, _ = http_json("DELETE", f"{local.api_url}/forecast/overrides/{created['override_id']}", tokens["manager"])
    assert status == 200
    _, body = _forecast(local, tokens["seller"], horizon_days=7)
    assert "override" not in body["forecasts"][0]["series"][2]


def test_each_version_has_a_model_card_served_by_the_api_and_registered_in_sagemaker(local, trained):
    import boto3

    tokens, version, run = trained
    status, card = http_json("GET", f"{local.api_url}/models/{version['model_version']}/card", tokens["manager"])
    assert status == 200, card
    assert card["approval"]["status"] == "approved" and "beats the baselines" in card["approval"]["reason"]
    assert card["data"]["trained_through"] == version["trained_through"] and card["metrics"]["per_category_wape"]
    assert card["limitations"] and "guardrails" in card["deployment"] and "psi" in card["drift"]
    assert http_json("GET", f"{local.api_url}/models/{version['model_version']}/card", tokens["seller"])[0] == 403
    assert http_json("GET", f"{local.api_url}/models/fc-unknown/card", tokens["manager"])[0] == 404
    assert http_json("GET", f"{local.api_url}/models/{version['model_version']}/card", local.users.token("manager"))[0] == 404  # tenant-a's
    registered = boto3.client("sagemaker").describe_model_card(ModelCardName=version["model_version"])
    assert registered["ModelCardStatus"] == "Approved"
    # The emulator's update keeps no content (SageMaker keeps it): the content is read from the first version.
    first = boto3.client("sagemaker").describe_model_card(ModelCardName=version["model_version"], ModelCardVersion=1)
    assert json.loads(first["Content"])["intended_uses"]["intended_uses"] == card["intended_use"]
    assert "RegisterModelCard" in run.steps and "ApproveModelCard" in run.steps


def test_the_daily_monitor_keeps_realised_accuracy_and_a_retraining_request_starts_the_pipeline(local, trained, monkeypatch):
    import time

    from smartretail.adapters.aws_events import EventBridgeRetrainRequests

    tokens, version, _ = trained
    evaluator = next(f for name, f in local.functions.items() if name.startswith("DecisionsAlertsEvaluator"))
    result = evaluator.invoke({"tenant_id": TENANT})
    assert result["monitor"]["status"] == "checked" and result["monitor"]["live_model"] == version["model_version"]
    status, accuracy = http_json("GET", f"{local.api_url}/forecast/accuracy", tokens["seller"])
    assert status == 200 and accuracy["live_model"] == version["model_version"]
    assert accuracy["latest_check"]["status"] == "checked" and set(accuracy["latest_check"]["psi"]) == {"y", "price", "promo"}
    assert http_json("GET", f"{local.api_url}/forecast/accuracy", local.users.token("seller"))[1]["live_model"] is None
    # What the monitor sends when accuracy worsens or data drifts: the pipeline's rule starts a run for the tenant.
    started = []
    monkeypatch.setattr(local, "train_tenant", lambda tenant_id: started.append(tenant_id) or SimpleRun(tenant_id))
    EventBridgeRetrainRequests("default").request(TENANT, ["price PSI 0.31"])
    deadline = time.monotonic() + 30
    while not started and time.monotonic() < deadline:
        time.sleep(0.2)
    assert started == [TENANT]


class SimpleRun:
    def __init__(self, tenant_id):
        self.tenant_id, self.outcome, self.model_version = tenant_id, "published", "fc-requested"
