"""Forecast from files, in both layouts, as an analyst would run it."""

import csv
import subprocess
import sys
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from smartretail.demo.generator import DemoSpec, generate
from smartretail.forecasting.files import forecast_files
from smartretail.forecasting.metrics import wape


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    generate(DemoSpec(days=240, skus_per_category=1, stores=2), folder)
    sales = pd.read_csv(folder / "sales.csv")
    cutoff = (date(2024, 10, 1) + timedelta(days=211)).isoformat()
    history, future = sales[sales["date"] <= cutoff], sales[sales["date"] > cutoff]
    history.to_csv(folder / "history.csv", index=False)
    extra = pd.DataFrame([{"date": future["date"].iloc[0], "store_id": "S01", "sku_id": "NEW-001", "promo_flag": "false"}])
    pd.concat([future.drop(columns=["units"]), extra]).to_csv(folder / "future.csv", index=False)
    return folder, future


def test_the_sales_contract_layout_gets_one_row_per_series_and_day(demo):
    folder, future = demo
    rows = forecast_files(folder / "history.csv", folder / "future.csv", folder / "forecast.csv")
    out = pd.read_csv(folder / "forecast.csv")
    assert rows == len(future) + 1
    assert list(out.columns) == ["date", "store_id", "sku_id", "p10", "p50", "p90"]
    assert (out["p10"] <= out["p50"]).all()
    assert (out["p50"] <= out["p90"]).all()
    joined = future.merge(out, on=["date", "store_id", "sku_id"])
    assert wape(joined["units"].to_numpy(float), joined["p50"].to_numpy()) < 0.6
    assert out.loc[out["sku_id"] == "NEW-001", "p50"].notna().all()  # no history: the day's median, not a gap


def _rossmann_files(folder, stores=3, days=220, seed=5):
    rng = np.random.default_rng(seed)
    start = date(2014, 1, 1)
    with open(folder / "train.csv", "w", newline="") as f, open(folder / "test.csv", "w", newline="") as g:
        train, test = csv.writer(f), csv.writer(g)
        train.writerow(["Store", "DayOfWeek", "Date", "Sales", "Customers", "Open", "Promo", "StateHoliday", "SchoolHoliday"])
        test.writerow(["Id", "Store", "DayOfWeek", "Date", "Open", "Promo", "StateHoliday", "SchoolHoliday"])
        for store in range(1, stores + 1):
            for d in range(days):
                day = start + timedelta(days=d)
                open_, promo = int(day.weekday() != 6), int((d // 7) % 2 == 0)
                sales = int(rng.poisson(3000 * (1.4 if promo else 1.0))) if open_ else 0
                if d < days - 21:
                    train.writerow([store, day.isoweekday(), day.isoformat(), sales, sales // 10, open_, promo, "0", 0])
                else:
                    test.writerow([store * 1000 + d, store, day.isoweekday(), day.isoformat(), open_ if store != 2 else "", promo, "0", 0])
    (folder / "store.csv").write_text(
        "Store,StoreType,Assortment,CompetitionDistance,CompetitionOpenSinceMonth,CompetitionOpenSinceYear,Promo2,Promo2SinceWeek,Promo2SinceYear,PromoInterval\n"
        '1,a,a,1270,9,2008,0,NULL,NULL,NULL\n2,c,b,NULL,NULL,NULL,1,13,2010,"Jan,Apr,Jul,Oct"\n3,a,c,570,11,2007,0,NULL,NULL,NULL\n'
    )


def _cli(history, future, out):
    return subprocess.run(
        [sys.executable, "-m", "smartretail.forecasting", "--history", str(history), "--future", str(future), "--out", str(out)],
        capture_output=True, text=True,
    )


def test_the_rossmann_layout_is_read_and_closed_days_are_zero(tmp_path):
    _rossmann_files(tmp_path)
    done = _cli(tmp_path / "train.csv", tmp_path / "test.csv", tmp_path / "forecast.csv")
    assert done.returncode == 0, done.stderr
    out = pd.read_csv(tmp_path / "forecast.csv")
    test = pd.read_csv(tmp_path / "test.csv")
    assert list(out.columns) == ["Id", "Store", "Date", "p10", "p50", "p90"]
    assert len(out) == len(test)
    closed = test.merge(out, on=["Id", "Store", "Date"]).query("Open == 0")
    assert len(closed) > 0
    assert (closed[["p10", "p50", "p90"]] == 0).all().all()
    assert out.loc[out["Store"] == 2, "p50"].gt(0).any()  # a blank Open is read as open


def test_a_future_file_that_overlaps_the_history_is_refused(tmp_path):
    _rossmann_files(tmp_path)
    done = _cli(tmp_path / "train.csv", tmp_path / "train.csv", tmp_path / "x.csv")
    assert done.returncode == 2
    assert "must start after the last day of the history" in done.stderr
