"""The training job as SageMaker runs it (a process with the SM_* environment) and the inference handlers."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from smartretail.demo.generator import DemoSpec, generate

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "sagemaker_jobs" / "forecasting"))
import inference  # noqa: E402


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("job")
    data = folder / "data"
    generate(DemoSpec(days=200, skus_per_category=1, stores=2), data)
    sales = pd.read_csv(data / "sales.csv").merge(pd.read_csv(data / "products.csv")[["sku_id", "category"]], on="sku_id")
    train = folder / "input" / "train"
    train.mkdir(parents=True)
    sales.to_csv(train / "sales.csv", index=False)
    channels = {}
    for channel, source in (("inventory", "inventory.csv"), ("products", "products.csv"), ("competitors", "competitor-prices.csv")):
        table = pd.read_csv(data / source)
        if "store_id" in table:
            table["store_id"] = table["store_id"].fillna("")
        (folder / "input" / channel).mkdir(parents=True)
        table.to_parquet(folder / "input" / channel / "part-0.parquet")  # the cleaned tables are Parquet
        channels[f"SM_CHANNEL_{channel.upper()}"] = str(folder / "input" / channel)
    env = {**os.environ, **channels, "SM_CHANNEL_TRAIN": str(train), "SM_MODEL_DIR": str(folder / "model"),
           "SM_HPS": json.dumps({"horizon": "14", "backtest_windows": "3", "n_estimators": "60", "cutoff": "2025-04-01",
                                 "model_version": "fc-test", "output_uri": str(folder / "run")})}
    done = subprocess.run([sys.executable, str(ROOT / "sagemaker_jobs" / "forecasting" / "train.py")],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return folder


def test_the_job_writes_a_model_and_a_backtest_against_the_baselines(trained):
    evaluation = json.loads((trained / "model" / "evaluation.json").read_text())
    assert len(evaluation["windows"]) == 3
    assert evaluation["horizon_days"] == 14
    assert set(evaluation["overall"]) == {"smartretail", "seasonal_naive", "autoets"}
    for metrics in evaluation["overall"].values():
        assert {"wape", "mape", "smape", "bias", "pinball_mean", "coverage_80"} <= set(metrics)
    assert set(evaluation["per_group"]) == {"Beverages", "Snacks", "Dairy", "Bakery", "Household", "Personal Care"}
    assert evaluation["overall"]["smartretail"]["wape"] < evaluation["overall"]["seasonal_naive"]["wape"]
    assert evaluation["trained_through"] == "2025-04-01"  # the cutoff hyperparameter (the data runs to 2025-04-18)


def test_the_job_writes_what_the_pipeline_reads(trained):
    """decision.json for the pipeline's Choice; the batch forecast's requests, one line per store."""
    evaluation = json.loads((trained / "run" / "evaluation.json").read_text())
    decision = json.loads((trained / "run" / "decision.json").read_text())
    best = evaluation["best_baseline"]
    assert decision["model_version"] == "fc-test"
    assert decision["best_baseline"] == best
    assert decision["wape"] == evaluation["overall"]["smartretail"]["wape"]
    assert decision["best_baseline_wape"] == evaluation["overall"][best]["wape"]
    assert decision["record"]["trained_through"] == evaluation["trained_through"]
    assert decision["record"]["horizon_days"] == 14
    card = decision["record"]["model_card"]
    assert card["data"]["trained_through"] == "2025-04-01" and card["data"]["series"] == 12 and card["data"]["stores"] == 2
    assert set(card["metrics"]["per_category_wape"]) == set(evaluation["per_group"]) and len(card["metrics"]["per_window_wape"]) == 3
    assert card["intended_use"] and card["limitations"] and "guardrails" in card["deployment"]
    assert any("200 days" in line or "days: yearly" in line for line in card["limitations"])  # under a year of history
    assert decision["model_card"]["intended_uses"]["intended_uses"] == card["intended_use"]  # SageMaker's schema
    drift = decision["record"]["drift"]
    assert set(drift["features"]) == {"y", "price", "promo"} and drift["threshold"] == 0.2
    assert all(f["psi"] is not None and f["psi"] >= 0 and f["reference"]["shares"] for f in drift["features"].values())
    requests = [json.loads(line) for line in (trained / "run" / "batch" / "input.jsonl").read_text().splitlines()]
    assert [r["store_id"] for r in requests] == ["S01", "S02"]
    assert all(r["horizon_days"] == 14 and len(r["sku_ids"]) == 6 for r in requests)


def test_the_job_writes_elasticities_and_positions_for_pricing_and_reorders(trained):
    elasticities = json.loads((trained / "run" / "insights" / "elasticities.json").read_text())
    positions = [json.loads(line) for line in (trained / "run" / "insights" / "positions.jsonl").read_text().splitlines()]
    sku_level = {e["sku_id"]: e for e in elasticities if e["store_id"] is None}
    assert set(sku_level) == {"BEV-001", "SNA-001", "DAI-001", "BAK-001", "HOU-001", "PER-001"}
    for e in sku_level.values():  # half a year of a small shop: too little price history to identify any
        assert not e["identified"]
        assert e["source"] == "none"
        assert e["elasticity"] is None
        assert "too uncertain" in e["note"]
    assert {(p["store_id"], p["sku_id"]) for p in positions} == {(s, k) for s in ("S01", "S02") for k in sku_level}
    first = next(p for p in positions if p["store_id"] == "S01" and p["sku_id"] == "PER-001")
    assert first["last_sales_date"] == "2025-04-01"
    assert first["current_price"] > 0
    assert first["lead_time_days"] >= 2
    assert first["map_price"]
    assert first["unit_cost"]
    assert set(first["competitor_prices"]) == {"ShopRival", "ValueMart"}
    assert len(first["recent"]) == 14
    assert first["recent"][-1]["date"] == "2025-04-01"


def test_the_endpoint_handlers_forecast_a_scenario_with_drivers(trained):
    model = inference.model_fn(str(trained / "model"))
    body = inference.input_fn(json.dumps({"store_id": "s01", "sku_ids": ["BEV-001", "NOPE-1"], "horizon_days": 7}), "application/json")
    prediction = inference.predict_fn(body, model)
    assert len(prediction["forecasts"]) == 7
    assert prediction["unknown_series"] == ["S01|NOPE-1"]
    first = prediction["forecasts"][0]
    assert first["p10"] <= first["p50"] <= first["p90"]
    assert first["drivers"][0]["impact"] in ("high", "medium", "low")
    csv, content_type = inference.output_fn(prediction, "text/csv")
    assert content_type == "text/csv"
    assert csv.splitlines()[0] == "store_id,sku_id,date,p10,p50,p90"


def test_a_planned_promotion_lifts_the_forecast_of_that_day(trained):
    model = inference.model_fn(str(trained / "model"))
    day = str((model._cutoff + pd.Timedelta(days=3)).date())
    history = pd.read_csv(trained / "input" / "train" / "sales.csv")
    regular = history.query("store_id == 'S01' and sku_id == 'BEV-001' and promo_flag == False")["price"].median()
    scenario = {"store_id": "S01", "sku_ids": ["BEV-001"], "horizon_days": 7,
                "prices": [{"sku_id": "BEV-001", "date": day, "price": regular}]}
    promoted = {**scenario, "promotions": [{"sku_id": "BEV-001", "date": day}],
                "prices": [{"sku_id": "BEV-001", "date": day, "price": round(regular * 0.8, 2)}]}
    without = {f["date"]: f for f in inference.predict_fn(scenario, model)["forecasts"]}[day]
    with_promo = {f["date"]: f for f in inference.predict_fn(promoted, model)["forecasts"]}[day]
    assert with_promo["p50"] > without["p50"]
    assert any(d["driver"] in ("promotion", "price") for d in with_promo["drivers"])


def test_the_endpoint_refuses_horizons_out_of_range(trained):
    model = inference.model_fn(str(trained / "model"))
    with pytest.raises(ValueError, match="between 1 and 90"):
        inference.predict_fn({"store_id": "S01", "sku_ids": ["BEV-001"], "horizon_days": 365}, model)


@pytest.mark.loopback  # talks HTTP to its own server on 127.0.0.1
def test_the_local_invocations_server_serves_the_same_handlers(trained):
    import urllib.error
    import urllib.request

    from local_stack.invocations import serve

    server = serve(str(trained / "model"))
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with urllib.request.urlopen(f"{url}/ping") as ping:
            assert ping.status == 200
        body = json.dumps({"store_id": "S01", "sku_ids": ["BEV-001"], "horizon_days": 5}).encode()
        request = urllib.request.Request(f"{url}/invocations", data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request) as response:
            answer = json.loads(response.read())
        assert len(answer["forecasts"]) == 5
        assert answer["forecasts"][0]["p50"] >= 0
        bad = urllib.request.Request(f"{url}/invocations", data=b'{"store_id": "S01", "sku_ids": ["BEV-001"], "horizon_days": 500}',
                                     headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(bad)
        assert refused.value.code == 400
        assert "between 1 and 90" in refused.value.read().decode()
    finally:
        server.shutdown()
