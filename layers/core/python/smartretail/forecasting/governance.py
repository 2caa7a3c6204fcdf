"""Model governance: a model card per trained version. The training job writes it into the version's
record (with the drift report of smartretail.forecasting.drift), GET /models/{version}/card serves it
with the pipeline's decision, and the pipeline registers it as a SageMaker Model Card. Standard
library only: the API and the loader format cards too."""

from __future__ import annotations

from typing import Any

def model_card(evaluation: dict[str, Any], frame: Any, model_version: str, horizon_days: int,
               drift: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a reviewer needs to decide whether to trust this version: what it is for, what it was
    trained on, how it did per category and per backtest window against the baselines, what it
    cannot do. Its approval is the pipeline's decision, added when the card is read."""
    days = frame["ds"].dt.normalize()
    stores = frame["unique_id"].str.split("|").str[0]
    selling = frame[frame["open"] == 1] if "open" in frame else frame
    zero_share = float((selling["y"] == 0).mean()) if len(selling) else None
    limitations = [
        "Forecasts daily units per store and SKU from that series' own history, calendar, promotions and prices; it does "
        "not know about events, competitors' actions or supply problems the data does not show (managers override those).",
        "A store x SKU with no sales history gets a seasonal-naive forecast from the API, not this model.",
        "Bands are P10/P90 widened on held-out windows to cover 80% of days; weekly sums of daily bands are wider than a "
        "true weekly interval.",
    ]
    if zero_share is not None and zero_share > 0.5:
        limitations.append(f"{zero_share:.0%} of series-days sold nothing: demand is intermittent. The daily P50 (a median) is "
                           "often 0 there, so sums of P50s understate weekly demand (benchmarks/forecast_intermittent: weekly "
                           "WAPE worse than ADIDA or TSB on the M5 slice); plan such items on the band, not the P50.")
    history_days = int((days.max() - days.min()).days) + 1
    if history_days < 365:
        limitations.append(f"Trained on {history_days} days: yearly seasonality (holidays, summer) is not learned yet.")
    if drift and drift.get("drifted"):
        limitations.append(f"The last {drift['recent_days']} days differ from the history before them in "
                           f"{', '.join(drift['drifted'])} (PSI above {drift['threshold']}): watch its realised accuracy.")
    best = evaluation.get("best_baseline")
    return {
        "model_version": model_version,
        "intended_use": f"Daily demand forecasts (P10, P50, P90) for each store x SKU over the next {horizon_days} days, "
                        "read by sellers and managers and by the reorder and pricing decisions; not for financial reporting.",
        "model": "Global LightGBM models (mlforecast) on log units: a direct model (lags and rolling means beyond the "
                 "horizon) blended with a recursive one (lags from one day) for the P50, the recursive share largest on "
                 "the first days; calendar, holidays, promotions, price and category; P10/P90 quantile models with "
                 "conformal widening of the 80% band.",
        "data": {"first_day": str(days.min().date()), "trained_through": str(days.max().date()), "history_days": history_days,
                 "series": int(frame["unique_id"].nunique()), "stores": int(stores.nunique()),
                 "categories": int(frame["category"].nunique()) if "category" in frame else None,
                 "zero_sales_share": round(zero_share, 4) if zero_share is not None else None},
        "metrics": {"overall": evaluation.get("overall"), "per_category_wape": evaluation.get("per_group"),
                    "per_window_wape": evaluation.get("windows"), "best_baseline": best,
                    "beats_baselines": evaluation.get("beats_baselines")},
        "drift": {k: v for k, v in (drift or {}).items() if k != "features"} | (
            {"psi": {n: f["psi"] for n, f in drift["features"].items()}} if drift else {}),
        "limitations": limitations,
        "deployment": "Served from a SageMaker serverless endpoint per tenant and a weekly batch forecast. Serverless "
                      "endpoints do not support SageMaker deployment guardrails (canary or linear traffic shifting with "
                      "alarm rollback): a promoted version replaces the endpoint configuration at once. The pipeline "
                      "promotes only a version that beats the baselines and the live model on the same backtest.",
    }


def card_with_approval(record: dict[str, Any]) -> dict[str, Any]:
    """The stored card with the pipeline's decision on it (the registry's status and reason)."""
    card = dict(record.get("model_card") or {})
    status = record.get("status", "candidate")
    card["approval"] = {"status": {"live": "approved", "archived": "approved, since replaced", "rejected": "rejected"}.get(status, "pending"),
                        "decided_by": "the training pipeline's promotion rule", "reason": record.get("reason", "")}
    return card


def sagemaker_card_content(card: dict[str, Any]) -> dict[str, Any]:
    """The card in SageMaker Model Card's content schema (model_overview, intended_uses,
    evaluation_details, additional_information)."""
    overall = (card.get("metrics") or {}).get("overall") or {}
    metrics = [{"name": f"{system} {name}", "type": "number", "value": float(value)}
               for system, values in overall.items() for name, value in values.items()
               if name in ("wape", "pinball_mean", "coverage_80") and value is not None and value == value]
    return {
        "model_overview": {"model_description": card.get("model", ""), "model_owner": "SmartRetail training pipeline",
                           "problem_type": "Time series forecasting", "algorithm_type": "LightGBM quantile regression"},
        "intended_uses": {"intended_uses": card.get("intended_use", ""), "risk_rating": "Low"},
        "evaluation_details": [{"name": "rolling-origin backtest", "evaluation_observation":
                                f"data {card['data']['first_day']}..{card['data']['trained_through']}",
                                "metric_groups": [{"name": "overall", "metric_data": metrics}]}],
        "additional_information": {"caveats_and_recommendations": " ".join(card.get("limitations", [])),
                                   "custom_details": {"deployment": card.get("deployment", "")[:1024]}},
    }
