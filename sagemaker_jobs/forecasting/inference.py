"""SageMaker inference handlers (serverless endpoint and batch forecasting) for the demand forecast.

Request (application/json): {"store_id": "S01", "sku_ids": ["BEV-001"], "horizon_days": 28,
"promotions": [{"sku_id": "BEV-001", "date": "2026-10-03"}], "prices": [{"sku_id": ..., "date": ..., "price": 2.49}]}
or {"rows": [{"date", "store_id", "sku_id", "promo_flag", "price"}, ...]}; text/csv takes the rows.
Response: {"forecasts": [{"store_id", "sku_id", "date", "p10", "p50", "p90", "drivers"}], "unknown_series": [...]}.
"""

import io
import json
import pickle
from pathlib import Path

import pandas as pd

from smartretail.forecasting.artefacts import MODEL_FILE

MAX_HORIZON_DAYS = 90


def model_fn(model_dir: str):
    with open(Path(model_dir) / MODEL_FILE, "rb") as f:
        return pickle.load(f)


def _rows_from_scenario(body: dict, cutoff: pd.Timestamp) -> pd.DataFrame:
    horizon = int(body.get("horizon_days", 28))
    if not 1 <= horizon <= MAX_HORIZON_DAYS:
        raise ValueError(f"horizon_days must be between 1 and {MAX_HORIZON_DAYS}")
    days = pd.date_range(cutoff + pd.Timedelta(days=1), periods=horizon, freq="D")
    rows = pd.DataFrame([(body["store_id"], sku, day) for sku in body["sku_ids"] for day in days], columns=["store_id", "sku_id", "ds"])
    rows["promo"] = 0
    for promo in body.get("promotions", []):
        rows.loc[(rows["sku_id"] == promo["sku_id"]) & (rows["ds"] == pd.Timestamp(promo["date"])), "promo"] = 1
    rows["price"] = float("nan")
    for price in body.get("prices", []):
        rows.loc[(rows["sku_id"] == price["sku_id"]) & (rows["ds"] == pd.Timestamp(price["date"])), "price"] = float(price["price"])
    return rows


def input_fn(request_body, content_type: str = "application/json") -> dict:
    if content_type == "text/csv":
        raw = pd.read_csv(io.StringIO(request_body.decode() if isinstance(request_body, bytes) else request_body))
        return {"rows": raw.to_dict(orient="records")}
    if content_type == "application/json":
        return json.loads(request_body)
    raise ValueError(f"unsupported content type {content_type}: use application/json or text/csv")


def predict_fn(body: dict, model) -> dict:
    cutoff = model._cutoff
    if "rows" in body:
        rows = pd.DataFrame(body["rows"])
        rows["ds"] = pd.to_datetime(rows.pop("date"))
        rows["promo"] = rows.get("promo_flag", False)
        rows["promo"] = rows["promo"].astype(str).str.lower().isin(["true", "1"]).astype("int8")
        rows["price"] = pd.to_numeric(rows.get("price"), errors="coerce")
    else:
        rows = _rows_from_scenario(body, cutoff)
    rows["store_id"] = rows["store_id"].astype(str).str.upper()
    rows["sku_id"] = rows["sku_id"].astype(str).str.upper()
    rows["unique_id"] = rows["store_id"] + "|" + rows["sku_id"]
    rows["open"] = 1
    known = rows["unique_id"].isin(model.series)
    forecast = model.predict(rows[known][["unique_id", "ds", "open", "promo", "price"]], explain=True) if known.any() else pd.DataFrame(
        columns=["unique_id", "ds", "p10", "p50", "p90", "drivers"])
    forecast[["store_id", "sku_id"]] = forecast["unique_id"].str.split("|", n=1, expand=True) if len(forecast) else None
    return {
        "trained_through": str(cutoff.date()),
        "forecasts": [
            {"store_id": r.store_id, "sku_id": r.sku_id, "date": r.ds.date().isoformat(),
             "p10": round(r.p10, 2), "p50": round(r.p50, 2), "p90": round(r.p90, 2), "drivers": r.drivers}
            for r in forecast.itertuples()
        ],
        "unknown_series": sorted(rows.loc[~known, "unique_id"].unique().tolist()),
    }


def output_fn(prediction: dict, accept: str = "application/json"):
    if accept == "text/csv":
        frame = pd.DataFrame(prediction["forecasts"]).drop(columns=["drivers"], errors="ignore")
        return frame.to_csv(index=False), "text/csv"
    return json.dumps(prediction), "application/json"
