"""Elasticity recovery and plausibility.

(a) On demo tenants from the generator (several seeds; the true elasticity of every SKU is known):
median absolute error of our per-SKU estimate and how often its 90% interval covers the truth.
Baseline `loglog_ols`: the textbook log(units + 1) on log(price) regression per SKU, no controls.
(b) On the M5 slice (10 real Walmart item x store series with weekly prices): the estimates, whether
their signs are negative and their values in a plausible range (-4 to 0).

    PYTHONPATH=. .venv/bin/python -m benchmarks.pricing_elasticity [--seeds 3]
"""

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ._results import SHARED_DATA, write_result

PLAUSIBLE = (-4.0, 0.0)


def demo_frame(folder: Path) -> pd.DataFrame:
    """The generator's files as a training frame (stockout days marked censored, as the ETL does)."""
    sales = pd.read_csv(folder / "sales.csv")
    stock = pd.read_csv(folder / "inventory.csv")[["date", "store_id", "sku_id", "on_hand"]]
    products = pd.read_csv(folder / "products.csv")[["sku_id", "category"]]
    frame = sales.merge(stock, on=["date", "store_id", "sku_id"], how="left").merge(products, on="sku_id", how="left")
    frame = frame.sort_values(["store_id", "sku_id", "date"])
    frame["price"] = frame.groupby(["store_id", "sku_id"])["price"].ffill()
    return pd.DataFrame({
        "unique_id": frame["store_id"] + "|" + frame["sku_id"], "ds": pd.to_datetime(frame["date"]),
        "y": frame["units"].astype(float), "promo": frame["promo_flag"].astype(str).str.lower().eq("true").astype(int),
        "price": frame["price"], "censored": frame["on_hand"].fillna(1).le(0), "category": frame["category"],
    })


def loglog_ols(frame: pd.DataFrame) -> dict[str, float]:
    out = {}
    for sku, part in frame.assign(sku=frame["unique_id"].str.split("|").str[1]).groupby("sku"):
        part = part[part["price"].notna()]
        x, y = np.log(part["price"]), np.log1p(part["y"])
        out[sku] = float(np.polyfit(x, y, 1)[0])
    return out


def recovery(seeds: int) -> tuple[dict, dict, list[dict]]:
    from smartretail.demo.generator import DemoSpec, generate
    from smartretail.pricing.elasticity import estimate

    rows, seconds = [], 0.0
    for i in range(seeds):
        with tempfile.TemporaryDirectory() as tmp:
            truth = generate(DemoSpec(seed=20241001 + i), Path(tmp))
            frame = demo_frame(Path(tmp))
        started = time.perf_counter()
        ours = {e.sku_id: e for e in estimate(frame, store_level=False)}
        seconds += time.perf_counter() - started
        ols = loglog_ols(frame)
        for sku, true in truth["elasticity"].items():
            e = ours[sku]
            rows.append({"seed": i, "sku_id": sku, "true": true, "estimate": e.elasticity, "low": e.low, "high": e.high,
                         "identified": e.identified, "source": e.source, "ols": ols[sku]})
    table = pd.DataFrame(rows)
    ours_metrics = {
        "median_abs_error": round(float((table["estimate"] - table["true"]).abs().median()), 4),
        "mean_abs_error": round(float((table["estimate"] - table["true"]).abs().mean()), 4),
        "coverage_90": round(float(((table["low"] <= table["true"]) & (table["true"] <= table["high"])).mean()), 4),
        "mean_interval_width": round(float((table["high"] - table["low"]).mean()), 4),
        "identified_share": round(float(table["identified"].mean()), 4),
        "skus": int(len(table)),
        "fit_seconds_per_tenant": round(seconds / seeds, 2),
    }
    baseline = {
        "median_abs_error": round(float((table["ols"] - table["true"]).abs().median()), 4),
        "mean_abs_error": round(float((table["ols"] - table["true"]).abs().mean()), 4),
    }
    return ours_metrics, baseline, rows


def m5() -> list[dict]:
    from smartretail.demo.loaders import m5_sales
    from smartretail.pricing.elasticity import estimate

    sales = pd.DataFrame(list(m5_sales(SHARED_DATA / "m5_slice")),
                         columns=["date", "store_id", "sku_id", "units", "price", "promo_flag", "currency", "source_event_id"])
    frame = pd.DataFrame({
        "unique_id": sales["store_id"] + "|" + sales["sku_id"], "ds": pd.to_datetime(sales["date"]),
        "y": sales["units"].astype(float), "promo": 0, "price": sales["price"].astype(float), "censored": False,
        "category": sales["sku_id"].str.split("_").str[0],
    })
    # Each M5 item is sold in one store of the slice: the SKU-level estimate is the series' estimate.
    return [e.to_dict() for e in estimate(frame, store_level=False)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    ours, baseline, _ = recovery(args.seeds)
    m5_estimates = m5()
    identified = [e for e in m5_estimates if e["identified"]]
    ours["m5_series"] = len(m5_estimates)
    ours["m5_identified"] = len(identified)
    ours["m5_negative_share"] = round(sum(e["elasticity"] < 0 for e in m5_estimates) / max(len(m5_estimates), 1), 4)
    ours["m5_plausible_share"] = round(
        sum(PLAUSIBLE[0] <= e["elasticity"] <= PLAUSIBLE[1] for e in m5_estimates) / max(len(m5_estimates), 1), 4)
    write_result(
        "pricing_elasticity",
        f"demo generator, {args.seeds} seeds x 36 SKUs x 5 stores x 730 days (true elasticities known); "
        "M5 slice: 10 Walmart item x store series with weekly prices",
        {"smartretail": ours, "loglog_ols": baseline},
        m5_estimates=m5_estimates,
    )


if __name__ == "__main__":
    main()
